// Charts a practitioner's photo really has, run through the real `pigmatch measure`: a chart
// half covered by a hand, one patch under a finger, an over-exposed chart with blown-out light
// patches, a chart so over-exposed that too little is left. Photos are rendered with the test
// camera of tests/calibration/synthetic_chart.h and written as real JPEG files. Each case proves
// which of the two outcomes the user gets: a refused calibration whose message says what to do,
// or a calibration whose report warns and names the patches it left out or distrusts.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "calibration/synthetic_chart.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/image/image.h"
#include "process.h"

namespace fs = std::filesystem;
using nlohmann::json;
using pigmatch::Lab;
using pigmatch::test::run_pigmatch;
using pigmatch::test::TestCamera;
using pigmatch::test::Vec3;

namespace {

const Lab skin{62.0, 14.0, 18.0};
const pigmatch::ChartCorners corners{{{60, 60}, {520, 50}, {540, 370}, {50, 380}}};
const std::string corners_arg = "60,60,520,50,540,370,50,380";

// The chart in a skin-coloured scene; `covered(i)` patches show the skin of a hand instead, and
// patch `glare_patch` has `glare` × the white's light reflected by its surface on top.
fs::path write_photo(const std::string& name, const TestCamera& camera,
                     const std::function<bool(std::size_t)>& covered, std::size_t glare_patch = 99,
                     double glare = 0) {
  const auto chart = pigmatch::builtin_chart();
  const auto& refs = chart.reference().lab_d50;
  pigmatch::test::SceneOptions options;
  options.width = 700;
  options.height = 440;
  options.noise = 1.0 / 255;
  options.background = camera.device(skin);
  const pigmatch::Image image = pigmatch::test::render_chart(
      chart, corners,
      [&](std::size_t i) {
        if (covered(i))
          return camera.device(skin);
        if (i != glare_patch)
          return camera.device(refs[i]);
        const pigmatch::Xyz xyz = pigmatch::to_xyz(refs[i]);
        const pigmatch::Xyz& white = pigmatch::white::d50;
        return camera.device(pigmatch::to_lab(pigmatch::Xyz{
            xyz.X + glare * white.X, xyz.Y + glare * white.Y, xyz.Z + glare * white.Z}));
      },
      options);
  const fs::path path = fs::temp_directory_path() /
                        ("pigmatch-hostile-chart-" + std::to_string(::getpid()) + "-" + name);
  pigmatch::write_jpeg(image, path, {95, false});
  return path;
}

pigmatch::test::ProcessResult measure(const fs::path& photo, const std::string& chart) {
  return run_pigmatch(
      {"measure", photo.string(), "--chart", chart, "--region", "cheek=580,60,100,100", "--json"});
}

// The ids of the patches the fit left out.
std::set<int> unused_patches(const json& calibration) {
  std::set<int> ids;
  for (const auto& p : calibration.at("patches")) {
    if (!p.at("used").get<bool>())
      ids.insert(p.at("id").get<int>());
  }
  return ids;
}

std::string all_warnings(const json& calibration) {
  std::string text;
  for (const auto& w : calibration.at("warnings"))
    text += w.get<std::string>() + "\n";
  return text;
}

}  // namespace

TEST_CASE("a chart half covered by a hand is refused with a message saying what to check",
          "[hostile][chart]") {
  // The bottom two rows (the primaries and the greys) under the hand.
  const fs::path photo =
      write_photo("half.jpg", TestCamera{}, [](std::size_t i) { return i >= 12; });
  SECTION("at the corners the user gives") {
    const auto r = measure(photo, corners_arg);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(photo.string()) && Catch::Contains("check the corners") &&
                          Catch::Contains("glare"));
    CHECK(r.out.empty());
  }
  SECTION("when the chart is to be found") {
    const auto r = measure(photo, "auto");
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("--chart X1,Y1"));
  }
  fs::remove(photo);
}

TEST_CASE("a patch under a finger: the calibration warns and names it", "[hostile][chart]") {
  // Patch 14 (green) shows skin: one wrong patch of 24.
  const fs::path photo =
      write_photo("finger.jpg", TestCamera{}, [](std::size_t i) { return i == 13; });
  const auto r = measure(photo, corners_arg);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json calibration = json::parse(r.out).at("calibration");
  const std::string warnings = all_warnings(calibration);
  INFO(warnings);
  CHECK_THAT(warnings, Catch::Contains("patch 14 (green)") && Catch::Contains("covered"));
  CHECK(unused_patches(calibration) == std::set<int>{14});
  // Left out of the fit, the others calibrate as if the finger were not there.
  CHECK(calibration.at("mean_de00").get<double>() < 1.0);
  fs::remove(photo);
}

TEST_CASE("glare on one patch: the calibration names it, leaves it out and the rest calibrates",
          "[hostile][chart]") {
  // 15 % of the white's light on light skin (patch 2), magenta (17) or neutral 5 (22): ΔE00 of
  // 6–12 from its reference, less than a patch under a finger, and along the white.
  for (const std::size_t patch : {1U, 16U, 21U}) {
    CAPTURE(patch + 1);
    const fs::path photo = write_photo(
        "glare.jpg", TestCamera{}, [](std::size_t) { return false; }, patch, 0.15);
    const auto r = measure(photo, corners_arg);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json calibration = json::parse(r.out).at("calibration");
    const std::string warnings = all_warnings(calibration);
    INFO(warnings);
    CHECK(unused_patches(calibration) == std::set<int>{static_cast<int>(patch) + 1});
    CHECK_THAT(warnings, Catch::Contains("patch " + std::to_string(patch + 1) + " (") &&
                             Catch::Contains("glare, most likely"));
    CHECK(calibration.at("mean_de00").get<double>() < 1.0);
    fs::remove(photo);
  }
}

TEST_CASE("an over-exposed chart: clipped patches are excluded, named, and the rest calibrates",
          "[hostile][chart]") {
  TestCamera camera;
  camera.exposure = 1.25;  // white 9.5 and neutral 8 blow out
  const fs::path photo = write_photo("clipped.jpg", camera, [](std::size_t) { return false; });
  const auto r = measure(photo, corners_arg);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json calibration = json::parse(r.out).at("calibration");
  const std::string warnings = all_warnings(calibration);
  INFO(warnings);
  CHECK_THAT(warnings, Catch::Contains("white 9.5") && Catch::Contains("clipped") &&
                           Catch::Contains("excluded from the fit"));
  CHECK(unused_patches(calibration).count(19) == 1);  // white 9.5
  CHECK(calibration.at("mean_de00").get<double>() < 1.0);
  fs::remove(photo);
}

TEST_CASE("a chart too over-exposed to calibrate is refused: retake with less exposure",
          "[hostile][chart]") {
  TestCamera camera;
  camera.exposure = 12.0;  // all but the darkest patches blow out
  const fs::path photo = write_photo("blown.jpg", camera, [](std::size_t) { return false; });
  const auto r = measure(photo, corners_arg);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("less exposure"));
  fs::remove(photo);
}
