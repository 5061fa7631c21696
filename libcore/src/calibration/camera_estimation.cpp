// camera_estimation.cpp — Tikhonov estimate of a camera's effective spectral response with a
// smoothness prior, λ by closed-form leave-one-out.
#include "pigmatch/calibration/camera_estimation.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "pigmatch/error.h"

namespace pigmatch {
namespace {

constexpr std::size_t bands = Spectrum::band_count;
using Matrix = std::vector<double>;  // row-major bands × bands

// Rᵀ·R + λ·Dᵀ·D, D the (bands − 2) × bands second-difference operator.
Matrix normal_matrix(std::span<const Spectrum> reflectances, double lambda) {
  Matrix a(bands * bands, 0.0);
  for (const Spectrum& r : reflectances) {
    for (std::size_t i = 0; i < bands; ++i)
      for (std::size_t j = 0; j < bands; ++j)
        a[i * bands + j] += r[i] * r[j];
  }
  constexpr double stencil[3] = {1, -2, 1};
  for (std::size_t row = 0; row + 2 < bands; ++row) {
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        a[(row + i) * bands + row + j] += lambda * stencil[i] * stencil[j];
  }
  return a;
}

// In-place Cholesky factor (lower triangle) of a symmetric positive definite matrix; false when
// it is not positive definite.
bool cholesky(Matrix& a) {
  for (std::size_t j = 0; j < bands; ++j) {
    double d = a[j * bands + j];
    for (std::size_t k = 0; k < j; ++k)
      d -= a[j * bands + k] * a[j * bands + k];
    if (!(d > 0))
      return false;
    const double root = std::sqrt(d);
    a[j * bands + j] = root;
    for (std::size_t i = j + 1; i < bands; ++i) {
      double s = a[i * bands + j];
      for (std::size_t k = 0; k < j; ++k)
        s -= a[i * bands + k] * a[j * bands + k];
      a[i * bands + j] = s / root;
    }
  }
  return true;
}

Spectrum::Values cholesky_solve(const Matrix& l, Spectrum::Values b) {
  for (std::size_t i = 0; i < bands; ++i) {
    for (std::size_t k = 0; k < i; ++k)
      b[i] -= l[i * bands + k] * b[k];
    b[i] /= l[i * bands + i];
  }
  for (std::size_t i = bands; i-- > 0;) {
    for (std::size_t k = i + 1; k < bands; ++k)
      b[i] -= l[k * bands + i] * b[k];
    b[i] /= l[i * bands + i];
  }
  return b;
}

double dot(const Spectrum::Values& a, const Spectrum& b) {
  double s = 0;
  for (std::size_t i = 0; i < bands; ++i)
    s += a[i] * b[i];
  return s;
}

struct Solution {
  SpectralResponse response;
  double loo_error = std::numeric_limits<double>::infinity();  // relative, summed over channels
};

Solution solve_for(std::span<const Spectrum> reflectances,
                   std::span<const std::array<double, 3>> rgb, double relative_lambda,
                   double scale) {
  Matrix l = normal_matrix(reflectances, relative_lambda * scale);
  Solution s;
  s.response.smoothness = relative_lambda;
  if (!cholesky(l))
    return s;
  // Leverages h_p = R_pᵀ (Rᵀ R + λ Dᵀ D)⁻¹ R_p: the leave-one-out residual is e_p / (1 − h_p).
  std::vector<double> leverage;
  for (const Spectrum& r : reflectances)
    leverage.push_back(dot(cholesky_solve(l, r.values()), r));
  s.loo_error = 0;
  for (std::size_t c = 0; c < 3; ++c) {
    Spectrum::Values rhs{};
    double power = 0;
    for (std::size_t p = 0; p < reflectances.size(); ++p) {
      for (std::size_t i = 0; i < bands; ++i)
        rhs[i] += reflectances[p][i] * rgb[p][c];
      power += rgb[p][c] * rgb[p][c];
    }
    s.response.channels[c] = Spectrum(cholesky_solve(l, rhs));
    double loo = 0;
    for (std::size_t p = 0; p < reflectances.size(); ++p) {
      const double residual = rgb[p][c] - dot(s.response.channels[c].values(), reflectances[p]);
      const double held_out = residual / std::max(1.0 - leverage[p], 1e-6);
      loo += held_out * held_out;
    }
    // Each channel relative to its own signal, so no channel's gain dominates the choice.
    s.loo_error += loo / std::max(power, 1e-300);
  }
  return s;
}

void check(std::span<const Spectrum> reflectances, std::span<const std::array<double, 3>> rgb,
           const SpectralResponseOptions& options) {
  if (reflectances.size() != rgb.size())
    throw Error(ErrorCode::invalid_argument,
                "spectral response: " + std::to_string(reflectances.size()) + " reflectances but " +
                    std::to_string(rgb.size()) + " RGB values");
  if (reflectances.size() < 3)
    throw Error(ErrorCode::invalid_argument, "spectral response: at least 3 surfaces are needed, " +
                                                 std::to_string(reflectances.size()) + " given");
  if (!std::isfinite(options.smoothness) || options.smoothness < 0)
    throw Error(ErrorCode::invalid_argument,
                "spectral response: the smoothness must be 0 (automatic) or positive");
  for (std::size_t p = 0; p < rgb.size(); ++p) {
    bool finite = std::isfinite(rgb[p][0]) && std::isfinite(rgb[p][1]) && std::isfinite(rgb[p][2]);
    for (std::size_t i = 0; i < bands; ++i)
      finite = finite && std::isfinite(reflectances[p][i]);
    if (!finite)
      throw Error(ErrorCode::invalid_argument, "spectral response: surface " +
                                                   std::to_string(p + 1) +
                                                   " has a value that is "
                                                   "not a finite number");
  }
}

}  // namespace

std::array<double, 3> SpectralResponse::rgb(const Spectrum& reflectance) const noexcept {
  return {dot(channels[0].values(), reflectance), dot(channels[1].values(), reflectance),
          dot(channels[2].values(), reflectance)};
}

SpectralResponse estimate_spectral_response(std::span<const Spectrum> reflectances,
                                            std::span<const std::array<double, 3>> linear_rgb,
                                            const SpectralResponseOptions& options) {
  check(reflectances, linear_rgb, options);
  // λ is relative to the data's own scale so the same value means the same trade-off for dark and
  // bright charts.
  double scale = 0;
  for (const Spectrum& r : reflectances)
    for (std::size_t i = 0; i < bands; ++i)
      scale += r[i] * r[i];
  scale /= static_cast<double>(bands);
  Solution best;
  if (options.smoothness > 0)
    best = solve_for(reflectances, linear_rgb, options.smoothness, scale);
  for (double lambda = 1e-6; options.smoothness == 0 && lambda < 20; lambda *= std::sqrt(10.0)) {
    Solution candidate = solve_for(reflectances, linear_rgb, lambda, scale);
    if (candidate.loo_error < best.loo_error)
      best = std::move(candidate);
  }
  if (!std::isfinite(best.loo_error))
    throw Error(ErrorCode::invalid_argument,
                "spectral response: the reflectances do not determine a response (all alike?)");
  return best.response;
}

}  // namespace pigmatch
