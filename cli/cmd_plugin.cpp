// pigmatch plugin list [--json] | plugin info ID [--json]: the loaded plugins, what they provide,
// where they were found, and what was rejected (see plugin_host.h for discovery and precedence).
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.h"
#include "json_output.h"
#include "pigmatch/error.h"
#include "pigmatch/plugin_host/plugin_host.h"

namespace pigmatch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct PluginOptions {
  std::string id;
  bool json = false;
};

// One phrase per extension kind, e.g. "catalogs (.json .cgats), model kubelka-munk".
std::string provides(const PluginInfo& plugin) {
  std::vector<std::string> parts;
  for (const CatalogProviderInfo& p : plugin.catalog_providers) {
    if (!p.file_extensions.empty())
      parts.push_back("catalog files " + join(p.file_extensions, " "));
    if (p.has_builtin_catalogs)
      parts.push_back("built-in catalogs");
  }
  for (const MixingModelInfo& m : plugin.mixing_models)
    parts.push_back("mixing model " + m.id);
  return join(parts, ", ");
}

Json to_json(const Problem& problem) {
  return {{"where", problem.where},
          {"severity", to_string(problem.severity)},
          {"message", problem.message}};
}

Json to_json(const LoadProblem& problem) {
  Json details = Json::array();
  for (const Problem& d : problem.details)
    details.push_back(to_json(d));
  return {{"file", problem.file.string()},
          {"subject", problem.subject},
          {"severity", to_string(problem.severity)},
          {"message", problem.message},
          {"details", details}};
}

Json to_json(const MixingModelInfo& model) {
  Json outputs = Json::array();
  if (model.outputs_reflectance)
    outputs.push_back("reflectance");
  if (model.outputs_lab)
    outputs.push_back("lab_d50");
  Json needs = Json::array();
  if (model.needs_spectral)
    needs.push_back("spectral");
  if (model.needs_lab)
    needs.push_back("lab");
  return {{"id", model.id},
          {"name", model.name},
          {"description", model.description},
          {"outputs", outputs},
          {"needs", needs}};
}

Json to_json(const PluginInfo& plugin) {
  Json providers = Json::array();
  for (const CatalogProviderInfo& p : plugin.catalog_providers) {
    providers.push_back({{"id", p.id},
                         {"description", p.description},
                         {"file_extensions", p.file_extensions},
                         {"builtin_catalogs", p.has_builtin_catalogs}});
  }
  Json models = Json::array();
  for (const MixingModelInfo& m : plugin.mixing_models)
    models.push_back(to_json(m));
  return {{"id", plugin.id},
          {"name", plugin.name},
          {"version", plugin.version},
          {"vendor", plugin.vendor},
          {"description", plugin.description},
          {"abi_version", plugin.abi_version},
          {"file", plugin.file.string()},
          {"origin", to_string(plugin.origin)},
          {"catalog_providers", providers},
          {"mixing_models", models}};
}

Json search_paths_json(const SearchPaths& paths) {
  const auto directories = [](const std::vector<SearchDirectory>& list) {
    Json out = Json::array();
    for (const SearchDirectory& d : list) {
      out.push_back({{"path", d.path.string()}, {"origin", to_string(d.origin)}});
    }
    return out;
  };
  return {{"plugin_directories", directories(paths.plugin_directories)},
          {"catalog_directories", directories(paths.catalog_directories)}};
}

Json problems_json(const PluginRegistry& registry) {
  Json problems = Json::array();
  for (const LoadProblem& p : registry.problems())
    problems.push_back(to_json(p));
  return problems;
}

// Rejections go to stderr in human mode so that the table on stdout stays clean.
void print_problems(const PluginRegistry& registry) {
  for (const LoadProblem& p : registry.problems()) {
    fmt::print(stderr, "pigmatch: {}\n", to_string(p));
  }
}

