// Tests of pigmatch/transform.h: the fast path against Little CMS's own float transform over every
// 8-bit RGB value and a large 16-bit sample, an independent sRGB computation, and the rejection
// of profiles that do not describe the image.
#include "pigmatch/colour/transform.h"

#include <lcms2.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "icc_bytes.h"
#include "pigmatch/error.h"

namespace {

using pigmatch::ErrorCode;
using pigmatch::Image;
using pigmatch::LabImage;
using pigmatch::LabTransform;
using pigmatch::PixelLayout;
using pigmatch::ProfileSource;
using pigmatch::Rect;

// ---- profiles, made by Little CMS and passed around as ICC bytes as a photo would carry them --

using Bytes = std::vector<std::uint8_t>;

Bytes to_bytes(cmsHPROFILE profile) {
  return pigmatch::test::profile_bytes(profile);
}

void set_description(cmsHPROFILE profile, const char* text) {
  cmsMLU* mlu = cmsMLUalloc(nullptr, 1);
  cmsMLUsetASCII(mlu, "en", "US", text);
  cmsWriteTag(profile, cmsSigProfileDescriptionTag, mlu);
  cmsMLUfree(mlu);
}

constexpr cmsCIExyY kD65{0.3127, 0.3290, 1.0};

cmsHPROFILE rgb_profile(const cmsCIExyY& white, const cmsCIExyYTRIPLE& primaries,
                        const std::array<cmsToneCurve*, 3>& curves, const char* description) {
  cmsToneCurve* c[3] = {curves[0], curves[1], curves[2]};
  cmsHPROFILE profile = cmsCreateRGBProfile(&white, &primaries, c);
  for (cmsToneCurve* curve : curves)
    cmsFreeToneCurve(curve);
  set_description(profile, description);
  return profile;
}

Bytes srgb_bytes() {
  return to_bytes(cmsCreate_sRGBProfile());
}

Bytes adobe_like_bytes() {
  const cmsCIExyYTRIPLE adobe{{0.64, 0.33, 1}, {0.21, 0.71, 1}, {0.15, 0.06, 1}};
  return to_bytes(rgb_profile(
      kD65, adobe,
      {cmsBuildGamma(nullptr, 2.2), cmsBuildGamma(nullptr, 2.2), cmsBuildGamma(nullptr, 2.2)},
      "Test AdobeRGB-like gamma 2.2"));
}

// A different curve kind per channel: a 4096-entry table (L*-like, stored as 16-bit 'curv'),
// an IEC 61966-3 parametric curve (type 5, with offsets) and a type-3 parametric curve.
Bytes mixed_curves_bytes() {
  std::vector<cmsUInt16Number> table(4096);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const double v = static_cast<double>(i) / (table.size() - 1) * 100.0;  // L*
    const double y = v > 8.0 ? std::pow((v + 16.0) / 116.0, 3.0) : v / (24389.0 / 27.0);
    table[i] = static_cast<cmsUInt16Number>(std::lround(y * 65535.0));
  }
  const cmsFloat64Number type5[] = {2.2, 0.95, 0.05, 0.1, 0.06, 0.01, 0.0};
  const cmsFloat64Number type3[] = {1.8, 1.0, 0.0, 1.0 / 16.0, 0.03125};
  const cmsCIExyY d50{0.3457, 0.3585, 1.0};
  const cmsCIExyYTRIPLE prophoto{{0.7347, 0.2653, 1}, {0.1596, 0.8404, 1}, {0.0366, 0.0001, 1}};
  return to_bytes(
      rgb_profile(d50, prophoto,
                  {cmsBuildTabulatedToneCurve16(nullptr, static_cast<cmsUInt32Number>(table.size()),
                                                table.data()),
                   cmsBuildParametricToneCurve(nullptr, 5, type5),
                   cmsBuildParametricToneCurve(nullptr, 3, type3)},
                  "Test mixed tabulated/parametric curves"));
}

