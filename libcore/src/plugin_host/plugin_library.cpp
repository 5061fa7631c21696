// Loading one plugin library: Boost.DLL, the version handshake, and the checks on its descriptor
// that make later calls safe (every pointer the host will follow is non-NULL).
#define BOOST_DLL_USE_STD_FS
#include <fmt/format.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cctype>
#include <cstddef>
#include <exception>
#include <system_error>

#include "pigmatch/error.h"
#include "pigmatch/version.h"
#include "plugin_host/plugin_internal.h"
#include "support/text.h"

namespace pigmatch::plugin_detail {

struct LoadedPlugin::Library {
  boost::dll::shared_library library;
};

namespace {

// Far beyond any real plugin; larger counts mean a garbage descriptor, not a big plugin.
constexpr std::size_t max_extensions = 256;

// The v1 descriptor ends with mixing_models; a v1 plugin must provide every field.
constexpr std::size_t v1_plugin_size =
    offsetof(pigmatch_plugin, mixing_models) + sizeof(pigmatch_plugin::mixing_models);
constexpr std::size_t v1_provider_size =
    offsetof(pigmatch_catalog_provider, user_data) + sizeof(pigmatch_catalog_provider::user_data);
constexpr std::size_t v1_model_size =
    offsetof(pigmatch_mixing_model, user_data) + sizeof(pigmatch_mixing_model::user_data);
constexpr std::size_t handshake_size =
    offsetof(pigmatch_plugin, abi_version) + sizeof(pigmatch_plugin::abi_version);

ErrorCode to_error_code(pigmatch_status status) {
  switch (status) {
    case PIGMATCH_ERROR_INVALID_ARGUMENT:
      return ErrorCode::invalid_argument;
    case PIGMATCH_ERROR_IO:
      return ErrorCode::io;
    case PIGMATCH_ERROR_CORRUPT_DATA:
      return ErrorCode::corrupt_data;
    case PIGMATCH_ERROR_UNSUPPORTED:
      return ErrorCode::unsupported;
    case PIGMATCH_ERROR_NOT_FOUND:
      return ErrorCode::not_found;
    default:
      return ErrorCode::corrupt_data;  // out of memory, internal, unknown codes
  }
}

std::string status_name(pigmatch_status status) {
  switch (status) {
    case PIGMATCH_ERROR_INVALID_ARGUMENT:
      return "invalid argument";
    case PIGMATCH_ERROR_IO:
      return "I/O error";
    case PIGMATCH_ERROR_CORRUPT_DATA:
      return "corrupt data";
    case PIGMATCH_ERROR_UNSUPPORTED:
      return "unsupported";
    case PIGMATCH_ERROR_OUT_OF_MEMORY:
      return "out of memory";
    case PIGMATCH_ERROR_NOT_FOUND:
      return "not found";
    case PIGMATCH_ERROR_INTERNAL:
      return "internal error";
    default:
      return fmt::format("unknown status {}", status);
  }
}

// Boost.DLL puts dlerror()'s text in parentheses after its own prefix; the dlerror part is what
// helps a person (e.g. "undefined symbol: foo", "invalid ELF header").
std::string load_failure_reason(const std::system_error& e, const std::filesystem::path& file) {
  const std::string what = e.what();
  const std::string marker = "dlerror system message: ";
  const auto at = what.find(marker);
  if (at == std::string::npos)
    return what;
  std::string reason = what.substr(at + marker.size());
  const auto close = reason.rfind("): ");
  if (close != std::string::npos)
    reason.erase(close);
  const std::string prefix = file.string() + ": ";
  if (reason.starts_with(prefix))
    reason.erase(0, prefix.size());
  return reason;
}

bool is_valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
  });
}

// Descriptor checks: each failure names the field, so a plugin author knows what to fix.
class DescriptorCheck {
 public:
  DescriptorCheck() = default;

  [[noreturn]] void reject(const std::string& problem) const { throw Rejected{problem}; }
  void require(bool ok, const std::string& problem) const {
    if (!ok)
      reject(problem);
  }
  std::string required_text(const char* s, const std::string& field) const {
    require(s != nullptr && *s != '\0',
            fmt::format("{} is {}; it is required", field, s == nullptr ? "NULL" : "empty"));
    return s;
  }
};

