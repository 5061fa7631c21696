// pigmatch measure IMAGE [--chart auto|none|X1,Y1,…,X4,Y4] [--region NAME=x,y,w,h]…
//   [--stubble NAME=x,y,w,h]… [--grey NAME=x,y,w,h[:L]]… [--flat-field FLAT]
//   [--profile FILE.icc] [--profile-out FILE.icc] [--json]
//   [--client ID --save [--visit ID] [--kind skin|healed] [--db FILE]]
//
// Skin and hair colour of regions of a photo, calibrated by the colour chart in frame.
//
// Where the colour comes from (the "source" of the calibration), in order:
//  1. --profile FILE.icc: a calibration saved earlier for the same camera and light;
//  2. --chart X1,Y1,…: the chart at these corners (failure to calibrate is an error, exit 1);
//  3. --chart auto: the chart found automatically (not finding one is an error, exit 1);
//  4. no --chart: the chart found automatically when there is one; otherwise the photo's
//     embedded ICC profile ("embedded") or sRGB ("assumed-srgb"), with a warning — the photo
//     still gets measured, but without a chart its colours are only as true as the camera's
//     own rendering. --chart none asks for this directly.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "arguments.h"
#include "command.h"
#include "json_output.h"
#include "photo_options.h"
#include "pigmatch/calibration/calibration.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/error.h"
#include "pigmatch/image/image.h"
#include "pigmatch/regions/photo_measurement.h"
#include "pigmatch/regions/sampling.h"
#include "pigmatch/regions/skintone.h"
#include "save_to_store.h"

namespace pigmatch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct MeasureOptions {
  std::string image;
  CalibrationArguments calibration;
  std::vector<std::string> regions;
  std::vector<std::string> stubbles;
  std::string profile_out;
  int profile_version = 4;
  std::vector<std::string> grey_cards;
  std::string flat_field;
  bool json = false;
};

struct NamedRect {
  std::string name;
  Rect rect;
};

// ---- arguments ---------------------------------------------------------------------------------

NamedRect parse_named_rect(const std::string& text, std::string_view option) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw UsageError(
        fmt::format("{} expects NAME=x,y,w,h (e.g. crown=120,80,60,40), got '{}'", option, text));
  }
  return {text.substr(0, equals), parse_rect(text.substr(equals + 1), option)};
}

// NAME=x,y,w,h or NAME=x,y,w,h:L (the card's own L*).
GreyCard parse_grey_card(const std::string& text) {
  GreyCard card;
  std::string rect = text;
  if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    rect = text.substr(0, colon);
    const std::string lightness = text.substr(colon + 1);
    try {
      std::size_t used = 0;
      card.lightness = std::stod(lightness, &used);
      if (used != lightness.size() || !std::isfinite(card.lightness))
        throw std::invalid_argument(lightness);
    } catch (const std::exception&) {
      throw UsageError(
          fmt::format("--grey: '{}' after ':' is not the card's L* (e.g. "
                      "card=40,500,60,30:49.5)",
                      lightness));
    }
    if (card.lightness < 5 || card.lightness > 95)
      throw UsageError(fmt::format("--grey: the card's L* {} is not in 5–95", card.lightness));
  }
  const NamedRect named = parse_named_rect(rect, "--grey");
  card.name = named.name;
  card.rect = named.rect;
  return card;
}

// ---- regions -----------------------------------------------------------------------------------

Json skin_tone_json(const SkinTone& tone) {
  return {{"ita", tone.ita},
          {"ita_class", std::string(to_string(tone.ita_class))},
          {"monk", tone.monk.index},
          {"monk_de00", tone.monk.de00},
          {"fitzpatrick_estimate", std::string(tone.fitzpatrick_estimate)},
          {"undertone", std::string(to_string(tone.undertone))},
          {"hue_deg", tone.hue_deg}};
}

Json rect_json(const Rect& r) {
  return {{"x", r.x}, {"y", r.y}, {"w", r.w}, {"h", r.h}};
}

