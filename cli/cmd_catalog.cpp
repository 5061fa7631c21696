// pigmatch catalog list|show ID|validate FILE [--json] [--catalog FILE]: the pigment catalogs the
// plugins provide, one catalog's pigments, and a vendor's check of a catalog file. `catalog build`
// and `catalog card` are in cmd_catalog_build.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "json_output.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct CatalogOptions {
  std::vector<std::string> catalog_files;  // --catalog FILE (list, show)
  std::string id;                          // show ID
  std::string file;                        // validate FILE
  bool json = false;
};

PluginRegistry load_registry(const CatalogOptions& o) {
  std::vector<std::filesystem::path> files(o.catalog_files.begin(), o.catalog_files.end());
  return PluginRegistry(default_search_paths(std::move(files)));
}

// ---- list ------------------------------------------------------------------------------------

ordered_json problem_json(const Problem& p) {
  return {{"where", p.where}, {"severity", to_string(p.severity)}, {"message", p.message}};
}

ordered_json load_problem_json(const LoadProblem& p) {
  ordered_json details = ordered_json::array();
  for (const Problem& d : p.details)
    details.push_back(problem_json(d));
  return {{"file", p.file.string()},
          {"subject", p.subject},
          {"severity", to_string(p.severity)},
          {"message", p.message},
          {"details", details}};
}

void run_list(const CatalogOptions& o) {
  const PluginRegistry registry = load_registry(o);
  if (o.json) {
    ordered_json catalogs = ordered_json::array();
    for (const CatalogEntry& e : registry.catalogs()) {
      catalogs.push_back({{"id", e.catalog.id},
                          {"vendor", e.catalog.vendor},
                          {"name", e.catalog.name},
                          {"version", e.catalog.version},
                          {"pigments", e.catalog.pigments.size()},
                          {"origin", to_string(e.origin)},
                          {"source", e.catalog.source},
                          {"plugin", e.plugin_id}});
    }
    ordered_json problems = ordered_json::array();
    for (const LoadProblem& p : registry.problems())
      problems.push_back(load_problem_json(p));
    fmt::print("{}\n", ordered_json{{"catalogs", catalogs}, {"problems", problems}}.dump(2));
  } else if (registry.catalogs().empty()) {
    fmt::print("No catalogs found. Add one with --catalog FILE, or see 'pigmatch plugin list'.\n");
  } else {
    fmt::print("{:<24} {:<30} {:<34} {:>8}  {:<20} {}\n", "ID", "VENDOR", "NAME", "PIGMENTS",
               "ORIGIN", "SOURCE");
    for (const CatalogEntry& e : registry.catalogs()) {
      fmt::print("{:<24} {:<30} {:<34} {:>8}  {:<20} {}\n", e.catalog.id, e.catalog.vendor,
                 e.catalog.name, e.catalog.pigments.size(), to_string(e.origin), e.catalog.source);
    }
  }
  // Problems go to stderr so that stdout stays the answer (the JSON carries them); a file the
  // user named that was rejected fails the command, other broken catalogs do not.
  const std::vector<std::filesystem::path> files(o.catalog_files.begin(), o.catalog_files.end());
  report_load_problems(registry, files, o.json);
}

// ---- show ------------------------------------------------------------------------------------

// The colour to show for a pigment: its masstone (or strongest measurement), as Lab D50.
std::optional<Lab> masstone_lab(const Pigment& p) {
  const auto strongest = std::max_element(
      p.measurements.begin(), p.measurements.end(),
      [](const Measurement& a, const Measurement& b) { return a.concentration < b.concentration; });
  if (strongest == p.measurements.end())
    return std::nullopt;
  if (strongest->lab_d50)
    return strongest->lab_d50;
  if (strongest->reflectance)
    return to_lab(*strongest->reflectance);
  return std::nullopt;
}

ordered_json spectrum_json(const std::optional<Spectrum>& s) {
  if (!s)
    return nullptr;
  return ordered_json(std::vector<double>(s->values().begin(), s->values().end()));
}

ordered_json lab_json(const std::optional<Lab>& lab) {
  return lab ? lab_object(*lab) : ordered_json(nullptr);
}