// An ICC v2 profile whose media white point is D65: relative colorimetric must ignore it.
Bytes v2_d65_white_bytes() {
  const cmsCIExyYTRIPLE rec709{{0.64, 0.33, 1}, {0.30, 0.60, 1}, {0.15, 0.06, 1}};
  cmsHPROFILE profile = rgb_profile(
      kD65, rec709,
      {cmsBuildGamma(nullptr, 1.8), cmsBuildGamma(nullptr, 2.0), cmsBuildGamma(nullptr, 2.4)},
      "Test v2 D65 media white");
  cmsSetProfileVersion(profile, 2.4);
  cmsCIEXYZ d65_xyz;
  cmsxyY2XYZ(&d65_xyz, &kD65);
  cmsWriteTag(profile, cmsSigMediaWhitePointTag, &d65_xyz);
  return to_bytes(profile);
}

Bytes grey_bytes(cmsToneCurve* curve, const char* description) {
  cmsHPROFILE profile = cmsCreateGrayProfile(cmsD50_xyY(), curve);
  cmsFreeToneCurve(curve);
  set_description(profile, description);
  return to_bytes(profile);
}

Bytes grey_gamma_bytes() {
  return grey_bytes(cmsBuildGamma(nullptr, 2.2), "Test grey gamma 2.2");
}

Bytes grey_table_bytes() {
  std::vector<float> table(256);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const double v = static_cast<double>(i) / 255.0;
    table[i] = static_cast<float>(0.5 * v * v + 0.5 * std::pow(v, 3.0));
  }
  return grey_bytes(cmsBuildTabulatedToneCurveFloat(nullptr, 256, table.data()),
                    "Test grey tabulated");
}

// A 3-D LUT profile (A2B0, Lab PCS) sampled from sRGB, as a camera-profiling tool would make.
cmsPipeline* srgb_to_lab_clut_pipeline() {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM transform =
      cmsCreateTransform(srgb, TYPE_RGB_16, lab, TYPE_Lab_16, INTENT_RELATIVE_COLORIMETRIC, 0);
  cmsCloseProfile(srgb);
  cmsCloseProfile(lab);
  cmsPipeline* pipeline = cmsPipelineAlloc(nullptr, 3, 3);
  cmsStage* clut = cmsStageAllocCLut16bit(nullptr, 17, 3, 3, nullptr);
  const auto sample = [](const cmsUInt16Number in[], cmsUInt16Number out[], void* cargo) {
    cmsDoTransform(static_cast<cmsHTRANSFORM>(cargo), in, out, 1);
    return 1;
  };
  cmsStageSampleCLut16bit(clut, sample, transform, 0);
  // ICC lutAtoBType wants curves around the table; identity curves make the pipeline A-CLUT-B.
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsPipelineInsertStage(pipeline, cmsAT_END, clut);
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsDeleteTransform(transform);
  return pipeline;
}

cmsHPROFILE placeholder(cmsProfileClassSignature device_class, cmsColorSpaceSignature space) {
  cmsHPROFILE profile = cmsCreateProfilePlaceholder(nullptr);
  cmsSetProfileVersion(profile, 4.3);
  cmsSetDeviceClass(profile, device_class);
  cmsSetColorSpace(profile, space);
  cmsSetPCS(profile, cmsSigLabData);
  cmsWriteTag(profile, cmsSigMediaWhitePointTag, cmsD50_XYZ());
  set_description(profile, "Test LUT profile");
  return profile;
}

Bytes lut_input_bytes() {
  cmsHPROFILE profile = placeholder(cmsSigInputClass, cmsSigRgbData);
  cmsPipeline* pipeline = srgb_to_lab_clut_pipeline();
  cmsWriteTag(profile, cmsSigAToB0Tag, pipeline);
  cmsPipelineFree(pipeline);
  return to_bytes(profile);
}

// sRGB's matrix/shaper tags plus an A2B0 tag: lcms uses the A2B0, so the fast path must not.
Bytes matrix_shaper_with_lut_bytes() {
  cmsHPROFILE profile = cmsCreate_sRGBProfile();
  cmsPipeline* pipeline = srgb_to_lab_clut_pipeline();
  cmsSetPCS(profile, cmsSigLabData);
  cmsWriteTag(profile, cmsSigAToB0Tag, pipeline);
  cmsPipelineFree(pipeline);
  return to_bytes(profile);
}

Bytes output_only_bytes() {
  cmsHPROFILE profile = placeholder(cmsSigOutputClass, cmsSigRgbData);
  cmsPipeline* pipeline = srgb_to_lab_clut_pipeline();  // stands in for a Lab → RGB table
  cmsWriteTag(profile, cmsSigBToA0Tag, pipeline);
  cmsPipelineFree(pipeline);
  return to_bytes(profile);
}

