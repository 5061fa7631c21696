// pigmatch match [--target L,a,b | --from MEASURE.json [--region NAME]]
//   [--mode follicle|camouflage|custom] [--skin L,a,b] [--catalog ID]… [--catalog-file FILE]…
//   [--model lab|km|km1|skin] [--max-pigments N] [--illuminant D50] [--top N]
//   [--volume ML] [--drop ML] [--vendor V]… [--line L]… [--require CODE]… [--compliant-only]
//   [--metamerism-weight W] [--cost-weight W] [--json]
// Ranked pigment recipes in drops for a target colour: a Lab the user types, or a region of the
// JSON `pigmatch measure --json` wrote. The work is libcore's formulator (formulate.h) driving a
// mixing model of a plugin — lab, km, km1 and skin come from the built-in models plugin
// (plugins/models), loaded through the C ABI like a vendor's. The rules between a colour and a
// request (targets per mode, model, conditions, catalogs, the formula --save records) are
// libcore's match.h, shared with the GUI; this file only turns arguments into a request and the
// result into a table or JSON (which `pigmatch formula save --from` reads back, see
// match_json.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "arguments.h"
#include "command.h"
#include "json_output.h"
#include "measured_regions.h"
#include "model_profiles.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/match.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "save_to_store.h"

namespace pigmatch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct MatchOptions {
  std::string target;  // --target L,a,b
  std::string from;    // --from MEASURE.json
  std::string region;  // --region NAME
  std::string mode;    // empty: from the region's kind, or custom
  std::string skin;    // --skin L,a,b
  std::string model;   // empty: skin for follicle, else km
  std::string illuminant = "D50";
  std::string model_profile;               // --model-profile NAME|FILE
  std::vector<std::string> catalogs;       // --catalog ID
  std::vector<std::string> catalog_files;  // --catalog-file FILE
  std::vector<std::string> vendors, lines, required;
  std::string use;  // --use: empty for the mode's
  bool compliant_only = false;
  std::size_t max_pigments = 3;
  std::size_t top = 5;
  double volume_ml = 1.0;
  double drop_ml = 0.05;
  double metamerism_weight = 0;
  double cost_weight = 0;
  bool json = false;
};

// What the recipe must look like, and the measure file it came from (empty: --target).
struct Target : MatchTarget {
  std::string from;
  std::string use;  // the use the pigments are meant for; empty: any
};

// ---- the target ------------------------------------------------------------------------------

const MeasuredRegion& chosen_region(const MeasuredPhoto& photo, const MatchOptions& o) {
  if (!o.region.empty())
    return find_region(photo, o.region, o.from);
  if (photo.regions.size() == 1)
    return photo.regions.front();
  std::vector<std::string> names;
  for (const MeasuredRegion& r : photo.regions)
    names.push_back(r.name);
  throw UsageError(fmt::format("{} has {} regions; choose one with --region NAME ({})", o.from,
                               names.size(), fmt::join(names, ", ")));
}

Target target_from_measure(const MatchOptions& o) {
  const MeasuredPhoto photo = read_measure_file(o.from);
  const MeasuredRegion& region = chosen_region(photo, o);
  const std::optional<FormulationMode> mode =
      o.mode.empty() ? std::nullopt : std::optional(parse_formulation_mode(o.mode));
  if (mode == FormulationMode::custom)
    throw UsageError("--mode custom takes its colour from --target L,a,b, not from --from");
  Target t;
  static_cast<MatchTarget&>(t) =
      target_from_region({region.name, region.stubble, region.lab_d50, region.hair_d50,
                          region.uncertainty_de00, region.hair_uncertainty_de00},
                         mode, o.from);
  t.from = o.from;
  return t;
}

