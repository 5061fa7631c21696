// The options that say how a photo is calibrated (--chart, --chart-file, --reference,
// --no-skin-training, --profile, --encoding), shared by every command that reads a photo
// (`measure`, `catalog build --photo`), and the four-point values they take.
#pragma once

#include <CLI/CLI.hpp>
#include <array>
#include <string>
#include <string_view>

#include "pigmatch/calibration/chart.h"
#include "pigmatch/regions/photo_measurement.h"

namespace pigmatch::cli {

struct CalibrationArguments {
  std::string chart;  // empty: find it, or fall back to the photo's profile
  std::string chart_file;
  std::string reference;
  bool no_skin_training = false;
  std::string profile;  // a calibration saved with measure --profile-out
  std::string encoding = "auto";
};

/// What the photo is calibrated for: skin and hair regions (a chart is optional, its fit may be
/// trained on skin), or pigment swatches (a chart or a saved profile is required; the fit is the
/// chart's alone, so --no-skin-training is not offered).
enum class PhotoPurpose { regions, swatches };

/// Adds the calibration options to `command`, bound to `arguments`.
void add_calibration_options(CLI::App* command, CalibrationArguments& arguments,
                             PhotoPurpose purpose = PhotoPurpose::regions);

/// Throws UsageError for options that cannot go together (a saved profile with a chart or an
/// encoding) or corners that are not 8 numbers.
void check_calibration_arguments(const CalibrationArguments& arguments);

/// The request the arguments describe; `icc_version` of the profile a chart fit makes.
PhotoCalibrationRequest calibration_request(const CalibrationArguments& arguments,
                                            int icc_version = 4);

/// "X1,Y1,X2,Y2,X3,Y3,X4,Y4": four points in pixels. Throws UsageError naming `option` and
/// ending with `expected` (what the points are) when the text is not 8 finite numbers.
std::array<Point2, 4> parse_four_points(const std::string& text, std::string_view option,
                                        std::string_view expected);

}  // namespace pigmatch::cli
