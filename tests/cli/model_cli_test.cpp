// `pigmatch model fit` and `match --model-profile`, run as real processes on a real SQLite store
// holding touch-ups whose healed colours were simulated with hidden skin-model parameters (and
// Lab noise): the fit must predict held-out results far better than the defaults, and a match
// with the profile must predict what the hidden parameters would heal to.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "pigmatch/formulation/model_fit.h"
#include "pigmatch/formulation/touchup.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "pigmatch/store/store.h"
#include "process.h"
#include "store/store_fixtures.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace pigmatch;
using pigmatch::test::run_pigmatch;

namespace {

const fs::path carbon = fs::path(PIGMATCH_SOURCE_DIR) / "data/catalogs/demo-smp-carbon.json";

std::string lab_arg(const Lab& lab) {
  char text[96];
  std::snprintf(text, sizeof text, "%.4f,%.4f,%.4f", lab.L, lab.a, lab.b);
  return text;
}

std::vector<Catalog> carbon_catalog() {
  const PluginRegistry registry(default_search_paths({carbon}));
  const CatalogEntry* e = registry.find_catalog("demo-smp-carbon");
  REQUIRE(e != nullptr);
  return {e->catalog};
}

SkinParameters hidden_parameters() {
  SkinParameters p;
  p.pigment_load = 1.4;  // the defaults say 0.5: this studio's needle puts in far more
  return p;
}

// `count` clients, each with a skin measurement, a formula of carbon dilutions and diluent saved
// at the first visit, and a touch-up two years later whose healed colour is what the hidden
// parameters predict plus Lab noise (sd 0.3).
void fill_store(const fs::path& db_path, int count) {
  const std::vector<Catalog> catalogs = carbon_catalog();
  store::Store db = store::Store::open(db_path);
  std::mt19937 random(42);
  std::normal_distribution<double> noise(0, 0.3);
  const std::vector<std::string> codes{"SMP-K100", "SMP-K75", "SMP-K50", "SMP-K25"};
  for (int i = 0; i < count; ++i) {
    const store::Id client = db.add_client({0, "Client " + std::to_string(i), "", "", "", "", ""});
    const store::Id first =
        db.add_visit({0, client, store::VisitKind::initial, "2024-03-01", "crown", "", "", ""});
    const store::Id later =
        db.add_visit({0, client, store::VisitKind::touchup, "2026-03-01", "crown", "", "", ""});
    const Lab skin{std::uniform_real_distribution<double>(35, 72)(random),
                   std::uniform_real_distribution<double>(7, 15)(random),
                   std::uniform_real_distribution<double>(12, 22)(random)};
    store::Measurement m;
    m.client_id = client;
    m.visit_id = first;
    m.kind = store::MeasurementKind::skin;
    m.region = "crown";
    m.lab = skin;
    db.add_measurement(m);
    store::Formula f;
    f.client_id = client;
    f.visit_id = first;
    f.region = "crown";
    f.target = {30, 1, 2};
    f.model = "skin";
    f.catalog = "demo-smp-carbon";
    f.predicted = {30, 1, 2};
    const int pigment = std::uniform_int_distribution<int>(2, 16)(random);
    f.components = {{"Demo Pigments (illustrative)", codes[static_cast<std::size_t>(i % 4)], "",
                     double(pigment), 0.05 * pigment},
                    {"Demo Pigments (illustrative)", "SMP-DIL", "", double(20 - pigment),
                     0.05 * (20 - pigment)}};
    const store::Id formula = db.save_formula(f);
    f.id = formula;
    const Lab clean = predict_healed(healed_record(f, skin, {}, catalogs), hidden_parameters());
    store::Measurement healed;
    healed.client_id = client;
    healed.visit_id = later;
    healed.kind = store::MeasurementKind::healed;
    healed.region = "crown";
    healed.lab = {clean.L + noise(random), clean.a + noise(random), clean.b + noise(random)};
    store::Formula correction = f;
    correction.id = 0;
    correction.replaces = formula;
    correction.visit_id = later;
    db.save_touchup(healed, correction);
  }
}

}  // namespace

