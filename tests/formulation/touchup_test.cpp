// touchup: the healed colour in words, and the batch correction checked against an independent
// Kubelka–Munk evaluation of the corrected drops (written here from the equations, not taken
// from libcore), on a synthetic K/S catalog; the touch-up saved to a real SQLite file.
#include "pigmatch/formulation/touchup.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "formulation/independent_km.h"
#include "formulation/synthetic_catalog.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/mixing.h"
#include "store/store_fixtures.h"

using namespace pigmatch;
using pigmatch::test::RawDb;
using pigmatch::test::TempDir;

namespace {

constexpr double card = 0.88;

// The formula's colour by an independent KM film over the card
// (tests/formulation/independent_km.h), concentrations = drops / all drops.
Spectrum independent_mix(const Catalog& catalog, const std::vector<store::Component>& components) {
  double total = 0;
  for (const auto& c : components)
    total += c.drops;
  Spectrum out;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    double k = 0, s = 0;
    for (const auto& c : components) {
      const Pigment* p = find_pigment(catalog, c.code);
      REQUIRE(p != nullptr);
      if (p->is_diluent)
        continue;
      k += c.drops / total * (*p->k)[i];
      s += c.drops / total * (*p->s)[i];
    }
    out[i] = pigmatch::test::independent_film(k, s, card);
  }
  return out;
}

double pigment_ml(const store::Formula& f) {
  double ml = 0;
  for (const auto& c : f.components) {
    if (c.code != "DIL")
      ml += c.ml;
  }
  return ml;
}

double total_ml(const store::Formula& f) {
  double ml = 0;
  for (const auto& c : f.components)
    ml += c.ml;
  return ml;
}

// A stored formula of three pigments and the diluent in 5 ml (drops of 0.05 ml), whose target
// is what the independent KM model predicts for it.
store::Formula first_formula(const Catalog& catalog) {
  store::Formula f;
  f.id = 7;
  f.client_id = 3;
  f.region = "crown";
  f.model = "km";
  f.catalog = catalog.id;
  f.components = {{"Test", "P0", "LOT-1", 10, 0.5},
                  {"Test", "P1", "LOT-2", 8, 0.4},
                  {"Test", "P2", "LOT-3", 12, 0.6},
                  {"Test", "DIL", "", 70, 3.5}};
  f.predicted = to_lab(independent_mix(catalog, f.components));
  f.target = f.predicted;
  return f;
}

}  // namespace

TEST_CASE("describe_shift names each difference from 1 CIELAB unit, in healed-vs-plan words") {
  const Lab reference{40, 2, 5};
  const ColourShift s = describe_shift(reference, {37.5, 2.2, 3.0});
  CHECK(s.dL == Approx(-2.5));
  CHECK(s.db == Approx(-2.0));
  // C* 3.72 against 5.39: 1.66 less chroma.
  CHECK(s.dC == Approx(std::hypot(2.2, 3.0) - std::hypot(2.0, 5.0)));
  CHECK(s.words == std::vector<std::string>{"darker", "bluer", "greyer"});
  CHECK(s.de00 == Approx(delta_e2000(reference, {37.5, 2.2, 3.0})));
  CHECK(to_string(s).rfind("2.5 darker, 2.0 bluer and 1.7 greyer (ΔE00 ", 0) == 0);

  CHECK(describe_shift({50, 0, 0}, {50.9, 0, 0}).words.empty());
  CHECK(describe_shift({50, 0, 0}, {51.1, 0, 0}).words == std::vector<std::string>{"lighter"});
  CHECK(describe_shift({50, 0, 0}, {50, 3, 0}).words ==
        std::vector<std::string>{"redder", "more saturated"});
  CHECK(describe_shift({50, 5, 10}, {50, 3, 11.5}).words ==
        std::vector<std::string>{"greener", "yellower"});
  CHECK(to_string(describe_shift({50, 0, 0}, {50.2, 0.1, 0})).rfind("no visible difference", 0) ==
        0);
}

