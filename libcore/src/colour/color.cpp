// Colorimetry: conversions between XYZ, xyY, Lab and LCh, Bradford adaptation and colour
// differences. Everything here is a pure function of its arguments: no state, no allocation.
#include "pigmatch/colour/color.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace pigmatch {
namespace {

constexpr double kDegPerRad = 180.0 / std::numbers::pi;
constexpr double kRadPerDeg = std::numbers::pi / 180.0;

// CIE 15:2004 exact rationals, instead of the rounded 0.008856 / 903.3, so that the Lab
// function and its inverse are continuous at the breakpoint.
constexpr double kLabEpsilon = 216.0 / 24389.0;  // (6/29)^3
constexpr double kLabKappa = 24389.0 / 27.0;     // (29/3)^3
constexpr double kLabFBreak = 6.0 / 29.0;        // f(kLabEpsilon)

double lab_f(double t) noexcept {
  return t > kLabEpsilon ? std::cbrt(t) : (kLabKappa * t + 16.0) / 116.0;
}

double lab_f_inverse(double f) noexcept {
  return f > kLabFBreak ? f * f * f : (116.0 * f - 16.0) / kLabKappa;
}

double square(double v) noexcept {
  return v * v;
}

// Hue angle in degrees in [0, 360); 0 for a neutral (a = b = 0), as CIE 15 and Sharma et al. do.
double hue_degrees(double b, double a) noexcept {
  if (a == 0.0 && b == 0.0)
    return 0.0;
  double h = std::atan2(b, a) * kDegPerRad;
  if (h < 0.0) {
    h += 360.0;
    // A hue a hair below 0 rounds to 360 when wrapped; it is 0.
    if (h >= 360.0)
      h = 0.0;
  }
  return h;
}

// ΔH*ab² as CIE 116 and CIE 15 define it, from ΔE*ab² − ΔL*² − ΔC*ab². It cancels for nearly
// identical colours, but the noise (~sqrt(ε)·ΔE) adds in quadrature to terms of size ΔE, so the
// ΔE it feeds stays accurate to ~ε; only the sign of rounding needs clamping.
double delta_h_ab_squared(const Lab& lab1, double c1, const Lab& lab2, double c2) noexcept {
  return std::max(0.0, square(lab1.a - lab2.a) + square(lab1.b - lab2.b) - square(c1 - c2));
}

struct Matrix3 {
  std::array<std::array<double, 3>, 3> m;