TEST_CASE("model fit learns the studio's healing from its touch-ups, and match uses it") {
  const test::TempDir dir;
  const fs::path db = dir / "studio.db";
  fill_store(db, 40);
  const fs::path profile = dir / "studio.json";

  const auto fit = run_pigmatch({"model", "fit", "--name", "studio", "--db", db.string(), "--out",
                                 profile.string(), "--catalog-file", carbon.string(), "--json"});
  INFO(fit.err);
  REQUIRE(fit.exit_code == 0);
  const json report = json::parse(fit.out);
  CHECK(report.at("records") == 40);
  CHECK(report.at("skipped").empty());
  const double before = report.at("held_out_de00").at("defaults").get<double>();
  const double after = report.at("held_out_de00").at("fitted").get<double>();
  CHECK(after <= 0.5 * before);
  CHECK(after < 1.0);
  WARN("40 simulated touch-ups: held-out ΔE00 " << before << " with the defaults, " << after
                                                << " fitted");
  CHECK(report.at("all_skins").at("pigment_load").get<double>() == Approx(1.4).epsilon(0.2));
  REQUIRE(fs::exists(profile));

  // A follicle match with the profile predicts what the hidden parameters heal to.
  const Lab skin{55, 11, 17};
  const auto matched =
      run_pigmatch({"match", "--target", "32,1,2", "--mode", "follicle", "--skin", lab_arg(skin),
                    "--catalog", "demo-smp-carbon", "--catalog-file", carbon.string(),
                    "--model-profile", profile.string(), "--top", "1", "--json"});
  INFO(matched.err);
  REQUIRE(matched.exit_code == 0);
  const json out = json::parse(matched.out);
  CHECK(out.at("model_profile").at("pigment_load").get<double>() == Approx(1.4).epsilon(0.2));
  const json& recipe = out.at("recipes").at(0);
  store::Formula as_saved;
  as_saved.id = 1;
  as_saved.catalog = "demo-smp-carbon";
  for (const json& c : recipe.at("components")) {
    as_saved.components.push_back({c.at("vendor").get<std::string>(),
                                   c.at("code").get<std::string>(), "",
                                   double(c.at("drops").get<int>()), c.at("ml").get<double>()});
  }
  const Lab truth =
      predict_healed(healed_record(as_saved, skin, {}, carbon_catalog()), hidden_parameters());
  const json& p = recipe.at("predicted");
  const Lab predicted{p.at("L").get<double>(), p.at("a").get<double>(), p.at("b").get<double>()};
  CHECK(delta_e2000(predicted, truth) < 1.0);
  // Without the profile the defaults predict the same recipe several ΔE00 off.
  CHECK(delta_e2000(
            predict_healed(healed_record(as_saved, skin, {}, carbon_catalog()), SkinParameters{}),
            truth) > 2.0);
}

TEST_CASE("model fit and --model-profile refuse what they cannot use, saying what to do") {
  const test::TempDir dir;
  const fs::path db = dir / "few.db";
  fill_store(db, 3);
  const auto few = run_pigmatch({"model", "fit", "--name", "few", "--db", db.string(), "--out",
                                 (dir / "few.json").string(), "--catalog-file", carbon.string()});
  CHECK(few.exit_code == 1);
  CHECK(few.err.find("defaults stay in use") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "few.json"));

  const auto bad_name = run_pigmatch({"model", "fit", "--name", "../x", "--db", db.string()});
  CHECK(bad_name.exit_code == 2);

  std::ofstream(dir / "broken.json") << R"({"format": "pigmatch-model-profile", "format_version": 1,
    "all_skins": {"pigment_load": -3, "epidermis_thickness_um": 80, "records": 5}})";
  const auto broken = run_pigmatch({"match", "--target", "32,1,2", "--mode", "follicle", "--skin",
                                    "55,11,17", "--catalog-file", carbon.string(),
                                    "--model-profile", (dir / "broken.json").string()});
  CHECK(broken.exit_code == 1);
  CHECK(broken.err.find("pigment_load") != std::string::npos);

  const auto missing =
      run_pigmatch({"match", "--target", "32,1,2", "--mode", "follicle", "--skin", "55,11,17",
                    "--catalog-file", carbon.string(), "--model-profile", "no-such-profile"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("model fit --name no-such-profile") != std::string::npos);

  const auto wrong_model =
      run_pigmatch({"match", "--target", "32,1,2", "--mode", "custom", "--catalog-file",
                    carbon.string(), "--model-profile", (dir / "broken.json").string()});
  CHECK(wrong_model.exit_code == 2);
  CHECK(wrong_model.err.find("skin model") != std::string::npos);
}
