// pigmatch touchup CLIENT --from MEASURE.json --region NAME [--formula ID] [--catalog ID]…
//   [--catalog-file FILE]… [--save [--visit ID] [--lot CODE=LOT]…] [--json] [--db FILE]
// The healed colour now against the client's current formula (what it targeted and predicted),
// in ΔE00 and plain words, and a corrected recipe of the same pigments; --save keeps it as a new
// version of the formula together with the healed measurement. The work is libcore's
// (touchup.h); this file finds the inputs and prints.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "json_output.h"
#include "measured_regions.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/touchup.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "pigmatch/store/store.h"
#include "save_to_store.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct TouchupOptions {
  std::string db;
  std::string client;
  std::string from;
  std::string region;
  std::string formula;
  std::string visit;
  std::vector<std::string> catalogs;
  std::vector<std::string> catalog_files;
  std::vector<std::string> lots;
  bool save = false;
  bool json = false;
};

// ---- inputs ------------------------------------------------------------------------------------

Lab healed_colour(const MeasuredRegion& region, const std::string& source) {
  if (!region.stubble)
    return region.lab_d50;
  if (!region.hair_d50) {
    throw Error(ErrorCode::unsupported,
                fmt::format("{}: region '{}' is stubble but no dots were told apart from the "
                            "skin, so there is no healed colour; measure a region with visible "
                            "dots",
                            source, region.name));
  }
  return *region.hair_d50;
}

// The skin the skin model puts the pigment under: the stubble region's own skin, else the
// client's latest skin measurement (of this region if there is one).
std::optional<Lab> client_skin(store::Store& db, store::Id client, const MeasuredRegion& region) {
  if (region.stubble)
    return region.lab_d50;
  return stored_skin(db, client, region.name);
}

// ---- output ------------------------------------------------------------------------------------

Json shift_json(const ColourShift& s) {
  return {{"de00", s.de00}, {"dL", s.dL},       {"da", s.da},          {"db", s.db},
          {"dC", s.dC},     {"words", s.words}, {"text", to_string(s)}};
}

void print_table(const store::Client& client, const store::Formula& old, const std::string& region,
                 const TouchupCorrection& c, const std::optional<store::SavedTouchup>& saved,
                 std::optional<store::Id> visit) {
  const HealedComparison& h = c.comparison;
  fmt::print("client     {} (#{})\n", client.name, client.id);
  fmt::print("formula    #{}{}, {} ({} model, catalog {})\n", old.id,
             old.region.empty() ? "" : " " + old.region, old.created_at, old.model, old.catalog);
  fmt::print("healed     {}   region '{}'\n", lab_text(h.healed), region);
  fmt::print("target     {}   healed is {}\n", lab_text(h.target), to_string(h.vs_target));
  fmt::print("predicted  {}   healed is {}\n", lab_text(h.predicted), to_string(h.vs_predicted));
  fmt::print("\ncorrected recipe, aimed at {} = target − (healed − predicted):\n", lab_text(c.aim));
  for (const store::Component& comp : c.formula.components)
    fmt::print("  {:>6g} {:<5} {:>7.3f} ml  {} {}\n", comp.drops, drop_word(comp.drops), comp.ml,
               comp.vendor, comp.code);
  fmt::print(
      "  predicted {} (ΔE00 {:.2f} to the aim); expected to heal at {}, ΔE00 {:.2f} to "
      "the target\n",
      lab_text(c.recipe.predicted_lab_d50), c.recipe.de00, lab_text(c.expected_healed),
      c.expected_de00);
  if (!c.warning.empty())
    fmt::print("warning    {}\n", c.warning);
  if (!c.improves)
    fmt::print("no correction: {}\n", c.advice);
  if (saved && saved->formula != 0) {
    fmt::print("\nsaved as formula #{} (corrects #{}) and healed measurement #{}, visit {}\n",
               saved->formula, old.id, saved->measurement, *visit);
  } else if (saved) {
    fmt::print(
        "\nsaved the healed measurement #{}, visit {}; formula #{} stays the current "
        "version\n",
        saved->measurement, *visit, old.id);
  } else if (c.improves) {
    fmt::print("\nnot saved: add --save to keep it as a new version of formula #{}\n", old.id);
  }
}