// A colour's uncertainty: the total and its parts (photo_measurement.h ColourUncertainty).
Json uncertainty_json(const ColourUncertainty& u) {
  return {{"total_de00", u.total},       {"calibration_de00", u.calibration},
          {"sampling_de00", u.sampling}, {"separation_de00", u.separation},
          {"light_de00", u.light},       {"light_compensated", false}};
}

Json measure_json(const RegionMeasurement& m) {
  Json out = {{"name", m.region.name},
              {"kind", m.stubble ? "stubble" : "plain"},
              {"rect", rect_json(m.region.rect)},
              {"lab_d50", lab_array(m.lab_d50)},
              {"pixels", m.statistics.pixels_used},
              {"pixels_clipped", m.statistics.pixels_clipped},
              {"pixels_specular", m.statistics.pixels_specular}};
  if (!m.stubble)
    out["mad"] = lab_array(m.statistics.mad);
  if (m.light)
    out["light"] = {{"reference", m.light->reference}, {"factor", m.light->factor}};
  if (m.uncertainty) {
    out["uncertainty_de00"] = m.uncertainty->total;
    out["uncertainty"] = uncertainty_json(*m.uncertainty);
  }
  out.update(skin_tone_json(m.tone));
  if (!m.stubble)
    return out;
  // For stubble, lab_d50 and the skin-tone figures describe the skin between the hairs.
  const StubbleSample& s = *m.stubble;
  out["hair"] = {{"lab_d50", lab_array(s.hair)},
                 {"coverage", s.coverage},
                 {"pixels", s.hair_pixels},
                 {"separated", s.separated},
                 {"confidence", s.confidence},
                 {"separation_uncertainty_de00", s.hair_uncertainty_de00},
                 {"dots", s.dots},
                 {"blur_px", s.psf_sigma_px}};
  if (m.hair_uncertainty) {
    out["hair"]["uncertainty_de00"] = m.hair_uncertainty->total;
    out["hair"]["uncertainty"] = uncertainty_json(*m.hair_uncertainty);
  }
  out["skin"] = {{"lab_d50", lab_array(s.skin)}, {"pixels", s.skin_pixels}};
  out["overall_lab_d50"] = lab_array(s.all.median);
  if (!s.separated) {
    out["warnings"] = Json::array({fmt::format(
        "no distinct hair found ({}): hair equals skin, coverage 0", s.not_separated_because)});
  }
  return out;
}

// ---- light --------------------------------------------------------------------------------------

// Corrects each region to the chart's light by the nearest grey card or the flat field, and
// says what was done (the "light" object of the JSON).
Json compensate(const Image& image, const PhotoCalibration& calibration,
                const std::vector<GreyCard>& cards, const std::string& flat_field,
                std::vector<RegionMeasurement>& measured) {
  Json out = {{"compensated", false}};
  if (!cards.empty()) {
    const std::vector<LightCompensation> light = grey_card_light(image, calibration, cards);
    Json list = Json::array();
    for (std::size_t i = 0; i < cards.size(); ++i) {
      list.push_back({{"name", cards[i].name},
                      {"rect", rect_json(cards[i].rect)},
                      {"lightness", cards[i].lightness},
                      {"factor", light[i].factor}});
    }
    for (RegionMeasurement& m : measured)
      compensate_light(m, card_light_at(calibration, cards, light, m.region.rect));
    out = {{"compensated", true}, {"by", "grey card"}, {"grey_cards", list}};
  } else if (!flat_field.empty()) {
    const Image flat = decode_image(flat_field);
    if (flat.width != image.width || flat.height != image.height) {
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("the flat field {} is {}×{} but the photo is {}×{}; take it with "
                              "the same camera, orientation and size",
                              flat_field, flat.width, flat.height, image.width, image.height));
    }
    for (RegionMeasurement& m : measured)
      compensate_light(m, flat_field_light(flat, calibration, m.region.rect));
    out = {{"compensated", true}, {"by", "flat field"}, {"flat_field", flat_field}};
  } else {
    out["note"] =
        "light not compensated: a region lit more or less than the chart reads lighter or "
        "darker by as much, so skin lightness carries the light difference between chart and "
        "skin; put a grey card beside the skin (--grey) or give a flat field (--flat-field)";
  }
  return out;
}

