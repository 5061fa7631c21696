// pigmatch/calibration/calibration.h — from a photographed chart to an ICC input profile for that
// camera and light.
//
// The photo's device values are first linearised (PhotoEncoding): through the photo's own
// profile (its tone curves when it is a matrix/shaper profile such as sRGB; otherwise Little
// CMS's transform to XYZ), as linear values, or through tone curves fitted per channel to the
// chart's neutral patches — whichever predicts the chart best, the profile unless clearly beaten.
// Then a map from linear device RGB to XYZ D50 is fitted to the chart's reference values:
//
//  - matrix: a 3×3 matrix, weighted least squares with neutral patches weighted up and the
//    brightest unclipped neutral mapped exactly (neutral-preserving);
//  - root-polynomial of degree 2 or 3 (Finlayson, Mackiewicz & Hurlbert 2015, "Color Correction
//    Using Root-Polynomial Regression", IEEE TIP 24(5)): terms such as √(rg) and ∛(rg²) keep
//    the fit exposure-invariant, with the same weights and neutral constraint.
//
// Skin. A chart has few skin-like patches, and a camera that is not colorimetric maps skin's
// spectra differently from the chart's (camera metamerism; worst under warm light). When the
// chart description carries its patches' spectra, the camera's effective spectral response
// under the photo's light is estimated from them (camera_estimation.h), the RGB it would give
// for measured skin reflectances (skin_spectra.h) is predicted, and those skins join the fit with
// their D50 colorimetry as targets, so the fitted map is right where skin lives. Reported
// residuals and leave-one-out figures are over the chart's patches only (each leave-one-out fit
// re-estimates the response without the patch left out).
//
// Residuals are weighted so that XYZ errors count as CIELAB errors would (each channel by its
// reference value to the power −4/3, the square of the cube root's slope). Every candidate is
// scored by leave-one-out ΔE00 (each patch predicted by a fit made without it) and the one that
// predicts unseen colours best is kept. The result is a real ICC v4 input profile made with
// Little CMS: matrix/shaper for the matrix fit, a LUT profile (A2B0 with a CLUT sampled from the
// model, on a grid spaced like L*) otherwise.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/image/image.h"