Target resolve_target(const MatchOptions& o) {
  if (!o.target.empty() && !o.from.empty())
    throw UsageError("give the colour either with --target L,a,b or with --from MEASURE.json");
  if (o.target.empty() && o.from.empty())
    throw UsageError("what colour? give --target L,a,b or --from MEASURE.json --region NAME");
  if (!o.region.empty() && o.from.empty())
    throw UsageError("--region names a region of the file given with --from MEASURE.json");
  Target t = o.from.empty() ? Target{} : target_from_measure(o);
  if (o.from.empty()) {
    t.lab_d50 = parse_lab(o.target, "--target");
    t.mode = o.mode.empty() ? FormulationMode::custom : parse_formulation_mode(o.mode);
  }
  if (!o.skin.empty())
    t.skin_d50 = parse_lab(o.skin, "--skin");
  if (t.mode == FormulationMode::follicle && !t.skin_d50) {
    throw UsageError(
        "--mode follicle sees the hair colour on the client's skin: give --skin L,a,b (or take "
        "both from a stubble region with --from MEASURE.json --region NAME)");
  }
  return t;
}

// ---- the model ---------------------------------------------------------------------------------

BuiltinModel resolve_model(const MatchOptions& o, const Target& t) {
  const BuiltinModel model = o.model.empty() ? default_model(t.mode) : parse_builtin_model(o.model);
  if (model == BuiltinModel::skin && !t.skin_d50) {
    throw UsageError(
        "--model skin predicts the healed colour on the client's skin: give --skin "
        "L,a,b (or --from a stubble region)");
  }
  if (model != BuiltinModel::skin && !o.skin.empty())
    throw UsageError("--skin is used only by --model skin (the healed colour on that skin)");
  return model;
}

// ---- the catalogs ------------------------------------------------------------------------------

// ---- output ------------------------------------------------------------------------------------

std::string vendor_of(const std::vector<Catalog>& catalogs, const std::string& id) {
  for (const Catalog& c : catalogs) {
    if (c.id == id)
      return c.vendor;
  }
  return {};
}

// What the score column adds up, so that a rank that is not the lowest ΔE00 explains itself.
std::string score_legend(const FormulationRequest& request) {
  const De2000Weights& w = request.judged_by;
  std::string legend =
      w.kL == 1 && w.kC == 1 && w.kH == 1
          ? std::string("Score ranks the recipes: ΔE00")
          : fmt::format("Score ranks the recipes: ΔE00 with kL = {:g}, kC = {:g}, kH = {:g}", w.kL,
                        w.kC, w.kH);
  legend += fmt::format(" + {:g} for each pigment beyond the first", request.parsimony_weight);
  if (request.metamerism_weight > 0)
    legend += fmt::format(" + {:g} × metamerism index", request.metamerism_weight);
  if (request.cost_weight > 0)
    legend += fmt::format(" + {:g} × price per ml", request.cost_weight);
  return legend + ".";
}

// A predicted colour against the target as a practitioner reads it: lightness, then chroma
// and hue (CIELAB differences, predicted minus target).
struct ShadeDifference {
  double dL = 0, dC = 0, dH = 0;
};
ShadeDifference shade_difference(const Lab& target, const Lab& predicted) {
  const double dL = predicted.L - target.L;
  const double dC = std::hypot(predicted.a, predicted.b) - std::hypot(target.a, target.b);
  const double da = predicted.a - target.a, db = predicted.b - target.b;
  const double dE2 = dL * dL + da * da + db * db;
  return {dL, dC, std::sqrt(std::max(0.0, dE2 - dL * dL - dC * dC))};
}

Json shade_json(const ShadeDifference& d) {
  return {{"dL", d.dL}, {"dC", d.dC}, {"dH", d.dH}};
}

