// pigmatch/calibration/camera_estimation.h — a camera's spectral response under one light,
// estimated from a photographed chart whose patch spectra are known.
//
// A camera's linear RGB for a surface is c_k = Σ_i q_k[i] · R[i] over the 36 bands: q_k folds
// the channel's sensitivity, the light's spectrum, white balance and the camera's colour matrix
// into one effective response (it may be negative: colour matrices mix channels). 24 patches
// cannot determine 36 unknowns per channel, so the estimate is regularised: it minimises
//
//   Σ_patches (q_k · R_p − c_kp)² + λ · Σ_i (q_k[i−1] − 2 q_k[i] + q_k[i+1])²
//
// (Tikhonov with a second-difference smoothness prior, as camera sensitivities are smooth), with
// λ chosen per photo by leave-one-out prediction of the patches' own RGB (closed form through
// the hat matrix) unless fixed. The response then predicts the camera's RGB for surfaces that
// are not on the chart, such as skin (see calibration.h).
#pragma once

#include <array>
#include <span>

#include "pigmatch/colour/spectrum.h"

namespace pigmatch {

/// The effective spectral response of a camera under one light, in linear device RGB.
struct SpectralResponse {
  std::array<Spectrum, 3> channels;  ///< q_r, q_g, q_b
  double smoothness = 0;             ///< λ used, relative to the mean diagonal of Rᵀ·R

  /// The linear RGB the camera gives for a surface of this reflectance.
  std::array<double, 3> rgb(const Spectrum& reflectance) const noexcept;
};

struct SpectralResponseOptions {
  /// λ relative to the mean diagonal of Rᵀ·R; 0: chosen by leave-one-out over a log grid.
  double smoothness = 0;
};

/// Estimates the response from surfaces of known reflectance and the linear RGB measured for
/// them (same order). Throws Error(invalid_argument) when the counts differ, fewer than 3
/// surfaces are given or a value is not finite.
SpectralResponse estimate_spectral_response(std::span<const Spectrum> reflectances,
                                            std::span<const std::array<double, 3>> linear_rgb,
                                            const SpectralResponseOptions& options = {});

}  // namespace pigmatch
