// pigmatch measure IMAGE [--chart auto|none|X1,Y1,…,X4,Y4] [--region NAME=x,y,w,h]…
//   [--stubble NAME=x,y,w,h]… [--profile FILE.icc] [--profile-out FILE.icc] [--json]
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

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "arguments.h"
#include "command.h"
#include "pigmatch/calibration.h"
#include "pigmatch/chart.h"
#include "pigmatch/error.h"
#include "pigmatch/image.h"
#include "pigmatch/sampling.h"
#include "pigmatch/skintone.h"
#include "pigmatch/transform.h"
#include "profile_source.h"
#include "save_to_store.h"

namespace pigmatch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct MeasureOptions {
  std::string image;
  std::string chart;  // empty: auto with fallback
  std::string chart_file;
  std::string reference;
  std::vector<std::string> regions;
  std::vector<std::string> stubbles;
  std::string profile;
  std::string profile_out;
  int profile_version = 4;
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

ChartCorners parse_corners(const std::string& text) {
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string field =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      std::size_t used = 0;
      const double v = std::stod(field, &used);
      if (used != field.size() || !std::isfinite(v))
        throw std::invalid_argument(field);
      values.push_back(v);
    } catch (const std::exception&) {
      throw UsageError(
          fmt::format("--chart: '{}' is not a number (expected auto, none or "
                      "X1,Y1,X2,Y2,X3,Y3,X4,Y4 in pixels)",
                      field));
    }
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (values.size() != 8) {
    throw UsageError(fmt::format(
        "--chart expects auto, none or the chart's 4 outer corners X1,Y1,X2,Y2,X3,Y3,X4,Y4 (the "
        "corner next to the dark-skin patch first, then clockwise); got {} numbers",
        values.size()));
  }
  ChartCorners corners;
  for (std::size_t i = 0; i < 4; ++i)
    corners[i] = {values[2 * i], values[2 * i + 1]};
  return corners;
}

std::vector<std::uint8_t> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorCode::io, fmt::format("cannot open {} {}", what, path));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (bytes.size() > (64u << 20))
    throw Error(ErrorCode::too_large, fmt::format("{} {} is over 64 MiB", what, path));
  return bytes;
}

// ---- calibration -------------------------------------------------------------------------------

struct CalibrationOutcome {
  std::string source;  // chart, profile, embedded, assumed-srgb
  std::string method;  // user, opencv-mcc, grid (chart only)
  std::optional<Calibration> calibration;
  std::optional<LabTransform> transform;
  std::string model;
  std::vector<std::string> warnings;
};

CalibrationOutcome without_chart(const Image& image, std::string warning) {
  CalibrationOutcome out;
  const LabTransform transform = LabTransform::for_image(image);
  out.source = profile_source_name(transform.profile_source());
  out.model = "icc-profile";
  out.warnings.push_back(std::move(warning));
  out.warnings.push_back(out.source == "embedded"
                             ? "colours come from the photo's embedded profile (" +
                                   transform.profile_description() +
                                   "): the camera's own rendering, not a calibration"
                             : "the photo has no embedded ICC profile: sRGB was assumed");
  out.transform = transform;
  return out;
}

CalibrationOutcome from_chart(const Image& image, const ChartDefinition& chart,
                              const Calibration& calibration, std::string method) {
  CalibrationOutcome out;
  out.source = "chart";
  out.method = std::move(method);
  out.model = std::string(to_string(calibration.report().model));
  out.warnings = calibration.report().warnings;
  out.transform = calibration.transform({image.channels, image.bits});
  out.calibration = calibration;
  (void)chart;
  return out;
}

CalibrationOutcome calibrate_photo(const Image& image, const MeasureOptions& o) {
  if (!o.profile.empty()) {
    const auto icc = read_file(o.profile, "calibration profile");
    CalibrationOutcome out;
    out.source = "profile";
    out.model = "icc-profile";
    out.transform = LabTransform::from_icc(icc, {image.channels, image.bits}, o.profile);
    return out;
  }
  const ChartDefinition chart = o.chart_file.empty() ? builtin_chart() : load_chart(o.chart_file);
  CalibrationOptions options;
  options.reference = o.reference;
  options.icc_version = o.profile_version;
  (void)chart.reference(o.reference);  // an unknown reference set is an error whatever happens

  if (o.chart == "none")
    return without_chart(image, "no chart calibration (--chart none)");
  if (!o.chart.empty() && o.chart != "auto") {
    return from_chart(image, chart,
                      calibrate_from_photo(image, chart, parse_corners(o.chart), options), "user");
  }
  std::vector<std::string> failures;
  if (image.channels == 3) {
    for (const ChartDetection& found : detect_chart(image, chart)) {
      try {
        return from_chart(image, chart, calibrate_from_photo(image, chart, found.corners, options),
                          found.method);
      } catch (const Error& e) {
        failures.push_back(found.method + ": " + e.what());
      }
    }
  }
  const std::string why = failures.empty()
                              ? fmt::format("no {} found in {}", chart.name, o.image)
                              : fmt::format("no usable {} found in {} ({})", chart.name, o.image,
                                            fmt::join(failures, "; "));
  if (o.chart == "auto") {
    throw Error(ErrorCode::not_found,
                why +
                    ": photograph the chart flat, evenly lit and fully in frame, or give its "
                    "corners with --chart X1,Y1,X2,Y2,X3,Y3,X4,Y4");
  }
  return without_chart(image, why + "; measured without a chart calibration");
}

