// PluginRegistry: discovery in precedence order, loading with fault containment, catalogs from
// plugins and files, duplicate ids. The precedence rules are documented in plugin_host.h.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <functional>
#include <optional>
#include <system_error>

#include "pigmatch/error.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "plugin_host/plugin_internal.h"
#include "support/text.h"

namespace pigmatch {

using plugin_detail::LoadedPlugin;
using plugin_detail::text;
using PluginPtr = std::shared_ptr<LoadedPlugin>;

struct PluginRegistry::Impl {
  std::vector<PluginPtr> loaded;  // parallel to plugins
  std::vector<PluginInfo> plugins;
  std::vector<CatalogEntry> catalogs;
  std::vector<LoadProblem> problems;

  // A provider that reads files of some extension.
  struct FileReader {
    PluginPtr plugin;
    const pigmatch_catalog_provider* provider;
  };
  std::optional<FileReader> reader_for(const std::filesystem::path& file) const;

  void load_plugins(const SearchPaths& paths);
  static void load_alone(const std::filesystem::path& file, Origin origin);
  void load_catalogs(const SearchPaths& paths);
  void drop_broken_plugins();
  void report_shadowed_models(const std::filesystem::path& file, const PluginInfo& plugin);
  void add_file(const std::filesystem::path& file, Origin origin, bool explicit_file);
  void add_builtin(const PluginPtr& plugin, std::size_t provider_index);
  void add_set(const pigmatch_catalog_set& set, const PluginPtr& plugin,
               const std::string& provider_id, const std::filesystem::path& file, Origin origin);
  void accept(CatalogEntry entry, const std::filesystem::path& subject_file);
};

namespace {

// The regular files of `directory` in name order; none when it does not exist.
std::vector<std::filesystem::path> files_in(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec))
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_plugin_library(const std::filesystem::path& file) {
  return file.extension() == ".so";
}

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

// Runs a provider's load function and converts whatever comes back; release always follows.
template <class Load>
void with_set(const LoadedPlugin& plugin, const pigmatch_catalog_provider* provider,
              std::string_view what, Load load,
              const std::function<void(const pigmatch_catalog_set&)>& use) {
  const pigmatch_catalog_set* set = nullptr;
  plugin.call(what, [&] { return load(&set); });
  if (set == nullptr) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: {} returned OK but no catalog set (NULL)", plugin.label(), what));
  }
  struct Release {
    const LoadedPlugin& plugin;
    const pigmatch_catalog_provider* provider;
    const pigmatch_catalog_set* set;
    ~Release() {
      plugin.call_noexcept([this] { provider->release(provider, set); });
    }
  } release{plugin, provider, set};
  if (set->struct_size < offsetof(pigmatch_catalog_set, diagnostics) + sizeof(set->diagnostics)) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: {} returned a catalog set with struct_size {}, smaller than ABI "
                            "version 1's",
                            plugin.label(), what, set->struct_size));
  }
  use(*set);
}

}  // namespace

std::string_view to_string(Origin origin) noexcept {
  switch (origin) {
    case Origin::explicit_file:
      return "explicit";
    case Origin::environment:
      return "PIGMATCH_PLUGIN_PATH";
    case Origin::user:
      return "user";
    case Origin::builtin:
      return "built-in";
  }
  return "unknown";
}

std::string to_string(const LoadProblem& problem) {
  std::string out = fmt::format("{}: {}: {}", to_string(problem.severity), problem.file.string(),
                                problem.message);
  for (const Problem& detail : problem.details)
    out += "\n  " + to_string(detail);
  return out;
}

void PluginRegistry::Impl::load_plugins(const SearchPaths& paths) {
  for (const SearchDirectory& directory : paths.plugin_directories) {
    for (const std::filesystem::path& file : files_in(directory.path)) {
      if (!is_plugin_library(file))
        continue;
      // The same folder can be reached twice (e.g. PIGMATCH_PLUGIN_PATH names the built-in one).
      if (std::any_of(plugins.begin(), plugins.end(),
                      [&](const PluginInfo& p) { return same_file(p.file, file); })) {
        continue;
      }
      // A plugin that crashes while loading would take the host with it: try it in a child.
      if (const auto crash =
              plugin_detail::probe_load([&] { load_alone(file, directory.origin); })) {
        problems.push_back({file, "", "plugin rejected: " + *crash, Severity::error, {}});
        continue;
      }
      PluginPtr plugin;
      try {
        plugin = LoadedPlugin::load(file, directory.origin);
      } catch (const plugin_detail::Rejected& rejected) {
        problems.push_back({file, "", "plugin rejected: " + rejected.message, Severity::error, {}});
        continue;
      }
      const auto same_id = std::find_if(plugins.begin(), plugins.end(), [&](const PluginInfo& p) {
        return p.id == plugin->info().id;
      });
      if (same_id != plugins.end()) {
        problems.push_back(
            {file,
             plugin->info().id,
             fmt::format("plugin '{}' ignored: a plugin with the same id was already loaded from "
                         "{} ({}), which takes precedence",
                         plugin->info().id, same_id->file.string(), to_string(same_id->origin)),
             Severity::warning,
             {}});
        continue;  // unloaded here, when `plugin` goes out of scope
      }
      report_shadowed_models(file, plugin->info());
      plugins.push_back(plugin->info());
      loaded.push_back(std::move(plugin));
    }
  }
}