namespace pigmatch {

enum class CalibrationModel { matrix, root_polynomial_2, root_polynomial_3 };

/// Short stable names: "matrix", "root-polynomial-2", "root-polynomial-3".
std::string_view to_string(CalibrationModel model) noexcept;

/// How the photo's device values are made linear before the colour fit.
enum class PhotoEncoding {
  profile,         ///< through the photo's ICC profile's tone curves (sRGB when it has none)
  linear,          ///< taken as linear already (raw developed without a curve, machine vision)
  neutral_curves,  ///< through a tone curve per channel fitted to the chart's neutral patches
};

/// Short stable names: "profile", "linear", "neutral-curves".
std::string_view to_string(PhotoEncoding encoding) noexcept;
/// How the pixels were read, for people: "through the photo's profile", "as linear values",
/// "through tone curves fitted to the chart's neutrals".
std::string_view describe(PhotoEncoding encoding) noexcept;

/// How well the chart's patches are predicted with the pixels read one way: the leave-one-out
/// mean ΔE00 of a matrix fit (for neutral curves, each neutral left out of the curves too);
/// infinity when that reading is impossible (the neutrals do not rise in every channel).
struct EncodingScore {
  PhotoEncoding encoding = PhotoEncoding::profile;
  double loo_mean_de00 = 0;
};

struct CalibrationOptions {
  std::string reference;  ///< the chart's reference set; empty = its default
  std::vector<CalibrationModel> candidates{CalibrationModel::matrix,
                                           CalibrationModel::root_polynomial_2,
                                           CalibrationModel::root_polynomial_3};
  double neutral_weight = 3.0;  ///< weight of neutral patches relative to the others
  /// A non-linear model must beat the matrix's leave-one-out mean ΔE00 by this factor to be
  /// chosen (it predicts with more parameters, so it must earn them).
  double complexity_margin = 0.95;
  double max_mean_de00 = 8.0;  ///< refuse a calibration whose mean ΔE00 is worse
  /// Orientation: the best ordering of the corners must fit at least this many times better
  /// (mean ΔE00) than the runner-up, else the orientation is ambiguous.
  double min_orientation_ratio = 1.5;
  /// How to read the photo's pixels; empty: chosen from the chart. The photo's profile is kept
  /// unless reading the pixels as linear, or through curves fitted to the neutrals, predicts the
  /// patches better by `encoding_margin` (each later one of the three must beat the one kept).
  std::optional<PhotoEncoding> encoding;
  double encoding_margin = 0.8;
  /// Weight of each skin reflectance added to the fit (the chart's ordinary patches weigh 1);
  /// 0 disables it. Used only when the chart has spectra. 64 lets skin lead the fit: in
  /// tools/skin_calibration_study (noise-free surfaces, skins held out) it read unseen skins best
  /// for a modest loss on the chart's other colours (bench/RESULTS.md).
  double skin_weight = 64.0;
  /// The skin reflectances to fit; empty: the built-in set (vrhel_skin_spectra()).
  std::vector<Spectrum> skin_spectra;
  int clut_points = 33;  ///< grid points per channel of a LUT profile's CLUT
  /// ICC version of the profile: 4 (the default), or 2 for software that reads only v2
  /// (e.g. Argyll CMS 2.3's xicclu).
  int icc_version = 4;
};

/// How well one patch is predicted.
struct PatchResidual {
  int patch_id = 0;
  std::string name;
  Lab reference;        ///< the chart's reference value
  Lab fitted;           ///< the fitted model's value for the patch's device values
  double de00 = 0;      ///< ΔE00(reference, fitted)
  double loo_de00 = 0;  ///< ΔE00 when the patch was left out of the fit (0 when not used)
  /// false when the patch was excluded: clipped, or so far from what the other patches predict
  /// (ΔE00 ≥ 10 and ≥ 5 × their median; at most 3 patches) that it must be covered, shaded or
  /// under glare. The report's warnings name each excluded patch and why.
  bool used = true;
};

/// How the light changes across the chart, read from its patches: the slope of ln(light) per
/// chart width along the first row (`along_rows`) and per chart height down the first column
/// (`down_columns`), e.g. 0.10 ≈ 10 % more light at the far edge than at the near one, with
/// their standard errors. A chart lit unevenly shows it as patch residuals that grow across the
/// chart; the patches' lightness is regressed out, so a tone curve is not taken for light.
struct ChartLightSlope {
  double along_rows = 0, down_columns = 0;
  double along_rows_se = 0, down_columns_se = 0;
  /// true when the slope was beyond noise (4 standard errors) and the patches were divided by
  /// it before the fit: the calibration then holds for the light at the chart's centre.
  bool corrected = false;
};

/// The figures of one candidate model.
struct ModelScore {
  CalibrationModel model = CalibrationModel::matrix;
  double mean_de00 = 0, max_de00 = 0, loo_mean_de00 = 0;
  bool fitted = false;  ///< false when there were too few usable patches for its parameters
};

struct CalibrationReport {
  CalibrationModel model = CalibrationModel::matrix;  ///< the chosen model
  std::vector<PatchResidual> patches;                 ///< in chart order
  double mean_de00 = 0, max_de00 = 0;                 ///< over the patches used
  double loo_mean_de00 = 0;                           ///< leave-one-out mean over the patches used
  std::vector<ModelScore> candidates;
  std::vector<std::string> warnings;  ///< e.g. clipped patches, a model skipped
  ChartCorners corners{};             ///< the corners in the chart's own order (when known)
  /// Skin reflectances in the fit (0: the chart has no spectra, training is off, or it was
  /// dropped).
  std::size_t skin_spectra_fitted = 0;
  /// The light across the chart (zero slopes with infinite errors when it could not be read).
  ChartLightSlope light_slope;
  /// How the pixels were read, and each reading's score when the choice was automatic (empty
  /// when CalibrationOptions::encoding fixed it).
  PhotoEncoding encoding = PhotoEncoding::profile;
  std::vector<EncodingScore> encoding_scores;
  /// Per channel, the exponent of the tone curve used between the darkest and the brightest
  /// usable neutral (the slope of ln linear against ln device): about 1 for linear data, 2.2–2.4
  /// for sRGB, more for a camera's contrast curve. 0 when it cannot be told (fewer than two
  /// usable neutrals, or a profile without per-channel curves).
  std::array<double, 3> tone_exponent{};
};

/// A fitted calibration: the report and the ICC profile that carries it.
class Calibration {
 public:
  Calibration(CalibrationReport report, std::vector<std::uint8_t> icc_profile)
      : report_(std::move(report)), icc_(std::move(icc_profile)) {}

  const CalibrationReport& report() const noexcept { return report_; }
  /// The ICC v4 input profile (the bytes of a .icc file).
  const std::vector<std::uint8_t>& icc_profile() const noexcept { return icc_; }
  /// The transform that converts photos from the same camera and light with this profile.
  LabTransform transform(PixelLayout layout) const;
  /// Writes the profile; throws Error(io) naming the path when it cannot.
  void save_profile(const std::filesystem::path& path) const;

 private:
  CalibrationReport report_;
  std::vector<std::uint8_t> icc_;
};

/// Fits a calibration to patches already sampled from a photo whose device values are described
/// by `photo_icc` (empty: sRGB). Patches flagged clipped are excluded. Throws
/// Error(invalid_argument) when too few patches are usable for even the matrix, or the
/// photo profile is not RGB; Error(color_management) when the photo profile is unusable;
/// Error(corrupt_data) when the best fit is worse than options.max_mean_de00. When skin training
/// alone pushes the chart's fit past that limit, the chart is fitted without the skins instead
/// (report().skin_spectra_fitted is then 0, with a warning).
Calibration calibrate(std::span<const PatchSample> samples, const ChartDefinition& chart,
                      std::span<const std::uint8_t> photo_icc,
                      const CalibrationOptions& options = {});

/// Samples the chart at `corners` (in any of the 8 orderings: the orientation is resolved by
/// fitting each against the reference and keeping the best) and calibrates. Throws as
/// sample_patches() and calibrate() do, and Error(corrupt_data) when no orientation fits well
/// or two fit almost equally well.
Calibration calibrate_from_photo(const Image& image, const ChartDefinition& chart,
                                 const ChartCorners& corners,
                                 const CalibrationOptions& options = {});

}  // namespace pigmatch