// ---- regions -----------------------------------------------------------------------------------

Json lab_json(const Lab& lab) {
  return Json::array({lab.L, lab.a, lab.b});
}

Json skin_tone_json(const Lab& lab) {
  const SkinTone tone = assess_skin_tone(lab);
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

Json measure_plain(const Image& image, const LabTransform& transform, const NamedRect& region) {
  const RobustLabStatistics stats = sample_region(image, transform, Region::rectangle(region.rect));
  Json out = {{"name", region.name},
              {"kind", "plain"},
              {"rect", rect_json(region.rect)},
              {"lab_d50", lab_json(stats.median)},
              {"pixels", stats.pixels_used},
              {"pixels_clipped", stats.pixels_clipped},
              {"pixels_specular", stats.pixels_specular},
              {"mad", lab_json(stats.mad)}};
  out.update(skin_tone_json(stats.median));
  return out;
}

// For stubble, lab_d50 and the skin-tone figures describe the skin between the hairs.
Json measure_stubble(const Image& image, const LabTransform& transform, const NamedRect& region) {
  const StubbleSample s = sample_stubble(image, transform, Region::rectangle(region.rect));
  Json out = {{"name", region.name},
              {"kind", "stubble"},
              {"rect", rect_json(region.rect)},
              {"lab_d50", lab_json(s.skin)},
              {"pixels", s.all.pixels_used},
              {"pixels_clipped", s.all.pixels_clipped},
              {"pixels_specular", s.all.pixels_specular}};
  out.update(skin_tone_json(s.skin));
  out["hair"] = {{"lab_d50", lab_json(s.hair)},
                 {"coverage", s.coverage},
                 {"pixels", s.hair_pixels},
                 {"separated", s.separated},
                 {"confidence", s.confidence}};
  out["skin"] = {{"lab_d50", lab_json(s.skin)}, {"pixels", s.skin_pixels}};
  out["overall_lab_d50"] = lab_json(s.all.median);
  if (!s.separated) {
    out["warnings"] = Json::array({"no distinct hair found: hair equals skin, coverage 0"});
  }
  return out;
}

// ---- output ------------------------------------------------------------------------------------

Json optional_number(const std::optional<Calibration>& c, double CalibrationReport::*field) {
  return c ? Json(c->report().*field) : Json(nullptr);
}

Json calibration_json(const CalibrationOutcome& c, const MeasureOptions& o) {
  Json corners = Json::array();
  Json patches = Json::array();
  if (c.calibration) {
    for (const Point2& p : c.calibration->report().corners)
      corners.push_back({p.x, p.y});
    for (const PatchResidual& p : c.calibration->report().patches) {
      patches.push_back({{"id", p.patch_id},
                         {"name", p.name},
                         {"reference", lab_json(p.reference)},
                         {"fitted", lab_json(p.fitted)},
                         {"de00", p.de00},
                         {"loo_de00", p.used ? Json(p.loo_de00) : Json(nullptr)},
                         {"used", p.used}});
    }
  }
  Json out = {{"source", c.source},
              {"model", c.model},
              {"corners", corners},
              {"mean_de00", optional_number(c.calibration, &CalibrationReport::mean_de00)},
              {"max_de00", optional_number(c.calibration, &CalibrationReport::max_de00)},
              {"loo_mean_de00", optional_number(c.calibration, &CalibrationReport::loo_mean_de00)},
              {"warnings", c.warnings}};
  if (c.calibration) {
    out["detection"] = c.method;
    out["reference"] = o.reference.empty() ? "default" : o.reference;
    // Skin training raises the chart's own residuals on purpose; the count explains why.
    out["skin_spectra_fitted"] = c.calibration->report().skin_spectra_fitted;
    out["patches"] = patches;
  }
  if (!o.profile.empty())
    out["profile"] = o.profile;
  if (!o.profile_out.empty())
    out["profile_out"] = o.profile_out;
  return out;
}

void print_table(const Image& image, const CalibrationOutcome& c, const Json& regions) {
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
  } else {
    fmt::print("calibration  {} (no chart fit)\n", c.source);
  }
  for (const auto& w : c.warnings)
    fmt::print("warning      {}\n", w);
  if (regions.empty())
    return;
  fmt::print("\n{:<12} {:<8} {:>7} {:>7} {:>7} {:>7}  {:<13} {:>4}  {:<28} {}\n", "region", "kind",
             "L*", "a*", "b*", "ITA°", "ITA class", "Monk", "Fitzpatrick", "undertone");
  for (const Json& r : regions) {
    const auto& lab = r["lab_d50"];
    fmt::print("{:<12} {:<8} {:>7.2f} {:>7.2f} {:>7.2f} {:>7.1f}  {:<13} {:>4}  {:<28} {}\n",
               r["name"].get<std::string>(), r["kind"].get<std::string>(), lab[0].get<double>(),
               lab[1].get<double>(), lab[2].get<double>(), r["ita"].get<double>(),
               r["ita_class"].get<std::string>(), r["monk"].get<int>(),
               r["fitzpatrick_estimate"].get<std::string>(), r["undertone"].get<std::string>());
    if (r["kind"] == "stubble") {
      const auto& hair = r["hair"]["lab_d50"];
      fmt::print("{:<12} {:<8} {:>7.2f} {:>7.2f} {:>7.2f}  coverage {:.0f}%, confidence {:.2f}\n",
                 "", "  hair", hair[0].get<double>(), hair[1].get<double>(), hair[2].get<double>(),
                 100 * r["hair"]["coverage"].get<double>(), r["hair"]["confidence"].get<double>());
    }
  }
}

