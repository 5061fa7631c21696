// Synthetic photos of a chart for the chart and calibration tests: a camera with a known
// response photographs the chart's reference colours under a known perspective. The geometry
// uses its own homography (a direct linear transform solved here), not pigmatch's, so a mistake
// in pigmatch's chart geometry cannot cancel out. Test support only.
#pragma once

#include <lcms2.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "icc_bytes.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/image/image.h"

namespace pigmatch::test {

using Vec3 = std::array<double, 3>;

/// The sRGB encoding (IEC 61966-2-1), written from the standard.
inline double srgb_encode(double linear) {
  if (linear <= 0.0031308)
    return 12.92 * linear;
  return 1.055 * std::pow(linear, 1 / 2.4) - 0.055;
}
inline double srgb_decode(double encoded) {
  if (encoded <= 0.04045)
    return encoded / 12.92;
  return std::pow((encoded + 0.055) / 1.055, 2.4);
}

/// Maps chart-normalised (u, v) to image (x, y): the homography through the unit square's
/// corners, solved as an 8×8 linear system (DLT).
class TestHomography {
 public:
  explicit TestHomography(const std::array<Point, 4>& corners) {
    const Point square[4] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
    double a[8][9] = {};
    for (int i = 0; i < 4; ++i) {
      const double u = square[i].x, v = square[i].y, x = corners[i].x, y = corners[i].y;
      const double r1[9] = {u, v, 1, 0, 0, 0, -u * x, -v * x, x};
      const double r2[9] = {0, 0, 0, u, v, 1, -u * y, -v * y, y};
      std::memcpy(a[2 * i], r1, sizeof r1);
      std::memcpy(a[2 * i + 1], r2, sizeof r2);
    }
    for (int c = 0; c < 8; ++c) {
      int p = c;
      for (int r = c + 1; r < 8; ++r)
        if (std::abs(a[r][c]) > std::abs(a[p][c]))
          p = r;
      for (int k = 0; k < 9; ++k)
        std::swap(a[c][k], a[p][k]);
      for (int r = 0; r < 8; ++r) {
        if (r == c)
          continue;
        const double f = a[r][c] / a[c][c];
        for (int k = 0; k < 9; ++k)
          a[r][k] -= f * a[c][k];
      }
    }
    for (int i = 0; i < 8; ++i)
      h_[i] = a[i][8] / a[i][i];
    h_[8] = 1;
  }
  Point to_image(Point uv) const {
    const double w = h_[6] * uv.x + h_[7] * uv.y + h_[8];
    return {(h_[0] * uv.x + h_[1] * uv.y + h_[2]) / w, (h_[3] * uv.x + h_[4] * uv.y + h_[5]) / w};
  }
  Point to_chart(Point xy) const {
    // Inverse by Cramer's rule on the 2×2 system the projective equations give.
    const double a = h_[0] - h_[6] * xy.x, b = h_[1] - h_[7] * xy.x, c = xy.x - h_[2];
    const double d = h_[3] - h_[6] * xy.y, e = h_[4] - h_[7] * xy.y, f = xy.y - h_[5];
    const double det = a * e - b * d;
    return {(c * e - b * f) / det, (a * f - c * d) / det};
  }

 private:
  std::array<double, 9> h_{};
};

/// A camera: XYZ D50 → linear camera RGB through a matrix, times exposure, then encoded.
struct TestCamera {
  // XYZ = matrix × camera RGB (rows X, Y, Z); a perturbed Adobe RGB, wide enough that every
  // ColorChecker colour has positive camera values.
  std::array<Vec3, 3> matrix{{{0.60, 0.22, 0.14}, {0.30, 0.64, 0.06}, {0.02, 0.07, 0.735}}};
  double exposure = 0.9;
  std::function<Vec3(const Vec3&)> nonlinearity;  ///< applied to linear RGB when set