Bytes cmyk_bytes() {
  cmsHPROFILE profile = placeholder(cmsSigOutputClass, cmsSigCmykData);
  cmsPipeline* pipeline = cmsPipelineAlloc(nullptr, 4, 3);
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 4, nullptr));
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocCLut16bit(nullptr, 3, 4, 3, nullptr));
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsWriteTag(profile, cmsSigAToB0Tag, pipeline);
  cmsPipelineFree(pipeline);
  return to_bytes(profile);
}

Bytes device_link_bytes() {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHTRANSFORM transform =
      cmsCreateTransform(srgb, TYPE_RGB_8, srgb, TYPE_RGB_8, INTENT_RELATIVE_COLORIMETRIC, 0);
  cmsHPROFILE link = cmsTransform2DeviceLink(transform, 4.3, 0);
  cmsDeleteTransform(transform);
  cmsCloseProfile(srgb);
  return to_bytes(link);
}

Bytes abstract_bytes() {
  return to_bytes(cmsCreateBCHSWabstractProfile(9, 10, 1, 0, 1, 0, 0));
}

// ---- images -------------------------------------------------------------------------------

template <typename Sample>
Image make_image(int width, int height, int channels, const std::vector<Sample>& samples) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.bits = sizeof(Sample) == 1 ? 8 : 16;
  image.source = "test.tif";
  REQUIRE(samples.size() == static_cast<std::size_t>(width) * height * channels);
  image.pixels.resize(samples.size() * sizeof(Sample));
  std::memcpy(image.pixels.data(), samples.data(), image.pixels.size());
  return image;
}

// Every 8-bit RGB value once: 4096 × 4096 pixels.
const Image& all_rgb8() {
  static const Image image = [] {
    std::vector<std::uint8_t> samples(std::size_t{3} << 24);
    for (std::uint32_t i = 0; i < (1u << 24); ++i) {
      samples[3 * i] = static_cast<std::uint8_t>(i >> 16);
      samples[3 * i + 1] = static_cast<std::uint8_t>(i >> 8);
      samples[3 * i + 2] = static_cast<std::uint8_t>(i);
    }
    return make_image(4096, 4096, 3, samples);
  }();
  return image;
}

// 2 M random 16-bit RGB pixels, plus the extremes.
const Image& random_rgb16() {
  static const Image image = [] {
    std::mt19937 rng(20240611);
    std::uniform_int_distribution<int> sample(0, 65535);
    std::vector<std::uint16_t> samples(std::size_t{3} * 2048 * 1024);
    for (auto& s : samples)
      s = static_cast<std::uint16_t>(sample(rng));
    std::fill_n(samples.begin(), 3, std::uint16_t{0});
    std::fill_n(samples.begin() + 3, 3, std::uint16_t{65535});
    return make_image(2048, 1024, 3, samples);
  }();
  return image;
}

template <typename Sample>
Image all_grey() {
  std::vector<Sample> samples(std::size_t{1} << (8 * sizeof(Sample)));
  for (std::size_t i = 0; i < samples.size(); ++i)
    samples[i] = static_cast<Sample>(i);
  return make_image(256, static_cast<int>(samples.size() / 256), 1, samples);
}

// ---- comparison ----------------------------------------------------------------------------

struct DeltaE {
  double mean = 0, max = 0;
};

double de00(const float* a, const float* b) {
  const cmsCIELab lab_a{a[0], a[1], a[2]};
  const cmsCIELab lab_b{b[0], b[1], b[2]};
  return cmsCIE2000DeltaE(&lab_a, &lab_b, 1, 1, 1);
}

DeltaE compare(const LabImage& reference, const LabImage& sample) {
  REQUIRE(reference.width == sample.width);
  REQUIRE(reference.height == sample.height);
  REQUIRE(reference.lab.size() == sample.lab.size());
  DeltaE result;
  const std::size_t pixels = reference.lab.size() / 3;
  for (std::size_t i = 0; i < pixels; ++i) {
    const double de = de00(&reference.lab[3 * i], &sample.lab[3 * i]);
    result.mean += de;
    result.max = std::max(result.max, de);
  }
  result.mean /= static_cast<double>(pixels);
  return result;
}

Rect whole(const Image& image) {
  return Rect{0, 0, image.width, image.height};
}

