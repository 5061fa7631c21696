// Light fall-off compensation (photo_measurement.h): a grey card of known lightness, or a flat
// field, tells how much less light a region got than the chart, and the region's colour is put
// back to the chart's light.
#include <lcms2.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/error.h"
#include "pigmatch/image/image.h"
#include "pigmatch/regions/photo_measurement.h"
#include "pigmatch/regions/skintone.h"

using pigmatch::Lab;

namespace {

double srgb_encode(double v) {
  v = std::clamp(v, 0.0, 1.0);
  return v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
}

// A 16-bit sRGB image (no profile: read as sRGB) whose left half is `left` and right half
// `right`, both linear sRGB.
pigmatch::Image two_halves(std::array<double, 3> left, std::array<double, 3> right) {
  pigmatch::Image image;
  image.width = 200;
  image.height = 100;
  image.channels = 3;
  image.bits = 16;
  image.pixels.resize(image.row_stride() * static_cast<std::size_t>(image.height));
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const auto& linear = x < image.width / 2 ? left : right;
      for (std::size_t c = 0; c < 3; ++c) {
        const auto code = static_cast<std::uint16_t>(std::lround(65535 * srgb_encode(linear[c])));
        std::memcpy(
            image.pixels.data() + 2 * ((static_cast<std::size_t>(y) * image.width + x) * 3 + c),
            &code, 2);
      }
    }
  }
  return image;
}

// Little CMS's Lab D50 of a linear sRGB colour (the reference).
Lab lcms_linear_srgb_to_lab(std::array<double, 3> linear) {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM t = cmsCreateTransform(srgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL,
                                       INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  const std::array<double, 3> encoded{srgb_encode(linear[0]), srgb_encode(linear[1]),
                                      srgb_encode(linear[2])};
  cmsCIELab out;
  cmsDoTransform(t, encoded.data(), &out, 1);
  cmsDeleteTransform(t);
  cmsCloseProfile(srgb);
  cmsCloseProfile(lab);
  return {out.L, out.a, out.b};
}

pigmatch::PhotoCalibration no_chart(const pigmatch::Image& image) {
  pigmatch::PhotoCalibrationRequest request;
  request.mode = pigmatch::ChartMode::none;
  return pigmatch::calibrate_photo(image, "test", request);
}

}  // namespace

TEST_CASE("a grey card in the region's light puts the region back to full light", "[light]") {
  // Skin and an 18 % grey card both in 80 % of the light the calibration is right for.
  const std::array<double, 3> skin{0.45, 0.30, 0.22};
  constexpr double light = 0.8;
  const pigmatch::Image image = two_halves({0.18 * light, 0.18 * light, 0.18 * light},
                                           {skin[0] * light, skin[1] * light, skin[2] * light});
  const pigmatch::PhotoCalibration calibration = no_chart(image);
  const std::vector<pigmatch::GreyCard> cards = {{"card", {10, 10, 80, 80}, 49.496}};
  const auto factors = pigmatch::grey_card_light(image, calibration, cards);
  REQUIRE(factors.size() == 1);
  CHECK(factors[0].reference == "card");
  CHECK(factors[0].factor == Approx(1 / light).epsilon(0.002));

  pigmatch::RegionMeasurement m =
      pigmatch::measure_region(image, calibration, {"skin", {110, 10, 80, 80}, false});
  const Lab full_light = lcms_linear_srgb_to_lab(skin);
  CHECK(pigmatch::delta_e2000(m.lab_d50, full_light) > 4);  // 80 % light: visibly darker
  REQUIRE(m.uncertainty);
  CHECK(m.uncertainty->light == 1.0);
  pigmatch::compensate_light(m, pigmatch::nearest_card(cards, factors, m.region.rect));
  CHECK(pigmatch::delta_e2000(m.lab_d50, full_light) < 0.1);
  REQUIRE(m.light);
  CHECK(m.light->reference == "card");
  CHECK(m.uncertainty->light == 0.3);
  CHECK(m.uncertainty->total < std::hypot(m.uncertainty->calibration, 1.0));
  CHECK(m.tone.ita == Approx(pigmatch::assess_skin_tone(full_light).ita).margin(0.2));
}

TEST_CASE("each region takes the nearest grey card", "[light]") {
  const std::vector<pigmatch::GreyCard> cards = {{"left", {0, 0, 10, 10}, 50},
                                                 {"right", {190, 0, 10, 10}, 50}};
  const std::vector<pigmatch::LightCompensation> light = {{"left", 1.1}, {"right", 0.9}};
  CHECK(pigmatch::nearest_card(cards, light, {20, 20, 10, 10}).reference == "left");
  CHECK(pigmatch::nearest_card(cards, light, {150, 20, 10, 10}).reference == "right");
  CHECK_THROWS_AS(pigmatch::nearest_card(cards, {}, {20, 20, 10, 10}), pigmatch::Error);
}

