// Loading a plugin once in a forked child before the host loads it: a plugin whose constructors,
// entry point or built-in catalogs crash (SIGSEGV, abort, exit) kills the child, and the host
// reports it instead of dying. See probe_load() in plugin_internal.h.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "plugin_host/plugin_internal.h"

namespace pigmatch::plugin_detail {
namespace {

// What the child writes to the pipe when the whole load returned (normally or with an error the
// host will report by itself): a child that ends without it was ended by the plugin.
constexpr char finished_mark = 'F';

// Runs in the child only, between fork() and _exit(): no return to the caller's stack.
[[noreturn]] void run_child(int write_end, const std::function<void()>& load) {
  // The plugin's output would appear twice (here and in the real load); drop it here.
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
  }
  // Sanitizers and crash reporters install handlers that turn a crash into an exit status;
  // the host wants the signal itself.
  for (const int signal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP})
    std::signal(signal, SIG_DFL);
  try {
    load();
  } catch (...) {
    // Rejections and errors are the real load's to report, with their full messages.
  }
  const ssize_t written = ::write(write_end, &finished_mark, 1);
  // _exit: the parent's atexit handlers, static destructors and stdio buffers are not ours.
  ::_exit(written == 1 ? 0 : 1);
}

// Far longer than any plugin takes to load (milliseconds); a child still busy after it is stuck,
// e.g. on a lock that another thread of the host held at fork() time, not crashed.
constexpr int probe_timeout_ms = 10'000;

enum class ChildOutcome { finished, ended, stuck };

// Waits for the child's mark or for the pipe to close (the child ended without it).
ChildOutcome wait_for_mark(int read_end) {
  pollfd ready{read_end, POLLIN, 0};
  int polled = 0;
  while ((polled = ::poll(&ready, 1, probe_timeout_ms)) < 0 && errno == EINTR) {
  }
  if (polled <= 0)
    return polled == 0 ? ChildOutcome::stuck : ChildOutcome::finished;  // poll failed: no verdict
  char mark = 0;
  ssize_t n = 0;
  while ((n = ::read(read_end, &mark, 1)) < 0 && errno == EINTR) {
  }
  return n == 1 && mark == finished_mark ? ChildOutcome::finished : ChildOutcome::ended;
}

int wait_for(pid_t child) {
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR)
      return -1;
  }
  return status;
}

std::string signal_name(int signal) {
  const char* abbreviation = ::sigabbrev_np(signal);
  return abbreviation != nullptr ? fmt::format("signal {}, SIG{}", signal, abbreviation)
                                 : fmt::format("signal {}", signal);
}

}  // namespace

std::optional<std::string> probe_load(const std::function<void()>& load) {
  std::array<int, 2> pipe_ends{-1, -1};
  if (::pipe2(pipe_ends.data(), O_CLOEXEC) != 0)
    return std::nullopt;  // no probe possible: load in-process as without one
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    return std::nullopt;
  }
  if (child == 0) {
    ::close(pipe_ends[0]);
    run_child(pipe_ends[1], load);
  }
  ::close(pipe_ends[1]);
  const ChildOutcome outcome = wait_for_mark(pipe_ends[0]);
  ::close(pipe_ends[0]);
  if (outcome == ChildOutcome::stuck)
    ::kill(child, SIGKILL);  // no verdict: the plugin is loaded in-process, as without a probe
  const int status = wait_for(child);
  if (outcome != ChildOutcome::ended || status < 0)
    return std::nullopt;
  if (WIFSIGNALED(status)) {
    return fmt::format("crashed while loading ({}): remove it or ask its vendor for a fixed build",
                       signal_name(WTERMSIG(status)));
  }
  return fmt::format(
      "ended the program while loading (exit status {}): remove it or ask its "
      "vendor for a fixed build",
      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

}  // namespace pigmatch::plugin_detail