TEST_CASE("correct_formula: batch correction heals at the target by the independent KM model") {
  const Catalog catalog = test::synthetic_catalog(6, 11);
  const std::vector<Catalog> catalogs{catalog};
  const store::Formula old = first_formula(catalog);
  // Healed 4 darker, a little redder and bluer than the model predicted.
  const Lab miss{-4.0, 0.8, -1.5};
  const Lab healed{old.predicted.L + miss.L, old.predicted.a + miss.a, old.predicted.b + miss.b};

  const TouchupCorrection c = correct_formula(old, healed, {catalogs, std::nullopt});

  const std::vector<std::string>& words = c.comparison.vs_predicted.words;
  REQUIRE(words.size() >= 2);
  CHECK(words[0] == "darker");
  CHECK(words[1] == "bluer");
  CHECK(c.aim.L == Approx(old.target.L - miss.L));
  CHECK(c.aim.a == Approx(old.target.a - miss.a));
  CHECK(c.aim.b == Approx(old.target.b - miss.b));

  // The new drops, evaluated independently, predict the aim; with the same miss they heal at
  // the target. Whole drops limit how close: 1.0 ΔE00.
  const Lab independent = to_lab(independent_mix(catalog, c.formula.components));
  CHECK(delta_e2000(independent, c.recipe.predicted_lab_d50) < 0.05);
  CHECK(delta_e2000(independent, c.aim) < 1.0);
  const Lab heals{independent.L + miss.L, independent.a + miss.a, independent.b + miss.b};
  CHECK(delta_e2000(heals, old.target) < 1.0);
  CHECK(c.expected_de00 < 1.0);
  // Healed darker: the correction is lighter, so it holds less pigment in the same volume.
  CHECK(pigment_ml(c.formula) < pigment_ml(old));
  CHECK(total_ml(c.formula) == Approx(total_ml(old)).margin(0.051));

  // The new version: same client, region, target, model and catalog; the same bottles.
  const store::Formula& f = c.formula;
  CHECK(f.replaces == old.id);
  CHECK(f.client_id == old.client_id);
  CHECK(f.region == "crown");
  CHECK(f.target.L == old.target.L);
  CHECK(f.model == "km");
  CHECK(f.catalog == catalog.id);
  CHECK(!f.visit_id);
  std::vector<std::string> codes;
  for (const auto& comp : f.components) {
    codes.push_back(comp.code);
    CHECK(comp.vendor == "Test");
    CHECK(comp.lot.empty());
  }
  CHECK(codes == std::vector<std::string>{"P0", "P1", "P2", "DIL"});
  CHECK(f.delta_e00 == Approx(delta_e2000(old.target, c.recipe.predicted_lab_d50)));
  CHECK(f.notes.find("formula #7") != std::string::npos);
  CHECK(c.improves);
  CHECK(c.advice.empty());
}

TEST_CASE("correct_formula: a correction that changes nothing says so, and what can") {
  const Catalog catalog = test::synthetic_catalog(6, 11);
  const std::vector<Catalog> catalogs{catalog};
  // One pigment at full strength: no mix of its bottles is darker.
  store::Formula masstone;
  masstone.id = 9;
  masstone.client_id = 3;
  masstone.region = "crown";
  masstone.model = "km";
  masstone.catalog = catalog.id;
  masstone.components = {{"Test", "P0", "LOT-1", 20, 1.0}};
  masstone.predicted = to_lab(independent_mix(catalog, masstone.components));
  masstone.target = masstone.predicted;

  SECTION("healed lighter than a full-strength mix: a second pass or a darker line") {
    const Lab healed{masstone.predicted.L + 6, masstone.predicted.a, masstone.predicted.b};
    const TouchupCorrection c = correct_formula(masstone, healed, {catalogs, std::nullopt});
    std::vector<std::pair<std::string, double>> drops;
    for (const store::Component& comp : c.formula.components)
      drops.emplace_back(comp.code, comp.drops);
    CHECK(drops == std::vector<std::pair<std::string, double>>{{"P0", 20}});
    CHECK_FALSE(c.improves);
    CHECK(c.advice.find("cannot move the result") != std::string::npos);
    CHECK(c.advice.find("second pass") != std::string::npos);
    CHECK(c.advice.find("darker pigment") != std::string::npos);
  }
  SECTION("healed darker, where a diluted mix heals no closer: not a correction either") {
    // Diluting this pigment also shifts its hue, so the mix nearest the aim is expected to heal
    // further from the target (ΔE00 4.3) than the result did (4.0).
    const Lab healed{masstone.predicted.L - 6, masstone.predicted.a, masstone.predicted.b};
    const TouchupCorrection c = correct_formula(masstone, healed, {catalogs, std::nullopt});
    CHECK(c.expected_de00 > c.comparison.vs_target.de00 - correction_gain_threshold);
    CHECK_FALSE(c.improves);
    CHECK(c.advice.find("expected to heal noticeably closer") != std::string::npos);
    CHECK(c.advice.find("it healed darker") != std::string::npos);
  }
  SECTION("healed as planned: keep the formula") {
    const TouchupCorrection c =
        correct_formula(masstone, masstone.predicted, {catalogs, std::nullopt});
    CHECK_FALSE(c.improves);
    CHECK(c.advice.find("keep the formula") != std::string::npos);
  }
}

