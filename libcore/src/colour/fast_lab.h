// fast_lab.h — the matrix/shaper fast path of LabTransform (private to libcore).
//
// A matrix/shaper input profile is: per-channel tone curves (device → linear), a 3×3 colorant
// matrix (linear RGB → XYZ D50), then the PCS. For 8/16-bit input the curves become exact
// lookup tables, so a pixel costs three loads, nine multiply-adds and three cube roots.
#pragma once

#include <lcms2.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace pigmatch::detail {

/// A matrix/shaper profile reduced to what the fast path evaluates.
struct ShaperMatrix {
  int channels = 3;  ///< 1 (grey: Y only) or 3 (RGB)
  int bits = 8;      ///< 8 or 16: each table has 2^bits entries
  /// Device code → linear value, per channel (grey uses [0]); values of cmsEvalToneCurveFloat.
  std::array<std::vector<float>, 3> linear;
  /// Linear RGB → (X/Xn, Y/Yn, Z/Zn) with n = D50, row-major; unused for grey.
  std::array<float, 9> to_relative_xyz{};
};

/// The fast-path model of `profile` for the given layout, or nothing when Little CMS would not
/// evaluate the profile as a matrix/shaper (a LUT tag takes precedence) or the case is not
/// covered (grey with a Lab PCS).
std::optional<ShaperMatrix> make_shaper_matrix(cmsHPROFILE profile, int channels, int bits);

/// Converts `count` pixels (interleaved samples of model.bits) to `count` L*a*b* triplets.
void shaper_matrix_to_lab(const ShaperMatrix& model, const void* pixels, std::size_t count,
                          float* lab) noexcept;

}  // namespace pigmatch::detail