Json result_json(const Target& t, BuiltinModel model, const std::string& model_plugin,
                 const FormulationRequest& request, const std::vector<Catalog>& catalogs,
                 const FormulationResult& result) {
  Json ids = Json::array();
  for (const Catalog& c : catalogs)
    ids.push_back(c.id);
  Json recipes = Json::array();
  for (std::size_t i = 0; i < result.recipes.size(); ++i) {
    const Recipe& r = result.recipes[i];
    Json components = Json::array();
    for (const RecipeComponent& c : r.components) {
      components.push_back({{"catalog", c.catalog_id},
                            {"vendor", vendor_of(catalogs, c.catalog_id)},
                            {"code", c.code},
                            {"name", c.name},
                            {"diluent", c.is_diluent},
                            {"drops", c.drops},
                            {"ml", c.ml},
                            {"fraction", c.fraction}});
    }
    recipes.push_back(
        {{"rank", i + 1},
         {"components", components},
         {"total_ml", r.total_ml},
         {"predicted", lab_object(r.predicted_lab_d50)},
         {"predicted_under_illuminant", lab_object(r.predicted_lab)},
         {"de00", r.de00},
         {"metamerism_index", r.metamerism_index ? Json(*r.metamerism_index) : Json(nullptr)},
         {"cost_per_ml", r.cost_per_ml},
         {"objective", r.objective},
         {"shade", shade_json(shade_difference(t.lab_d50, r.predicted_lab_d50))}});
  }
  const Json uncertainty = t.uncertainty_de00 ? Json(*t.uncertainty_de00) : Json(nullptr);
  const Json within = t.uncertainty_de00
                          ? Json(recipes_within_uncertainty(result, *t.uncertainty_de00))
                          : Json(nullptr);
  return {{"mode", std::string(to_string(t.mode))},
          {"target", lab_object(t.lab_d50)},
          {"target_uncertainty_de00", uncertainty},
          {"recipes_within_uncertainty", within},
          {"from", t.from.empty() ? Json(nullptr) : Json(t.from)},
          {"region", t.region.empty() ? Json(nullptr) : Json(t.region)},
          {"skin", t.skin_d50 ? lab_object(*t.skin_d50) : Json(nullptr)},
          {"model", std::string(to_string(model))},
          {"model_plugin", model_plugin},
          {"illuminant", std::string(to_string(request.illuminant))},
          {"catalog", catalogs.front().id},
          {"catalogs", ids},
          {"use", t.use.empty() ? Json(nullptr) : Json(t.use)},
          {"judged_by",
           {{"kL", request.judged_by.kL},
            {"kC", request.judged_by.kC},
            {"kH", request.judged_by.kH},
            {"parsimony_weight", request.parsimony_weight}}},
          {"max_pigments", request.max_pigments},
          {"total_volume_ml", request.total_volume_ml},
          {"drop_volume_ml", request.drop_volume_ml},
          {"out_of_gamut", result.out_of_gamut},
          {"nearest_reachable",
           {{"lab_d50", lab_object(result.nearest_reachable_d50)},
            {"de00", result.nearest_reachable_de00}}},
          {"warning", result.warning.empty() ? Json(nullptr) : Json(result.warning)},
          {"subsets_searched", result.subsets_searched},
          {"subsets_optimised", result.subsets_optimised},
          {"recipes", recipes}};
}

std::string target_description(const Target& t) {
  switch (t.mode) {
    case FormulationMode::follicle:
      return t.region.empty() ? "follicle: hair seen on the client's skin"
                              : fmt::format("follicle: hair of region '{}' of {}, seen on its skin",
                                            t.region, t.from);
    case FormulationMode::camouflage:
      return t.region.empty()
                 ? "camouflage: the client's skin"
                 : fmt::format("camouflage: skin of region '{}' of {}", t.region, t.from);
    case FormulationMode::custom:
      break;
  }
  return "custom colour";
}