// What loading `file` runs of the plugin's code, in a registry of its own: the library's
// constructors, the entry point, and its built-in catalogs (read and converted).
void PluginRegistry::Impl::load_alone(const std::filesystem::path& file, Origin origin) {
  Impl alone;
  PluginPtr plugin = LoadedPlugin::load(file, origin);
  alone.plugins.push_back(plugin->info());
  alone.loaded.push_back(plugin);
  for (std::size_t p = 0; p < plugin->info().catalog_providers.size(); ++p) {
    if (plugin->info().catalog_providers[p].has_builtin_catalogs)
      alone.add_builtin(plugin, p);
  }
}

// A model id already offered by a plugin loaded earlier: mixing_model() finds that one (e.g. a
// vendor's 'km' in PIGMATCH_PLUGIN_PATH replaces the built-in one), so say which was hidden.
void PluginRegistry::Impl::report_shadowed_models(const std::filesystem::path& file,
                                                  const PluginInfo& plugin) {
  for (const MixingModelInfo& model : plugin.mixing_models) {
    for (const PluginInfo& earlier : plugins) {
      const auto& models = earlier.mixing_models;
      if (std::none_of(models.begin(), models.end(),
                       [&](const MixingModelInfo& m) { return m.id == model.id; })) {
        continue;
      }
      problems.push_back(
          {file,
           model.id,
           fmt::format("mixing model '{}' of plugin '{}' ignored: plugin '{}' from {} ({}) has a "
                       "model with the same id, which takes precedence",
                       model.id, plugin.id, earlier.id, earlier.file.string(),
                       to_string(earlier.origin)),
           Severity::warning,
           {}});
      break;
    }
  }
}

std::optional<PluginRegistry::Impl::FileReader> PluginRegistry::Impl::reader_for(
    const std::filesystem::path& file) const {
  const std::string name = detail::lowercase(file.filename().string());
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    const pigmatch_plugin& d = loaded[i]->descriptor();
    for (std::size_t p = 0; p < plugins[i].catalog_providers.size(); ++p) {
      for (const std::string& extension : plugins[i].catalog_providers[p].file_extensions) {
        if (name.size() > extension.size() && name.ends_with(extension)) {
          return FileReader{loaded[i], d.catalog_providers[p]};
        }
      }
    }
  }
  return std::nullopt;
}

void PluginRegistry::Impl::accept(CatalogEntry entry, const std::filesystem::path& subject_file) {
  const auto same_id = std::find_if(catalogs.begin(), catalogs.end(), [&](const CatalogEntry& c) {
    return c.catalog.id == entry.catalog.id;
  });
  if (same_id != catalogs.end()) {
    // The very same file reached twice (given with --catalog-file and also found in a catalog
    // folder) is one catalog, not a conflict worth a warning.
    std::error_code ec;
    if (!entry.file.empty() && !same_id->file.empty() &&
        std::filesystem::equivalent(entry.file, same_id->file, ec))
      return;
    problems.push_back(
        {subject_file,
         entry.catalog.id,
         fmt::format("catalog '{}' ignored: a catalog with the same id was already loaded from {} "
                     "({}), which takes precedence",
                     entry.catalog.id, same_id->catalog.source, to_string(same_id->origin)),
         Severity::warning,
         {}});
    return;
  }
  catalogs.push_back(std::move(entry));
}