void print_light(const Json& light) {
  if (light["compensated"] == false) {
    fmt::print("\nnote         {}\n", light["note"].get<std::string>());
    return;
  }
  if (light["by"] == "grey card") {
    for (const Json& card : light["grey_cards"]) {
      fmt::print("\nlight        grey card '{}' (L* {:.1f}): {:+.1f} % light against the chart",
                 card["name"].get<std::string>(), card["lightness"].get<double>(),
                 100 * (1 / card["factor"].get<double>() - 1));
    }
    fmt::print("; each region corrected by the light the cards and the chart give at its place\n");
  } else {
    fmt::print("\nlight        corrected to the chart's by the flat field {}\n",
               light["flat_field"].get<std::string>());
  }
}

// ---- output ------------------------------------------------------------------------------------

Json optional_number(const std::optional<Calibration>& c, double CalibrationReport::*field) {
  return c ? Json(c->report().*field) : Json(nullptr);
}

// How the pixels were read: the encoding, each reading's score when it was chosen, and the
// tone exponents (null where they could not be told).
Json encoding_json(const CalibrationReport& r) {
  const auto finite_or_null = [](double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); };
  Json scores = Json::object();
  for (const EncodingScore& s : r.encoding_scores)
    scores[std::string(to_string(s.encoding))] = finite_or_null(s.loo_mean_de00);
  Json exponents = Json::array();
  for (const double e : r.tone_exponent)
    exponents.push_back(e > 0 ? Json(e) : Json(nullptr));
  return {{"read", std::string(to_string(r.encoding))},
          {"chosen", r.encoding_scores.empty() ? "by --encoding" : "by the chart"},
          {"loo_mean_de00", scores},
          {"tone_exponents", exponents}};
}

Json calibration_json(const PhotoCalibration& c, const MeasureOptions& o) {
  Json corners = Json::array();
  Json patches = Json::array();
  if (c.calibration) {
    for (const Point& p : c.calibration->report().corners)
      corners.push_back({p.x, p.y});
    for (const PatchResidual& p : c.calibration->report().patches) {
      patches.push_back({{"id", p.patch_id},
                         {"name", p.name},
                         {"reference", lab_array(p.reference)},
                         {"fitted", lab_array(p.fitted)},
                         {"de00", p.de00},
                         {"loo_de00", p.used ? Json(p.loo_de00) : Json(nullptr)},
                         {"used", p.used}});
    }
  }
  Json out = {{"source", std::string(to_string(c.source))},
              {"model", c.model},
              {"corners", corners},
              {"mean_de00", optional_number(c.calibration, &CalibrationReport::mean_de00)},
              {"max_de00", optional_number(c.calibration, &CalibrationReport::max_de00)},
              {"loo_mean_de00", optional_number(c.calibration, &CalibrationReport::loo_mean_de00)},
              {"warnings", c.warnings}};
  if (c.calibration) {
    out["detection"] = c.method;
    out["reference"] = o.calibration.reference.empty() ? "default" : o.calibration.reference;
    // Skin training raises the chart's own residuals on purpose; the count explains why.
    out["skin_spectra_fitted"] = c.calibration->report().skin_spectra_fitted;
    out["encoding"] = encoding_json(c.calibration->report());
    const ChartLightSlope& slope = c.calibration->report().light_slope;
    const auto finite_or_null = [](double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); };
    out["light_across_chart"] = {{"along_rows", slope.along_rows},
                                 {"down_columns", slope.down_columns},
                                 {"along_rows_se", finite_or_null(slope.along_rows_se)},
                                 {"down_columns_se", finite_or_null(slope.down_columns_se)},
                                 {"corrected", slope.corrected}};
    out["patches"] = patches;
  }
  if (!o.calibration.profile.empty())
    out["profile"] = o.calibration.profile;
  if (!o.profile_out.empty())
    out["profile_out"] = o.profile_out;
  return out;
}