void run(const MeasureOptions& o, const SaveOptions& save_options) {
  std::optional<SaveTarget> save = prepare_save(save_options);
  if (save && o.regions.empty() && o.stubbles.empty())
    throw UsageError("--save keeps the regions' colours: name them with --region or --stubble");
  if (!o.profile.empty() && !o.chart.empty())
    throw UsageError(
        "--profile and --chart cannot be combined: a saved profile replaces the chart");
  if (!o.profile.empty() && !o.profile_out.empty())
    throw UsageError(
        "--profile-out writes a new calibration from a chart; it cannot be combined with "
        "--profile");
  std::vector<NamedRect> plain, stubble;
  for (const auto& text : o.regions)
    plain.push_back(parse_named_rect(text, "--region"));
  for (const auto& text : o.stubbles)
    stubble.push_back(parse_named_rect(text, "--stubble"));
  if (!o.chart.empty() && o.chart != "auto" && o.chart != "none")
    (void)parse_corners(o.chart);

  const Image image = decode_image(o.image);
  const CalibrationOutcome calibration = calibrate_photo(image, o);
  if (!o.profile_out.empty()) {
    if (!calibration.calibration) {
      throw Error(
          ErrorCode::not_found,
          "--profile-out needs a chart calibration, and " + o.image +
              " was measured without one: include the chart in the photo or give its corners");
    }
    calibration.calibration->save_profile(o.profile_out);
  }
  Json regions = Json::array();
  for (const auto& r : plain)
    regions.push_back(measure_plain(image, *calibration.transform, r));
  for (const auto& r : stubble)
    regions.push_back(measure_stubble(image, *calibration.transform, r));

  const Json out = {{"image", o.image},
                    {"width", image.width},
                    {"height", image.height},
                    {"calibration", calibration_json(calibration, o)},
                    {"regions", regions}};
  if (o.json) {
    fmt::print("{}\n", out.dump(2));
  } else {
    print_table(image, calibration, regions);
  }
  if (save)
    save_measurements(*save, out, save_options.kind);
}

}  // namespace

void register_measure_command(CLI::App& app) {
  auto options = std::make_shared<MeasureOptions>();
  CLI::App* cmd = app.add_subcommand(
      "measure",
      "Calibrated skin and hair colour of regions of a photo with a ColorChecker in frame");
  cmd->add_option("IMAGE", options->image, "JPEG, PNG or TIFF photo")->required();
  cmd->add_option("--chart", options->chart,
                  "auto (find it; error if absent), none (no calibration), or the chart's outer "
                  "corners X1,Y1,X2,Y2,X3,Y3,X4,Y4 in pixels, the corner next to the dark-skin "
                  "patch first, then clockwise. Default: find it, or fall back to the photo's "
                  "profile with a warning");
  cmd->add_option("--chart-file", options->chart_file,
                  "a chart description (JSON, like data/charts/colorchecker-classic.json) instead "
                  "of the built-in ColorChecker Classic");
  cmd->add_option("--reference", options->reference,
                  "the chart's reference set, e.g. xrite-2014 (default) or xrite-pre-2014");
  cmd->add_option("--region,-r", options->regions,
                  "NAME=x,y,w,h: a plain skin or hair region (repeatable)");
  cmd->add_option("--stubble,-s", options->stubbles,
                  "NAME=x,y,w,h: skin with hair dots, separated into hair and skin (repeatable)");
  cmd->add_option(
      "--profile", options->profile,
      "reuse a calibration saved with --profile-out (same camera and light) instead of a chart");
  cmd->add_option("--profile-out", options->profile_out,
                  "save the chart calibration as an ICC profile");
  cmd->add_option("--profile-version", options->profile_version,
                  "ICC version of --profile-out: 4 (default) or 2 (for readers such as Argyll CMS)")
      ->check(CLI::IsMember({2, 4}));
  cmd->add_flag("--json", options->json, "machine-readable output");
  const auto save = add_save_options(cmd, true);
  cmd->callback([options, save] { run(*options, *save); });
}

}  // namespace pigmatch::cli