void check_fast_matches_lcms(const LabTransform& transform, const Image& image) {
  REQUIRE(transform.is_fast_path());
  const LabImage fast = transform.apply(image);
  const LabImage reference = transform.apply_reference(image, whole(image));
  const DeltaE de = compare(reference, fast);
  INFO(transform.profile_description()
       << ", " << image.bits << "-bit: mean ΔE00 " << de.mean << ", max " << de.max);
  CHECK(de.mean <= 0.01);
  CHECK(de.max <= 0.1);
  WARN(transform.profile_description()
       << ", " << image.bits << "-bit, fast vs lcms float: mean ΔE00 " << de.mean << ", max "
       << de.max);
}

}  // namespace

// ---- accuracy ------------------------------------------------------------------------------

TEST_CASE("fast path matches Little CMS's float transform on matrix/shaper RGB profiles",
          "[transform][accuracy]") {
  const std::vector<std::pair<const char*, Bytes>> profiles = {
      {"sRGB", srgb_bytes()},
      {"AdobeRGB-like", adobe_like_bytes()},
      {"mixed curves", mixed_curves_bytes()},
      {"v2 D65 white", v2_d65_white_bytes()},
  };
  for (const auto& [name, bytes] : profiles) {
    INFO("profile " << name);
    check_fast_matches_lcms(LabTransform::from_icc(bytes, {3, 8}, name), all_rgb8());
    check_fast_matches_lcms(LabTransform::from_icc(bytes, {3, 16}, name), random_rgb16());
  }
}

TEST_CASE("fast path matches Little CMS on grey profiles, every code value",
          "[transform][accuracy]") {
  for (const Bytes& bytes : {grey_gamma_bytes(), grey_table_bytes()}) {
    check_fast_matches_lcms(LabTransform::from_icc(bytes, {1, 8}, "grey"),
                            all_grey<std::uint8_t>());
    check_fast_matches_lcms(LabTransform::from_icc(bytes, {1, 16}, "grey"),
                            all_grey<std::uint16_t>());
  }
  // Grey stays neutral.
  const LabImage lab =
      LabTransform::from_icc(grey_gamma_bytes(), {1, 8}, "grey").apply(all_grey<std::uint8_t>());
  CHECK(lab.at(0, 0).L == Approx(0.0).margin(1e-4));
  CHECK(lab.at(255, 0).L == Approx(100.0).margin(1e-3));
  CHECK(lab.at(128, 0).a == 0.0);
  CHECK(lab.at(128, 0).b == 0.0);
  // gamma 2.2: Y = (128/255)^2.2, L* = 116 Y^(1/3) - 16, computed here independently
  const double y = std::pow(128.0 / 255.0, 2.2);
  CHECK(lab.at(128, 0).L == Approx(116.0 * std::cbrt(y) - 16.0).margin(1e-3));
}

namespace {

// sRGB → CIELAB D50 from the published equations, sharing no code with pigmatch or lcms:
// IEC 61966-2-1 EOTF and RGB → XYZ (D65) matrix, linear Bradford D65 → D50 (ICC D50 white).
using Mat3 = std::array<std::array<double, 3>, 3>;
using Vec3 = std::array<double, 3>;

Vec3 mul(const Mat3& m, const Vec3& v) {
  Vec3 r{};
  for (int i = 0; i < 3; ++i)
    r[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
  return r;
}

Mat3 inverse(const Mat3& m) {
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  Mat3 r{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const int a = (j + 1) % 3, b = (j + 2) % 3, c = (i + 1) % 3, d = (i + 2) % 3;
      r[i][j] = (m[a][c] * m[b][d] - m[a][d] * m[b][c]) / det;
    }
  }
  return r;
}

std::array<double, 3> srgb_to_lab_d50(int r8, int g8, int b8) {
  const auto eotf = [](int code) {
    const double v = code / 255.0;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  const Mat3 rgb_to_xyz{
      {{0.4124, 0.3576, 0.1805}, {0.2126, 0.7152, 0.0722}, {0.0193, 0.1192, 0.9505}}};
  const Mat3 bradford{
      {{0.8951, 0.2664, -0.1614}, {-0.7502, 1.7135, 0.0367}, {0.0389, -0.0685, 1.0296}}};
  const Vec3 d65{0.9505, 1.0, 1.0890};  // the white of the matrix above (its row sums)
  const Vec3 d50{0.9642, 1.0, 0.8249};  // ICC PCS white
  const Vec3 cone_src = mul(bradford, d65), cone_dst = mul(bradford, d50);
  Vec3 cone = mul(bradford, mul(rgb_to_xyz, {eotf(r8), eotf(g8), eotf(b8)}));
  for (int i = 0; i < 3; ++i)
    cone[i] *= cone_dst[i] / cone_src[i];
  const Vec3 xyz = mul(inverse(bradford), cone);
  const auto f = [](double t) {
    return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16.0) / 116.0;
  };
  const double fx = f(xyz[0] / d50[0]), fy = f(xyz[1] / d50[1]), fz = f(xyz[2] / d50[2]);
  return {116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)};
}

}  // namespace