void check_handshake(const DescriptorCheck& check, const pigmatch_plugin* d) {
  check.require(d != nullptr,
                "the entry point " PIGMATCH_PLUGIN_ENTRY_NAME
                " returned NULL (the plugin declined to load; it may need a newer pigmatch)");
  check.require(d->struct_size >= handshake_size,
                fmt::format("the descriptor is {} bytes, too small to be a pigmatch plugin "
                            "descriptor",
                            d->struct_size));
  check.require(d->magic == PIGMATCH_PLUGIN_MAGIC,
                fmt::format("the descriptor has magic 0x{:08X}, not 0x{:08X}: the entry point "
                            "does not return a pigmatch_plugin",
                            d->magic, PIGMATCH_PLUGIN_MAGIC));
  check.require(d->abi_version == PIGMATCH_PLUGIN_ABI_VERSION,
                fmt::format("built for plugin ABI version {}, but this pigmatch ({}) speaks "
                            "version {}; get a build of the plugin for pigmatch {}",
                            d->abi_version, PIGMATCH_VERSION_STRING, PIGMATCH_PLUGIN_ABI_VERSION,
                            PIGMATCH_VERSION_STRING));
  check.require(d->struct_size >= v1_plugin_size,
                fmt::format("the descriptor is {} bytes, smaller than ABI version 1's {} bytes",
                            d->struct_size, v1_plugin_size));
}

CatalogProviderInfo check_provider(const DescriptorCheck& check, const pigmatch_catalog_provider* p,
                                   std::size_t index) {
  const std::string where = fmt::format("catalog_providers[{}]", index);
  check.require(p != nullptr, where + " is NULL");
  check.require(p->struct_size >= v1_provider_size,
                fmt::format("{}.struct_size is {}, smaller than ABI version 1's {}", where,
                            p->struct_size, v1_provider_size));
  CatalogProviderInfo info;
  info.id = check.required_text(p->id, where + ".id");
  info.description = text(p->description);
  check.require(p->load_builtin != nullptr || p->load_file != nullptr,
                where + " has neither load_builtin nor load_file");
  check.require(p->release != nullptr, where + ".release is NULL");
  info.has_builtin_catalogs = p->load_builtin != nullptr;
  if (p->load_file != nullptr) {
    check.require(p->file_extensions != nullptr,
                  where + ".file_extensions is NULL but load_file is set");
    for (std::size_t i = 0; p->file_extensions[i] != nullptr; ++i) {
      check.require(i < max_extensions, where + ".file_extensions is not NULL-terminated");
      const std::string extension = detail::lowercase(p->file_extensions[i]);
      check.require(
          extension.size() >= 2 && extension[0] == '.',
          fmt::format("{}.file_extensions[{}] '{}' must start with '.'", where, i, extension));
      info.file_extensions.push_back(extension);
    }
  }
  return info;
}

MixingModelInfo check_model(const DescriptorCheck& check, const pigmatch_mixing_model* m,
                            std::size_t index) {
  const std::string where = fmt::format("mixing_models[{}]", index);
  check.require(m != nullptr, where + " is NULL");
  check.require(m->struct_size >= v1_model_size,
                fmt::format("{}.struct_size is {}, smaller than ABI version 1's {}", where,
                            m->struct_size, v1_model_size));
  MixingModelInfo info;
  info.id = check.required_text(m->id, where + ".id");
  info.name = check.required_text(m->name, where + ".name");
  info.description = text(m->description);
  check.require(m->prepare != nullptr && m->predict != nullptr && m->release != nullptr,
                where + " lacks prepare, predict or release");
  check.require((m->outputs & (PIGMATCH_OUTPUT_REFLECTANCE | PIGMATCH_OUTPUT_LAB_D50)) != 0,
                where + ".outputs names neither reflectance nor Lab");
  info.outputs_reflectance = (m->outputs & PIGMATCH_OUTPUT_REFLECTANCE) != 0;
  info.outputs_lab = (m->outputs & PIGMATCH_OUTPUT_LAB_D50) != 0;
  info.needs_spectral = (m->needs & PIGMATCH_NEEDS_SPECTRAL) != 0;
  info.needs_lab = (m->needs & PIGMATCH_NEEDS_LAB) != 0;
  return info;
}

PluginInfo check_descriptor(const DescriptorCheck& check, const pigmatch_plugin* d) {
  check_handshake(check, d);
  PluginInfo info;
  info.abi_version = d->abi_version;
  info.id = check.required_text(d->id, "id");
  check.require(is_valid_id(info.id), fmt::format("id '{}' may only contain letters, digits, "
                                                  "'.', '_' and '-'",
                                                  info.id));
  info.name = check.required_text(d->name, "name");
  info.version = check.required_text(d->version, "version");
  info.vendor = text(d->vendor);
  info.description = text(d->description);
  check.require(d->last_error != nullptr, "last_error is NULL; it is required");
  check.require(d->catalog_provider_count == 0 || d->catalog_providers != nullptr,
                "catalog_providers is NULL but catalog_provider_count is not 0");
  check.require(d->mixing_model_count == 0 || d->mixing_models != nullptr,
                "mixing_models is NULL but mixing_model_count is not 0");
  check.require(
      d->catalog_provider_count <= max_extensions && d->mixing_model_count <= max_extensions,
      fmt::format("implausible extension counts ({} catalog providers, {} mixing "
                  "models)",
                  d->catalog_provider_count, d->mixing_model_count));
  check.require(d->catalog_provider_count + d->mixing_model_count > 0,
                "the plugin offers no catalog provider and no mixing model");
  for (std::size_t i = 0; i < d->catalog_provider_count; ++i) {
    info.catalog_providers.push_back(check_provider(check, d->catalog_providers[i], i));
  }
  for (std::size_t i = 0; i < d->mixing_model_count; ++i) {
    info.mixing_models.push_back(check_model(check, d->mixing_models[i], i));
  }
  return info;
}

}  // namespace

