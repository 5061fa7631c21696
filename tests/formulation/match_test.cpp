// The match rules (match.h) that `pigmatch match` and the GUI's Match screen share: targets per
// mode, the stored colours of a region, conditions, catalogs of a real registry (the build
// tree's catalog-files plugin reading data/catalogs), and a recipe as a formula.
#include "pigmatch/formulation/match.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "pigmatch/error.h"
#include "store/store_fixtures.h"

using namespace pigmatch;
using pigmatch::test::TempDir;

namespace {

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no pigmatch::Error");
  return ErrorCode::io;
}

const RegionColours stubble{"crown", true, Lab{62, 11, 16}, Lab{24, 2, 3}, 1.4, 3.2};
const RegionColours plain{"scar", false, Lab{66, 12, 18}, std::nullopt, 1.6, std::nullopt};

}  // namespace

TEST_CASE("target_from_region: follicle is the hair on its skin, camouflage the skin") {
  const MatchTarget hair = target_from_region(stubble, std::nullopt, "m.json");
  CHECK(hair.mode == FormulationMode::follicle);
  CHECK(hair.lab_d50.L == 24);
  REQUIRE(hair.skin_d50);
  CHECK(hair.skin_d50->L == 62);
  CHECK(hair.region == "crown");
  CHECK(default_model(hair.mode) == BuiltinModel::skin);

  const MatchTarget skin = target_from_region(plain, std::nullopt, "m.json");
  CHECK(skin.mode == FormulationMode::camouflage);
  CHECK(skin.lab_d50.L == 66);
  CHECK(!skin.skin_d50);
  CHECK(default_model(skin.mode) == BuiltinModel::km);

  // Camouflage of a stubble region: the skin between the hairs.
  CHECK(target_from_region(stubble, FormulationMode::camouflage, "m.json").lab_d50.L == 62);

  // Each target carries the uncertainty of the colour it is: the hair's, or the skin's.
  CHECK(hair.uncertainty_de00 == 3.2);
  CHECK(skin.uncertainty_de00 == 1.6);
  CHECK(target_from_region(stubble, FormulationMode::camouflage, "m.json").uncertainty_de00 == 1.4);

  CHECK(code_of([] { (void)target_from_region(plain, FormulationMode::follicle, "m.json"); }) ==
        ErrorCode::invalid_argument);
  CHECK_THROWS_WITH(target_from_region(plain, FormulationMode::follicle, "m.json"),
                    Catch::Contains("m.json") && Catch::Contains("stubble"));
  RegionColours bald = stubble;
  bald.hair_d50.reset();
  CHECK(code_of([&] { (void)target_from_region(bald, std::nullopt, "m.json"); }) ==
        ErrorCode::unsupported);
  CHECK(code_of([] { (void)target_from_region(plain, FormulationMode::custom, "m.json"); }) ==
        ErrorCode::invalid_argument);
}

TEST_CASE("recipes_within_uncertainty: the recipes a measurement cannot tell from the best") {
  FormulationResult result;
  CHECK(recipes_within_uncertainty(result, 1.0) == 0);
  for (const double de : {0.4, 0.9, 1.3, 1.5, 3.0}) {
    Recipe r;
    r.de00 = de;
    result.recipes.push_back(r);
  }
  CHECK(recipes_within_uncertainty(result, 0.0) == 1);
  CHECK(recipes_within_uncertainty(result, 0.5) == 2);
  CHECK(recipes_within_uncertainty(result, 1.1) == 4);
  CHECK(recipes_within_uncertainty(result, 5.0) == 5);
}

TEST_CASE("match_conditions: km on the card, skin under the client's skin") {
  const MatchTarget hair = target_from_region(stubble, std::nullopt, "m.json");
  const MixConditions km = match_conditions(BuiltinModel::km, hair);
  REQUIRE(km.substrate_reflectance);
  CHECK((*km.substrate_reflectance)[0] == KmOptions{}.card_reflectance);
  const MixConditions skin = match_conditions(BuiltinModel::skin, hair);
  REQUIRE(skin.substrate_lab_d50);
  CHECK(skin.substrate_lab_d50->L == 62);
  CHECK(!match_conditions(BuiltinModel::lab, hair).substrate_reflectance);
  const MatchTarget typed{Lab{40, 0, 0}, FormulationMode::custom, std::nullopt, "", std::nullopt};
  CHECK(code_of([&] { (void)match_conditions(BuiltinModel::skin, typed); }) ==
        ErrorCode::invalid_argument);
  const FormulationRequest request = match_request(typed, 2);
  CHECK(request.target_lab_d50.L == 40);
  CHECK(request.max_pigments == 2);
  CHECK(request.illuminant == Illuminant::d50);
}

