// chart_light.cpp — iteratively reweighted least squares for the light's slope across a chart.
#include "calibration/chart_light.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "support/median.h"
#include "support/small_matrix.h"

namespace pigmatch::detail {
namespace {

constexpr std::size_t unknowns = 4;  // offset, along the rows, down the columns, lightness
using Row = std::array<double, unknowns>;
using Normal = SquareMatrix<unknowns>;

Row regressors(const LightObservation& o, double mean_log_luminance) {
  return {1.0, o.place.x - 0.5, o.place.y - 0.5, o.log_luminance - mean_log_luminance};
}

struct WeightedFit {
  Row beta{};
  Normal inverse{};
  bool ok = false;
};

WeightedFit weighted_fit(std::span<const LightObservation> obs, std::span<const double> weights,
                         double mean_log_luminance) {
  Normal normal{};
  Row rhs{};
  for (std::size_t i = 0; i < obs.size(); ++i) {
    const Row x = regressors(obs[i], mean_log_luminance);
    for (std::size_t r = 0; r < unknowns; ++r) {
      rhs[r] += weights[i] * x[r] * obs[i].log_ratio;
      for (std::size_t c = 0; c < unknowns; ++c)
        normal[r][c] += weights[i] * x[r] * x[c];
    }
  }
  WeightedFit fit;
  fit.ok = invert_leading(normal, unknowns, fit.inverse);
  if (!fit.ok)
    return fit;
  for (std::size_t r = 0; r < unknowns; ++r) {
    for (std::size_t c = 0; c < unknowns; ++c)
      fit.beta[r] += fit.inverse[r][c] * rhs[c];
  }
  return fit;
}

}  // namespace

ChartLightSlope fit_light_slope(std::span<const LightObservation> obs) {
  constexpr double infinite = std::numeric_limits<double>::infinity();
  ChartLightSlope none;
  none.along_rows_se = none.down_columns_se = infinite;
  if (obs.size() < 6)
    return none;
  double mean_log_luminance = 0;
  for (const LightObservation& o : obs)
    mean_log_luminance += o.log_luminance / static_cast<double>(obs.size());

  std::vector<double> weights(obs.size(), 1.0);
  std::vector<double> residuals(obs.size());
  WeightedFit fit;
  double scale = 0;
  // Tukey's biweight with the usual 4.685 robust standard deviations: a patch the colour model
  // misses by far (the chart's blue under a warm light) stops pulling the slope.
  for (int iteration = 0; iteration < 20; ++iteration) {
    fit = weighted_fit(obs, weights, mean_log_luminance);
    if (!fit.ok)
      return none;
    for (std::size_t i = 0; i < obs.size(); ++i) {
      const Row x = regressors(obs[i], mean_log_luminance);
      double predicted = 0;
      for (std::size_t k = 0; k < unknowns; ++k)
        predicted += fit.beta[k] * x[k];
      residuals[i] = obs[i].log_ratio - predicted;
    }
    std::vector<double> magnitudes(residuals.size());
    std::transform(residuals.begin(), residuals.end(), magnitudes.begin(),
                   [](double r) { return std::abs(r); });
    scale = std::max(1.4826 * median(magnitudes), 1e-6);
    for (std::size_t i = 0; i < obs.size(); ++i) {
      const double u = residuals[i] / (4.685 * scale);
      weights[i] = std::abs(u) < 1 ? (1 - u * u) * (1 - u * u) : 0.0;
    }
  }
  // The residual variance of the weighted fit, over its degrees of freedom.
  double weighted_square = 0, weight_sum = 0;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < obs.size(); ++i) {
    weighted_square += weights[i] * residuals[i] * residuals[i];
    weight_sum += weights[i];
    kept += weights[i] > 0 ? 1 : 0;
  }
  if (kept <= unknowns + 1)
    return none;
  fit = weighted_fit(obs, weights, mean_log_luminance);
  if (!fit.ok)
    return none;
  const double variance = weighted_square / weight_sum * static_cast<double>(kept) /
                          static_cast<double>(kept - unknowns);
  ChartLightSlope slope;
  slope.along_rows = fit.beta[1];
  slope.down_columns = fit.beta[2];
  slope.along_rows_se = std::sqrt(variance * fit.inverse[1][1]);
  slope.down_columns_se = std::sqrt(variance * fit.inverse[2][2]);
  return slope;
}

double relative_light(const ChartLightSlope& slope, Point place) noexcept {
  return std::exp(slope.along_rows * (place.x - 0.5) + slope.down_columns * (place.y - 0.5));
}

bool significant(const ChartLightSlope& slope) noexcept {
  const auto t = [](double value, double se) { return se > 0 ? value / se : 0.0; };
  const double t_along = t(slope.along_rows, slope.along_rows_se);
  const double t_down = t(slope.down_columns, slope.down_columns_se);
  const double plausible = std::log(2.0);
  return t_along * t_along + t_down * t_down > 16.0 && std::abs(slope.along_rows) < plausible &&
         std::abs(slope.down_columns) < plausible;
}

}  // namespace pigmatch::detail
