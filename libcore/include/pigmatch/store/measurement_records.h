// measurement_records — a measured photo's regions as the client records the store keeps: the
// rows a save writes, each naming the photo it came from. Kept apart from photo_measurement.h
// so that measuring a photo does not depend on the store.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pigmatch/regions/photo_measurement.h"
#include "pigmatch/store/store.h"

namespace pigmatch {

/// Records `photo` in `m`: its absolute path and, when the file can be read, its SHA-256 (so a
/// later look at the record can tell whether the file is still the one measured). Nothing when
/// `photo` is empty.
void record_photo(store::Measurement& m, const std::filesystem::path& photo);

/// How saved regions are classed: as the client's skin (and a stubble region's hair as hair),
/// or as the healed result of earlier work (a plain region, or a stubble region's dots).
enum class SavedAs { skin, healed };

/// The measurement rows a save writes for `regions` of the photo at `photo` into `visit` of
/// `client`: plain → skin or healed; stubble → its skin and (when hair was told apart) its hair,
/// or as healed its dots. Each row records the photo's absolute path, its SHA-256 and the
/// calibration's mean ΔE00 (`calibration_de00`, none without a chart). A stubble region whose
/// hair was not told apart adds a line to `notes` (its skin alone is saved); saved as healed it
/// is an Error(unsupported), since it has no dots to save.
std::vector<store::Measurement> measurement_rows(const std::filesystem::path& photo,
                                                 std::optional<double> calibration_de00,
                                                 std::span<const RegionMeasurement> regions,
                                                 SavedAs kind, store::Id client, store::Id visit,
                                                 std::vector<std::string>* notes = nullptr);

}  // namespace pigmatch
