// calibration_model.h — the pieces of calibration shared by the fit (calibration.cpp) and the
// profile writer (calibration_icc.cpp): linearisation through the photo's profile and the
// fitted models.
#pragma once

#include <lcms2.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pigmatch/calibration/calibration.h"

namespace pigmatch::detail {

using Vec3 = std::array<double, 3>;

/// Device values (0–1) → linear values, through the photo's profile: its three tone curves when
/// it is a matrix/shaper profile, otherwise Little CMS's device → XYZ D50 transform.
class Linearizer {
 public:
  /// From the photo's ICC profile; empty means sRGB. Throws Error(color_management) for a
  /// profile Little CMS cannot use and Error(invalid_argument) for a non-RGB one.
  static Linearizer from_profile(std::span<const std::uint8_t> icc);
  /// Device values that are linear already (identity curves).
  static Linearizer identity();
  /// Per-channel curves tabulated over device 0–1 (16-bit, as fit_neutral_tone_curves gives).
  static Linearizer from_tables(const std::array<std::vector<std::uint16_t>, 3>& tables);

  Vec3 operator()(const Vec3& device) const;
  /// True when the linearisation is three per-channel tone curves (a matrix/shaper photo).
  bool has_curves() const noexcept { return curves_[0] != nullptr; }
  /// The tone curve of channel c (valid when has_curves()).
  const cmsToneCurve* curve(int c) const noexcept {
    return curves_[static_cast<std::size_t>(c)].get();
  }

 private:
  struct CurveDeleter {
    void operator()(cmsToneCurve* curve) const noexcept { cmsFreeToneCurve(curve); }
  };
  std::array<std::shared_ptr<cmsToneCurve>, 3> curves_{};
  std::shared_ptr<void> transform_;  // device → XYZ, when there are no curves
};

/// The fitted map from linear device values to XYZ D50: one coefficient row per XYZ channel
/// over the model's terms.
struct FittedModel {
  CalibrationModel model = CalibrationModel::matrix;
  std::array<std::vector<double>, 3> rows;

  Xyz predict(const Vec3& linear) const;
};

/// The model's terms for one linear RGB triple (r, g, b first; then the root terms).
std::vector<double> model_terms(CalibrationModel model, const Vec3& linear);
/// How many terms the model has (3, 6 or 13).
std::size_t term_count(CalibrationModel model) noexcept;

/// Builds the ICC input profile (version 4, or 2 for older readers) of a fitted model for photos
/// linearised by `linearizer`.
std::vector<std::uint8_t> build_profile(const FittedModel& model, const Linearizer& linearizer,
                                        const std::string& description, int clut_points,
                                        int version);

/// Throws Error(invalid_argument) when the samples do not fit the chart or the options cannot
/// be used (no model to try, weights out of range, skin spectra that are not reflectances).
void check_calibration_inputs(std::span<const PatchSample> samples, const ChartDefinition& chart,
                              const CalibrationOptions& options);

/// Throws Error(invalid_argument): too few unclipped patches to calibrate (`photo` names the
/// photo in the message when not empty).
[[noreturn]] void throw_too_few_usable(std::size_t usable, std::size_t patches,
                                       const std::string& photo);

/// Mean ΔE00 of the cheapest fit (a matrix) of the samples, the best over the ways of reading
/// the pixels the options allow: what a chart's orientations and candidate fields are ranked by.
double matrix_fit_de00(std::span<const PatchSample> samples, const ChartDefinition& chart,
                       const ChartReference& reference, const Linearizer& through_profile,
                       const CalibrationOptions& options);

}  // namespace pigmatch::detail