void print_table(const Image& image, const PhotoCalibration& c, const Json& regions) {
  fmt::print("image        {} ({}×{}, {}-bit)\n", image.source, image.width, image.height,
             image.bits);
  if (c.calibration) {
    const auto& r = c.calibration->report();
    fmt::print(
        "calibration  chart ({}), {} fit: mean ΔE00 {:.2f}, max {:.2f}, leave-one-out mean "
        "{:.2f}\n",
        c.method == "user" ? "corners given" : "found by " + c.method, c.model, r.mean_de00,
        r.max_de00, r.loo_mean_de00);
    if (r.skin_spectra_fitted > 0)
      fmt::print("             skin-trained: {} skin reflectances fitted beside the chart\n",
                 r.skin_spectra_fitted);
    fmt::print("             pixels read {} (tone exponents {:.2f}, {:.2f}, {:.2f})\n",
               describe(r.encoding), r.tone_exponent[0], r.tone_exponent[1], r.tone_exponent[2]);
  } else {
    fmt::print("calibration  {} (no chart fit)\n", to_string(c.source));
  }
  for (const auto& w : c.warnings)
    fmt::print("warning      {}\n", w);
  if (regions.empty())
    return;
  // ± is the colour's uncertainty in ΔE00 (calibration, sampling, separation, light).
  const auto plus_minus = [](const Json& parent) {
    return parent.contains("uncertainty_de00")
               ? fmt::format("{:.1f}", parent["uncertainty_de00"].get<double>())
               : std::string("-");
  };
  fmt::print("\n{:<12} {:<8} {:>7} {:>7} {:>7} {:>5} {:>7}  {:<13} {:>4}  {:<28} {}\n", "region",
             "kind", "L*", "a*", "b*", "±", "ITA°", "ITA class", "Monk", "Fitzpatrick",
             "undertone");
  for (const Json& r : regions) {
    const auto& lab = r["lab_d50"];
    fmt::print("{:<12} {:<8} {:>7.2f} {:>7.2f} {:>7.2f} {:>5} {:>7.1f}  {:<13} {:>4}  {:<28} {}\n",
               r["name"].get<std::string>(), r["kind"].get<std::string>(), lab[0].get<double>(),
               lab[1].get<double>(), lab[2].get<double>(), plus_minus(r), r["ita"].get<double>(),
               r["ita_class"].get<std::string>(), r["monk"].get<int>(),
               r["fitzpatrick_estimate"].get<std::string>(), r["undertone"].get<std::string>());
    if (r["kind"] == "stubble" && r["hair"]["separated"] == true) {
      const auto& hair = r["hair"]["lab_d50"];
      fmt::print(
          "{:<12} {:<8} {:>7.2f} {:>7.2f} {:>7.2f} {:>5}  coverage {:.0f}%, confidence {:.2f}\n",
          "", "  hair", hair[0].get<double>(), hair[1].get<double>(), hair[2].get<double>(),
          plus_minus(r["hair"]), 100 * r["hair"]["coverage"].get<double>(),
          r["hair"]["confidence"].get<double>());
    } else if (r["kind"] == "stubble") {
      fmt::print("{:<12} {:<8} {}\n", "", "  hair", r["warnings"][0].get<std::string>());
    }
  }
}