ordered_json pigment_json(const Pigment& p) {
  ordered_json measurements = ordered_json::array();
  for (const Measurement& m : p.measurements) {
    const std::optional<Lab> computed =
        m.reflectance ? std::optional<Lab>(to_lab(*m.reflectance)) : std::nullopt;
    measurements.push_back({{"concentration", m.concentration},
                            {"substrate", m.substrate},
                            {"reflectance", spectrum_json(m.reflectance)},
                            {"lab", lab_json(m.lab_d50)},
                            {"lab_from_reflectance", lab_json(computed)}});
  }
  ordered_json lots = ordered_json::array();
  for (const Lot& l : p.lots)
    lots.push_back({{"lot", l.lot}, {"expiry", l.expiry}});
  ordered_json price = nullptr;
  if (p.price) {
    price = {{"amount", p.price->amount},
             {"currency", p.price->currency},
             {"volume_ml", p.price->volume_ml}};
  }
  return {{"code", p.code},
          {"name", p.name},
          {"product_line", p.line},
          {"ci_numbers", p.ci_numbers},
          {"is_diluent", p.is_diluent},
          {"masstone_lab", lab_json(masstone_lab(p))},
          {"measurements", measurements},
          {"k", spectrum_json(p.k)},
          {"s", spectrum_json(p.s)},
          {"drop_volume_ml",
           p.drop_volume_ml ? ordered_json(*p.drop_volume_ml) : ordered_json(nullptr)},
          {"price", price},
          {"lots", lots},
          {"compliance", p.compliance},
          {"sds_reference", p.sds_reference},
          {"uses", p.uses}};
}

void print_catalog_table(const CatalogEntry& e) {
  const Catalog& c = e.catalog;
  fmt::print("{} — {} ({})\n", c.id, c.name, c.vendor);
  if (!c.version.empty())
    fmt::print("version: {}\n", c.version);
  if (!c.description.empty())
    fmt::print("{}\n", c.description);
  fmt::print("source: {} ({}, plugin {})\n\n", c.source, to_string(e.origin), e.plugin_id);
  fmt::print("{:<10} {:<34} {:>19} {:>5} {:>8} {:>14}  {:<10}  {}\n", "CODE", "NAME",
             "MASSTONE L*a*b*", "MEAS", "DROP", "PRICE", "CI", "LOTS (EXPIRY)");
  for (const Pigment& p : c.pigments) {
    const std::optional<Lab> lab = masstone_lab(p);
    const std::string lab_text =
        p.is_diluent ? "diluent"
        : lab        ? fmt::format("{:5.1f} {:6.1f} {:6.1f}", lab->L, lab->a, lab->b)
                     : "K/S only";
    const std::string drop = p.drop_volume_ml ? fmt::format("{:g} ml", *p.drop_volume_ml) : "-";
    const std::string price = p.price ? fmt::format("{:.2f} {}/{:g}ml", p.price->amount,
                                                    p.price->currency, p.price->volume_ml)
                                      : "-";
    std::vector<std::string> lots;
    for (const Lot& l : p.lots)
      lots.push_back(fmt::format("{} ({})", l.lot, l.expiry));
    fmt::print("{:<10} {:<34} {:>19} {:>5} {:>8} {:>14}  {:<10}  {}\n", p.code, p.name, lab_text,
               p.measurements.size(), drop, price, join(p.ci_numbers, ", "), join(lots, ", "));
  }
  const auto distinct = [&](auto member) {
    std::vector<std::string> all;
    for (const Pigment& p : c.pigments) {
      for (const std::string& s : p.*member) {
        if (std::find(all.begin(), all.end(), s) == all.end())
          all.push_back(s);
      }
    }
    return all;
  };
  if (const auto compliance = distinct(&Pigment::compliance); !compliance.empty())
    fmt::print("\ncompliance: {}\n", join(compliance, "; "));
  if (const auto uses = distinct(&Pigment::uses); !uses.empty())
    fmt::print("meant for: {}\n", join(uses, ", "));
  for (const Problem& w : e.warnings)
    fmt::print(stderr, "pigmatch: warning: {}\n", to_string(w));
}

