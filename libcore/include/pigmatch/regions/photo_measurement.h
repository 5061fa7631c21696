// pigmatch/regions/photo_measurement.h — the measurement pipeline of one photo, as `pigmatch
// measure` and the GUI's Photo screen both run it: calibrate the photo (a saved profile, the chart
// at given corners, the chart found automatically, or no chart), measure named regions (plain skin
// or hair, or stubble split into hair and skin), and save what was measured to a client's visit
// with the photo's path and SHA-256.
//
// Long steps take a ProgressCallback so a GUI can show progress and stop between steps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/calibration/calibration.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/image/image.h"
#include "pigmatch/regions/sampling.h"
#include "pigmatch/regions/skintone.h"

namespace pigmatch {

/// Told how far a long call is (`fraction` 0–1) and what it is doing (`stage`, e.g. "looking
/// for the chart"); returning false asks the call to stop, which it does at its next step by
/// throwing Error(ErrorCode::cancelled). Called on the calling thread.
using ProgressCallback = std::function<bool(double fraction, std::string_view stage)>;

/// How to calibrate a photo.
enum class ChartMode {
  find_or_fallback,  ///< find the chart; without one, the photo's profile (or sRGB) with warnings
  find,              ///< find the chart; Error(not_found) when there is none that calibrates
  corners,           ///< the chart at PhotoCalibrationRequest::corners
  none,              ///< no chart: the photo's embedded profile, else sRGB, with a warning
};

struct PhotoCalibrationRequest {
  ChartMode mode = ChartMode::find_or_fallback;
  ChartCorners corners{};  ///< ChartMode::corners: the chart's outer corners (any ordering)
  ChartDefinition chart = builtin_chart();
  CalibrationOptions options;  ///< reference set, ICC version, …
  /// A calibration saved earlier (`measure --profile-out`) used instead of any chart; `mode`
  /// is then ignored. Read with a 64 MiB limit.
  std::optional<std::filesystem::path> profile;
  /// How the user gives the corners instead, ending the message when no chart is found.
  std::string corners_hint = "give its corners with --chart X1,Y1,X2,Y2,X3,Y3,X4,Y4";
};

/// Where a photo's colours come from.
enum class CalibrationSource { chart, profile, embedded, assumed_srgb };

/// "chart", "profile", "embedded" or "assumed-srgb" (the measurement JSON's spelling).
std::string_view to_string(CalibrationSource source) noexcept;

/// A calibrated photo: the transform its pixels go through and how it was made.
struct PhotoCalibration {
  CalibrationSource source = CalibrationSource::assumed_srgb;
  /// With a chart: "user" (corners given), or the detector that found it ("opencv-mcc",
  /// "grid"); empty otherwise.
  std::string method;
  std::optional<Calibration> calibration;  ///< with a chart: the fit, its report and profile
  LabTransform transform;                  ///< device values → Lab D50 for this photo
  std::string model;  ///< the calibration model ("matrix", …) or "icc-profile"
  std::vector<std::string> warnings;
};

/// Calibrates `image`. `name` (the photo's path as the user gave it) appears in messages.
/// Throws Error(not_found) when ChartMode::find finds no chart that calibrates (the message says
/// how to photograph it or to give its corners); as calibrate_from_photo() for given corners;
/// Error(io / too_large / color_management) for an unusable profile; Error(cancelled) when
/// `progress` returned false. Detection itself is not interruptible: it is checked before and
/// after, and between the calibration of each candidate it found.
PhotoCalibration calibrate_photo(const Image& image, std::string_view name,
                                 const PhotoCalibrationRequest& request,
                                 const ProgressCallback& progress = {});

/// A named rectangle of a photo to measure.
struct PhotoRegion {
  std::string name;
  Rect rect;
  bool stubble = false;  ///< skin with hair dots, to be split into hair and skin
};

/// How much light fell on a region relative to the chart, and what told it: colours measured
/// through a chart calibration are right for the light at the chart; a region in more or less
/// light (fall-off from a lamp, vignetting, a tilted face) reads lighter or darker by as much.
struct LightCompensation {
  std::string reference;  ///< the grey card's name, or "flat field"
  double factor = 1;      ///< the region's XYZ is multiplied by this (light at chart / at region)
};

/// A neutral card beside the regions, of known lightness.
struct GreyCard {
  std::string name;
  Rect rect;
  double lightness = 49.5;  ///< the card's own L* (D50): 49.5 for a standard 18 % grey card
};

/// How well a measured colour is known, in ΔE00 (about one standard deviation), and of what it
/// is made. The parts are independent, so the total is their root sum of squares.
struct ColourUncertainty {
  /// The calibration: with a chart, its leave-one-out mean ΔE00 (how far a colour it was not fitted
  /// on lands); a saved profile, 1.5 (its fit is not stored in it); the photo's embedded profile,
  /// 3.0; sRGB assumed for a photo without one, 6.0 — conservative figures for colours no chart
  /// checked (docs/measurement.md).
  double calibration = 0;
  /// The region's own spread: its robust per-channel spread over √(pixels / 16) (neighbouring
  /// pixels share blur and JPEG blocks, so about one in 16 is independent), as ΔE00.
  double sampling = 0;
  /// Stubble hair only: the separation's own uncertainty (StubbleSample::hair_uncertainty_de00).
  double separation = 0;
  /// The light on the region differing from the light on the chart (fall-off, a tilted lamp):
  /// 1.0 when not compensated (the median of that difference on the benchmark's renders), 0.3
  /// when a grey card or a flat field compensated it (the card is beside the region, not under
  /// it).
  double light = 0;
  double total = 0;
};

/// The colour of one region.
struct RegionMeasurement {
  PhotoRegion region;
  /// Plain regions: the region's statistics; stubble: those of the whole region (hair and
  /// skin together).
  RobustLabStatistics statistics;
  std::optional<StubbleSample> stubble;  ///< stubble regions
  /// Plain: the region's median; stubble: the skin between the hairs.
  Lab lab_d50;
  SkinTone tone;  ///< of lab_d50
  /// How well lab_d50 is known, and a stubble region's hair (when told apart): set by the
  /// measure_region() that is given the photo's calibration.
  std::optional<ColourUncertainty> uncertainty;
  std::optional<ColourUncertainty> hair_uncertainty;
  /// Set by compensate_light(): the colours above are then corrected to the chart's light.
  std::optional<LightCompensation> light;
};

/// Measures `region` of `image` through `transform`. Throws as sample_region() and
/// sample_stubble() do (a region outside the photo, every pixel clipped, …).
RegionMeasurement measure_region(const Image& image, const LabTransform& transform,
                                 const PhotoRegion& region);

/// The same through the photo's calibration, with the colours' uncertainties.
RegionMeasurement measure_region(const Image& image, const PhotoCalibration& calibration,
                                 const PhotoRegion& region);

/// The uncertainty of a region's main colour (plain: the region; stubble: its skin) under
/// `calibration`.
ColourUncertainty colour_uncertainty(const PhotoCalibration& calibration,
                                     const RegionMeasurement& measured);

/// The uncertainty of a stubble region's hair colour; nullopt when the region is plain or its
/// hair was not told apart.
std::optional<ColourUncertainty> hair_uncertainty(const PhotoCalibration& calibration,
                                                  const RegionMeasurement& measured);

/// The light at each grey card relative to the chart: the card's known luminance over the one
/// measured through `calibration`. Throws Error(invalid_argument) for a card outside the photo,
/// clipped or black, or whose lightness is not in 5–95 L*.
std::vector<LightCompensation> grey_card_light(const Image& image,
                                               const PhotoCalibration& calibration,
                                               std::span<const GreyCard> cards);

/// The card of `cards` (with its `light`) nearest to `region`, centre to centre.
LightCompensation nearest_card(std::span<const GreyCard> cards,
                               std::span<const LightCompensation> light, const Rect& region);

/// The light at `region` relative to the chart, from the grey cards (read by grey_card_light())
/// and the chart's own light slope (CalibrationReport::light_slope). ln(light) is taken as a
/// plane through the chart's centre, where the calibration holds; its tilt is what the cards
/// (about 1 % each) and the chart's slope (its standard errors) say together. A region beside a
/// card gets about that card's light; one between the chart and a card, or off to one side, gets
/// what the plane gives at its centre rather than the nearest card's. `reference` names the
/// nearest card. Without a chart (a saved or embedded profile), the nearest card's light. Throws
/// as nearest_card().
LightCompensation card_light_at(const PhotoCalibration& calibration,
                                std::span<const GreyCard> cards,
                                std::span<const LightCompensation> light, const Rect& region);

/// The light at `region` relative to the chart from a flat field: a second photo, `flat`, of a
/// uniform grey card filling the frame in the same setup (camera, lamp, distance), read through
/// the same calibration. Throws Error(invalid_argument) when the calibration has no chart (the
/// chart's place is the reference), when `flat` differs in size from the photo, or when it is
/// not lit where the chart or the region is.
LightCompensation flat_field_light(const Image& flat, const PhotoCalibration& calibration,
                                   const Rect& region);

/// Corrects `m`'s colours (lab_d50, a stubble region's skin and hair, the skin tone) by
/// `light.factor` in XYZ, records `light`, and lowers the uncertainties' light term.
void compensate_light(RegionMeasurement& m, const LightCompensation& light);

/// The SHA-256 of `file` as 64 lowercase hex digits; empty when the file cannot be read.
std::string file_sha256(const std::filesystem::path& file);

}  // namespace pigmatch
