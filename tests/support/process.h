// Runs a real process (the pigmatch executable) and captures its exit code, stdout and stderr.
// Test support only.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace pigmatch::test {

struct ProcessResult {
  int exit_code = -1;  ///< the exit status, or -1 when killed by a signal
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// Runs `program` with `args` (no shell, so no quoting surprises), stdin from /dev/null.
inline ProcessResult run_process(const std::string& program, const std::vector<std::string>& args) {
  const auto dir = std::filesystem::temp_directory_path();
  static int runs = 0;  // distinct capture files for each run of this test process
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(++runs);
  const auto out_path = dir / ("pigmatch-test-out-" + tag);
  const auto err_path = dir / ("pigmatch-test-err-" + tag);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);

  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int spawn_error =
      posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0)
    throw std::runtime_error("cannot start " + program);

  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

/// The pigmatch executable under test (set by CMake).
inline std::string pigmatch_exe() {
  return PIGMATCH_EXE;
}

inline ProcessResult run_pigmatch(const std::vector<std::string>& args) {
  return run_process(pigmatch_exe(), args);
}

/// Runs pigmatch with `--db DB` appended to the leaf command's arguments.
inline ProcessResult run_db(const std::filesystem::path& db, std::vector<std::string> args) {
  args.insert(args.end(), {"--db", db.string()});
  return run_pigmatch(args);
}

}  // namespace pigmatch::test