TEST_CASE("sRGB pixels give the Lab of the sRGB equations (IEC 61966-2-1 + Bradford)",
          "[transform][accuracy]") {
  // Every 5th code per channel (52³ colours, including 0 and 255) and the full grey ramp.
  std::vector<std::uint8_t> samples;
  for (int r = 0; r <= 255; r += 5)
    for (int g = 0; g <= 255; g += 5)
      for (int b = 0; b <= 255; b += 5)
        samples.insert(samples.end(), {std::uint8_t(r), std::uint8_t(g), std::uint8_t(b)});
  for (int v = 0; v <= 255; ++v)
    samples.insert(samples.end(), 3, static_cast<std::uint8_t>(v));
  const int pixels = static_cast<int>(samples.size() / 3);
  const Image image = make_image(pixels, 1, 3, samples);

  const LabTransform transform = LabTransform::for_image(image);  // no profile: sRGB assumed
  CHECK(transform.profile_source() == ProfileSource::assumed_srgb);
  const LabImage lab = transform.apply(image);
  double max_de = 0;
  for (int x = 0; x < pixels; ++x) {
    const auto expected = srgb_to_lab_d50(samples[3 * x], samples[3 * x + 1], samples[3 * x + 2]);
    const float e[3] = {static_cast<float>(expected[0]), static_cast<float>(expected[1]),
                        static_cast<float>(expected[2])};
    const double de = de00(e, &lab.lab[3 * static_cast<std::size_t>(x)]);
    max_de = std::max(max_de, de);
  }
  WARN("sRGB fast path vs the sRGB equations: max ΔE00 " << max_de);
  CHECK(max_de <= 0.05);
  // White is the PCS white.
  const LabImage white = transform.apply(make_image<std::uint8_t>(1, 1, 3, {255, 255, 255}));
  CHECK(white.at(0, 0).L == Approx(100.0).margin(0.01));
  CHECK(white.at(0, 0).a == Approx(0.0).margin(0.01));
  CHECK(white.at(0, 0).b == Approx(0.0).margin(0.01));
}

// ---- LUT profiles ----------------------------------------------------------------------------

TEST_CASE("LUT-based profiles use Little CMS's float transform", "[transform]") {
  const Image& image = random_rgb16();
  const Rect region{100, 200, 300, 400};
  for (const Bytes& bytes : {lut_input_bytes(), matrix_shaper_with_lut_bytes()}) {
    const LabTransform transform = LabTransform::from_icc(bytes, {3, 16}, "lut.icc");
    CHECK_FALSE(transform.is_fast_path());
    const LabImage lab = transform.apply(image, region);
    const LabImage reference = transform.apply_reference(image, region);
    CHECK(lab.lab == reference.lab);
    // The table was sampled from sRGB, so the result is close to sRGB's (17-point grid).
    const LabImage srgb = LabTransform::srgb({3, 16}).apply(image, region);
    const DeltaE de = compare(srgb, lab);
    CHECK(de.mean < 0.5);
    CHECK(de.max > 0.0);
  }
}

// ---- profile sources and rejections ----------------------------------------------------------