TEST_CASE("grey cards and flat fields refuse what cannot tell the light", "[light][errors]") {
  const pigmatch::Image image = two_halves({0.18, 0.18, 0.18}, {0, 0, 0});
  const pigmatch::PhotoCalibration calibration = no_chart(image);
  // The error's code, or nothing when the card is read.
  const auto code = [&](const pigmatch::GreyCard& card) -> std::optional<pigmatch::ErrorCode> {
    try {
      (void)pigmatch::grey_card_light(image, calibration, std::vector{card});
    } catch (const pigmatch::Error& e) {
      return e.code();
    }
    return std::nullopt;
  };
  CHECK(code({"card", {10, 10, 50, 50}, 120}) == pigmatch::ErrorCode::invalid_argument);
  CHECK(code({"card", {110, 10, 50, 50}, 49.5}) == pigmatch::ErrorCode::invalid_argument);  // black
  CHECK(code({"card", {150, 10, 80, 50}, 49.5}) ==
        pigmatch::ErrorCode::invalid_argument);  // outside
  CHECK_FALSE(code({"card", {10, 10, 50, 50}, 49.5}));
  // A flat field needs the chart's place: without a chart there is none.
  CHECK_THROWS_WITH(pigmatch::flat_field_light(image, calibration, {10, 10, 10, 10}),
                    Catch::Contains("chart"));
}

namespace {

// A calibration from a chart whose corners are the axis-aligned box (0,0)–(400,300), with the
// light slope its patches gave; the profile is not needed to place the light.
pigmatch::PhotoCalibration chart_at_origin(const pigmatch::ChartLightSlope& slope) {
  pigmatch::CalibrationReport report;
  report.corners = {pigmatch::Point{0, 0}, {400, 0}, {400, 300}, {0, 300}};
  report.light_slope = slope;
  return {pigmatch::CalibrationSource::chart,   "user",   pigmatch::Calibration(report, {}),
          pigmatch::LabTransform::srgb({3, 8}), "matrix", {}};
}

}  // namespace

TEST_CASE("grey cards and the chart's own slope place the light between them", "[light]") {
  // ln(light) a plane through the chart's centre (200, 150): −0.0002/px across, +0.0003/px down
  // (the skin 300 px above a card gets 9 % less light than the card).
  const double gx = -0.0002, gy = 0.0003;
  const auto light_at = [&](double x, double y) {
    return std::exp(gx * (x - 200) + gy * (y - 150));
  };
  const auto card = [&](const std::string& name, int x, int y) {
    return std::pair{pigmatch::GreyCard{name, {x - 20, y - 20, 40, 40}, 49.5},
                     pigmatch::LightCompensation{name, 1 / light_at(x, y)}};
  };
  const auto [below, below_light] = card("below", 900, 800);
  const pigmatch::Rect skin{860, 460, 80, 80};  // centred on (900, 500)
  const double truth = 1 / light_at(900, 500);
  const std::vector<pigmatch::GreyCard> one = {below};
  const std::vector<pigmatch::LightCompensation> one_light = {below_light};

  // The nearest card alone is 9 % off; the card with the chart's slope (its along-rows and
  // down-columns slope over the chart's 400 × 300 px, known to 1 %) is right.
  CHECK(pigmatch::nearest_card(one, one_light, skin).factor / truth == Approx(0.914).epsilon(0.01));
  const pigmatch::ChartLightSlope slope{gx * 400, gy * 300, 0.01, 0.01, true};
  const auto placed = pigmatch::card_light_at(chart_at_origin(slope), one, one_light, skin);
  CHECK(placed.factor == Approx(truth).epsilon(0.003));
  CHECK(placed.reference == "below");

  // Two cards and a chart whose slope told nothing: the cards alone give the plane.
  const auto [right, right_light] = card("right", 1100, 300);
  const std::vector<pigmatch::GreyCard> two = {below, right};
  const std::vector<pigmatch::LightCompensation> two_light = {below_light, right_light};
  const double unknown = std::numeric_limits<double>::infinity();
  const pigmatch::ChartLightSlope none{0, 0, unknown, unknown, false};
  CHECK(pigmatch::card_light_at(chart_at_origin(none), two, two_light, skin).factor ==
        Approx(truth).epsilon(0.003));

  // Without a chart in the photo there is no plane to place: the nearest card.
  const pigmatch::Image image = two_halves({0.18, 0.18, 0.18}, {0.18, 0.18, 0.18});
  CHECK(pigmatch::card_light_at(no_chart(image), one, one_light, skin).factor ==
        below_light.factor);
}
