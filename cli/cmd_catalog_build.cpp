// pigmatch catalog build READINGS [--layout CSV] | --photo PHOTO --card CARD.svg [--card-marks …]
//   --id ID --vendor V --name N --out FILE [--drop ML] [--no-diluent] [--force] [--json]
// pigmatch catalog card --pigments A,B,… [--steps 1,0.5,0.25,0.1] [--title T] --out CARD.svg
//
// A catalog of the studio's own pigments: from spectrophotometer readings of drawdowns, or from
// a photo of the printed swatch card (`catalog card`) painted with them, a chart beside it.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "photo_options.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/catalog_build.h"
#include "pigmatch/formulation/swatch_card.h"
#include "pigmatch/image/image.h"
#include "pigmatch/regions/photo_measurement.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct BuildOptions {
  std::string measurements;                              // build READINGS
  std::string layout;                                    // --layout CSV
  std::string photo;                                     // --photo PHOTO
  std::string card;                                      // --card CARD.svg
  std::string card_marks;                                // --card-marks X1,Y1,…
  std::optional<std::array<Point, 4>> card_marks_given;  // the same, parsed as it is read
  CalibrationArguments calibration;
  std::string out;  // --out FILE
  std::string id, vendor, name;
  double drop_ml = 0.05;
  bool no_diluent = false;
  bool force = false;
  bool json = false;
};

struct CardOptions {
  std::vector<std::string> pigments;
  std::vector<double> steps{1, 0.5, 0.25, 0.1};
  std::string title;
  std::string out;
  bool force = false;
};

void refuse_existing(const std::string& out, bool force) {
  if (std::filesystem::exists(out) && !force)
    throw UsageError(fmt::format("--out {} exists; give --force to replace it", out));
}

// ---- the catalog file --------------------------------------------------------------------------

ordered_json values_json(const Spectrum& s) {
  return ordered_json(std::vector<double>(s.values().begin(), s.values().end()));
}

// The catalog in the JSON catalog format (docs/catalog-format.md), empty items left out.
ordered_json catalog_file_json(const Catalog& c) {
  ordered_json pigments = ordered_json::array();
  for (const Pigment& p : c.pigments) {
    ordered_json pigment = {{"code", p.code}, {"name", p.name}};
    if (p.is_diluent)
      pigment["is_diluent"] = true;
    ordered_json measurements = ordered_json::array();
    for (const Measurement& m : p.measurements) {
      ordered_json measurement = {{"concentration", m.concentration}, {"substrate", m.substrate}};
      if (m.reflectance)
        measurement["reflectance"] = values_json(*m.reflectance);
      if (m.lab_d50)
        measurement["lab"] = {{"L", m.lab_d50->L}, {"a", m.lab_d50->a}, {"b", m.lab_d50->b}};
      measurements.push_back(std::move(measurement));
    }
    if (!measurements.empty())
      pigment["measurements"] = std::move(measurements);
    if (p.k && p.s) {
      pigment["k"] = values_json(*p.k);
      pigment["s"] = values_json(*p.s);
    }
    if (p.drop_volume_ml)
      pigment["drop_volume_ml"] = *p.drop_volume_ml;
    pigments.push_back(std::move(pigment));
  }
  return {{"format", "pigmatch-catalog"}, {"format_version", 1}, {"id", c.id},
          {"vendor", c.vendor},           {"name", c.name},      {"version", c.version},
          {"description", c.description}, {"pigments", pigments}};
}

// ---- readings ----------------------------------------------------------------------------------

// The marks as given, or found in the photo.
std::array<Point, 4> card_marks(const BuildOptions& o, const Image& image) {
  if (o.card_marks_given)
    return *o.card_marks_given;
  if (auto found = find_swatch_card_marks(image))
    return *found;
  throw Error(ErrorCode::not_found,
              fmt::format("{}: the swatch card's four corner marks were not found: photograph the "
                          "whole card, filling more of the frame, or give the marks' centres with "
                          "--card-marks X1,Y1,X2,Y2,X3,Y3,X4,Y4",
                          o.photo));
}

// What the photo gave, beside its readings, for the report.
struct PhotoSummary {
  PhotoCalibration calibration;
  SwatchCardReading card;
};

PhotoSummary read_photo(const BuildOptions& o) {
  PhotoCalibrationRequest request = calibration_request(o.calibration);
  // A catalog from an uncalibrated photo would be the camera's rendering, not the pigments:
  // without a saved profile the chart must be found (or its corners given).
  if (!request.profile && request.mode == ChartMode::find_or_fallback)
    request.mode = ChartMode::find;
  // The chart alone: skin reflectances beside it pull the fit towards skin, and here the colours
  // are pigments (in the swatch-card test, pigment colours were 0.4 ΔE00 further off with them).
  request.options.skin_weight = 0;
  const Image image = decode_image(o.photo);
  PhotoSummary out{calibrate_photo(image, o.photo, request), {}};
  const SwatchCardLayout layout = load_swatch_card_layout(o.card);
  const std::array<Point, 4> marks = card_marks(o, image);
  out.card = read_swatch_card(image, out.calibration.transform, marks, layout);
  return out;
}