void run_show(const CatalogOptions& o) {
  const PluginRegistry registry = load_registry(o);
  const CatalogEntry* entry = registry.find_catalog(o.id);
  if (entry == nullptr) {
    std::vector<std::string> ids;
    for (const CatalogEntry& e : registry.catalogs())
      ids.push_back(e.catalog.id);
    throw Error(ErrorCode::not_found,
                fmt::format("no catalog '{}' (available: {}); 'pigmatch catalog list' shows them",
                            o.id, ids.empty() ? "none" : join(ids, ", ")));
  }
  if (o.json) {
    const Catalog& c = entry->catalog;
    ordered_json pigments = ordered_json::array();
    for (const Pigment& p : c.pigments)
      pigments.push_back(pigment_json(p));
    ordered_json warnings = ordered_json::array();
    for (const Problem& w : entry->warnings)
      warnings.push_back(problem_json(w));
    const ordered_json out = {{"id", c.id},
                              {"vendor", c.vendor},
                              {"name", c.name},
                              {"version", c.version},
                              {"description", c.description},
                              {"source", c.source},
                              {"origin", to_string(entry->origin)},
                              {"plugin", entry->plugin_id},
                              {"pigments", pigments},
                              {"warnings", warnings}};
    fmt::print("{}\n", out.dump(2));
  } else {
    print_catalog_table(*entry);
  }
}

// ---- validate --------------------------------------------------------------------------------

void run_validate(const CatalogOptions& o) {
  const PluginRegistry registry = load_registry(o);
  const CatalogFileReport report = registry.read_catalog_file(o.file);
  const auto errors = std::count_if(report.problems.begin(), report.problems.end(),
                                    [](const Problem& p) { return p.severity == Severity::error; });
  const auto warnings = static_cast<long>(report.problems.size()) - errors;
  if (o.json) {
    ordered_json problems = ordered_json::array();
    for (const Problem& p : report.problems)
      problems.push_back(problem_json(p));
    ordered_json catalogs = ordered_json::array();
    for (const Catalog& c : report.catalogs) {
      catalogs.push_back({{"id", c.id}, {"name", c.name}, {"pigments", c.pigments.size()}});
    }
    const ordered_json out = {{"file", report.file.string()},
                              {"plugin", report.plugin_id},
                              {"valid", errors == 0 && !report.catalogs.empty()},
                              {"errors", errors},
                              {"warnings", warnings},
                              {"catalogs", catalogs},
                              {"problems", problems}};
    fmt::print("{}\n", out.dump(2));
  } else {
    for (const Problem& p : report.problems) {
      fmt::print("{}: {}\n", report.file.string(), to_string(p));
    }
    for (const Catalog& c : report.catalogs) {
      fmt::print("{}: catalog '{}' ({} pigments)\n", report.file.string(), c.id, c.pigments.size());
    }
    fmt::print("{}: {} error{}, {} warning{}\n", report.file.string(), errors,
               errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
  }
  if (errors > 0) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{} is not a valid catalog ({} error{})", report.file.string(), errors,
                            errors == 1 ? "" : "s"));
  }
  if (report.catalogs.empty()) {
    throw Error(ErrorCode::corrupt_data, fmt::format("{} holds no catalog", report.file.string()));
  }
}

}  // namespace

void register_catalog_command(CLI::App& app) {
  auto options = std::make_shared<CatalogOptions>();
  CLI::App* cmd =
      app.add_subcommand("catalog", "Pigment catalogs: list, show, validate, build your own");
  cmd->require_subcommand(1);

  CLI::App* list = cmd->add_subcommand("list", "List the catalogs found (files and plugins)");
  CLI::App* show = cmd->add_subcommand("show", "Show one catalog's pigments");
  show->add_option("ID", options->id, "catalog id (see 'pigmatch catalog list')")->required();
  for (CLI::App* sub : {list, show}) {
    sub->add_option("--catalog", options->catalog_files,
                    "also read this catalog file (JSON or CGATS); may be repeated")
        ->check(CLI::ExistingFile);
    sub->add_flag("--json", options->json, "machine-readable output");
  }
  list->callback([options] { run_list(*options); });
  show->callback([options] { run_show(*options); });

  CLI::App* validate_cmd = cmd->add_subcommand(
      "validate", "Check a catalog file and report every problem (exit 1 when there are errors)");
  validate_cmd->add_option("FILE", options->file, "catalog file (JSON or CGATS)")->required();
  validate_cmd->add_flag("--json", options->json, "machine-readable output");
  validate_cmd->callback([options] { run_validate(*options); });

  register_catalog_build_commands(cmd);
}

}  // namespace pigmatch::cli
