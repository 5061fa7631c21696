// chart_sampling.cpp — the chart's geometry in a photo (a projective map from the chart's unit
// square) and robust sampling of its patches.
#include <algorithm>
#include <cmath>
#include <string>

#include "calibration/chart_geometry.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/error.h"
#include "support/median.h"

namespace pigmatch {
namespace detail {

double cross(Point o, Point a, Point b) noexcept {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

bool is_convex(const ChartCorners& c) noexcept {
  double sign = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const double turn = cross(c[i], c[(i + 1) % 4], c[(i + 2) % 4]);
    if (!std::isfinite(turn) || std::abs(turn) < 1e-9)
      return false;
    if (sign != 0 && (turn > 0) != (sign > 0))
      return false;
    sign = turn;
  }
  return true;
}

// Heckbert's square-to-quad mapping (Fundamentals of Texture Mapping, 1989, §2.2.3).
Homography Homography::square_to(const ChartCorners& c) {
  if (!is_convex(c)) {
    throw Error(ErrorCode::invalid_argument,
                "the chart corners (" + describe(c) +
                    ") do not form a convex quadrilateral: give the four outer corners in order "
                    "around the chart");
  }
  Homography h;
  const double dx1 = c[1].x - c[2].x, dx2 = c[3].x - c[2].x,
               dx3 = c[0].x - c[1].x + c[2].x - c[3].x;
  const double dy1 = c[1].y - c[2].y, dy2 = c[3].y - c[2].y,
               dy3 = c[0].y - c[1].y + c[2].y - c[3].y;
  const double det = dx1 * dy2 - dx2 * dy1;
  const double g = (dx3 * dy2 - dx2 * dy3) / det;
  const double k = (dx1 * dy3 - dx3 * dy1) / det;
  h.m = {c[1].x - c[0].x + g * c[1].x,
         c[3].x - c[0].x + k * c[3].x,
         c[0].x,
         c[1].y - c[0].y + g * c[1].y,
         c[3].y - c[0].y + k * c[3].y,
         c[0].y,
         g,
         k,
         1.0};
  return h;
}

Point Homography::apply(Point p) const noexcept {
  const double w = m[6] * p.x + m[7] * p.y + m[8];
  return {(m[0] * p.x + m[1] * p.y + m[2]) / w, (m[3] * p.x + m[4] * p.y + m[5]) / w};
}

Homography Homography::inverse() const noexcept {
  // The adjugate: a homography is defined up to scale, so the determinant is not needed.
  Homography inv;
  inv.m = {m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
           m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
           m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3]};
  return inv;
}

std::string describe(const ChartCorners& c) {
  std::string text;
  for (const Point& p : c) {
    if (!text.empty())
      text += "; ";
    text += std::to_string(static_cast<long long>(std::lround(p.x))) + "," +
            std::to_string(static_cast<long long>(std::lround(p.y)));
  }
  return text;
}

}  // namespace detail

namespace {

struct Channels {
  std::vector<double> values[3];
  void clear() {
    for (auto& v : values)
      v.clear();
  }
};

PatchSample robust_average(Channels& pixels, std::size_t clipped_pixels, double max_code,
                           const PatchSampleOptions& options) {
  const std::size_t n = pixels.values[0].size();
  std::array<double, 3> median{}, limit{};
  for (int c = 0; c < 3; ++c) {
    std::vector<double> copy = pixels.values[c];
    median[c] = detail::median_in_place(copy);
    for (double& x : copy)
      x = std::abs(x - median[c]);
    const double sigma = 1.4826 * detail::median_in_place(copy);
    // Never tighter than two code values: a flat 8-bit patch has MAD 0.
    limit[c] = std::max(3.0 * sigma, 2.0 / max_code);
  }
  PatchSample sample;
  std::array<double, 3> sum{}, sum_sq{};
  for (std::size_t i = 0; i < n; ++i) {
    bool inlier = true;
    for (int c = 0; c < 3; ++c)
      inlier = inlier && std::abs(pixels.values[c][i] - median[c]) <= limit[c];
    if (!inlier) {
      ++sample.outliers;
      continue;
    }
    ++sample.pixels;
    for (int c = 0; c < 3; ++c) {
      sum[c] += pixels.values[c][i];
      sum_sq[c] += pixels.values[c][i] * pixels.values[c][i];
    }
  }
  const double kept = static_cast<double>(std::max<std::size_t>(sample.pixels, 1));
  for (int c = 0; c < 3; ++c) {
    sample.device[c] = sum[c] / kept;
    sample.spread[c] =
        std::sqrt(std::max(0.0, sum_sq[c] / kept - sample.device[c] * sample.device[c]));
  }
  sample.clipped =
      static_cast<double>(clipped_pixels) >= options.clip_fraction * static_cast<double>(n);
  return sample;
}

}  // namespace

