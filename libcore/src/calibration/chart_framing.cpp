#include "calibration/chart_framing.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "calibration/chart_geometry.h"
#include "support/median.h"

namespace pigmatch::detail {
namespace {

constexpr int kGrid = 9;  // points per side of a patch's sampled square
// Of the patch's side: nearly to its edges, so that a field placed a few percent off puts some
// points on the neighbouring patch or the frame's black.
constexpr double kInnerFraction = 0.85;
constexpr double kLargestBand = 0.30;  // a logo band and ruler: about 15 % of a card's height
constexpr double kCoarseStep = 0.02;
constexpr double kFineStep = 0.01;

double median_absolute_deviation(std::vector<double> values) {
  const double centre = median_in_place(values);
  for (double& v : values)
    v = std::abs(v - centre);
  return median_in_place(values);
}

// Not robust on purpose: a few points on the wrong colour must show.
double standard_deviation(const std::vector<double>& values) {
  double sum = 0, sum_sq = 0;
  for (const double v : values) {
    sum += v;
    sum_sq += v * v;
  }
  const double n = static_cast<double>(values.size());
  return std::sqrt(std::max(0.0, sum_sq / n - (sum / n) * (sum / n)));
}

// The 0–1 sample of channel c at the pixel nearest p, or NaN outside the image.
double sample_at(const Image& image, Point p, int c) {
  const auto x = static_cast<int>(std::floor(p.x)), y = static_cast<int>(std::floor(p.y));
  if (!(x >= 0 && y >= 0 && x < image.width && y < image.height))
    return std::numeric_limits<double>::quiet_NaN();
  const auto i = static_cast<std::size_t>(x) * 3 + static_cast<std::size_t>(c);
  return image.bits == 16 ? image.row16(y)[i] / 65535.0 : image.row8(y)[i] / 255.0;
}

// The quadrilateral inside `given` with `band` (left, top, right, bottom) cut off its sides.
ChartCorners inner_corners(const Homography& given, const std::array<double, 4>& band) {
  const double u0 = band[0], v0 = band[1], u1 = 1 - band[2], v1 = band[3];
  return {given.apply({u0, v0}), given.apply({u1, v0}), given.apply({u1, 1 - v1}),
          given.apply({u0, 1 - v1})};
}

struct Search {
  const Image& image;
  const ChartDefinition& chart;
  const Homography given;
  std::vector<PatchFieldCandidate> tried;

  double evaluate(const std::array<double, 4>& band) {
    const ChartCorners corners = inner_corners(given, band);
    const double misfit = patch_field_misfit(image, chart, corners);
    tried.push_back({corners, misfit, band});
    return misfit;
  }

  // The best pair of bands on two opposite sides (first and first + 2), the others fixed.
  std::array<double, 4> best_pair(std::array<double, 4> band, std::size_t first) {
    std::array<double, 4> best = band;
    double best_misfit = std::numeric_limits<double>::infinity();
    for (double a = 0; a <= kLargestBand + 1e-9; a += kCoarseStep) {
      for (double b = 0; a + b <= kLargestBand + 1e-9; b += kCoarseStep) {
        band[first] = a;
        band[first + 2] = b;
        const double misfit = evaluate(band);
        if (misfit < best_misfit) {
          best_misfit = misfit;
          best = band;
        }
      }
    }
    return best;
  }

  // Each band moved by one fine step either way, one side at a time, while that helps.
  std::array<double, 4> refine(std::array<double, 4> band) {
    double best_misfit = evaluate(band);
    for (bool improved = true; improved;) {
      improved = false;
      for (std::size_t side = 0; side < 4; ++side) {
        for (const double step : {-kFineStep, kFineStep}) {
          std::array<double, 4> moved = band;
          moved[side] = std::clamp(moved[side] + step, 0.0, kLargestBand);
          const double misfit = evaluate(moved);
          if (misfit < best_misfit - 1e-12) {
            best_misfit = misfit;
            band = moved;
            improved = true;
          }
        }
      }
    }
    return band;
  }
};

bool far_apart(const std::array<double, 4>& a, const std::array<double, 4>& b) {
  for (std::size_t i = 0; i < 4; ++i)
    if (std::abs(a[i] - b[i]) > 2 * kCoarseStep)
      return true;
  return false;
}

}  // namespace

double patch_field_misfit(const Image& image, const ChartDefinition& chart,
                          const ChartCorners& corners) {
  constexpr double kInfinite = std::numeric_limits<double>::infinity();
  if (image.channels != 3 || !is_convex(corners) || chart.patches.size() < 2)
    return kInfinite;
  const Homography to_image = Homography::square_to(corners);
  std::array<std::vector<double>, 3> patch_medians;
  double within = 0;
  std::vector<double> values;
  for (const ChartPatch& patch : chart.patches) {
    double spread = 0;
    for (int c = 0; c < 3; ++c) {
      values.clear();
      for (int j = 0; j < kGrid; ++j) {
        for (int i = 0; i < kGrid; ++i) {
          const double du = ((i + 0.5) / kGrid - 0.5) * patch.width * kInnerFraction;
          const double dv = ((j + 0.5) / kGrid - 0.5) * patch.height * kInnerFraction;
          const double v =
              sample_at(image, to_image.apply({patch.center.x + du, patch.center.y + dv}), c);
          if (std::isnan(v))
            return kInfinite;
          values.push_back(v);
        }
      }
      spread += standard_deviation(values);
      patch_medians[static_cast<std::size_t>(c)].push_back(median_in_place(values));
    }
    within += spread;
  }
  double between = 0;
  for (auto& medians : patch_medians)
    between += median_absolute_deviation(medians);
  if (!(between > 0))
    return kInfinite;
  return within / static_cast<double>(chart.patches.size()) / between;
}

std::vector<PatchFieldCandidate> patch_field_candidates(const Image& image,
                                                        const ChartDefinition& chart,
                                                        const ChartCorners& given,
                                                        std::size_t alternatives,
                                                        double improvement) {
  std::vector<PatchFieldCandidate> result{
      {given, patch_field_misfit(image, chart, given), {0, 0, 0, 0}}};
  if (alternatives == 0 || !is_convex(given))
    return result;
  Search search{image, chart, Homography::square_to(given), {}};
  std::array<double, 4> band{};
  band = search.best_pair(band, 1);  // top and bottom
  band = search.best_pair(band, 0);  // left and right
  band = search.refine(band);

  std::sort(search.tried.begin(), search.tried.end(),
            [](const PatchFieldCandidate& a, const PatchFieldCandidate& b) {
              return a.misfit < b.misfit;
            });
  const double limit = improvement * result.front().misfit;
  for (const PatchFieldCandidate& candidate : search.tried) {
    if (result.size() > alternatives || !(candidate.misfit < limit))
      break;
    const bool distinct = std::all_of(result.begin(), result.end(), [&](const auto& kept) {
      return far_apart(kept.band, candidate.band);
    });
    if (distinct)
      result.push_back(candidate);
  }
  return result;
}

}  // namespace pigmatch::detail
