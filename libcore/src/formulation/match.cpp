// The match decisions (match.h): targets per mode, the model and its conditions, the catalogs,
// and the formula a recipe is recorded as.
#include "pigmatch/formulation/match.h"

#include <fmt/format.h>

#include <algorithm>

#include "pigmatch/error.h"

namespace pigmatch {
namespace {

std::string joined_ids(const PluginRegistry& registry) {
  std::vector<std::string> ids;
  for (const CatalogEntry& e : registry.catalogs())
    ids.push_back(e.catalog.id);
  return ids.empty() ? std::string("none") : fmt::format("{}", fmt::join(ids, ", "));
}

std::string vendor_of(std::span<const Catalog> catalogs, const std::string& id) {
  for (const Catalog& c : catalogs) {
    if (c.id == id)
      return c.vendor;
  }
  return {};
}

}  // namespace

MatchTarget target_from_region(const RegionColours& region, std::optional<FormulationMode> mode,
                               std::string_view source) {
  const std::string where = fmt::format("{}: region '{}'", source, region.name);
  MatchTarget t;
  t.region = region.name;
  t.mode = mode.value_or(region.stubble ? FormulationMode::follicle : FormulationMode::camouflage);
  if (t.mode == FormulationMode::custom) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: custom mode matches a colour given as L,a,b, not a measured "
                            "region; choose follicle or camouflage",
                            where));
  }
  // camouflage: the skin (between the hairs, for a stubble region).
  if (t.mode == FormulationMode::camouflage) {
    t.lab_d50 = region.lab_d50;
    t.uncertainty_de00 = region.uncertainty_de00;
    return t;
  }
  // follicle: the hair of a stubble region, to be seen on that region's skin.
  if (!region.stubble) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} is a plain region; follicle mode needs a stubble region (measure "
                            "it as stubble: --stubble NAME=x,y,w,h) or use camouflage mode",
                            where));
  }
  if (!region.hair_d50) {
    throw Error(ErrorCode::unsupported,
                fmt::format("{}: no distinct hair was found, so there is no hair colour to "
                            "match; measure a region with visible stubble, or give the colour "
                            "as L,a,b",
                            where));
  }
  t.lab_d50 = *region.hair_d50;
  t.skin_d50 = region.lab_d50;
  t.uncertainty_de00 = region.hair_uncertainty_de00;
  return t;
}

std::size_t recipes_within_uncertainty(const FormulationResult& result, double uncertainty_de00) {
  if (result.recipes.empty())
    return 0;
  const double limit = result.recipes.front().de00 + uncertainty_de00;
  std::size_t count = 0;
  for (const Recipe& r : result.recipes) {
    if (r.de00 <= limit)
      ++count;
  }
  return count;
}

RegionColours stored_region_colours(store::Store& store, const store::Measurement& measurement) {
  RegionColours r;
  r.name = measurement.region;
  r.lab_d50 = measurement.lab;
  r.uncertainty_de00 = measurement.uncertainty_de00;
  if (measurement.kind != store::MeasurementKind::hair)
    return r;
  // measure --save writes a stubble region as a skin row and a hair row of the same region.
  const std::optional<store::Measurement> skin = store.latest_measurement(
      measurement.client_id, store::MeasurementKind::skin, measurement.region);
  if (!skin) {
    throw Error(ErrorCode::not_found,
                fmt::format("client {} has hair measured in region '{}' but no skin there, so "
                            "the hair cannot be seen on its skin; save the region's skin (measure "
                            "it as stubble) or match the hair as a typed colour",
                            measurement.client_id, measurement.region));
  }
  r.stubble = true;
  r.hair_d50 = measurement.lab;
  r.hair_uncertainty_de00 = measurement.uncertainty_de00;
  r.lab_d50 = skin->lab;
  r.uncertainty_de00 = skin->uncertainty_de00;
  return r;
}

BuiltinModel default_model(FormulationMode mode) noexcept {
  return mode == FormulationMode::follicle ? BuiltinModel::skin : BuiltinModel::km;
}