void print_table(const Target& t, BuiltinModel model, const std::string& model_plugin,
                 const FormulationRequest& request, const std::vector<Catalog>& catalogs,
                 const FormulationResult& result) {
  std::vector<std::string> ids;
  for (const Catalog& c : catalogs)
    ids.push_back(c.id);
  const std::string known =
      t.uncertainty_de00 ? fmt::format(" ± {:.1f} ΔE00", *t.uncertainty_de00) : std::string();
  fmt::print("target     L* {:.2f}  a* {:.2f}  b* {:.2f} (D50){} — {}\n", t.lab_d50.L, t.lab_d50.a,
             t.lab_d50.b, known, target_description(t));
  if (t.skin_d50 && model == BuiltinModel::skin) {
    fmt::print("skin       L* {:.2f}  a* {:.2f}  b* {:.2f} (D50)\n", t.skin_d50->L, t.skin_d50->a,
               t.skin_d50->b);
  }
  fmt::print("model      {} ({}), ΔE00 under {}, catalogs {}; {:g} ml in drops of {:g} ml\n",
             to_string(model), model_plugin, to_string(request.illuminant), fmt::join(ids, ", "),
             request.total_volume_ml, request.drop_volume_ml);
  if (!t.use.empty()) {
    fmt::print("pigments   meant for {} (as their catalogs say; --use any for every pigment)\n",
               t.use);
  }
  if (!result.warning.empty())
    fmt::print("warning    {}\n", result.warning);
  const Lab& nearest = result.nearest_reachable_d50;
  if (t.mode == FormulationMode::follicle && !result.recipes.empty()) {
    const ShadeDifference d = shade_difference(t.lab_d50, nearest);
    fmt::print(
        "shade      rank 1 heals to L* {:.1f} for the hair's {:.1f} (ΔL* {:+.2f}); beside it "
        "ΔC* {:+.1f}, ΔH* {:.1f}: recipes are ranked shade first (ΔE00 with kC = {:g}, kH = "
        "{:g})\n",
        nearest.L, t.lab_d50.L, d.dL, d.dC, d.dH, request.judged_by.kC, request.judged_by.kH);
  }
  // By more than a CIELAB unit: the note explains a plain shortfall, not a rounding.
  const bool darker_or_more_neutral =
      t.lab_d50.L < nearest.L - 1 ||
      std::hypot(t.lab_d50.a, t.lab_d50.b) < std::hypot(nearest.a, nearest.b) - 1;
  if (result.nearest_reachable_de00 > request.gamut_warning_de00 &&
      t.mode == FormulationMode::follicle && model == BuiltinModel::skin &&
      darker_or_more_neutral) {
    // Dark hair on lighter skin, the usual case: say why, lest the catalog look at fault.
    fmt::print(
        "note       this hair is darker or more neutral than a healed dot can look: the pigment "
        "is seen through the client's skin, which keeps part of its colour (docs/models.md, "
        "\"Follicle targets\")\n");
  }
  fmt::print("\n{:>4}  {:>6}  {:>6}  {:>10}  {:>7} {:>7} {:>7}  {}\n", "rank", "ΔE00", "score",
             "metamerism", "L*", "a*", "b*", "recipe (drops, ml)");
  for (std::size_t i = 0; i < result.recipes.size(); ++i) {
    const Recipe& r = result.recipes[i];
    const std::string mi = r.metamerism_index ? fmt::format("{:.2f}", *r.metamerism_index) : "-";
    const Lab& p = r.predicted_lab_d50;
    for (std::size_t j = 0; j < r.components.size(); ++j) {
      const RecipeComponent& c = r.components[j];
      const std::string line =
          fmt::format("{:>3} × {:<10} {:<32.32} {:.2f} ml", c.drops, c.code, c.name, c.ml);
      if (j == 0) {
        fmt::print("{:>4}  {:>6.2f}  {:>6.2f}  {:>10}  {:>7.2f} {:>7.2f} {:>7.2f}  {}\n", i + 1,
                   r.de00, r.objective, mi, p.L, p.a, p.b, line);
      } else {
        fmt::print("{:>4}  {:>6}  {:>6}  {:>10}  {:>7} {:>7} {:>7}  {}\n", "", "", "", "", "", "",
                   "", line);
      }
    }
  }
  if (t.uncertainty_de00) {
    const std::size_t alike = recipes_within_uncertainty(result, *t.uncertainty_de00);
    if (alike >= 2) {
      fmt::print(
          "\nnote       recipes 1–{} differ from each other by less than the target's own "
          "uncertainty (± {:.1f} ΔE00): the photo cannot tell which is closer; choose among them "
          "by what you have and how it heals\n",
          alike, *t.uncertainty_de00);
    }
  }
  fmt::print(
      "\nPredicted L*a*b* is D50; ΔE00 (under {}) and the metamerism index (the largest ΔE00 "
      "under the other illuminants) compare with the target.\n{}\n",
      to_string(request.illuminant), score_legend(request));
}

// ---- the command -------------------------------------------------------------------------------

void check_numbers(const MatchOptions& o) {
  if (o.drop_ml > o.volume_ml) {
    throw UsageError(
        fmt::format("--drop {:g} ml is larger than --volume {:g} ml", o.drop_ml, o.volume_ml));
  }
  if (o.volume_ml / o.drop_ml > 10000) {
    throw UsageError(
        fmt::format("--volume {:g} ml is over 10000 drops of {:g} ml", o.volume_ml, o.drop_ml));
  }
}

