// The options that say how a photo is calibrated (--chart, --chart-file, --reference,
// --no-skin-training, --profile, --encoding), shared by every command that reads a photo
// (`measure`, `catalog build --photo`), and the four-point values they take.
#pragma once

#include <CLI/CLI.hpp>
#include <array>
#include <optional>
#include <string>
#include <vector>

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
  std::optional<std::array<Point, 4>> corners;  // --chart given as corners, parsed as it is read
};

/// What the photo is calibrated for: skin and hair regions (a chart is optional, its fit may be
/// trained on skin), or pigment swatches (a chart or a saved profile is required; the fit is the
/// chart's alone, so --no-skin-training is not offered).
enum class PhotoPurpose { regions, swatches };

/// Adds the calibration options to `command`, bound to `arguments`.
void add_calibration_options(CLI::App* command, CalibrationArguments& arguments,
                             PhotoPurpose purpose = PhotoPurpose::regions);

/// Throws UsageError for options that cannot go together (a saved profile with a chart or an
/// encoding). Corners that are not 8 numbers were refused as the command line was read.
void check_calibration_arguments(const CalibrationArguments& arguments);

/// The request the arguments describe; `icc_version` of the profile a chart fit makes.
PhotoCalibrationRequest calibration_request(const CalibrationArguments& arguments,
                                            int icc_version = 4);

/// Reads `option`'s "X1,Y1,X2,Y2,X3,Y3,X4,Y4" (four points in pixels) into `points` as the
/// command line is parsed: text that is not 8 finite numbers is a usage error naming the option
/// and `expected` (what the points are) before any work starts. Values in `keywords` (--chart
/// auto) are left to the caller and leave `points` empty.
void read_four_points(CLI::Option* option, std::optional<std::array<Point, 4>>& points,
                      std::string expected, std::vector<std::string> keywords = {});

}  // namespace pigmatch::cli