  constexpr Xyz operator*(const Xyz& v) const noexcept {
    return {m[0][0] * v.X + m[0][1] * v.Y + m[0][2] * v.Z,
            m[1][0] * v.X + m[1][1] * v.Y + m[1][2] * v.Z,
            m[2][0] * v.X + m[2][1] * v.Y + m[2][2] * v.Z};
  }
};

constexpr Matrix3 inverse(const Matrix3& a) noexcept {
  const auto& m = a.m;
  const double c00 = m[1][1] * m[2][2] - m[1][2] * m[2][1];
  const double c01 = m[1][2] * m[2][0] - m[1][0] * m[2][2];
  const double c02 = m[1][0] * m[2][1] - m[1][1] * m[2][0];
  const double det = m[0][0] * c00 + m[0][1] * c01 + m[0][2] * c02;
  return {{{{c00 / det, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det,
             (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det},
            {c01 / det, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det,
             (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det},
            {c02 / det, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det,
             (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det}}}};
}

// Lam & Rigg's linearised Bradford cone matrix (ICC v4 Annex E, Little CMS). The inverse is
// computed exactly at compile time rather than taken from the commonly published 7-digit
// rounding, so that adapting a white gives the destination white to machine precision.
constexpr Matrix3 kBradford{
    {{{0.8951, 0.2664, -0.1614}, {-0.7502, 1.7135, 0.0367}, {0.0389, -0.0685, 1.0296}}}};
constexpr Matrix3 kBradfordInverse = inverse(kBradford);

constexpr double kPow25To7 = 6103515625.0;  // 25^7, CIEDE2000's chroma saturation constant

double pow7(double v) noexcept {
  const double v2 = v * v;
  return v2 * v2 * v2 * v;
}

}  // namespace

Xyy to_xyy(const Xyz& xyz, const Xyz& white_for_black) noexcept {
  const double sum = xyz.X + xyz.Y + xyz.Z;
  if (sum == 0.0) {
    const double white_sum = white_for_black.X + white_for_black.Y + white_for_black.Z;
    return {white_for_black.X / white_sum, white_for_black.Y / white_sum, xyz.Y};
  }
  return {xyz.X / sum, xyz.Y / sum, xyz.Y};
}

Xyz to_xyz(const Xyy& xyy) noexcept {
  if (xyy.y == 0.0)
    return {0.0, xyy.Y, 0.0};
  const double scale = xyy.Y / xyy.y;
  return {xyy.x * scale, xyy.Y, (1.0 - xyy.x - xyy.y) * scale};
}

Lab to_lab(const Xyz& xyz, const Xyz& white) noexcept {
  const double fx = lab_f(xyz.X / white.X);
  const double fy = lab_f(xyz.Y / white.Y);
  const double fz = lab_f(xyz.Z / white.Z);
  return {116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)};
}

Xyz to_xyz(const Lab& lab, const Xyz& white) noexcept {
  const double fy = (lab.L + 16.0) / 116.0;
  const double fx = fy + lab.a / 500.0;
  const double fz = fy - lab.b / 200.0;
  return {white.X * lab_f_inverse(fx), white.Y * lab_f_inverse(fy), white.Z * lab_f_inverse(fz)};
}

Lch to_lch(const Lab& lab) noexcept {
  return {lab.L, std::hypot(lab.a, lab.b), hue_degrees(lab.b, lab.a)};
}

Lab to_lab(const Lch& lch) noexcept {
  const double h = lch.h * kRadPerDeg;
  return {lch.L, lch.C * std::cos(h), lch.C * std::sin(h)};
}

Xyz adapt_bradford(const Xyz& xyz, const Xyz& from, const Xyz& to) noexcept {
  const Xyz cone_from = kBradford * from;
  const Xyz cone_to = kBradford * to;
  const Xyz cone = kBradford * xyz;
  const Xyz adapted{cone.X * cone_to.X / cone_from.X, cone.Y * cone_to.Y / cone_from.Y,
                    cone.Z * cone_to.Z / cone_from.Z};
  return kBradfordInverse * adapted;
}

double delta_e76(const Lab& reference, const Lab& sample) noexcept {
  return std::sqrt(square(reference.L - sample.L) + square(reference.a - sample.a) +
                   square(reference.b - sample.b));
}

double delta_e94(const Lab& reference, const Lab& sample, De94Application application) noexcept {
  const bool textiles = application == De94Application::textiles;
  const double kL = textiles ? 2.0 : 1.0;
  const double k1 = textiles ? 0.048 : 0.045;
  const double k2 = textiles ? 0.014 : 0.015;

  const double c1 = std::hypot(reference.a, reference.b);
  const double c2 = std::hypot(sample.a, sample.b);
  const double dh2 = delta_h_ab_squared(reference, c1, sample, c2);
  const double sc = 1.0 + k1 * c1;
  const double sh = 1.0 + k2 * c1;
  return std::sqrt(square((reference.L - sample.L) / kL) + square((c1 - c2) / sc) +
                   dh2 / square(sh));
}

double delta_e_cmc(const Lab& reference, const Lab& sample, double l, double c) noexcept {
  const double l1 = reference.L;
  const double c1 = std::hypot(reference.a, reference.b);
  const double c2 = std::hypot(sample.a, sample.b);
  const double h1 = hue_degrees(reference.b, reference.a);

  const double sl = l1 < 16.0 ? 0.511 : 0.040975 * l1 / (1.0 + 0.01765 * l1);
  const double sc = 0.0638 * c1 / (1.0 + 0.0131 * c1) + 0.638;
  const double c1_4 = square(square(c1));
  const double f = std::sqrt(c1_4 / (c1_4 + 1900.0));
  const double t = (h1 >= 164.0 && h1 <= 345.0)
                       ? 0.56 + std::abs(0.2 * std::cos((h1 + 168.0) * kRadPerDeg))
                       : 0.36 + std::abs(0.4 * std::cos((h1 + 35.0) * kRadPerDeg));
  const double sh = sc * (f * t + 1.0 - f);

  const double dh2 = delta_h_ab_squared(reference, c1, sample, c2);
  return std::sqrt(square((l1 - sample.L) / (l * sl)) + square((c1 - c2) / (c * sc)) +
                   dh2 / square(sh));
}

// Step numbers follow Sharma, Wu & Dalal (2005), equations (2)–(22).
double delta_e2000(const Lab& lab1, const Lab& lab2, const De2000Weights& weights) noexcept {
  // (2)–(7): a' stretched along a* for low-chroma colours, then C', h'.
  const double c_ab_mean = (std::hypot(lab1.a, lab1.b) + std::hypot(lab2.a, lab2.b)) / 2.0;
  const double c_ab_mean7 = pow7(c_ab_mean);
  const double g = 0.5 * (1.0 - std::sqrt(c_ab_mean7 / (c_ab_mean7 + kPow25To7)));
  const double a1p = (1.0 + g) * lab1.a;
  const double a2p = (1.0 + g) * lab2.a;
  const double c1p = std::hypot(a1p, lab1.b);
  const double c2p = std::hypot(a2p, lab2.b);
  const double h1p = hue_degrees(lab1.b, a1p);
  const double h2p = hue_degrees(lab2.b, a2p);
  const double chroma_product = c1p * c2p;
  const bool has_neutral = chroma_product == 0.0;

  // (8)–(11): differences; the hue difference takes the short way round the circle and is
  // zero when either colour is neutral (its hue is undefined).
  const double dlp = lab2.L - lab1.L;
  const double dcp = c2p - c1p;
  double dhp = 0.0;
  if (!has_neutral) {
    dhp = h2p - h1p;
    if (dhp > 180.0) {
      dhp -= 360.0;
    } else if (dhp < -180.0) {
      dhp += 360.0;
    }
  }
  const double dHp = 2.0 * std::sqrt(chroma_product) * std::sin(dhp * kRadPerDeg / 2.0);

  // (12)–(14): means; the mean hue is taken on the short arc, and is the plain sum when one
  // colour is neutral (then the other's hue, since the neutral one's is 0).
  const double lp_mean = (lab1.L + lab2.L) / 2.0;
  const double cp_mean = (c1p + c2p) / 2.0;
  const double hp_sum = h1p + h2p;
  double hp_mean = hp_sum;
  if (!has_neutral) {
    if (std::abs(h1p - h2p) <= 180.0) {
      hp_mean = hp_sum / 2.0;
    } else if (hp_sum < 360.0) {
      hp_mean = (hp_sum + 360.0) / 2.0;
    } else {
      hp_mean = (hp_sum - 360.0) / 2.0;
    }
  }

  // (15)–(22): weighting functions and the rotation term for blues.
  const double t = 1.0 - 0.17 * std::cos((hp_mean - 30.0) * kRadPerDeg) +
                   0.24 * std::cos(2.0 * hp_mean * kRadPerDeg) +
                   0.32 * std::cos((3.0 * hp_mean + 6.0) * kRadPerDeg) -
                   0.20 * std::cos((4.0 * hp_mean - 63.0) * kRadPerDeg);
  const double d_theta = 30.0 * std::exp(-square((hp_mean - 275.0) / 25.0));
  const double cp_mean7 = pow7(cp_mean);
  const double rc = 2.0 * std::sqrt(cp_mean7 / (cp_mean7 + kPow25To7));
  const double l_offset2 = square(lp_mean - 50.0);
  const double sl = 1.0 + 0.015 * l_offset2 / std::sqrt(20.0 + l_offset2);
  const double sc = 1.0 + 0.045 * cp_mean;
  const double sh = 1.0 + 0.015 * cp_mean * t;
  const double rt = -std::sin(2.0 * d_theta * kRadPerDeg) * rc;

  const double lightness = dlp / (weights.kL * sl);
  const double chroma = dcp / (weights.kC * sc);
  const double hue = dHp / (weights.kH * sh);
  return std::sqrt(square(lightness) + square(chroma) + square(hue) + rt * chroma * hue);
}

}  // namespace pigmatch