Point chart_to_image(const ChartCorners& corners, Point uv) {
  return detail::Homography::square_to(corners).apply(uv);
}

std::array<ChartCorners, 8> corner_orderings(const ChartCorners& c) {
  std::array<ChartCorners, 8> all;
  for (std::size_t r = 0; r < 4; ++r) {
    for (std::size_t i = 0; i < 4; ++i) {
      all[r][i] = c[(r + i) % 4];          // the same direction, starting at another corner
      all[r + 4][i] = c[(r + 4 - i) % 4];  // the other direction
    }
  }
  return all;
}

std::vector<PatchSample> sample_patches(const Image& image, const ChartDefinition& chart,
                                        const ChartCorners& corners,
                                        const PatchSampleOptions& options) {
  if (image.channels != 3) {
    throw Error(
        ErrorCode::invalid_argument,
        image.source + " is a grey image: calibrating with a colour chart needs an RGB photo");
  }
  if (!(options.inner_fraction > 0 && options.inner_fraction <= 1)) {
    throw Error(ErrorCode::invalid_argument, "the sampled share of a patch must be in (0, 1]");
  }
  const detail::Homography to_image = detail::Homography::square_to(corners);
  const detail::Homography to_chart = to_image.inverse();
  const double max_code = image.bits == 16 ? 65535.0 : 255.0;

  std::vector<PatchSample> samples;
  Channels pixels;
  for (const ChartPatch& patch : chart.patches) {
    const double half_w = patch.width * options.inner_fraction / 2;
    const double half_h = patch.height * options.inner_fraction / 2;
    double x0 = image.width, y0 = image.height, x1 = 0, y1 = 0;
    for (const Point uv : {Point{patch.center.x - half_w, patch.center.y - half_h},
                           Point{patch.center.x + half_w, patch.center.y - half_h},
                           Point{patch.center.x + half_w, patch.center.y + half_h},
                           Point{patch.center.x - half_w, patch.center.y + half_h}}) {
      const Point p = to_image.apply(uv);
      x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x),
      y1 = std::max(y1, p.y);
    }
    if (!(x0 >= -1 && y0 >= -1 && x1 <= image.width + 1 && y1 <= image.height + 1)) {
      throw Error(ErrorCode::invalid_argument,
                  "patch " + std::to_string(patch.id) + " of the chart at corners (" +
                      detail::describe(corners) + ") lies outside " + image.source + " (" +
                      std::to_string(image.width) + "×" + std::to_string(image.height) +
                      "): give corners inside the photo, with the whole chart in frame");
    }
    const int ix0 = std::clamp(static_cast<int>(std::floor(x0)), 0, image.width);
    const int iy0 = std::clamp(static_cast<int>(std::floor(y0)), 0, image.height);
    const int ix1 = std::clamp(static_cast<int>(std::ceil(x1)), 0, image.width);
    const int iy1 = std::clamp(static_cast<int>(std::ceil(y1)), 0, image.height);

    pixels.clear();
    std::size_t clipped = 0;
    for (int y = iy0; y < iy1; ++y) {
      for (int x = ix0; x < ix1; ++x) {
        const Point uv = to_chart.apply({x + 0.5, y + 0.5});
        if (std::abs(uv.x - patch.center.x) > half_w || std::abs(uv.y - patch.center.y) > half_h)
          continue;
        bool at_limit = false;
        for (int c = 0; c < 3; ++c) {
          const double code =
              image.bits == 16 ? image.row16(y)[3 * x + c] : image.row8(y)[3 * x + c];
          at_limit = at_limit || code <= 0 || code >= max_code;
          pixels.values[c].push_back(code / max_code);
        }
        clipped += at_limit ? 1 : 0;
      }
    }
    if (pixels.values[0].size() < 4) {
      throw Error(ErrorCode::invalid_argument,
                  "the chart at corners (" + detail::describe(corners) + ") is too small in " +
                      image.source + ": patch " + std::to_string(patch.id) + " covers only " +
                      std::to_string(pixels.values[0].size()) +
                      " pixels; photograph the chart larger (at least 40 pixels per patch)");
    }
    samples.push_back(robust_average(pixels, clipped, max_code, options));
  }
  return samples;
}

}  // namespace pigmatch
