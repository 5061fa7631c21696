// How a photo's pixels are read before the colour fit (issue 14): through its profile (sRGB when
// it has none), as linear values, or through tone curves fitted to the chart's neutral patches.
// The photos are synthetic charts from a camera with a known response, encoded the ways real
// files are: sRGB, linear without white balance (a machine-vision camera, a raw file developed
// without a curve), and an S-shaped in-camera rendering on top of sRGB.
#include <catch2/catch.hpp>
#include <cmath>

#include "calibration/synthetic_chart.h"
#include "pigmatch/calibration/calibration.h"
#include "pigmatch/error.h"

using namespace pigmatch;
using pigmatch::test::TestCamera;
using pigmatch::test::Vec3;

namespace {

const ChartDefinition& classic() {
  return test::classic_without_spectra();
}

const ChartCorners true_corners{{{180, 140}, {760, 110}, {800, 540}, {150, 560}}};

// Linear camera values with no white balance: green strong, red and blue weak, as a sensor's raw
// response to a neutral is; `white` is the white patch's green value.
Vec3 raw_linear(const Lab& lab, double white, const Vec3& gains = {0.48, 1.0, 0.62}) {
  TestCamera camera;
  camera.exposure = white / 0.9;
  Vec3 rgb = camera.linear_rgb(to_xyz(lab));
  for (std::size_t c = 0; c < 3; ++c)
    rgb[c] = std::clamp(rgb[c] * gains[c], 0.0, 1.0);
  return rgb;
}

// A camera's JPEG look: an S-shaped contrast curve on top of the sRGB encoding.
double s_curve(double x) {
  const auto logistic = [](double t) { return 1 / (1 + std::exp(-t)); };
  constexpr double gain = 5.0;
  const double low = logistic(-gain / 2), high = logistic(gain / 2);
  return (logistic(gain * (x - 0.5)) - low) / (high - low);
}

Vec3 camera_jpeg(const Lab& lab) {
  Vec3 rgb = TestCamera{}.device(lab);
  for (double& v : rgb)
    v = s_curve(v);
  return rgb;
}

Image photo_of(const std::function<Vec3(const Lab&)>& device, bool with_srgb_profile,
               const ChartCorners& corners = true_corners) {
  const auto& refs = classic().reference().lab_d50;
  Image image =
      test::render_chart(classic(), corners, [&](std::size_t i) { return device(refs[i]); });
  if (!with_srgb_profile)
    image.icc_profile.clear();
  return image;
}

CalibrationOptions reading(PhotoEncoding encoding) {
  CalibrationOptions options;
  options.encoding = encoding;
  return options;
}

double score_of(const CalibrationReport& report, PhotoEncoding encoding) {
  for (const EncodingScore& s : report.encoding_scores) {
    if (s.encoding == encoding)
      return s.loo_mean_de00;
  }
  return -1;
}

}  // namespace

TEST_CASE("an sRGB photo is read through its profile", "[calibration][encoding]") {
  const Image image = photo_of([](const Lab& lab) { return TestCamera{}.device(lab); }, true);
  const CalibrationReport report = calibrate_from_photo(image, classic(), true_corners).report();
  CHECK(report.encoding == PhotoEncoding::profile);
  REQUIRE(report.encoding_scores.size() == 3);
  CHECK(score_of(report, PhotoEncoding::profile) < 0.5);
  CHECK(score_of(report, PhotoEncoding::linear) > 5);  // sRGB values taken as linear are far off
  for (const double e : report.tone_exponent) {
    CHECK(e > 1.9);  // sRGB between black and white: about 2.2
    CHECK(e < 2.5);
  }
  CHECK(report.loo_mean_de00 < 0.5);
}

TEST_CASE("a linear photo without white balance is read as linear", "[calibration][encoding]") {
  for (const double white : {0.8, 0.25}) {
    CAPTURE(white);
    const Image image = photo_of([&](const Lab& lab) { return raw_linear(lab, white); }, false);
    const Calibration calibration = calibrate_from_photo(image, classic(), true_corners);
    const CalibrationReport& report = calibration.report();
    CHECK(report.encoding == PhotoEncoding::linear);
    // Its profile is a real one: colorants large (a dim, green-cast white maps to D50's white),
    // but a transform is made from it.
    CHECK_NOTHROW(calibration.transform(PixelLayout{3, 8}));
    // 8 linear bits leave the black patch a few codes (1 code ≈ 2 ΔE00 there at 25 % exposure).
    CHECK(report.loo_mean_de00 < (white > 0.5 ? 1.0 : 2.5));
    CHECK(score_of(report, PhotoEncoding::profile) > 8);  // what reading it as sRGB gives
    for (const double e : report.tone_exponent) {
      CHECK(e > 0.9);
      CHECK(e < 1.1);
    }
    // Read as sRGB, as before this choice existed, the chart is refused.
    CHECK_THROWS_AS(
        calibrate_from_photo(image, classic(), true_corners, reading(PhotoEncoding::profile)),
        Error);
  }
}

