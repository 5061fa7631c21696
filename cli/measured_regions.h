// Reading what `pigmatch measure --json` wrote (a file, or the JSON just built): the regions'
// colours, for `touchup --from` and `measure --client --save`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"

namespace pigmatch::cli {

/// One region of a measurement, CIELAB D50.
struct MeasuredRegion {
  std::string name;
  bool stubble = false;
  Lab lab_d50{};                ///< plain: the region; stubble: the skin between the hairs
  std::optional<Lab> hair_d50;  ///< stubble, when hair was told apart from skin
  std::optional<double> uncertainty_de00;       ///< of lab_d50 (ΔE00), when measure gave it
  std::optional<double> hair_uncertainty_de00;  ///< of hair_d50 (ΔE00), when measure gave it
};

/// A measured photo.
struct MeasuredPhoto {
  std::string image;                       ///< the photo's path as measure was given it
  std::optional<double> calibration_de00;  ///< the chart calibration's mean ΔE00, if any
  std::vector<MeasuredRegion> regions;
};

/// The photo and regions of a measure JSON; throws Error (corrupt_data) naming `source`.
MeasuredPhoto parse_measure_json(const nlohmann::ordered_json& measure, const std::string& source);

/// The photo and regions of a measure JSON given as text (the file's contents); throws Error
/// (corrupt_data) naming `source` for text that is not such JSON.
MeasuredPhoto parse_measure_text(std::string_view text, const std::string& source);

/// Reads and parses a measure JSON file (at most 16 MiB); throws Error naming the file.
MeasuredPhoto read_measure_file(const std::string& path);

/// The region called `name`; throws Error (not_found) listing the regions of `source`.
const MeasuredRegion& find_region(const MeasuredPhoto& photo, const std::string& name,
                                  const std::string& source);

}  // namespace pigmatch::cli
