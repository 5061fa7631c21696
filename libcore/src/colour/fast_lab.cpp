// fast_lab.cpp — the matrix/shaper fast path: exact 1-D tables, a 3×3 matrix and a vectorised
// cube root, checked against Little CMS's float transform in tests/colour/transform_test.cpp.
#include "colour/fast_lab.h"

#include <algorithm>
#include <cstring>

namespace pigmatch::detail {
namespace {

// Little CMS evaluates a matrix/shaper profile from these tags only when no LUT tag applies:
// _cmsReadInputLUT prefers D2Bx, then A2Bx (falling back to A2B0). Any of them present means the
// fast path would compute something other than what lcms computes, so we decline.
bool has_lut_tag(cmsHPROFILE profile) {
  const cmsTagSignature lut_tags[] = {cmsSigAToB0Tag, cmsSigAToB1Tag, cmsSigAToB2Tag,
                                      cmsSigDToB0Tag, cmsSigDToB1Tag, cmsSigDToB2Tag};
  return std::any_of(std::begin(lut_tags), std::end(lut_tags),
                     [&](cmsTagSignature tag) { return cmsIsTag(profile, tag) != 0; });
}

// The float transform reads an n-bit sample as code / (2^n - 1) in float (Unroll8ToFloat,
// Unroll16ToFloat) and evaluates the curve with cmsEvalToneCurveFloat; doing exactly that for
// every code makes the table exact, for parametric and tabulated curves alike.
std::vector<float> linearisation_table(const cmsToneCurve* curve, int bits) {
  const std::size_t size = std::size_t{1} << bits;
  const float max_code = static_cast<float>(size - 1);
  std::vector<float> table(size);
  for (std::size_t code = 0; code < size; ++code) {
    table[code] = cmsEvalToneCurveFloat(curve, static_cast<float>(code) / max_code);
  }
  return table;
}

std::optional<ShaperMatrix> make_rgb(cmsHPROFILE profile, int bits) {
  const cmsTagSignature trc_tags[] = {cmsSigRedTRCTag, cmsSigGreenTRCTag, cmsSigBlueTRCTag};
  const cmsTagSignature colorant_tags[] = {cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                           cmsSigBlueColorantTag};
  ShaperMatrix model;
  model.channels = 3;
  model.bits = bits;
  // Relative colorimetric: lcms uses the colorants as stored (already adapted to D50 by the
  // profile maker, ICC v4 / 'chad'); the media white point plays no part. Lab is then relative
  // to cmsD50_XYZ(), so the white is divided out here once.
  const cmsCIEXYZ* white = cmsD50_XYZ();
  const double white_xyz[3] = {white->X, white->Y, white->Z};
  for (int channel = 0; channel < 3; ++channel) {
    const auto* curve = static_cast<const cmsToneCurve*>(cmsReadTag(profile, trc_tags[channel]));
    const auto* colorant =
        static_cast<const cmsCIEXYZ*>(cmsReadTag(profile, colorant_tags[channel]));
    if (curve == nullptr || colorant == nullptr)
      return std::nullopt;
    model.linear[static_cast<std::size_t>(channel)] = linearisation_table(curve, bits);
    const double column[3] = {colorant->X, colorant->Y, colorant->Z};
    for (int row = 0; row < 3; ++row) {
      model.to_relative_xyz[static_cast<std::size_t>(row * 3 + channel)] =
          static_cast<float>(column[row] / white_xyz[row]);
    }
  }
  return model;
}

std::optional<ShaperMatrix> make_grey(cmsHPROFILE profile, int bits) {
  // With an XYZ PCS lcms maps grey to Y × D50 white, i.e. a = b = 0 and L from Y. With a Lab
  // PCS the curve gives L* directly; that rare case is left to lcms.
  if (cmsGetPCS(profile) != cmsSigXYZData)
    return std::nullopt;
  const auto* curve = static_cast<const cmsToneCurve*>(cmsReadTag(profile, cmsSigGrayTRCTag));
  if (curve == nullptr)
    return std::nullopt;
  ShaperMatrix model;
  model.channels = 1;
  model.bits = bits;
  model.linear[0] = linearisation_table(curve, bits);
  return model;
}

// ---- the kernel -------------------------------------------------------------------------------
//
// GCC/Clang vector extensions give explicit SIMD without intrinsics. The kernel is written once
// for a vector type V and compiled twice: 4 lanes for baseline x86-64 (SSE2: 8 lanes there would
// spill registers and run 4× slower, measured) and 8 lanes in an x86-64-v3 (AVX2 + FMA) function,
// picked at run time when the CPU has it. The helpers are always inlined into those functions,
// so the vector-ABI note GCC gives for 32-byte parameters does not apply; GCC reports it at the
// end of the file, so it is silenced for the whole file.
#pragma GCC diagnostic ignored "-Wpsabi"

using v4f = float __attribute__((vector_size(16)));
using v8f = float __attribute__((vector_size(32)));
template <typename V>
using IntVector = decltype(V{} < V{});  // the signed integer vector of the same shape
template <typename V>
constexpr std::size_t kLanes = sizeof(V) / sizeof(float);
constexpr std::size_t kChunk = 64;  // pixels per pass: the planar buffers stay in L1

constexpr float kEpsilon = 216.0f / 24389.0f;               // (6/29)^3
constexpr float kKappaOver116 = 24389.0f / 27.0f / 116.0f;  // slope of the linear segment

template <typename V>
[[gnu::always_inline]] inline V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename V>
[[gnu::always_inline]] inline void store(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// t^(1/3) for t > 0 as t · r² with r = t^(-1/3): a bit-level first guess (about 3 % off; the
// exponent divided by three, as in the inverse-square-root trick) and three Newton steps
// r ← r(4 − t r³)/3, which need no division. Relative error ≈ 2e-7, i.e. < 1e-4 in L*.
template <typename V>
[[gnu::always_inline]] inline V cube_root(V t) {
  using VI = IntVector<V>;
  const VI bits = __builtin_bit_cast(VI, t);
  const V bits_third = __builtin_convertvector(bits, V) * (1.0f / 3.0f);
  V r = __builtin_bit_cast(V, 0x54a2fa8c - __builtin_convertvector(bits_third, VI));
  const V t_third = t * (1.0f / 3.0f);
  // Written out: at -O2 GCC keeps a loop here.
  r = r * ((4.0f / 3.0f) - t_third * (r * r * r));
  r = r * ((4.0f / 3.0f) - t_third * (r * r * r));
  r = r * ((4.0f / 3.0f) - t_third * (r * r * r));
  return t * (r * r);
}

template <typename V>
[[gnu::always_inline]] inline V lab_f(V t) {
  const V epsilon = V{} + kEpsilon;
  const V root = cube_root(t > epsilon ? t : epsilon);  // keeps the guess away from t <= 0
  return t > epsilon ? root : t * kKappaOver116 + (16.0f / 116.0f);
}

template <typename V, typename Sample>
[[gnu::always_inline]] inline void rgb_to_lab(const ShaperMatrix& model, const Sample* src,
                                              std::size_t count, float* lab) {
  alignas(32) float r[kChunk], g[kChunk], b[kChunk];
  alignas(32) float l_out[kChunk], a_out[kChunk], b_out[kChunk];
  const float* lut_r = model.linear[0].data();
  const float* lut_g = model.linear[1].data();
  const float* lut_b = model.linear[2].data();
  const auto& m = model.to_relative_xyz;
  for (std::size_t start = 0; start < count; start += kChunk) {
    const std::size_t n = std::min(kChunk, count - start);
    const Sample* s = src + 3 * start;
    for (std::size_t i = 0; i < n; ++i) {
      r[i] = lut_r[s[3 * i]];
      g[i] = lut_g[s[3 * i + 1]];
      b[i] = lut_b[s[3 * i + 2]];
    }
    std::fill(r + n, r + kChunk, 0.0f);
    std::fill(g + n, g + kChunk, 0.0f);
    std::fill(b + n, b + kChunk, 0.0f);
    for (std::size_t i = 0; i < kChunk; i += kLanes<V>) {
      const V vr = load<V>(r + i), vg = load<V>(g + i), vb = load<V>(b + i);
      const V fx = lab_f(m[0] * vr + m[1] * vg + m[2] * vb);
      const V fy = lab_f(m[3] * vr + m[4] * vg + m[5] * vb);
      const V fz = lab_f(m[6] * vr + m[7] * vg + m[8] * vb);
      store(l_out + i, 116.0f * fy - 16.0f);
      store(a_out + i, 500.0f * (fx - fy));
      store(b_out + i, 200.0f * (fy - fz));
    }
    float* out = lab + 3 * start;
    for (std::size_t i = 0; i < n; ++i) {
      out[3 * i] = l_out[i];
      out[3 * i + 1] = a_out[i];
      out[3 * i + 2] = b_out[i];
    }
  }
}

template <typename V, typename Sample>
[[gnu::always_inline]] inline void grey_to_lab(const ShaperMatrix& model, const Sample* src,
                                               std::size_t count, float* lab) {
  alignas(32) float y[kChunk], l_out[kChunk];
  const float* lut = model.linear[0].data();
  for (std::size_t start = 0; start < count; start += kChunk) {
    const std::size_t n = std::min(kChunk, count - start);
    for (std::size_t i = 0; i < n; ++i)
      y[i] = lut[src[start + i]];
    std::fill(y + n, y + kChunk, 0.0f);
    for (std::size_t i = 0; i < kChunk; i += kLanes<V>) {
      store(l_out + i, 116.0f * lab_f(load<V>(y + i)) - 16.0f);
    }
    float* out = lab + 3 * start;
    for (std::size_t i = 0; i < n; ++i) {
      out[3 * i] = l_out[i];
      out[3 * i + 1] = 0.0f;
      out[3 * i + 2] = 0.0f;
    }
  }
}

template <typename V>
[[gnu::always_inline]] inline void to_lab(const ShaperMatrix& model, const void* pixels,
                                          std::size_t count, float* lab) {
  const bool rgb = model.channels == 3;
  if (model.bits == 8) {
    const auto* src = static_cast<const std::uint8_t*>(pixels);
    rgb ? rgb_to_lab<V>(model, src, count, lab) : grey_to_lab<V>(model, src, count, lab);
  } else {
    const auto* src = static_cast<const std::uint16_t*>(pixels);
    rgb ? rgb_to_lab<V>(model, src, count, lab) : grey_to_lab<V>(model, src, count, lab);
  }
}

void to_lab_baseline(const ShaperMatrix& model, const void* pixels, std::size_t count, float* lab) {
  to_lab<v4f>(model, pixels, count, lab);
}

// PIGMATCH_NO_WIDE_KERNEL builds the baseline only (to measure what the AVX2 kernel brings).
#if defined(__GNUC__) && defined(__x86_64__) && !defined(PIGMATCH_NO_WIDE_KERNEL)
#define PIGMATCH_WIDE_KERNEL 1
[[gnu::target("arch=x86-64-v3")]] void to_lab_avx2(const ShaperMatrix& model, const void* pixels,
                                                   std::size_t count, float* lab) {
  to_lab<v8f>(model, pixels, count, lab);
}

bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

}  // namespace

std::optional<ShaperMatrix> make_shaper_matrix(cmsHPROFILE profile, int channels, int bits) {
  if ((bits != 8 && bits != 16) || !cmsIsMatrixShaper(profile) || has_lut_tag(profile)) {
    return std::nullopt;
  }
  const cmsColorSpaceSignature space = cmsGetColorSpace(profile);
  if (channels == 3 && space == cmsSigRgbData)
    return make_rgb(profile, bits);
  if (channels == 1 && space == cmsSigGrayData)
    return make_grey(profile, bits);
  return std::nullopt;
}

void shaper_matrix_to_lab(const ShaperMatrix& model, const void* pixels, std::size_t count,
                          float* lab) noexcept {
#ifdef PIGMATCH_WIDE_KERNEL
  static const bool wide = cpu_has_avx2_fma();  // a constant of the machine, computed once
  if (wide) {
    to_lab_avx2(model, pixels, count, lab);
    return;
  }
#endif
  to_lab_baseline(model, pixels, count, lab);
}

}  // namespace pigmatch::detail