void check_build_arguments(const BuildOptions& o) {
  if (o.measurements.empty() == o.photo.empty()) {
    throw UsageError(
        "give either spectrophotometer READINGS or --photo (a photo of the swatch card), one of "
        "them");
  }
  if (!o.photo.empty()) {
    if (o.card.empty())
      throw UsageError("--photo needs --card: the SVG the card was printed from");
    if (!o.layout.empty())
      throw UsageError("--layout names spectrophotometer readings; a card's SVG names its boxes");
    if (o.calibration.chart == "none")
      throw UsageError("a catalog needs a calibrated photo: keep the chart in frame");
    check_calibration_arguments(o.calibration);
  } else if (!o.card.empty() || !o.card_marks.empty()) {
    throw UsageError("--card and --card-marks go with --photo");
  }
  refuse_existing(o.out, o.force);
}

// ---- output ------------------------------------------------------------------------------------

ordered_json photo_json(const PhotoSummary& p) {
  ordered_json boxes = ordered_json::array();
  for (const SwatchBoxReading& b : p.card.boxes) {
    boxes.push_back(
        {{"code", b.box.code.empty() ? ordered_json(nullptr) : ordered_json(b.box.code)},
         {"concentration",
          b.box.code.empty() ? ordered_json(nullptr) : ordered_json(b.box.concentration)},
         {"lab_d50", {b.corrected_d50.L, b.corrected_d50.a, b.corrected_d50.b}},
         {"light_factor", b.light_factor},
         {"spread_de00", b.spread_de00},
         {"pixels", b.pixels}});
  }
  const auto& report = p.calibration.calibration;
  std::vector<std::string> warnings = p.calibration.warnings;
  warnings.insert(warnings.end(), p.card.warnings.begin(), p.card.warnings.end());
  ordered_json marks = ordered_json::array();
  for (const Point& m : p.card.marks)
    marks.push_back({m.x, m.y});
  return {{"marks", marks},
          {"calibration",
           {{"source", std::string(to_string(p.calibration.source))},
            {"loo_mean_de00",
             report ? ordered_json(report->report().loo_mean_de00) : ordered_json(nullptr)}}},
          {"light_variation", p.card.light_variation},
          {"boxes", boxes},
          {"warnings", warnings}};
}

void print_photo(const PhotoSummary& p) {
  if (p.calibration.calibration) {
    fmt::print("calibration  chart, leave-one-out mean ΔE00 {:.2f}\n",
               p.calibration.calibration->report().loo_mean_de00);
  } else {
    fmt::print("calibration  {}\n", to_string(p.calibration.source));
  }
  fmt::print(
      "card         {} boxes; light across the card {:.1f} %, corrected by its bare "
      "boxes\n",
      p.card.boxes.size(), 100 * p.card.light_variation);
  for (const std::string& w : p.calibration.warnings)
    fmt::print(stderr, "warning: {}\n", w);
  for (const std::string& w : p.card.warnings)
    fmt::print(stderr, "warning: {}\n", w);
}

void run_build(const BuildOptions& o) {
  check_build_arguments(o);
  std::optional<PhotoSummary> photo;
  std::vector<DrawdownReading> readings;
  if (!o.photo.empty()) {
    photo = read_photo(o);
    readings = photo->card.readings;
  } else {
    readings = read_drawdowns(o.measurements, o.layout.empty()
                                                  ? std::nullopt
                                                  : std::optional<std::filesystem::path>(o.layout));
  }
  CatalogBuildOptions options;
  options.id = o.id;
  options.vendor = o.vendor;
  options.name = o.name;
  options.drop_volume_ml = o.drop_ml;
  options.add_diluent = !o.no_diluent;
  if (photo)
    options.substrate = "swatch card (photographed with the catalog; reflectance estimated)";
  const BuiltCatalog built = build_catalog(readings, options);
  // Written whole or not at all: a full disk never leaves half a catalog where a catalog folder
  // would load it.
  write_file_atomically(o.out, catalog_file_json(built.catalog).dump(2) + "\n", "catalog");
  const Lab& card = built.card_lab_d50;
  if (o.json) {
    ordered_json fits = ordered_json::array();
    for (const PigmentFit& f : built.fits) {
      fits.push_back({{"code", f.code},
                      {"readings", f.readings},
                      {"concentrations", f.concentrations},
                      {"mean_de00", f.mean_de00},
                      {"max_de00", f.max_de00}});
    }
    ordered_json out = {{"file", o.out},
                        {"id", built.catalog.id},
                        {"readings", readings.size()},
                        {"card_lab_d50", {{"L", card.L}, {"a", card.a}, {"b", card.b}}},
                        {"pigments", fits}};
    if (photo)
      out["photo"] = photo_json(*photo);
    fmt::print("{}\n", out.dump(2));
    return;
  }
  if (photo)
    print_photo(*photo);
  fmt::print("{} readings; bare card L* {:.1f} a* {:.1f} b* {:.1f} (D50)\n", readings.size(),
             card.L, card.a, card.b);
  fmt::print("{:<16} {:>6} {:>8}  {}\n", "pigment", "steps", "readings",
             "fit: readings vs K/S prediction, ΔE00 mean / max");
  for (const PigmentFit& f : built.fits) {
    fmt::print("{:<16} {:>6} {:>8}  {:.2f} / {:.2f}{}\n", f.code, f.concentrations, f.readings,
               f.mean_de00, f.max_de00,
               f.max_de00 > 2.0 ? "  (poor: re-read, or the pigment settles or fluoresces)" : "");
  }
  fmt::print("wrote {} (catalog '{}'); check it with: pigmatch catalog validate {}\n", o.out,
             built.catalog.id, o.out);
}