void PluginRegistry::Impl::add_set(const pigmatch_catalog_set& set, const PluginPtr& plugin,
                                   const std::string& provider_id,
                                   const std::filesystem::path& file, Origin origin) {
  const std::filesystem::path subject_file = file.empty() ? plugin->info().file : file;
  std::vector<Problem> reader_problems = plugin_detail::to_problems(set);
  if (has_errors(reader_problems)) {
    problems.push_back({subject_file, "",
                        file.empty() ? "the plugin reported errors in its catalogs"
                                     : "the file has errors; fix them and run `pigmatch catalog "
                                       "validate` on it",
                        Severity::error, reader_problems});
  }
  if (set.catalog_count > 0 && set.catalogs == nullptr) {
    problems.push_back(
        {subject_file, "", "the catalog set's catalogs array is NULL", Severity::error, {}});
    return;
  }
  if (set.catalog_count == 0 && reader_problems.empty()) {
    problems.push_back({subject_file, "", "contains no catalog", Severity::warning, {}});
  }
  for (std::size_t i = 0; i < set.catalog_count; ++i) {
    const pigmatch_catalog* pod = set.catalogs[i];
    if (pod == nullptr) {
      problems.push_back(
          {subject_file, "", fmt::format("catalogs[{}] is NULL", i), Severity::error, {}});
      continue;
    }
    const std::string source = file.empty()
                                   ? fmt::format("{} (built into plugin '{}')",
                                                 plugin->info().file.string(), plugin->info().id)
                                   : file.string();
    std::vector<Problem> findings;
    Catalog catalog = plugin_detail::to_catalog(*pod, source, findings);
    std::vector<Problem> checked = validate(catalog);
    findings.insert(findings.end(), checked.begin(), checked.end());
    if (has_errors(findings)) {
      const std::size_t errors = static_cast<std::size_t>(
          std::count_if(findings.begin(), findings.end(),
                        [](const Problem& p) { return p.severity == Severity::error; }));
      problems.push_back({subject_file, catalog.id,
                          fmt::format("catalog '{}' rejected: {} error{}", catalog.id, errors,
                                      errors == 1 ? "" : "s"),
                          Severity::error, std::move(findings)});
      continue;
    }
    CatalogEntry entry{std::move(catalog), plugin->info().id, provider_id, file, origin,
                       std::move(findings)};
    for (const Problem& p : reader_problems) {
      if (p.severity == Severity::warning)
        entry.warnings.push_back(p);
    }
    accept(std::move(entry), subject_file);
  }
}

void PluginRegistry::Impl::add_file(const std::filesystem::path& file, Origin origin,
                                    bool explicit_file) {
  const auto reader = reader_for(file);
  if (!reader) {
    // Folders may hold READMEs and the like; only a file asked for by name must be readable.
    if (explicit_file) {
      problems.push_back({file,
                          "",
                          "no loaded plugin reads this kind of file (the catalog-files plugin "
                          "reads .json and CGATS .cgats/.it8/.txt); check the file name",
                          Severity::error,
                          {}});
    }
    return;
  }
  const pigmatch_catalog_provider* provider = reader->provider;
  const std::string path = file.string();
  try {
    with_set(
        *reader->plugin, provider, fmt::format("reading {}", path),
        [&](const pigmatch_catalog_set** out) {
          return provider->load_file(provider, path.c_str(), out);
        },
        [&](const pigmatch_catalog_set& set) {
          add_set(set, reader->plugin, text(provider->id), file, origin);
        });
  } catch (const Error& e) {
    problems.push_back({file, "", e.what(), Severity::error, {}});
  }
}

void PluginRegistry::Impl::add_builtin(const PluginPtr& plugin, std::size_t provider_index) {
  const pigmatch_catalog_provider* provider =
      plugin->descriptor().catalog_providers[provider_index];
  try {
    with_set(
        *plugin, provider, fmt::format("load_builtin of provider '{}'", text(provider->id)),
        [&](const pigmatch_catalog_set** out) { return provider->load_builtin(provider, out); },
        [&](const pigmatch_catalog_set& set) {
          add_set(set, plugin, text(provider->id), {}, plugin->info().origin);
        });
  } catch (const Error& e) {
    problems.push_back({plugin->info().file, plugin->info().id, e.what(), Severity::error, {}});
  }
}

void PluginRegistry::Impl::load_catalogs(const SearchPaths& paths) {
  for (const std::filesystem::path& file : paths.catalog_files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      problems.push_back({file, "", "no such catalog file", Severity::error, {}});
      continue;
    }
    add_file(file, Origin::explicit_file, true);
  }
  for (const Origin origin : {Origin::environment, Origin::user, Origin::builtin}) {
    for (const SearchDirectory& directory : paths.catalog_directories) {
      if (directory.origin != origin)
        continue;
      for (const std::filesystem::path& file : files_in(directory.path)) {
        if (!is_plugin_library(file))
          add_file(file, origin, false);
      }
    }
    for (const PluginPtr& plugin : loaded) {
      if (plugin->info().origin != origin)
        continue;
      for (std::size_t p = 0; p < plugin->info().catalog_providers.size(); ++p) {
        if (plugin->info().catalog_providers[p].has_builtin_catalogs)
          add_builtin(plugin, p);
      }
    }
  }
}