TEST_CASE("an under-exposed linear photo under tungsten light makes a usable profile",
          "[calibration][encoding]") {
  // Blue a fifth of green in the raw (tungsten light, no white balance), white at 25 %: the
  // fitted blue colorant is about 13, far beyond a display's, and still a camera's.
  const Image image = photo_of(
      [](const Lab& lab) {
        return raw_linear(lab, 0.25, {0.9, 1.0, 0.2});
      },
      false);
  const Calibration calibration = calibrate_from_photo(image, classic(), true_corners);
  CHECK(calibration.report().encoding == PhotoEncoding::linear);
  CHECK(calibration.report().loo_mean_de00 < 3.0);
  CHECK_NOTHROW(calibration.transform(PixelLayout{3, 8}));
}

TEST_CASE("a linear photo is oriented whatever the corners' order", "[calibration][encoding]") {
  const Image image = photo_of([](const Lab& lab) { return raw_linear(lab, 0.6); }, false);
  for (const ChartCorners& given : corner_orderings(true_corners)) {
    const CalibrationReport report = calibrate_from_photo(image, classic(), given).report();
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(report.corners[i].x == true_corners[i].x);
      CHECK(report.corners[i].y == true_corners[i].y);
    }
  }
}

TEST_CASE("a camera's S-shaped rendering is read through curves fitted to the neutrals",
          "[calibration][encoding]") {
  const Image image = photo_of(camera_jpeg, true);
  const CalibrationReport report = calibrate_from_photo(image, classic(), true_corners).report();
  CHECK(report.encoding == PhotoEncoding::neutral_curves);
  const double through_curves = score_of(report, PhotoEncoding::neutral_curves);
  CHECK(through_curves < 0.8 * score_of(report, PhotoEncoding::profile));
  CHECK(through_curves < 0.8 * score_of(report, PhotoEncoding::linear));
  CHECK(report.loo_mean_de00 < 1.5);
  // Not sRGB's exponent (about 2.2): the S pushes black towards zero, so from black to white
  // the device values span more than sRGB's and the curve rises less steeply in log–log.
  for (const double e : report.tone_exponent)
    CHECK(e < 1.9);

  // Forced to the profile, the same photo calibrates worse (the encoding is what decides).
  const CalibrationReport forced =
      calibrate_from_photo(image, classic(), true_corners, reading(PhotoEncoding::profile))
          .report();
  CHECK(forced.encoding == PhotoEncoding::profile);
  CHECK(forced.encoding_scores.empty());
  CHECK(forced.loo_mean_de00 > report.loo_mean_de00 + 0.3);
}

TEST_CASE("the profile of a calibration through neutral curves reads the photo as the fit did",
          "[calibration][encoding]") {
  const Image image = photo_of(camera_jpeg, true);
  const Calibration calibration = calibrate_from_photo(image, classic(), true_corners);
  REQUIRE(calibration.report().encoding == PhotoEncoding::neutral_curves);
  // Each patch's device colour, through the profile Little CMS builds from the calibration,
  // gives the fitted Lab the report holds.
  const auto& refs = classic().reference().lab_d50;
  Image row;
  row.width = static_cast<int>(refs.size());
  row.height = 1;
  row.channels = 3;
  row.bits = 8;
  row.pixels.resize(refs.size() * 3);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const Vec3 device = camera_jpeg(refs[i]);
    for (std::size_t c = 0; c < 3; ++c)
      row.pixels[3 * i + c] = static_cast<std::byte>(std::lround(255 * device[c]));
  }
  const LabImage read = calibration.transform(PixelLayout{3, 8}).apply(row);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    CAPTURE(i);
    CHECK(delta_e2000(read.at(static_cast<int>(i), 0), calibration.report().patches[i].fitted) <
          0.6);
  }
}

TEST_CASE("neutral curves that cannot be fitted are refused when asked for",
          "[calibration][encoding]") {
  // A uniform wall: no neutral row rising from black to white.
  const Image wall = test::render_chart(classic(), true_corners, [](std::size_t) {
    return Vec3{0.5, 0.5, 0.5};
  });
  try {
    (void)calibrate_from_photo(wall, classic(), true_corners,
                               reading(PhotoEncoding::neutral_curves));
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::corrupt_data);
    CHECK_THAT(e.what(), Catch::Contains("however its pixels are read"));
  }
}