void run(const TouchupOptions& o) {
  const store::Id client_id = parse_id(o.client, "CLIENT");
  if ((!o.visit.empty() || !o.lots.empty()) && !o.save)
    throw UsageError("--visit and --lot say what --save writes; add --save");
  const MeasuredPhoto photo = read_measure_file(o.from);
  const MeasuredRegion& region = find_region(photo, o.region, o.from);
  const Lab healed = healed_colour(region, o.from);

  store::Store db = open_store(o.db, o.save ? DbAccess::existing : DbAccess::read);
  const store::Client client = db.client(client_id);
  FormulaToCorrect chosen = formula_to_correct(
      db, client_id, o.region,
      o.formula.empty() ? std::nullopt
                        : std::optional<store::Id>(parse_id(o.formula, "--formula")));
  if (!chosen.note.empty())
    fmt::print(stderr, "pigmatch: {}\n", chosen.note);
  const store::Formula old = std::move(chosen.formula);
  std::optional<store::Id> visit;
  if (o.save) {
    visit = resolve_visit(
        db, client_id,
        o.visit.empty() ? std::nullopt : std::optional<store::Id>(parse_id(o.visit, "--visit")));
  }
  const std::vector<Catalog> catalogs = load_catalogs(o.catalogs, o.catalog_files);
  CorrectionInputs inputs;
  inputs.catalogs = catalogs;
  inputs.skin_d50 = client_skin(db, client_id, region);
  TouchupCorrection correction = correct_formula(old, healed, inputs);

  std::optional<store::SavedTouchup> saved;
  if (o.save) {
    store::Measurement m;
    m.client_id = client_id;
    m.visit_id = visit;
    m.kind = store::MeasurementKind::healed;
    m.region = region.name;
    m.lab = healed;
    m.calibration_de00 = photo.calibration_de00;
    record_photo(m, photo.image);
    if (correction.improves) {
      correction.formula.visit_id = visit;
      for (const std::string& assignment : o.lots)
        apply_lot(correction.formula, assignment);
      saved = db.save_touchup(m, correction.formula);
      correction.formula = db.formula(saved->formula);
    } else {
      // The healed result is worth keeping (model fit learns from it); a version that changes
      // nothing is not.
      saved = store::SavedTouchup{db.add_measurements_once({m}).front().id, 0};
    }
  }

  if (!o.json) {
    print_table(client, old, region.name, correction, saved, visit);
    return;
  }
  const HealedComparison& h = correction.comparison;
  print_json({{"client", client_id},
              {"region", region.name},
              {"from", o.from},
              {"formula", formula_json(old)},
              {"healed", lab_object(h.healed)},
              {"vs_target", shift_json(h.vs_target)},
              {"vs_predicted", shift_json(h.vs_predicted)},
              {"aim", lab_object(correction.aim)},
              {"correction", formula_json(correction.formula)},
              {"correction_de00_to_aim", correction.recipe.de00},
              {"expected_healed", lab_object(correction.expected_healed)},
              {"expected_de00", correction.expected_de00},
              {"warning", correction.warning.empty() ? Json(nullptr) : Json(correction.warning)},
              {"improves", correction.improves},
              {"advice", correction.advice.empty() ? Json(nullptr) : Json(correction.advice)},
              {"saved",
               saved ? Json{{"formula", saved->formula != 0 ? Json(saved->formula) : Json(nullptr)},
                            {"measurement", saved->measurement},
                            {"visit", *visit}}
                     : Json(nullptr)}});
}

}  // namespace

void register_touchup_command(CLI::App& app) {
  auto o = std::make_shared<TouchupOptions>();
  CLI::App* cmd = app.add_subcommand(
      "touchup",
      "Compare a healed result with the client's formula and propose a corrected recipe");
  cmd->add_option("CLIENT", o->client, "client id")->required();
  cmd->add_option("--from", o->from,
                  "the JSON written by 'pigmatch measure --json' of the "
                  "healed area")
      ->required();
  cmd->add_option("--region,-r", o->region,
                  "the region of --from (a stubble region's dots are the healed colour); also "
                  "picks the client's formula for that region")
      ->required();
  cmd->add_option("--formula", o->formula,
                  "correct this formula (default: the client's current formula for the region)");
  cmd->add_option("--catalog,-c", o->catalogs,
                  "look the formula's pigments up in this catalog (repeatable; default: every "
                  "catalog found, the formula's own first)");
  cmd->add_option("--catalog-file", o->catalog_files, "also load this catalog file (repeatable)");
  cmd->add_flag("--save", o->save,
                "save the correction as a new version of the formula, with the healed "
                "measurement, into the client's latest visit (or --visit)");
  cmd->add_option("--visit", o->visit, "with --save: the visit (default: the client's latest)");
  cmd->add_option(
      "--lot", o->lots,
      "with --save: CODE=LOT, the lot of a pigment's bottle in the new mix (repeatable)");
  cmd->add_flag("--json", o->json, "machine-readable output");
  add_db_option(cmd, o->db);
  cmd->callback([o] { run(*o); });
}

}  // namespace pigmatch::cli
