// RGB ICC profiles made by Little CMS from published primaries (with the D65 white) and curves:
// the reference profiles that wide-gamut and phone photos are checked against. Test support.
#pragma once

#include <lcms2.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "icc_bytes.h"

namespace pigmatch::test {

inline const cmsCIExyYTRIPLE kRec709Primaries{
    {0.640, 0.330, 1}, {0.300, 0.600, 1}, {0.150, 0.060, 1}};
inline const cmsCIExyYTRIPLE kDisplayP3Primaries{
    {0.680, 0.320, 1}, {0.265, 0.690, 1}, {0.150, 0.060, 1}};
inline const cmsCIExyYTRIPLE kAdobeRgbPrimaries{{0.64, 0.33, 1}, {0.21, 0.71, 1}, {0.15, 0.06, 1}};
inline const cmsCIExyYTRIPLE kRec2020Primaries{
    {0.708, 0.292, 1}, {0.170, 0.797, 1}, {0.131, 0.046, 1}};

/// IEC 61966-2-1 (sRGB, and Display P3's curve).
inline cmsToneCurve* srgb_curve() {
  const cmsFloat64Number p[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
  return cmsBuildParametricToneCurve(nullptr, 4, p);
}
/// The inverse of the BT.709 camera curve (BT.709, BT.601, BT.2020).
inline cmsToneCurve* bt709_curve() {
  const cmsFloat64Number p[5] = {1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081};
  return cmsBuildParametricToneCurve(nullptr, 4, p);
}
/// Adobe RGB (1998): gamma 2 51/256.
inline cmsToneCurve* adobe_rgb_curve() {
  return cmsBuildGamma(nullptr, 563.0 / 256.0);
}

/// An RGB profile of `primaries` with the D65 white and `curve` (taken and freed) on every
/// channel.
inline std::vector<std::uint8_t> rgb_profile(const cmsCIExyYTRIPLE& primaries,
                                             cmsToneCurve* curve) {
  const cmsCIExyY d65{0.3127, 0.3290, 1.0};
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&d65, &primaries, curves);
  cmsFreeToneCurve(curve);
  return profile_bytes(profile);
}

}  // namespace pigmatch::test