Illuminant parse_illuminant_option(const std::string& name) {
  try {
    return parse_illuminant(name);
  } catch (const Error& e) {
    throw UsageError(fmt::format("--illuminant: {}", e.what()));
  }
}

// From this many pigments, preparing and searching take seconds: progress goes to stderr.
constexpr std::size_t large_pool = 200;

// "searching recipes: 40 %" on stderr, in steps of 10 %.
std::function<bool(double)> search_progress_on_stderr() {
  return [shown = -1](double done) mutable {
    const int tenth = static_cast<int>(done * 10);
    if (tenth > shown) {
      shown = tenth;
      fmt::print(stderr, "pigmatch: searching recipes: {} %\n", tenth * 10);
    }
    return true;
  };
}

void run_match(const MatchOptions& o, const SaveOptions& save_options) {
  std::optional<SaveTarget> save = prepare_save(save_options);
  check_numbers(o);
  const Illuminant illuminant = parse_illuminant_option(o.illuminant);
  Target target = resolve_target(o);
  target.use = o.use.empty()    ? std::string(default_use(target.mode))
               : o.use == "any" ? std::string()
                                : o.use;
  const BuiltinModel model = resolve_model(o, target);

  const std::vector<std::filesystem::path> files(o.catalog_files.begin(), o.catalog_files.end());
  const PluginRegistry registry(default_search_paths(files));
  report_load_problems(registry, files);
  // --catalog ID picks among the loaded catalogs; without it, the files given with
  // --catalog-file, or else every catalog found.
  const std::vector<Catalog> catalogs =
      match_catalogs(registry, o.catalogs, !o.catalog_files.empty());

  PigmentFilter filter;
  filter.vendors = o.vendors;
  filter.lines = o.lines;
  filter.required = o.required;
  filter.compliant_only = o.compliant_only;
  filter.use = target.use;
  const PigmentPool pool = select_pigments(catalogs, filter);
  MixingModel mixing_model = match_model(registry, model);
  const std::string model_plugin = mixing_model.plugin_id();
  MixConditions conditions = match_conditions(model, target);
  std::optional<SkinParameters> learnt;
  if (!o.model_profile.empty()) {
    if (model != BuiltinModel::skin) {
      throw UsageError(
          "--model-profile adjusts the skin model: use it in follicle mode or with "
          "--model skin");
    }
    learnt = parameters_for(load_model_profile(o.model_profile), *target.skin_d50);
    conditions.parameters = {{"pigment_load", learnt->pigment_load},
                             {"epidermis_thickness_um", learnt->epidermis_thickness_um}};
  }
  FormulationRequest request = match_request(target, o.max_pigments);
  request.required = o.required;
  request.total_volume_ml = o.volume_ml;
  request.drop_volume_ml = o.drop_ml;
  request.illuminant = illuminant;
  request.metamerism_weight = o.metamerism_weight;
  request.cost_weight = o.cost_weight;
  request.top = o.top;
  // A search too large is refused before the model prepares thousands of pigments.
  check_formulation(request, pool);
  const bool large = pool.entries.size() > large_pool;
  if (large) {
    fmt::print(stderr, "pigmatch: preparing {} pigments for the {} model…\n", pool.entries.size(),
               to_string(model));
  }
  const auto mixer = make_plugin_mixer(std::move(mixing_model), pool.pigments(), conditions);
  if (large)
    request.progress = search_progress_on_stderr();
  const FormulationResult result = formulate(request, pool, *mixer);

  if (o.json) {
    Json out = result_json(target, model, model_plugin, request, catalogs, result);
    out["model_profile"] = learnt ? Json{{"profile", o.model_profile},
                                         {"pigment_load", learnt->pigment_load},
                                         {"epidermis_thickness_um", learnt->epidermis_thickness_um}}
                                  : Json(nullptr);
    fmt::print("{}\n", out.dump(2));
  } else {
    if (learnt) {
      fmt::print(
          "profile    {}: pigment load {:.3f}, epidermis {:.0f} µm (learnt from healed "
          "results)\n",
          o.model_profile, learnt->pigment_load, learnt->epidermis_thickness_um);
    }
    print_table(target, model, model_plugin, request, catalogs, result);
  }
  if (result.out_of_gamut && o.json)
    fmt::print(stderr, "pigmatch: warning: {}\n", result.warning);
  if (save)
    save_recipe(*save, recipe_formula(target, model, catalogs, result.recipes.front()));
}

}  // namespace

