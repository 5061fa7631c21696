#include "photo_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "command.h"

namespace pigmatch::cli {
namespace {

constexpr std::string_view chart_corners_expected =
    "auto, none or the chart's 4 corners X1,Y1,X2,Y2,X3,Y3,X4,Y4 (the corner next to the "
    "dark-skin patch first, then clockwise)";

// Four points from "X1,Y1,…,X4,Y4"; the message of a CLI::ValidationError, which CLI11 prefixes
// with the option's name.
std::array<Point, 4> parse_four_points(const std::string& text, std::string_view expected) {
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
      throw CLI::ValidationError(
          fmt::format("'{}' is not a number (expected {})", field, expected));
    }
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (values.size() != 8)
    throw CLI::ValidationError(fmt::format("expects {}; got {} numbers", expected, values.size()));
  std::array<Point, 4> points{};
  for (std::size_t i = 0; i < 4; ++i)
    points[i] = {values[2 * i], values[2 * i + 1]};
  return points;
}

}  // namespace

void read_four_points(CLI::Option* option, std::optional<std::array<Point, 4>>& points,
                      std::string expected, std::vector<std::string> keywords) {
  option->each([&points, expected = std::move(expected),
                keywords = std::move(keywords)](const std::string& text) {
    points.reset();
    if (std::find(keywords.begin(), keywords.end(), text) == keywords.end())
      points = parse_four_points(text, expected);
  });
}

void add_calibration_options(CLI::App* command, CalibrationArguments& a, PhotoPurpose purpose) {
  const bool regions = purpose == PhotoPurpose::regions;
  CLI::Option* chart = command->add_option(
      "--chart", a.chart,
      std::string(regions ? "auto (find it; error if absent), none (no "
                            "calibration), or the chart's "
                          : "auto (find it; the default) or the chart's ") +
          "corners X1,Y1,X2,Y2,X3,Y3,X4,Y4 in pixels (its printed corner marks, "
          "or the card's edges: a logo band or ruler is found and left out), the "
          "corner next to the dark-skin patch first, then clockwise" +
          (regions ? ". Default: find it, or fall back to the photo's profile "
                     "with a warning"
                   : ""));
  read_four_points(chart, a.corners, std::string(chart_corners_expected), {"auto", "none"});
  command->add_option("--chart-file", a.chart_file,
                      "a chart description (JSON, like data/charts/colorchecker-classic.json) "
                      "instead of the built-in ColorChecker Classic");
  if (regions) {
    command->add_flag("--no-skin-training", a.no_skin_training,
                      "fit the chart's patches alone: no skin reflectances beside them (they "
                      "need the chart's spectra; the built-in chart's are reconstructed from "
                      "Munsell chips, docs/measurement.md)");
  }
  command->add_option("--reference", a.reference,
                      "the chart's reference set, e.g. xrite-2014 (default) or xrite-pre-2014");
  command->add_option("--profile", a.profile,
                      "reuse a calibration saved with measure --profile-out (same camera and "
                      "light) instead of a chart");
  command
      ->add_option("--encoding", a.encoding,
                   "how to read the photo's pixels for the chart fit: auto (default: whichever "
                   "of the others fits the chart clearly best, the profile unless beaten), "
                   "profile (through its embedded profile, or sRGB), linear (raw values without "
                   "a curve, as machine-vision cameras and raw files developed without a curve "
                   "give), curves (a tone curve per channel fitted to the chart's neutral "
                   "patches)")
      ->check(CLI::IsMember({"auto", "profile", "linear", "curves"}));
}

void check_calibration_arguments(const CalibrationArguments& a) {
  if (!a.profile.empty() && !a.chart.empty())
    throw UsageError(
        "--profile and --chart cannot be combined: a saved profile replaces the chart");
  if (!a.profile.empty() && a.encoding != "auto")
    throw UsageError(
        "--encoding says how to read the photo for a chart fit; a saved profile (--profile) "
        "already says it");
}

PhotoCalibrationRequest calibration_request(const CalibrationArguments& a, int icc_version) {
  PhotoCalibrationRequest request;
  if (!a.profile.empty()) {
    request.profile = a.profile;
    return request;
  }
  request.chart = a.chart_file.empty() ? builtin_chart() : load_chart(a.chart_file);
  request.options.reference = a.reference;
  request.options.icc_version = icc_version;
  if (a.no_skin_training)
    request.options.skin_weight = 0;
  if (a.encoding == "profile")
    request.options.encoding = PhotoEncoding::profile;
  else if (a.encoding == "linear")
    request.options.encoding = PhotoEncoding::linear;
  else if (a.encoding == "curves")
    request.options.encoding = PhotoEncoding::neutral_curves;
  if (a.chart.empty()) {
    request.mode = ChartMode::find_or_fallback;
  } else if (a.chart == "auto") {
    request.mode = ChartMode::find;
  } else if (a.chart == "none") {
    request.mode = ChartMode::none;
  } else {
    request.mode = ChartMode::corners;
    request.corners = *a.corners;
  }
  return request;
}

}  // namespace pigmatch::cli