// ---- card --------------------------------------------------------------------------------------

void run_card(const CardOptions& o) {
  refuse_existing(o.out, o.force);
  const SwatchCardLayout layout{o.pigments, o.steps, o.title};
  try {
    check_swatch_card_layout(layout);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  write_file_atomically(o.out, swatch_card_svg(layout), "swatch card");
  fmt::print(
      "wrote {}: {} pigment{} × {} dilutions. Print it at 100 % on A4 landscape (white card), "
      "paint each box, photograph it with the colour chart beside it, then:\n"
      "  pigmatch catalog build --photo PHOTO --card {} --id ID --vendor VENDOR --name NAME "
      "--out CATALOG.json\n",
      o.out, layout.pigments.size(), layout.pigments.size() == 1 ? "" : "s",
      layout.concentrations.size(), o.out);
}

}  // namespace

void register_catalog_build_commands(CLI::App* catalog) {
  auto o = std::make_shared<BuildOptions>();
  CLI::App* build = catalog->add_subcommand(
      "build",
      "Build a catalog from your own pigments: spectrophotometer readings of drawdowns (a "
      "dilution series of each pigment and the bare card), or a photo of the swatch card "
      "(catalog card) with a colour chart beside it; K and S fitted per band, the fit reported "
      "per pigment");
  build
      ->add_option("READINGS", o->measurements,
                   "CGATS readings with spectra (Argyll .ti3, i1Profiler or i1Share export); rows "
                   "named CODE@CONCENTRATION (K100@0.25, K100@25%) or 'card' in SAMPLE_NAME, or "
                   "by --layout")
      ->check(CLI::ExistingFile);
  build
      ->add_option("--layout", o->layout,
                   "CSV naming each SAMPLE_ID: sample_id,code,concentration (or sample_id,card)")
      ->check(CLI::ExistingFile);
  build
      ->add_option("--photo", o->photo,
                   "instead of READINGS: a photo (JPEG, PNG, TIFF, HEIC) of the painted swatch "
                   "card with a colour chart beside it")
      ->check(CLI::ExistingFile);
  build
      ->add_option("--card", o->card,
                   "with --photo: the card's SVG as 'catalog card' wrote it (it names the boxes)")
      ->check(CLI::ExistingFile);
  read_four_points(
      build->add_option("--card-marks", o->card_marks,
                        "with --photo: the centres of the card's 4 black corner marks in the "
                        "photo, X1,Y1,X2,Y2,X3,Y3,X4,Y4 in pixels, any order (the hollow mark "
                        "tells the top-left). Default: found in the photo"),
      o->card_marks_given,
      "the centres of the card's 4 corner marks X1,Y1,X2,Y2,X3,Y3,X4,Y4 in pixels, any order");
  add_calibration_options(build, o->calibration, PhotoPurpose::swatches);
  build->add_option("--out", o->out, "the catalog file to write (JSON)")->required();
  build->add_option("--id", o->id, "catalog id (letters, digits, . _ -)")->required();
  build->add_option("--vendor", o->vendor, "who made the pigments")->required();
  build->add_option("--name", o->name, "the catalog's name")->required();
  build->add_option("--drop", o->drop_ml, "drop volume of the bottles, ml")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1.0));
  build->add_flag("--no-diluent", o->no_diluent,
                  "do not add a colourless diluent 'DIL' to the catalog");
  build->add_flag("--force", o->force, "replace --out if it exists");
  build->add_flag("--json", o->json, "machine-readable output");
  build->callback([o] { run_build(*o); });

  auto c = std::make_shared<CardOptions>();
  CLI::App* card = catalog->add_subcommand(
      "card",
      "Write a printable swatch card (SVG, A4 landscape) for your pigments: one row of boxes "
      "per pigment, one column per dilution; paint it, photograph it with a chart, then "
      "'catalog build --photo'");
  card->add_option("--pigments", c->pigments, "the pigments' codes, one row each (up to 8)")
      ->delimiter(',')
      ->required();
  card->add_option("--steps", c->steps,
                   "the dilutions, strongest first, as fractions of pigment in the mix")
      ->delimiter(',')
      ->capture_default_str();
  card->add_option("--title", c->title, "printed at the top, e.g. your studio and the date");
  card->add_option("--out", c->out, "the SVG file to write")->required();
  card->add_flag("--force", c->force, "replace --out if it exists");
  card->callback([c] { run_card(*c); });
}

}  // namespace pigmatch::cli