TEST_CASE("stored_region_colours: a hair row is seen on the same region's skin") {
  TempDir dir;
  store::Store s = store::Store::open(dir / "clients.db");
  const store::Id client = s.add_client({0, "Ana", "", "", "", "", ""});
  store::Measurement m;
  m.client_id = client;
  m.region = "crown";
  m.kind = store::MeasurementKind::hair;
  m.lab = Lab{22, 1, 2};
  m.id = s.add_measurement(m);
  // Hair alone: no skin to see it on.
  CHECK(code_of([&] { (void)stored_region_colours(s, m); }) == ErrorCode::not_found);
  store::Measurement other_region = m;
  other_region.kind = store::MeasurementKind::skin;
  other_region.region = "nape";
  other_region.lab = Lab{70, 10, 15};
  s.add_measurement(other_region);
  CHECK(code_of([&] { (void)stored_region_colours(s, m); }) == ErrorCode::not_found);
  store::Measurement skin = other_region;
  skin.region = "crown";
  skin.lab = Lab{61, 12, 17};
  s.add_measurement(skin);

  const RegionColours hair = stored_region_colours(s, m);
  CHECK(hair.stubble);
  CHECK(hair.name == "crown");
  REQUIRE(hair.hair_d50);
  CHECK(hair.hair_d50->L == 22);
  CHECK(hair.lab_d50.L == 61);
  const RegionColours plain_skin = stored_region_colours(s, skin);
  CHECK(!plain_skin.stubble);
  CHECK(plain_skin.lab_d50.L == 61);
}

TEST_CASE("match_catalogs picks from a real registry; recipe_formula records a recipe") {
  SearchPaths paths;
  paths.plugin_directories.push_back(
      {std::filesystem::path(PIGMATCH_BINARY_DIR) / "plugins", Origin::builtin});
  paths.catalog_directories.push_back(
      {std::filesystem::path(PIGMATCH_SOURCE_DIR) / "data" / "catalogs", Origin::builtin});
  const PluginRegistry registry(paths);
  REQUIRE(registry.find_catalog("demo-smp-carbon") != nullptr);

  const std::vector<std::string> ids{"demo-smp-carbon", "demo-camouflage", "demo-smp-carbon"};
  const std::vector<Catalog> chosen = match_catalogs(registry, ids, false);
  REQUIRE(chosen.size() == 2);
  CHECK(chosen[0].id == "demo-smp-carbon");
  CHECK(chosen[1].id == "demo-camouflage");
  CHECK(match_catalogs(registry, {}, false).size() == registry.catalogs().size());
  // Only explicit files were asked for, and none was given.
  CHECK(code_of([&] { (void)match_catalogs(registry, {}, true); }) == ErrorCode::not_found);
  const std::vector<std::string> unknown{"nope"};
  CHECK_THROWS_WITH(match_catalogs(registry, unknown, false),
                    Catch::Contains("nope") && Catch::Contains("demo-camouflage"));

  Catalog no_vendor = chosen[0];
  no_vendor.id = "house";
  no_vendor.vendor.clear();
  const std::vector<Catalog> catalogs{chosen[0], no_vendor};
  Recipe recipe;
  recipe.components = {{"house", "K1", "Black", false, 3, 0.15, 0.15},
                       {"demo-smp-carbon", "SMP-DIL", "Diluent", true, 17, 0.85, 0.85}};
  recipe.predicted_lab_d50 = Lab{30.5, 0.2, 0.4};
  recipe.de00 = 1.25;
  const MatchTarget target = target_from_region(stubble, std::nullopt, "m.json");
  const store::Formula f = recipe_formula(target, BuiltinModel::skin, catalogs, recipe);
  CHECK(f.id == 0);
  CHECK(f.client_id == 0);
  CHECK(!f.visit_id);
  CHECK(f.region == "crown");
  CHECK(f.target.L == 24);
  CHECK(f.model == "skin");
  CHECK(f.catalog == "house");  // the first pigment's
  CHECK(f.predicted.L == 30.5);
  CHECK(f.delta_e00 == 1.25);
  REQUIRE(f.components.size() == 2);
  CHECK(f.components[0].vendor == "house");  // no vendor: the catalog id
  CHECK(f.components[1].vendor == chosen[0].vendor);
  CHECK(f.components[1].code == "SMP-DIL");
  CHECK(f.components[1].drops == 17);
  CHECK(f.components[1].ml == 0.85);
  CHECK(f.components[0].lot.empty());
}