void run(const MeasureOptions& o, const SaveOptions& save_options) {
  std::optional<SaveTarget> save = prepare_save(save_options);
  if (save && o.regions.empty() && o.stubbles.empty())
    throw UsageError("--save keeps the regions' colours: name them with --region or --stubble");
  check_calibration_arguments(o.calibration);
  if (!o.calibration.profile.empty() && !o.profile_out.empty())
    throw UsageError(
        "--profile-out writes a new calibration from a chart; it cannot be combined with "
        "--profile");
  std::vector<NamedRect> plain, stubble;
  for (const auto& text : o.regions)
    plain.push_back(parse_named_rect(text, "--region"));
  for (const auto& text : o.stubbles)
    stubble.push_back(parse_named_rect(text, "--stubble"));
  std::vector<GreyCard> cards;
  for (const auto& text : o.grey_cards)
    cards.push_back(parse_grey_card(text));
  if (!cards.empty() && !o.flat_field.empty())
    throw UsageError("give either grey cards (--grey) or a flat field (--flat-field), not both");

  const Image image = decode_image(o.image);
  const PhotoCalibration calibration =
      calibrate_photo(image, o.image, calibration_request(o.calibration, o.profile_version));
  if (!o.profile_out.empty()) {
    if (!calibration.calibration) {
      throw Error(
          ErrorCode::not_found,
          "--profile-out needs a chart calibration, and " + o.image +
              " was measured without one: include the chart in the photo or give its corners");
    }
    calibration.calibration->save_profile(o.profile_out);
  }
  std::vector<RegionMeasurement> measured;
  measured.reserve(plain.size() + stubble.size());
  for (const auto& r : plain)
    measured.push_back(measure_region(image, calibration, {r.name, r.rect, false}));
  for (const auto& r : stubble)
    measured.push_back(measure_region(image, calibration, {r.name, r.rect, true}));
  const Json light = compensate(image, calibration, cards, o.flat_field, measured);
  Json regions = Json::array();
  for (const RegionMeasurement& m : measured)
    regions.push_back(measure_json(m));

  const Json out = {{"image", o.image},       {"width", image.width},
                    {"height", image.height}, {"calibration", calibration_json(calibration, o)},
                    {"light", light},         {"regions", regions}};
  if (o.json) {
    fmt::print("{}\n", out.dump(2));
  } else {
    print_table(image, calibration, regions);
    print_light(light);
  }
  if (save) {
    const std::optional<double> calibration_de00 =
        calibration.calibration ? std::optional(calibration.calibration->report().mean_de00)
                                : std::nullopt;
    save_measurements(*save, o.image, calibration_de00, measured, save_options.kind);
  }
}

}  // namespace

void register_measure_command(CLI::App& app) {
  auto options = std::make_shared<MeasureOptions>();
  CLI::App* cmd = app.add_subcommand(
      "measure",
      "Calibrated skin and hair colour of regions of a photo with a ColorChecker in frame");
  cmd->add_option("IMAGE", options->image, "JPEG, PNG, TIFF or HEIC photo")->required();
  add_calibration_options(cmd, options->calibration);
  cmd->add_option("--region,-r", options->regions,
                  "NAME=x,y,w,h: a plain skin or hair region (repeatable)");
  cmd->add_option("--stubble,-s", options->stubbles,
                  "NAME=x,y,w,h: skin with hair dots, separated into hair and skin (repeatable)");
  cmd->add_option("--profile-out", options->profile_out,
                  "save the chart calibration as an ICC profile");
  cmd->add_option("--profile-version", options->profile_version,
                  "ICC version of --profile-out: 4 (default) or 2 (for readers such as Argyll CMS)")
      ->check(CLI::IsMember({2, 4}));
  cmd->add_option("--grey", options->grey_cards,
                  "NAME=x,y,w,h[:L]: a grey card beside the regions (its own L*, default 49.5 for "
                  "an 18 % card); each region's light is corrected to the chart's by the light the "
                  "cards and the chart give at its place (repeatable)");
  cmd->add_option("--flat-field", options->flat_field,
                  "a second photo of a uniform grey card filling the frame, same camera, lamp and "
                  "distance: each region's light is corrected to the chart's by it");
  cmd->add_flag("--json", options->json, "machine-readable output");
  const auto save = add_save_options(cmd, true);
  cmd->callback([options, save] { run(*options, *save); });
}

}  // namespace pigmatch::cli