TEST_CASE("for_image uses the embedded profile or reports assumed sRGB", "[transform]") {
  Image image = make_image<std::uint8_t>(2, 1, 3, {200, 30, 40, 10, 120, 250});
  const LabTransform assumed = LabTransform::for_image(image);
  CHECK(assumed.profile_source() == ProfileSource::assumed_srgb);
  CHECK(assumed.profile_description().find("sRGB") != std::string::npos);
  CHECK(pigmatch::to_string(assumed.profile_source()) == "assumed_srgb");

  image.icc_profile = adobe_like_bytes();
  const LabTransform embedded = LabTransform::for_image(image);
  CHECK(embedded.profile_source() == ProfileSource::embedded);
  CHECK(embedded.profile_description() == "Test AdobeRGB-like gamma 2.2");
  CHECK(embedded.is_fast_path());
  // A wider gamut: the same saturated red code is more chromatic than in sRGB.
  const auto chroma = [](const pigmatch::Lab& lab) { return std::hypot(lab.a, lab.b); };
  CHECK(chroma(embedded.apply(image).at(0, 0)) > chroma(assumed.apply(image).at(0, 0)) + 5.0);

  const LabTransform supplied = LabTransform::from_icc(srgb_bytes(), {3, 8}, "camera.icc");
  CHECK(supplied.profile_source() == ProfileSource::supplied);
  CHECK(supplied.layout() == PixelLayout{3, 8});

  Image grey = make_image<std::uint16_t>(1, 1, 1, {30000});
  const LabTransform grey_assumed = LabTransform::for_image(grey);
  CHECK(grey_assumed.profile_source() == ProfileSource::assumed_srgb);
  CHECK(grey_assumed.is_fast_path());
  // sRGB EOTF of 30000/65535, then L*
  const double v = 30000.0 / 65535.0;
  const double y = std::pow((v + 0.055) / 1.055, 2.4);
  CHECK(grey_assumed.apply(grey).at(0, 0).L == Approx(116.0 * std::cbrt(y) - 16.0).margin(1e-3));
}