void list(const PluginOptions& o) {
  const SearchPaths paths = default_search_paths();
  const PluginRegistry registry(paths);
  if (o.json) {
    Json plugins = Json::array();
    for (const PluginInfo& p : registry.plugins())
      plugins.push_back(to_json(p));
    const Json out = {{"plugins", plugins},
                      {"problems", problems_json(registry)},
                      {"search_paths", search_paths_json(paths)}};
    fmt::print("{}\n", out.dump(2));
    return;
  }
  print_problems(registry);
  if (registry.plugins().empty()) {
    fmt::print("no plugins found\n");
  } else {
    std::size_t id_width = 2, version_width = 7;
    for (const PluginInfo& p : registry.plugins()) {
      id_width = std::max(id_width, p.id.size());
      version_width = std::max(version_width, p.version.size());
    }
    const auto row = [&](std::string_view id, std::string_view version, std::string_view origin,
                         std::string_view what) {
      fmt::print("{:<{}}  {:<{}}  {:<20}  {}\n", id, id_width, version, version_width, origin,
                 what);
    };
    row("ID", "VERSION", "ORIGIN", "PROVIDES");
    for (const PluginInfo& p : registry.plugins()) {
      row(p.id, p.version, to_string(p.origin), provides(p));
    }
  }
  fmt::print("\nsearched (highest precedence first):\n");
  for (const SearchDirectory& d : paths.plugin_directories) {
    fmt::print("  {:<20}  {}\n", to_string(d.origin), d.path.string());
  }
}

void info(const PluginOptions& o) {
  const PluginRegistry registry(default_search_paths());
  const PluginInfo* plugin = registry.find_plugin(o.id);
  if (plugin == nullptr) {
    std::vector<std::string> ids;
    for (const PluginInfo& p : registry.plugins())
      ids.push_back(p.id);
    throw Error(ErrorCode::not_found,
                fmt::format("no plugin '{}' is loaded (loaded: {}); `pigmatch plugin list` shows "
                            "where pigmatch looked and what it rejected",
                            o.id, ids.empty() ? "none" : join(ids, ", ")));
  }
  std::vector<const CatalogEntry*> catalogs;
  for (const CatalogEntry& c : registry.catalogs()) {
    if (c.plugin_id == plugin->id)
      catalogs.push_back(&c);
  }
  if (o.json) {
    Json out = to_json(*plugin);
    Json catalog_list = Json::array();
    for (const CatalogEntry* c : catalogs) {
      catalog_list.push_back({{"id", c->catalog.id},
                              {"name", c->catalog.name},
                              {"provider", c->provider_id},
                              {"file", c->file.string()},
                              {"pigments", c->catalog.pigments.size()}});
    }
    out["catalogs"] = catalog_list;
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("id           {}\nname         {}\nversion      {}\n", plugin->id, plugin->name,
             plugin->version);
  if (!plugin->vendor.empty())
    fmt::print("vendor       {}\n", plugin->vendor);
  if (!plugin->description.empty())
    fmt::print("description  {}\n", plugin->description);
  fmt::print("file         {}\norigin       {}\nABI version  {}\n", plugin->file.string(),
             to_string(plugin->origin), plugin->abi_version);
  for (const CatalogProviderInfo& p : plugin->catalog_providers) {
    fmt::print("\ncatalog provider '{}'{}\n", p.id,
               p.description.empty() ? "" : ": " + p.description);
    if (!p.file_extensions.empty())
      fmt::print("  reads        {}\n", join(p.file_extensions, " "));
    if (p.has_builtin_catalogs)
      fmt::print("  built-in catalogs\n");
  }
  for (const MixingModelInfo& m : plugin->mixing_models) {
    fmt::print("\nmixing model '{}': {}{}\n", m.id, m.name,
               m.description.empty() ? "" : " — " + m.description);
  }
  if (!catalogs.empty()) {
    fmt::print("\ncatalogs loaded through it:\n");
    for (const CatalogEntry* c : catalogs) {
      fmt::print("  {:<24} {} ({} pigments){}\n", c->catalog.id, c->catalog.name,
                 c->catalog.pigments.size(), c->file.empty() ? "" : " from " + c->file.string());
    }
  }
}

}  // namespace

void register_plugin_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "plugin", "Plugins: which are loaded, from where, what they provide, and what was rejected");
  cmd->require_subcommand(1);

  auto list_options = std::make_shared<PluginOptions>();
  CLI::App* list_cmd = cmd->add_subcommand(
      "list", "List the loaded plugins ($PIGMATCH_PLUGIN_PATH, the user folder, built-in)");
  list_cmd->add_flag("--json", list_options->json, "machine-readable output");
  list_cmd->callback([list_options] { list(*list_options); });

  auto info_options = std::make_shared<PluginOptions>();
  CLI::App* info_cmd = cmd->add_subcommand("info", "Details of one loaded plugin");
  info_cmd->add_option("ID", info_options->id, "plugin id, as `pigmatch plugin list` shows it")
      ->required();
  info_cmd->add_flag("--json", info_options->json, "machine-readable output");
  info_cmd->callback([info_options] { info(*info_options); });
}

}  // namespace pigmatch::cli