// A plugin that threw across the ABI may be in any state; it is not offered to anyone, and
// the catalogs it gave before are withdrawn with it.
void PluginRegistry::Impl::drop_broken_plugins() {
  for (std::size_t i = loaded.size(); i-- > 0;) {
    if (!loaded[i]->broken())
      continue;
    const std::string id = plugins[i].id;
    problems.push_back({plugins[i].file,
                        id,
                        "plugin disabled: an exception escaped it across the C ABI, so none of "
                        "its catalogs or mixing models is used",
                        Severity::error,
                        {}});
    std::erase_if(catalogs, [&](const CatalogEntry& c) { return c.plugin_id == id; });
    loaded.erase(loaded.begin() + static_cast<std::ptrdiff_t>(i));
    plugins.erase(plugins.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

PluginRegistry::PluginRegistry(const SearchPaths& paths) : impl_(std::make_unique<Impl>()) {
  impl_->load_plugins(paths);
  impl_->load_catalogs(paths);
  impl_->drop_broken_plugins();
}

PluginRegistry::~PluginRegistry() = default;
PluginRegistry::PluginRegistry(PluginRegistry&&) noexcept = default;
PluginRegistry& PluginRegistry::operator=(PluginRegistry&&) noexcept = default;

const std::vector<PluginInfo>& PluginRegistry::plugins() const noexcept {
  return impl_->plugins;
}

const PluginInfo* PluginRegistry::find_plugin(std::string_view id) const noexcept {
  for (const PluginInfo& p : impl_->plugins) {
    if (p.id == id)
      return &p;
  }
  return nullptr;
}

const std::vector<CatalogEntry>& PluginRegistry::catalogs() const noexcept {
  return impl_->catalogs;
}

const CatalogEntry* PluginRegistry::find_catalog(std::string_view id) const noexcept {
  for (const CatalogEntry& c : impl_->catalogs) {
    if (c.catalog.id == id)
      return &c;
  }
  return nullptr;
}

const std::vector<LoadProblem>& PluginRegistry::problems() const noexcept {
  return impl_->problems;
}

CatalogFileReport PluginRegistry::read_catalog_file(const std::filesystem::path& file) const {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error(ErrorCode::io, fmt::format("{}: no such catalog file", file.string()));
  }
  const auto reader = impl_->reader_for(file);
  if (!reader) {
    throw Error(ErrorCode::not_found,
                fmt::format("{}: no loaded plugin reads this kind of file; see `pigmatch plugin "
                            "list` for the file types the plugins read",
                            file.string()));
  }
  CatalogFileReport report;
  report.file = file;
  report.plugin_id = reader->plugin->info().id;
  report.provider_id = text(reader->provider->id);
  const pigmatch_catalog_provider* provider = reader->provider;
  const std::string path = file.string();
  with_set(
      *reader->plugin, provider, fmt::format("reading {}", path),
      [&](const pigmatch_catalog_set** out) {
        return provider->load_file(provider, path.c_str(), out);
      },
      [&](const pigmatch_catalog_set& set) {
        report.problems = plugin_detail::to_problems(set);
        const auto catalogs = set.catalogs == nullptr ? std::size_t{0} : set.catalog_count;
        for (std::size_t i = 0; i < catalogs; ++i) {
          if (set.catalogs[i] == nullptr)
            continue;
          std::vector<Problem> findings;
          Catalog catalog = plugin_detail::to_catalog(*set.catalogs[i], path, findings);
          std::vector<Problem> checked = validate(catalog);
          findings.insert(findings.end(), checked.begin(), checked.end());
          for (Problem& p : findings) {
            if (catalogs > 1)
              p.where = fmt::format("catalog {}: {}", catalog.id, p.where);
            report.problems.push_back(std::move(p));
          }
          report.catalogs.push_back(std::move(catalog));
        }
      });
  return report;
}

MixingModel PluginRegistry::mixing_model(std::string_view id) const {
  std::string available;
  for (std::size_t i = 0; i < impl_->loaded.size(); ++i) {
    const auto& models = impl_->plugins[i].mixing_models;
    for (std::size_t m = 0; m < models.size(); ++m) {
      if (models[m].id == id)
        return plugin_detail::make_mixing_model(impl_->loaded[i], m);
      available += (available.empty() ? "" : ", ") + models[m].id;
    }
  }
  throw Error(ErrorCode::not_found, fmt::format("no mixing model '{}' is loaded (available: {})",
                                                id, available.empty() ? "none" : available));
}

}  // namespace pigmatch