namespace {

void check_rejected(const Bytes& bytes, PixelLayout layout, const std::string& expected_words) {
  Image image = layout.channels == 3 ? make_image<std::uint8_t>(1, 1, 3, {1, 2, 3})
                                     : make_image<std::uint8_t>(1, 1, 1, {1});
  if (layout.bits == 16) {
    image.bits = 16;
    image.pixels.resize(image.pixels.size() * 2);
  }
  image.source = "client-042.jpg";
  image.icc_profile = bytes;
  try {
    (void)LabTransform::for_image(image);
    FAIL("accepted a profile that should be rejected: " << expected_words);
  } catch (const pigmatch::Error& error) {
    INFO(error.what());
    CHECK(error.code() == ErrorCode::color_management);
    const std::string message = error.what();
    CHECK(message.find("client-042.jpg") != std::string::npos);
    CHECK(message.find(expected_words) != std::string::npos);
    CHECK(message.find("re-export the photo") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("profiles that do not describe the pixels are rejected with a clear message",
          "[transform][errors]") {
  check_rejected(grey_gamma_bytes(), {3, 8}, "GRAY data but the image is RGB 8-bit");
  check_rejected(srgb_bytes(), {1, 16}, "RGB data but the image is grey 16-bit");
  check_rejected(cmyk_bytes(), {3, 8}, "CMYK");
  check_rejected(device_link_bytes(), {3, 8}, "device link");
  check_rejected(abstract_bytes(), {3, 8}, "abstract");
  check_rejected(output_only_bytes(), {3, 8}, "no device-to-PCS tags");
}

TEST_CASE("garbage and truncated profiles are rejected", "[transform][errors]") {
  std::mt19937 rng(7);
  Bytes garbage(700);
  for (auto& b : garbage)
    b = static_cast<std::uint8_t>(rng());
  check_rejected(garbage, {3, 8}, "not a readable ICC profile");

  Bytes truncated = srgb_bytes();
  truncated.resize(truncated.size() / 2);
  check_rejected(truncated, {3, 8}, "truncated (" + std::to_string(truncated.size()) + " of");

  const Bytes text{'n', 'o', 't', ' ', 'a', 'n', ' ', 'I', 'C', 'C'};
  check_rejected(text, {3, 8}, "not a readable ICC profile");

  CHECK_THROWS_AS(LabTransform::from_icc({}, {3, 8}, "empty.icc"), pigmatch::Error);
  CHECK_THROWS_WITH(LabTransform::from_icc({}, {3, 8}, "empty.icc"),
                    Catch::Contains("empty.icc") && Catch::Contains("supply an ICC input profile"));
}

TEST_CASE("header signatures outside Little CMS's enums are rejected, not undefined behaviour",
          "[transform][errors]") {
  // A damaged header can hold any value in the class, colour space and PCS fields (found by
  // fuzz_icc: loading one into lcms's enum types was undefined behaviour, reported by UBSan).
  const auto with_field = [](std::size_t offset, std::uint32_t value) {
    Bytes profile = srgb_bytes();
    for (std::size_t i = 0; i < 4; ++i)
      profile[offset + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
    return profile;
  };
  constexpr std::size_t kClass = 12, kColourSpace = 16, kPcs = 20;
  check_rejected(with_field(kColourSpace, 0xFEFFFFFF), {3, 8}, "data but the image is RGB 8-bit");
  check_rejected(with_field(kPcs, 0xD2475020), {3, 8}, "connection space is");
  // Little CMS itself refuses an unknown device class.
  check_rejected(with_field(kClass, 0xFFFFFFFF), {3, 8}, "not a readable ICC profile");
}

TEST_CASE("unsupported layouts and mismatched images are rejected", "[transform][errors]") {
  CHECK_THROWS_AS(LabTransform::srgb({4, 8}), pigmatch::Error);
  CHECK_THROWS_AS(LabTransform::srgb({3, 12}), pigmatch::Error);
  const LabTransform transform = LabTransform::srgb({3, 8});
  Image image16 = make_image<std::uint16_t>(1, 1, 3, {1, 2, 3});
  CHECK_THROWS_WITH(transform.apply(image16), Catch::Contains("built for RGB 8-bit"));
  Image short_buffer = make_image<std::uint8_t>(2, 1, 3, {1, 2, 3, 4, 5, 6});
  short_buffer.pixels.pop_back();
  CHECK_THROWS_WITH(transform.apply(short_buffer), Catch::Contains("pixel buffer holds 5 bytes"));
}

// ---- regions and threads ----------------------------------------------------------------------

TEST_CASE("regions are validated and converted like the same crop of the whole image",
          "[transform]") {
  const Image& image = random_rgb16();
  const LabTransform transform = LabTransform::from_icc(adobe_like_bytes(), {3, 16}, "a.icc");
  const LabImage full = transform.apply(image);
  const Rect region{2000, 1000, 48, 24};  // touches the right and bottom edges
  const LabImage crop = transform.apply(image, region);
  REQUIRE(crop.width == 48);
  REQUIRE(crop.height == 24);
  for (int y = 0; y < crop.height; ++y) {
    for (int x = 0; x < crop.width; ++x) {
      const auto a = crop.at(x, y), b = full.at(region.x + x, region.y + y);
      REQUIRE(a.L == b.L);
      REQUIRE(a.a == b.a);
      REQUIRE(a.b == b.b);
    }
  }
  for (const Rect bad : {Rect{0, 0, 0, 10}, Rect{0, 0, 10, -1}, Rect{-1, 0, 10, 10},
                         Rect{2040, 0, 9, 10}, Rect{0, 1020, 10, 5}, Rect{2147483647, 0, 1, 1}}) {
    INFO("region " << bad.x << "," << bad.y << " " << bad.w << "x" << bad.h);
    try {
      (void)transform.apply(image, bad);
      FAIL("accepted a bad region");
    } catch (const pigmatch::Error& error) {
      CHECK(error.code() == ErrorCode::invalid_argument);
      CHECK_THAT(error.what(), Catch::Contains("not inside the 2048x1024 image"));
    }
  }
}

TEST_CASE("the result does not depend on the number of threads", "[transform]") {
  const Image& image = random_rgb16();
  for (const Bytes& bytes : {srgb_bytes(), lut_input_bytes()}) {
    const LabTransform transform = LabTransform::from_icc(bytes, {3, 16}, "p.icc");
    const Rect region{5, 7, 1500, 900};
    const LabImage one = transform.apply(image, region, {.threads = 1});
    const LabImage two = transform.apply(image, region, {.threads = 2});
    const LabImage many = transform.apply(image, region, {.threads = 7});
    CHECK(one.lab == two.lab);
    CHECK(one.lab == many.lab);
  }
  // A transform is shared by copies and usable from several threads at once.
  const LabTransform transform = LabTransform::srgb({3, 16});
  const LabTransform copy = transform;  // NOLINT(performance-unnecessary-copy-initialization)
  LabImage a, b;
  std::thread other([&] { a = copy.apply(image, {.threads = 1}); });
  b = transform.apply(image, {.threads = 1});
  other.join();
  CHECK(a.lab == b.lab);
}