void register_match_command(CLI::App& app) {
  auto options = std::make_shared<MatchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "match",
      "Pigment recipes in drops for a target colour: a client's hair or skin from "
      "'pigmatch measure --json', or any Lab");
  cmd->add_option("--target,-t", options->target, "the target as CIELAB D50 L,a,b (custom mode)");
  cmd->add_option("--from", options->from, "the JSON written by 'pigmatch measure --json'");
  cmd->add_option("--region,-r", options->region,
                  "the region of --from to match (may be left out when there is only one)");
  cmd->add_option("--mode", options->mode,
                  "follicle (the hair of a stubble region seen on its skin), camouflage (the skin "
                  "of a region, for scars) or custom (--target). Default: follicle for a stubble "
                  "region, camouflage for a plain one, custom with --target")
      ->check(CLI::IsMember({"follicle", "camouflage", "custom"}));
  cmd->add_option("--skin", options->skin,
                  "the client's skin as CIELAB D50 L,a,b, for --model skin (default: the skin of "
                  "the stubble region)");
  cmd->add_option("--catalog,-c", options->catalogs,
                  "use the catalog with this id (repeatable; default: every catalog found, see "
                  "'pigmatch catalog list')");
  cmd->add_option(
      "--catalog-file", options->catalog_files,
      "also load this catalog file (repeatable); without --catalog, only these are used");
  cmd->add_option("--model,-m", options->model,
                  "lab, km (two-constant Kubelka–Munk, a film on the catalog's card), km1 "
                  "(single-constant) or skin (healed under the client's skin), from the mixing "
                  "models plugin (see 'pigmatch plugin list'). Default: skin for follicle, km "
                  "otherwise")
      ->check(CLI::IsMember({"lab", "km", "km1", "skin"}));
  cmd->add_option("--model-profile", options->model_profile,
                  "the skin model as learnt from your healed results ('pigmatch model fit "
                  "--name NAME'): a profile's name or file; its parameters for the client's "
                  "skin-tone class replace the defaults (skin model only)");
  cmd->add_option("--max-pigments,-n", options->max_pigments,
                  "at most this many pigments besides the diluent (1–4)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4));
  cmd->add_option("--illuminant", options->illuminant,
                  "judge ΔE00 under D50, D65, A, F2 or F11. D50 compares like with like: "
                  "measured colours are D50, and asking for a recipe's predicted colour gives "
                  "that recipe back. Under another light the target is adapted to it (Bradford). "
                  "The metamerism index uses D65, A and F11 besides it")
      ->capture_default_str();
  cmd->add_option("--top", options->top, "recipes to show (1–50)")
      ->capture_default_str()
      ->check(CLI::Range(1, 50));
  cmd->add_option("--volume", options->volume_ml, "total volume of the mix in ml")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1000.0));
  cmd->add_option("--drop", options->drop_ml,
                  "drop volume in ml, for pigments whose catalog gives none")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 10.0));
  cmd->add_option("--vendor", options->vendors, "only pigments of this vendor (repeatable)");
  cmd->add_option("--line", options->lines, "only pigments of this product line (repeatable)");
  cmd->add_option("--require", options->required, "every recipe contains this pigment code");
  cmd->add_option("--use", options->use,
                  "only pigments meant for this use, as their catalog says: smp, camouflage, pmu, "
                  "or any (pigments whose catalog says nothing are always offered). Default: smp "
                  "in follicle mode, camouflage in camouflage mode, any in custom mode")
      ->check(CLI::IsMember({"smp", "camouflage", "pmu", "any"}));
  cmd->add_flag("--compliant-only", options->compliant_only,
                "only pigments with a compliance statement (e.g. EU REACH 2020/2081)");
  cmd->add_option("--metamerism-weight", options->metamerism_weight,
                  "add this times the metamerism index to the objective")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--cost-weight", options->cost_weight,
                  "add this times the price per ml of mix to the objective")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_flag("--json", options->json, "machine-readable output");
  const auto save = add_save_options(cmd, false);
  cmd->callback([options, save] { run_match(*options, *save); });
}

}  // namespace pigmatch::cli