MixConditions match_conditions(BuiltinModel model, const MatchTarget& target) {
  MixConditions c;
  if (model == BuiltinModel::skin) {
    if (!target.skin_d50) {
      throw Error(ErrorCode::invalid_argument,
                  "the skin model predicts the healed colour on the client's skin: give the "
                  "skin colour (or match a stubble region, whose skin is used)");
    }
    c.substrate_lab_d50 = target.skin_d50;
  } else if (model == BuiltinModel::km) {
    c.substrate_reflectance = Spectrum::constant(KmOptions{}.card_reflectance);
  }
  return c;
}

MixingModel match_model(const PluginRegistry& registry, BuiltinModel model) {
  try {
    return registry.mixing_model(to_string(model));
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}; the mixing models ship as the built-in plugin "
                                      "'org.pigmatch.models' (models.so): see 'pigmatch plugin "
                                      "list' for what was found and rejected",
                                      e.what()));
  }
}

FormulationRequest match_request(const MatchTarget& target, std::size_t max_pigments) {
  FormulationRequest request;
  request.target_lab_d50 = target.lab_d50;
  request.max_pigments = max_pigments;
  request.illuminant = Illuminant::d50;
  request.total_volume_ml = 1.0;
  request.drop_volume_ml = 0.05;
  request.top = 5;
  if (target.mode == FormulationMode::follicle) {
    // A practitioner judges a healed dot by its shade; the skin over it sets most of its chroma
    // and hue (docs/models.md, "Follicle targets").
    request.judged_by = De2000Weights{1.0, 2.0, 2.0};
    request.lightness_gamut = true;
  }
  return request;
}

std::vector<Catalog> match_catalogs(const PluginRegistry& registry,
                                    std::span<const std::string> ids, bool explicit_files_only) {
  std::vector<Catalog> out;
  for (const std::string& id : ids) {
    const CatalogEntry* e = registry.find_catalog(id);
    if (e == nullptr) {
      throw Error(ErrorCode::not_found,
                  fmt::format("no catalog '{}'; the catalogs found are: {} (see 'pigmatch catalog "
                              "list'; a catalog file is added with --catalog-file FILE)",
                              id, joined_ids(registry)));
    }
    if (std::none_of(out.begin(), out.end(), [&](const Catalog& c) { return c.id == id; }))
      out.push_back(e->catalog);
  }
  if (!ids.empty())
    return out;
  for (const CatalogEntry& e : registry.catalogs()) {
    if (!explicit_files_only || e.origin == Origin::explicit_file)
      out.push_back(e.catalog);
  }
  if (out.empty()) {
    throw Error(ErrorCode::not_found,
                "no pigment catalogs found; add one with --catalog-file FILE, or see 'pigmatch "
                "catalog list' and 'pigmatch plugin list'");
  }
  return out;
}

void check_explicit_catalogs(const PluginRegistry& registry,
                             std::span<const std::filesystem::path> files) {
  for (const LoadProblem& p : registry.problems()) {
    if (p.severity != Severity::error)
      continue;
    const bool named = std::any_of(files.begin(), files.end(), [&](const auto& f) {
      std::error_code ec;
      return std::filesystem::equivalent(f, p.file, ec) || p.file == f;
    });
    if (named) {
      throw Error(ErrorCode::corrupt_data,
                  fmt::format("catalog file {} was rejected: {}; run 'pigmatch catalog validate "
                              "{}' for every problem",
                              p.file.string(), p.message, p.file.string()));
    }
  }
}

store::Formula recipe_formula(const MatchTarget& target, BuiltinModel model,
                              std::span<const Catalog> catalogs, const Recipe& recipe) {
  store::Formula f;
  f.region = target.region;
  f.target = target.lab_d50;
  f.model = std::string(to_string(model));
  f.predicted = recipe.predicted_lab_d50;
  f.delta_e00 = recipe.de00;
  for (const RecipeComponent& c : recipe.components) {
    if (f.catalog.empty())
      f.catalog = c.catalog_id;
    store::Component component;
    // The vendor the catalog names, else the catalog itself (what `formula save --from` does).
    component.vendor = vendor_of(catalogs, c.catalog_id);
    if (component.vendor.empty())
      component.vendor = c.catalog_id;
    component.code = c.code;
    component.drops = c.drops;
    component.ml = c.ml;
    f.components.push_back(std::move(component));
  }
  return f;
}

}  // namespace pigmatch