TEST_CASE("correct_formula refuses what it cannot redo, naming the problem") {
  const Catalog catalog = test::synthetic_catalog(6, 11);
  const store::Formula old = first_formula(catalog);
  const Lab healed{old.predicted.L - 2, old.predicted.a, old.predicted.b};

  SECTION("a pigment no catalog holds") {
    Catalog without = catalog;
    std::erase_if(without.pigments, [](const Pigment& p) { return p.code == "P1"; });
    const std::vector<Catalog> catalogs{without};
    try {
      (void)correct_formula(old, healed, {catalogs, std::nullopt});
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::not_found);
      CHECK(std::string(e.what()).find("Test P1") != std::string::npos);
    }
  }
  SECTION("a model that is not built in") {
    store::Formula plugin_model = old;
    plugin_model.model = "vendor-magic";
    const std::vector<Catalog> catalogs{catalog};
    try {
      (void)correct_formula(plugin_model, healed, {catalogs, std::nullopt});
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::unsupported);
      CHECK(std::string(e.what()).find("vendor-magic") != std::string::npos);
    }
  }
  SECTION("the skin model without the client's skin") {
    store::Formula skin_model = old;
    skin_model.model = "skin";
    const std::vector<Catalog> catalogs{catalog};
    CHECK_THROWS_AS(correct_formula(skin_model, healed, {catalogs, std::nullopt}), Error);
    // With a skin it runs, and the prediction moves towards the aim.
    const TouchupCorrection c = correct_formula(skin_model, healed, {catalogs, Lab{62, 12, 18}});
    CHECK(c.formula.model == "skin");
    CHECK(c.recipe.de00 < 5.0);
  }
  SECTION("a non-finite healed colour") {
    const std::vector<Catalog> catalogs{catalog};
    CHECK_THROWS_AS(correct_formula(old, {NAN, 0, 0}, {catalogs, std::nullopt}), Error);
  }
}

TEST_CASE("Store::save_touchup writes the healed measurement and the correction together") {
  TempDir dir;
  const auto path = dir / "touchup.db";
  store::Store db = store::Store::open(path);
  const store::Id client = db.add_client({0, "Ana", "", "", "", "", ""});
  CHECK(!db.latest_visit(client));
  store::Visit first{0, client, store::VisitKind::initial, "2021-04-12", "crown", "", "", ""};
  first.id = db.add_visit(first);
  store::Visit touchup{0, client, store::VisitKind::touchup, "2024-05-02", "crown", "", "", ""};
  touchup.id = db.add_visit(touchup);
  REQUIRE(db.latest_visit(client));
  CHECK(db.latest_visit(client)->id == touchup.id);

  store::Formula f = test::sample_formula(client, {38, 2, 6});
  f.visit_id = first.id;
  const store::Id old_id = db.save_formula(f);
  store::Measurement healed;
  healed.client_id = client;
  healed.visit_id = touchup.id;
  healed.kind = store::MeasurementKind::healed;
  healed.region = "crown";
  healed.lab = {35, 2, 4};
  store::Formula correction = test::sample_formula(client, {38, 2, 6});
  correction.replaces = old_id;
  correction.visit_id = touchup.id;

  const store::SavedTouchup saved = db.save_touchup(healed, correction);
  CHECK(db.formula(saved.formula).replaces == old_id);
  CHECK(db.current_formula(client, "crown")->id == saved.formula);
  const auto latest = db.latest_measurement(client, store::MeasurementKind::healed, "crown");
  REQUIRE(latest);
  CHECK(latest->id == saved.measurement);
  CHECK(latest->lab.L == 35);

  // A second correction of the same old version is refused, and its healed measurement with it.
  RawDb raw(path, SQLITE_OPEN_READONLY);
  const std::string before = raw.scalar("SELECT count(*) FROM measurements");
  CHECK_THROWS_AS(db.save_touchup(healed, correction), Error);
  CHECK(raw.scalar("SELECT count(*) FROM measurements") == before);
  // Measurements of one photo go in together too: one bad row, none saved.
  store::Measurement bad = healed;
  bad.lab.L = 140;
  CHECK_THROWS_AS(db.add_measurements({healed, bad}), Error);
  CHECK(raw.scalar("SELECT count(*) FROM measurements") == before);
  CHECK(db.add_measurements({healed, healed}).size() == 2);
  CHECK(raw.scalar("SELECT count(*) FROM measurements") == std::to_string(std::stoi(before) + 2));
}

