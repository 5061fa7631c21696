// pigmatch/colour/color.h — colorimetric value types, white points, chromatic adaptation and colour
// differences.
//
// Conventions: XYZ is relative with Y = 1 for the perfect white (not 100). Lab is CIELAB with
// L* in 0..100. Unless a function says otherwise, Lab is relative to D50 (the ICC PCS), which is
// what every Little CMS transform in pigmatch produces.
#pragma once

namespace pigmatch {

struct Xyz {
  double X = 0, Y = 0, Z = 0;
};

struct Xyy {
  double x = 0, y = 0, Y = 0;
};

struct Lab {
  double L = 0, a = 0, b = 0;
};

/// Cylindrical Lab: chroma C* and hue angle h in degrees, 0 <= h < 360.
struct Lch {
  double L = 0, C = 0, h = 0;
};

/// Reference whites, Y = 1. D50 is the ICC PCS white (0.9642, 1, 0.8249); D65 is the CIE
/// 2° value (0.95047, 1, 1.08883) as used by sRGB.
namespace white {
inline constexpr Xyz d50{0.9642, 1.0, 0.8249};
inline constexpr Xyz d65{0.95047, 1.0, 1.08883};
}  // namespace white

/// Chromaticity x, y and luminance Y. Black (X + Y + Z = 0) has no chromaticity of its own and
/// gets that of `white_for_black`.
Xyy to_xyy(const Xyz& xyz, const Xyz& white_for_black = white::d50) noexcept;
/// XYZ from chromaticity and luminance; y = 0 (no real colour) gives X = Z = 0.
Xyz to_xyz(const Xyy& xyy) noexcept;

/// CIE 1976 L*a*b* from XYZ relative to `white` (default D50), with the CIE's exact
/// (216/24389, 24389/27) constants.
Lab to_lab(const Xyz& xyz, const Xyz& white = white::d50) noexcept;
/// The exact inverse of to_lab(const Xyz&, const Xyz&) for the same `white`.
Xyz to_xyz(const Lab& lab, const Xyz& white = white::d50) noexcept;

/// C*ab and h_ab in degrees, 0 <= h < 360; a neutral (a = b = 0) gets h = 0.
Lch to_lch(const Lab& lab) noexcept;
/// Lab from LCh; any hue angle is accepted (it is periodic).
Lab to_lab(const Lch& lch) noexcept;

/// Bradford chromatic adaptation of `xyz` seen under `from` white to the corresponding colour
/// under `to` white (the linear Bradford transform, as in ICC v4 and Little CMS).
Xyz adapt_bradford(const Xyz& xyz, const Xyz& from, const Xyz& to) noexcept;

/// ΔE*ab (CIE 1976): Euclidean distance in Lab.
double delta_e76(const Lab& reference, const Lab& sample) noexcept;

/// Weighting constants of ΔE*94: graphic arts (kL=1, K1=0.045, K2=0.015) or textiles
/// (kL=2, K1=0.048, K2=0.014).
enum class De94Application { graphic_arts, textiles };

/// ΔE*94 (CIE 1994). Not symmetric: the chroma weighting uses `reference`.
double delta_e94(const Lab& reference, const Lab& sample,
                 De94Application application = De94Application::graphic_arts) noexcept;

/// ΔE CMC(l:c) (BS 6923). Not symmetric: the weights use `reference`. l=2, c=1 for
/// acceptability; l=1, c=1 for perceptibility.
double delta_e_cmc(const Lab& reference, const Lab& sample, double l = 2.0,
                   double c = 1.0) noexcept;

/// Parametric factors of CIEDE2000; all 1 under reference conditions.
struct De2000Weights {
  double kL = 1.0, kC = 1.0, kH = 1.0;
};

/// CIEDE2000 (CIE 142-2001), implemented after Sharma, Wu & Dalal (2005), including their
/// notes on hue-angle discontinuities. Symmetric.
double delta_e2000(const Lab& a, const Lab& b, const De2000Weights& weights = {}) noexcept;

}  // namespace pigmatch
