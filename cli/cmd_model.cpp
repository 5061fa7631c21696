// pigmatch model fit --name NAME [--out FILE] [--db FILE] [--catalog ID]… [--catalog-file FILE]…
//   [--folds K] [--min-per-class N] [--json]
// Learns the skin model from the studio's healed results (libcore model_fit.h, touchup.h's
// collect_healed_records): fits pigment load and epidermis thickness, by skin-tone class where
// there are enough records, reports the held-out prediction error before and after, and saves a
// model profile that `match --model-profile NAME` uses.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "model_profiles.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/model_fit.h"
#include "pigmatch/formulation/touchup.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct ModelOptions {
  std::string db;
  std::string name;
  std::string out;
  std::vector<std::string> catalogs;
  std::vector<std::string> catalog_files;
  std::size_t folds = 5;
  std::size_t min_per_class = 20;
  bool json = false;
};

Json fitted_json(const FittedParameters& f) {
  return {{"ita_class", f.ita_class ? Json(std::string(to_string(*f.ita_class))) : Json()},
          {"pigment_load", f.parameters.pigment_load},
          {"epidermis_thickness_um", f.parameters.epidermis_thickness_um},
          {"records", f.records}};
}

void run_fit(const ModelOptions& o) {
  if (!valid_profile_name(o.name)) {
    throw UsageError(fmt::format(
        "--name '{}': a profile name is letters, digits, '.', '_' or '-' (e.g. studio-2026)",
        o.name));
  }
  store::Store db = open_store(o.db, DbAccess::read);
  const std::vector<Catalog> catalogs = load_catalogs(o.catalogs, o.catalog_files);
  const HealedRecords found = collect_healed_records(db, catalogs);
  for (const std::string& why : found.skipped)
    fmt::print(stderr, "pigmatch: healed result not used: {}\n", why);
  ModelFitOptions options;
  options.folds = o.folds;
  options.min_records_per_class = o.min_per_class;
  const ModelFit fit = fit_skin_model(found.records, options);
  const std::filesystem::path path =
      o.out.empty() ? model_profile_path(o.name) : std::filesystem::path(o.out);
  std::error_code ec;
  if (path.has_parent_path())
    std::filesystem::create_directories(path.parent_path(), ec);  // the first profile's folder
  write_file_atomically(path, model_profile_json(fit, o.name), "model profile");
  if (o.json) {
    Json classes = Json::array();
    for (const FittedParameters& f : fit.by_class)
      classes.push_back(fitted_json(f));
    const Json out = {
        {"profile", path.string()},
        {"name", o.name},
        {"records", fit.records},
        {"skipped", found.skipped},
        {"held_out_de00",
         {{"defaults", fit.held_out_de00_before}, {"fitted", fit.held_out_de00_after}}},
        {"all_skins", fitted_json(fit.all_skins)},
        {"by_class", classes}};
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("{} healed results ({} skipped); {}-fold cross-validation\n", fit.records,
             found.skipped.size(), o.folds);
  fmt::print(
      "held-out ΔE00 between predicted and healed: {:.2f} with the defaults, {:.2f} fitted\n",
      fit.held_out_de00_before, fit.held_out_de00_after);
  fmt::print("{:<14} {:>8} {:>13} {:>8}\n", "skins", "load", "epidermis µm", "records");
  fmt::print("{:<14} {:>8.3f} {:>13.1f} {:>8}\n", "all", fit.all_skins.parameters.pigment_load,
             fit.all_skins.parameters.epidermis_thickness_um, fit.all_skins.records);
  for (const FittedParameters& f : fit.by_class) {
    fmt::print("{:<14} {:>8.3f} {:>13.1f} {:>8}\n", to_string(*f.ita_class),
               f.parameters.pigment_load, f.parameters.epidermis_thickness_um, f.records);
  }
  fmt::print("saved {}; use it with: pigmatch match … --model-profile {}\n", path.string(), o.name);
}

}  // namespace

void register_model_command(CLI::App& app) {
  auto o = std::make_shared<ModelOptions>();
  CLI::App* cmd = app.add_subcommand("model", "The skin model learnt from your healed results");
  cmd->require_subcommand(1);
  CLI::App* fit = cmd->add_subcommand(
      "fit",
      "Fit the skin model's pigment load and epidermis thickness to the healed results in the "
      "database (touch-ups saved with a correction), by skin-tone class where there are enough, "
      "and save a model profile for match --model-profile");
  fit->add_option("--name", o->name, "the profile's name (letters, digits, . _ -)")->required();
  fit->add_option("--out", o->out,
                  "write the profile here instead of $XDG_DATA_HOME/pigmatch/model-profiles/");
  add_db_option(fit, o->db);
  fit->add_option("--catalog,-c", o->catalogs,
                  "the catalogs holding the formulas' pigments (default: every catalog loaded)");
  fit->add_option("--catalog-file", o->catalog_files, "also load this catalog file (repeatable)");
  fit->add_option("--folds", o->folds, "k of the k-fold cross-validation")
      ->capture_default_str()
      ->check(CLI::Range(2, 20));
  fit->add_option("--min-per-class", o->min_per_class,
                  "records a skin-tone class needs for parameters of its own")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  fit->add_flag("--json", o->json, "machine-readable output");
  fit->callback([o] { run_fit(*o); });
}

}  // namespace pigmatch::cli