TEST_CASE("FormulaMixer: other drops of a formula's bottles, by the independent KM model") {
  const Catalog catalog = test::synthetic_catalog(6, 11);
  const std::vector<Catalog> catalogs{catalog};
  const store::Formula old = first_formula(catalog);
  const FormulaMixer mixer(old, {catalogs, std::nullopt});

  // The stored drops give the stored prediction; other drops what the model says of them.
  const std::vector<double> same{10, 8, 12, 70};
  CHECK(delta_e2000(mixer.predict(same).predicted_d50, old.predicted) < 1e-6);
  CHECK(mixer.predict(same).de00 == Approx(0).margin(1e-6));
  const std::vector<double> darker{14, 8, 12, 66};
  std::vector<store::Component> edited = old.components;
  edited[0].drops = 14;
  edited[3].drops = 66;
  const Lab expected = to_lab(independent_mix(catalog, edited));
  const FormulaMixer::Prediction p = mixer.predict(darker);
  CHECK(delta_e2000(p.predicted_d50, expected) < 1e-6);
  CHECK(p.predicted_d50.L < old.predicted.L - 1);
  CHECK(p.de00 == Approx(delta_e2000(old.target, expected)).margin(1e-6));

  // A new version: the same bottles and lots, ml from the recorded drop size, the old id.
  const std::vector<double> without_p1{14, 0, 12, 66};
  const store::Formula f = mixer.new_version(without_p1);
  CHECK(f.id == 0);
  CHECK(f.replaces == old.id);
  CHECK(f.target.L == old.target.L);
  REQUIRE(f.components.size() == 3);
  CHECK(f.components[0].code == "P0");
  CHECK(f.components[0].lot == "LOT-1");
  CHECK(f.components[0].drops == 14);
  CHECK(f.components[0].ml == Approx(0.7));
  CHECK(f.components[1].code == "P2");
  CHECK(f.components[2].ml == Approx(3.3));
  CHECK(delta_e2000(f.predicted, mixer.predict(without_p1).predicted_d50) == 0);

  // Counts that are not drops, or no pigment at all, are refused.
  CHECK_THROWS_AS(mixer.predict(std::vector<double>{1, 2}), Error);
  CHECK_THROWS_AS(mixer.predict(std::vector<double>{-1, 8, 12, 70}), Error);
  CHECK_THROWS_AS(mixer.predict(std::vector<double>{NAN, 8, 12, 70}), Error);
  CHECK_THROWS_AS(mixer.predict(std::vector<double>{0, 0, 0, 70}), Error);
}

TEST_CASE(
    "formula_to_correct: the current version of the region's formula, as CLI and GUI choose") {
  TempDir dir;
  store::Store db = store::Store::open(dir / "choose.db");
  const store::Id ana = db.add_client({0, "Ana", "", "", "", "", ""});
  const store::Id ben = db.add_client({0, "Ben", "", "", "", "", ""});

  // No formula at all: nothing to correct, and the message says what to do.
  CHECK_THROWS_WITH(formula_to_correct(db, ana, "crown"),
                    Catch::Contains("client " + std::to_string(ana) +
                                    " has no formula for region 'crown'; save one first"));

  // One formula without a region (a match of a typed Lab): still the one meant, with a note.
  store::Formula loose = test::sample_formula(ana, {40, 2, 6});
  loose.region = "";
  const store::Id loose_id = db.save_formula(loose);
  const FormulaToCorrect only = formula_to_correct(db, ana, "crown");
  CHECK(only.formula.id == loose_id);
  CHECK(only.note.find("correcting its only current formula, #" + std::to_string(loose_id) +
                       " (no region)") != std::string::npos);

  // The region's own formula wins, without a note; once corrected, the correction is current.
  const store::Id crown_id = db.save_formula(test::sample_formula(ana, {38, 2, 6}));
  const FormulaToCorrect own = formula_to_correct(db, ana, "crown");
  CHECK(own.formula.id == crown_id);
  CHECK(own.note.empty());
  store::Formula corrected = test::sample_formula(ana, {38, 2, 6});
  corrected.replaces = crown_id;
  const store::Id corrected_id = db.save_formula(corrected);
  CHECK(formula_to_correct(db, ana, "crown").formula.id == corrected_id);
  const std::vector<store::Formula> current = current_formulas(db, ana);
  REQUIRE(current.size() == 2);
  CHECK(current[0].id == loose_id);
  CHECK(current[1].id == corrected_id);

  // Another region with two current formulas to choose from: refused, naming them.
  CHECK_THROWS_WITH(
      formula_to_correct(db, ana, "temples"),
      Catch::Contains("its current formulas are #" + std::to_string(loose_id) + " (no region), #" +
                      std::to_string(corrected_id) + " (crown): choose one"));

  // A formula chosen by id: the client's own and current, else refused with the reason.
  CHECK(formula_to_correct(db, ana, "temples", loose_id).formula.id == loose_id);
  CHECK_THROWS_WITH(formula_to_correct(db, ana, "crown", crown_id),
                    Catch::Contains("already corrected by #" + std::to_string(corrected_id)));
  CHECK_THROWS_WITH(formula_to_correct(db, ben, "crown", loose_id),
                    Catch::Contains("belongs to client " + std::to_string(ana)));
  CHECK(current_formulas(db, ben).empty());
}
