// Internals of the plugin host shared by plugin_*.cpp: a loaded plugin library, calls into it
// behind an exception barrier, and the conversion of the ABI's POD catalogs into catalog.h.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pigmatch/formulation/catalog.h"
#include "pigmatch/plugin.h"
#include "pigmatch/plugin_host/plugin_host.h"

namespace pigmatch::plugin_detail {

/// A plugin that could not be loaded; the message says why (the caller names the file).
struct Rejected {
  std::string message;
};

/// A call into a plugin returning a status, by reference: unlike std::function it never allocates
/// (mixing-model calls run in the formulator's loops). Valid while the callable lives, which for
/// a lambda passed to call() is the whole call.
class StatusCall {
 public:
  template <class F>
  StatusCall(F&& f)  // NOLINT(google-explicit-constructor): used like std::function
      : object_(const_cast<void*>(static_cast<const void*>(&f))),
        invoke_([](void* object) -> pigmatch_status {
          return (*static_cast<std::remove_reference_t<F>*>(object))();
        }) {}
  pigmatch_status operator()() const { return invoke_(object_); }

 private:
  void* object_;
  pigmatch_status (*invoke_)(void*);
};

/// An open plugin library whose descriptor passed every check. Shared by the registry and by
/// every MixingModel made from it, so the library stays mapped while any of them lives.
class LoadedPlugin {
 public:
  /// Loads `file`, performs the handshake and checks the descriptor. Throws Rejected.
  static std::shared_ptr<LoadedPlugin> load(const std::filesystem::path& file, Origin origin);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const PluginInfo& info() const noexcept { return info_; }
  const pigmatch_plugin& descriptor() const noexcept { return *descriptor_; }

  /// Runs `call` (a call into the plugin returning a status) under the plugin's lock, turning a
  /// status other than OK into pigmatch::Error with the plugin's last_error() message, and any
  /// exception escaping the plugin into pigmatch::Error too. `what` names the call.
  void call(std::string_view what, StatusCall call) const;
  /// Like call() for the functions that return nothing (release); never throws.
  void call_noexcept(const std::function<void()>& call) const noexcept;
  /// As call() but without the lock, for mixing-model predict (reentrant by contract).
  void call_unlocked(std::string_view what, StatusCall call) const;

  /// "plugin 'id' (file)" for messages.
  std::string label() const;

  /// True once an exception escaped one of its functions: its state is unknown, so the host
  /// stops calling it (call() then throws) and the registry drops it.
  bool broken() const noexcept { return broken_; }

 private:
  struct Library;
  LoadedPlugin(std::unique_ptr<Library> library, const pigmatch_plugin* descriptor,
               PluginInfo info);
  std::string last_error() const noexcept;

  std::unique_ptr<Library> library_;
  const pigmatch_plugin* descriptor_;
  PluginInfo info_;
  mutable std::mutex mutex_;
  mutable std::atomic<bool> broken_{false};
};

/// Runs `load` (the host's whole load of one plugin: dlopen, entry point, descriptor checks,
/// built-in catalogs) in a forked child first, so that a plugin that crashes or ends the process
/// while loading takes the child with it, not the host. Returns why the plugin must not be loaded
/// in-process ("crashed while loading (signal 11, SIGSEGV): …"), or nothing when the child's load
/// returned (its errors are left to the real load, which reports them in full), when no child
/// could be started, or when the child did not finish within 10 s (then it is killed: in a
/// process with other threads it may be stuck on a lock one of them held at fork() time). The
/// child writes nothing and leaves no state behind: it ends with _exit().
std::optional<std::string> probe_load(const std::function<void()>& load);

/// The text of an optional C string ("" for NULL).
inline std::string text(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

/// Converts a plugin's catalog into catalog.h's type, checking the ABI-level facts validate()
/// cannot see (NULL where required, struct sizes, counts, spectra that cannot be resampled).
/// Such faults are appended to `problems` as errors; the catalog is still returned as far as it
/// could be read.
Catalog to_catalog(const pigmatch_catalog& pod, const std::string& source,
                   std::vector<Problem>& problems);

/// Mixing model `index` of `plugin`, not yet prepared.
MixingModel make_mixing_model(std::shared_ptr<LoadedPlugin> plugin, std::size_t index);

/// The findings of a catalog set's diagnostics as Problems ("line N: where" when known).
std::vector<Problem> to_problems(const pigmatch_catalog_set& set);

}  // namespace pigmatch::plugin_detail