std::shared_ptr<LoadedPlugin> LoadedPlugin::load(const std::filesystem::path& file, Origin origin) {
  const DescriptorCheck check;
  auto library = std::make_unique<Library>();
  try {
    // rtld_now: a plugin with unresolved symbols fails here, with a message, not later.
    library->library.load(file,
                          boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::system_error& e) {
    check.reject(fmt::format("cannot load the library: {}", load_failure_reason(e, file)));
  }
  check.require(library->library.has(PIGMATCH_PLUGIN_ENTRY_NAME),
                "does not export " PIGMATCH_PLUGIN_ENTRY_NAME
                "; a pigmatch plugin defines it with PIGMATCH_DEFINE_PLUGIN (plugin.hpp) or "
                "PIGMATCH_PLUGIN_EXPORT (plugin.h)");
  const auto entry = library->library.get<const pigmatch_plugin*(const pigmatch_host*)>(
      PIGMATCH_PLUGIN_ENTRY_NAME);

  const pigmatch_host host{sizeof(pigmatch_host), PIGMATCH_PLUGIN_ABI_VERSION,
                           PIGMATCH_VERSION_STRING};
  const pigmatch_plugin* descriptor = nullptr;
  try {
    descriptor = entry(&host);
  } catch (const std::exception& e) {
    check.reject(
        fmt::format("the entry point threw a C++ exception ({}); plugins must not throw "
                    "across the C ABI",
                    e.what()));
  } catch (...) {
    check.reject("the entry point threw an exception; plugins must not throw across the C ABI");
  }
  PluginInfo info = check_descriptor(check, descriptor);
  info.file = file;
  info.origin = origin;
  return std::shared_ptr<LoadedPlugin>(
      new LoadedPlugin(std::move(library), descriptor, std::move(info)));
}

LoadedPlugin::LoadedPlugin(std::unique_ptr<Library> library, const pigmatch_plugin* descriptor,
                           PluginInfo info)
    : library_(std::move(library)), descriptor_(descriptor), info_(std::move(info)) {}

LoadedPlugin::~LoadedPlugin() = default;

std::string LoadedPlugin::label() const {
  return fmt::format("plugin '{}' ({})", info_.id, info_.file.string());
}

std::string LoadedPlugin::last_error() const noexcept {
  try {
    const char* message = descriptor_->last_error();
    return message == nullptr || *message == '\0' ? std::string("no message") : message;
  } catch (...) {
    return "no message (last_error threw)";
  }
}

void LoadedPlugin::call_unlocked(std::string_view what, StatusCall call) const {
  if (broken_) {
    throw Error(
        ErrorCode::unsupported,
        fmt::format("{} is disabled: it threw an exception across the C ABI earlier", label()));
  }
  pigmatch_status status = PIGMATCH_OK;
  try {
    status = call();
  } catch (const std::exception& e) {
    broken_ = true;
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: {} threw a C++ exception ({}); plugins must not throw across "
                            "the C ABI — report this to the plugin's vendor",
                            label(), what, e.what()));
  } catch (...) {
    broken_ = true;
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: {} threw an exception; plugins must not throw across the C ABI "
                            "— report this to the plugin's vendor",
                            label(), what));
  }
  if (status != PIGMATCH_OK) {
    throw Error(to_error_code(status), fmt::format("{}: {} failed ({}): {}", label(), what,
                                                   status_name(status), last_error()));
  }
}

void LoadedPlugin::call(std::string_view what, StatusCall call) const {
  const std::lock_guard lock(mutex_);
  call_unlocked(what, call);
}

void LoadedPlugin::call_noexcept(const std::function<void()>& call) const noexcept {
  try {
    const std::lock_guard lock(mutex_);
    call();
  } catch (...) {
    // A release that throws leaks at worst; there is nothing better to do with it.
  }
}

}  // namespace pigmatch::plugin_detail
