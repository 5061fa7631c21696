// Tests of automatic chart detection on synthetic photos with known corners (perspective, noise,
// rotation, a small chart in a large photo) and on photos with no chart.
#include <catch2/catch.hpp>
#include <cmath>

#include "calibration/synthetic_chart.h"
#include "pigmatch/calibration/calibration.h"
#include "pigmatch/calibration/chart.h"

using namespace pigmatch;
using pigmatch::test::Vec3;

namespace {

const ChartDefinition& classic() {
  static const ChartDefinition chart = builtin_chart();
  return chart;
}

Image scene(const ChartCorners& corners, test::SceneOptions options) {
  const test::TestCamera camera;
  const auto& refs = classic().reference().lab_d50;
  return test::render_chart(
      classic(), corners, [&](std::size_t i) { return camera.device(refs[i]); }, options);
}

// The largest distance between detected and true corners, over the orderings of the detected
// ones (detection does not promise an orientation).
double corner_error(const ChartCorners& found, const ChartCorners& truth) {
  double best = 1e300;
  for (const ChartCorners& ordering : corner_orderings(found)) {
    double worst = 0;
    for (std::size_t i = 0; i < 4; ++i)
      worst = std::max(worst, std::hypot(ordering[i].x - truth[i].x, ordering[i].y - truth[i].y));
    best = std::min(best, worst);
  }
  return best;
}

const ChartDetection* by_method(const std::vector<ChartDetection>& found,
                                const std::string& method) {
  for (const auto& d : found)
    if (d.method == method)
      return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("the grid finder locates a chart under perspective and noise", "[chart][detect]") {
  const ChartCorners truth{{{180, 140}, {760, 110}, {800, 540}, {150, 560}}};
  test::SceneOptions options;
  options.noise = 1.5 / 255;
  const Image image = scene(truth, options);
  const auto found = detect_chart(image, classic());
  const ChartDetection* grid = by_method(found, "grid");
  REQUIRE(grid != nullptr);
  const double diagonal = std::hypot(800 - 180.0, 540 - 140.0);
  CHECK(corner_error(grid->corners, truth) < 0.02 * diagonal);
  const Calibration calibration = calibrate_from_photo(image, classic(), grid->corners);
  CHECK(calibration.report().mean_de00 < 0.8);
}

TEST_CASE("the grid finder works for a rotated chart and a small chart in a large photo",
          "[chart][detect]") {
  SECTION("upside down and turned") {
    // The chart's first corner is at the bottom right: the photo was taken from the other side.
    const ChartCorners truth{{{700, 600}, {160, 560}, {230, 190}, {720, 230}}};
    const auto found = detect_chart(scene(truth, {}), classic());
    const ChartDetection* grid = by_method(found, "grid");
    REQUIRE(grid != nullptr);
    CHECK(corner_error(grid->corners, truth) < 12);
  }
  SECTION("small in a 2400×1600 photo") {
    test::SceneOptions options;
    options.width = 2400;
    options.height = 1600;
    options.noise = 1.0 / 255;
    const ChartCorners truth{{{1500, 1000}, {1980, 1020}, {1960, 1330}, {1490, 1320}}};
    const auto found = detect_chart(scene(truth, options), classic());
    const ChartDetection* grid = by_method(found, "grid");
    REQUIRE(grid != nullptr);
    CHECK(corner_error(grid->corners, truth) < 15);
  }
  // 5 % of the frame's width (patches of 12 px): too small for the 1000-pixel working copy (6 px
  // patches), found on the finer copy.
  SECTION("5 % of a 1600-pixel-wide photo") {
    test::SceneOptions options;
    options.width = 1600;
    options.height = 1100;
    options.noise = 1.0 / 255;
    const ChartCorners truth{{{300, 500}, {381, 503}, {379, 557}, {298, 554}}};
    const auto found = detect_chart(scene(truth, options), classic());
    const ChartDetection* grid = by_method(found, "grid");
    REQUIRE(grid != nullptr);
    CHECK(corner_error(grid->corners, truth) < 4);
  }
}

TEST_CASE("a photo without a chart yields nothing that calibrates", "[chart][detect]") {
  test::SceneOptions options;
  options.noise = 2.0 / 255;
  // Corners outside the frame: the whole photo is background.
  const Image empty = scene({{{-400, -400}, {-300, -400}, {-300, -300}, {-400, -300}}}, options);
  for (const auto& d : detect_chart(empty, classic())) {
    CHECK_THROWS(calibrate_from_photo(empty, classic(), d.corners));
  }
  Image grey;
  grey.width = grey.height = 64;
  grey.channels = 1;
  grey.pixels.resize(64 * 64);
  CHECK(detect_chart(grey, classic()).empty());
}

#ifdef PIGMATCH_TEST_HAVE_OPENCV
TEST_CASE("OpenCV's mcc is tried first when built in", "[chart][detect]") {
  CHECK(chart_detection_has_opencv());
}
#endif