  Vec3 linear_rgb(const Xyz& xyz) const {
    // Solve matrix × rgb = xyz (3×3, Cramer's rule).
    const auto& m = matrix;
    const auto det3 = [](const Vec3& c0, const Vec3& c1, const Vec3& c2) {
      return c0[0] * (c1[1] * c2[2] - c1[2] * c2[1]) - c1[0] * (c0[1] * c2[2] - c0[2] * c2[1]) +
             c2[0] * (c0[1] * c1[2] - c0[2] * c1[1]);
    };
    const Vec3 col0{m[0][0], m[1][0], m[2][0]}, col1{m[0][1], m[1][1], m[2][1]},
        col2{m[0][2], m[1][2], m[2][2]}, rhs{xyz.X, xyz.Y, xyz.Z};
    const double det = det3(col0, col1, col2);
    Vec3 rgb{det3(rhs, col1, col2) / det, det3(col0, rhs, col2) / det, det3(col0, col1, rhs) / det};
    for (double& v : rgb)
      v *= exposure;
    return nonlinearity ? nonlinearity(rgb) : rgb;
  }
  /// sRGB-encoded device values 0–1 (clamped) of a Lab D50 colour.
  Vec3 device(const Lab& lab) const {
    Vec3 rgb = linear_rgb(to_xyz(lab));
    for (double& v : rgb)
      v = srgb_encode(std::clamp(v, 0.0, 1.0));
    return rgb;
  }
};

/// The built-in layout and references without its spectra: test cameras that map Lab to device
/// values have no spectral response to estimate, so skin training has nothing to learn from them
/// (calibration_skin_test.cpp tests it with measured camera sensitivities).
inline const ChartDefinition& classic_without_spectra() {
  static const ChartDefinition chart = [] {
    ChartDefinition c = builtin_chart();
    c.spectra.clear();
    return c;
  }();
  return chart;
}

struct SceneOptions {
  int width = 900, height = 700;
  int bits = 8;
  Vec3 background{0.55, 0.45, 0.40};  ///< device values
  Vec3 frame{0.08, 0.08, 0.08};       ///< the chart's black body
  double noise = 0.0;                 ///< Gaussian σ in device units
  unsigned seed = 1;
  /// The physical card around the patch field, beyond each side (left, top, right, bottom) in
  /// chart units (fractions of the field's width and height); all 0: the card is the field.
  std::array<double, 4> card{};
  Vec3 print{0.92, 0.92, 0.92};  ///< the logo and ruler printed on a bottom band of the card
};

/// A current ColorChecker Classic card (about 279 × 216 mm) around its 275 × 185 mm patch field:
/// narrow margins, and a band at the bottom with the maker's logo and a ruler.
inline constexpr std::array<double, 4> kClassicCard{2.0 / 275, 2.0 / 185, 2.0 / 275, 29.0 / 185};

/// The colour of the card at chart coordinates (u, v) outside the patch field: its black, or
/// the print on the bottom band (a logo block at the left, ruler ticks along the bottom edge).
inline Vec3 card_colour(const SceneOptions& o, double u, double v) {
  const double band = o.card[3];
  if (band > 0.05 && v > 1) {
    const double depth = (v - 1) / band;  // 0 at the field, 1 at the card's edge
    const bool logo = u > 0.04 && u < 0.30 && depth > 0.3 && depth < 0.65;
    const double tick = u / 0.02 - std::floor(u / 0.02);
    const bool ruler = depth > 0.8 && tick < 0.25 && u > 0 && u < 1;
    if (logo || ruler)
      return o.print;
  }
  return o.frame;
}

/// Renders `chart` with patch colours `device_of(i)` at `corners` (chart order), 3×3
/// supersampled so patch edges are anti-aliased like a real photo.
inline Image render_chart(const ChartDefinition& chart, const std::array<Point, 4>& corners,
                          const std::function<Vec3(std::size_t)>& device_of,
                          const SceneOptions& o = {}) {
  Image image;
  image.width = o.width;
  image.height = o.height;
  image.bits = o.bits;
  image.channels = 3;
  image.source = "synthetic chart";
  image.icc_profile = srgb_profile_bytes();
  image.pixels.resize(static_cast<std::size_t>(o.width) * o.height * 3 * (o.bits == 16 ? 2 : 1));
  const TestHomography h(corners);
  std::vector<Vec3> patch_colours;
  for (std::size_t i = 0; i < chart.patches.size(); ++i)
    patch_colours.push_back(device_of(i));
  std::mt19937 random(o.seed);
  std::normal_distribution<double> noise(0.0, o.noise > 0 ? o.noise : 1.0);
  const double max_code = o.bits == 16 ? 65535.0 : 255.0;
  for (int y = 0; y < o.height; ++y) {
    for (int x = 0; x < o.width; ++x) {
      Vec3 sum{0, 0, 0};
      for (int sy = 0; sy < 3; ++sy) {
        for (int sx = 0; sx < 3; ++sx) {
          const Point uv = h.to_chart({x + (sx + 0.5) / 3, y + (sy + 0.5) / 3});
          Vec3 colour = o.background;
          if (uv.x >= -o.card[0] && uv.x <= 1 + o.card[2] && uv.y >= -o.card[1] &&
              uv.y <= 1 + o.card[3]) {
            colour = card_colour(o, uv.x, uv.y);
          }
          if (uv.x >= 0 && uv.x <= 1 && uv.y >= 0 && uv.y <= 1) {
            colour = o.frame;
            for (std::size_t i = 0; i < chart.patches.size(); ++i) {
              const auto& p = chart.patches[i];
              if (std::abs(uv.x - p.center.x) <= p.width / 2 &&
                  std::abs(uv.y - p.center.y) <= p.height / 2)
                colour = patch_colours[i];
            }
          }
          for (int c = 0; c < 3; ++c)
            sum[c] += colour[c] / 9;
        }
      }
      for (int c = 0; c < 3; ++c) {
        const double v =
            std::clamp(sum[c] + (o.noise > 0 ? o.noise * noise(random) : 0.0), 0.0, 1.0);
        const auto index = (static_cast<std::size_t>(y) * o.width + x) * 3 + c;
        if (o.bits == 16) {
          const auto code = static_cast<std::uint16_t>(std::lround(v * max_code));
          std::memcpy(image.pixels.data() + 2 * index, &code, 2);
        } else {
          image.pixels[index] = static_cast<std::byte>(std::lround(v * max_code));
        }
      }
    }
  }
  return image;
}

}  // namespace pigmatch::test
