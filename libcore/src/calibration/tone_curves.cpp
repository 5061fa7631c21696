#include "calibration/tone_curves.h"

#include <algorithm>
#include <cmath>

namespace pigmatch::detail {

namespace {

// Beyond the neutrals the curve is a power law; its exponent is held to what tone curves have
// (a linear file 1, sRGB about 2.4 near white, a JPEG engine's shoulder steeper), so that a
// noisy end segment does not throw the extrapolation to zero or infinity.
constexpr double min_end_exponent = 0.3;
constexpr double max_end_exponent = 6.0;

// A monotone cubic through (x, y), x strictly increasing and every secant slope positive
// (Fritsch & Carlson 1980, with Fritsch & Butland's tangents, as PCHIP).
class MonotoneCurve {
 public:
  MonotoneCurve(std::vector<double> x, std::vector<double> y) : x_(std::move(x)), y_(std::move(y)) {
    const std::size_t n = x_.size();
    std::vector<double> secant(n - 1);
    for (std::size_t i = 0; i + 1 < n; ++i)
      secant[i] = (y_[i + 1] - y_[i]) / (x_[i + 1] - x_[i]);
    tangent_.assign(n, 0.0);
    tangent_.front() = secant.front();
    tangent_.back() = secant.back();
    for (std::size_t i = 1; i + 1 < n; ++i) {
      const double h0 = x_[i] - x_[i - 1], h1 = x_[i + 1] - x_[i];
      tangent_[i] = 3 * (h0 + h1) / ((2 * h1 + h0) / secant[i - 1] + (h1 + 2 * h0) / secant[i]);
    }
  }

  double operator()(double at) const {
    if (at <= x_.front())
      return y_.front() +
             std::clamp(tangent_.front(), min_end_exponent, max_end_exponent) * (at - x_.front());
    if (at >= x_.back())
      return y_.back() +
             std::clamp(tangent_.back(), min_end_exponent, max_end_exponent) * (at - x_.back());
    const auto upper = std::upper_bound(x_.begin(), x_.end(), at);
    const auto i = static_cast<std::size_t>(upper - x_.begin()) - 1;
    const double h = x_[i + 1] - x_[i], t = (at - x_[i]) / h;
    const double t2 = t * t, t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * y_[i] + (t3 - 2 * t2 + t) * h * tangent_[i] +
           (-2 * t3 + 3 * t2) * y_[i + 1] + (t3 - t2) * h * tangent_[i + 1];
  }

 private:
  std::vector<double> x_, y_, tangent_;
};

std::optional<std::vector<std::uint16_t>> channel_curve(std::span<const NeutralSample> sorted,
                                                        std::size_t c) {
  std::vector<double> x, y;
  for (const NeutralSample& s : sorted) {
    if (!(s.device[c] > 0) || !(s.luminance > 0))
      return std::nullopt;
    const double log_device = std::log(s.device[c]);
    if (!x.empty() && !(log_device > x.back()))
      return std::nullopt;
    x.push_back(log_device);
    y.push_back(std::log(s.luminance));
  }
  const MonotoneCurve curve(std::move(x), std::move(y));
  const double top = std::exp(curve(0.0));
  std::vector<std::uint16_t> table(tone_curve_entries, 0);
  for (std::size_t i = 1; i < tone_curve_entries; ++i) {
    const double device = static_cast<double>(i) / (tone_curve_entries - 1);
    const double linear = std::exp(curve(std::log(device))) / top;
    table[i] = static_cast<std::uint16_t>(std::lround(65535 * std::clamp(linear, 0.0, 1.0)));
  }
  return table;
}

}  // namespace

std::optional<std::array<std::vector<std::uint16_t>, 3>> fit_neutral_tone_curves(
    std::span<const NeutralSample> neutrals) {
  if (neutrals.size() < 4)
    return std::nullopt;
  std::vector<NeutralSample> sorted(neutrals.begin(), neutrals.end());
  std::sort(sorted.begin(), sorted.end(), [](const NeutralSample& a, const NeutralSample& b) {
    return a.luminance < b.luminance;
  });
  std::array<std::vector<std::uint16_t>, 3> tables;
  for (std::size_t c = 0; c < 3; ++c) {
    auto table = channel_curve(sorted, c);
    if (!table)
      return std::nullopt;
    tables[c] = std::move(*table);
  }
  return tables;
}

}  // namespace pigmatch::detail
