// Tests of calibration: fits against cameras with a known response, orientation resolution,
// clipped patches, and the ICC profiles read back by Little CMS's transicc and Argyll's xicclu.
#include "pigmatch/calibration/calibration.h"

#include <lcms2.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "calibration/synthetic_chart.h"
#include "pigmatch/error.h"

namespace fs = std::filesystem;
using namespace pigmatch;
using pigmatch::test::TestCamera;
using pigmatch::test::Vec3;

namespace {

const ChartDefinition& classic() {
  return test::classic_without_spectra();
}

// Patch samples exactly as `camera` sees the reference colours (no image, no quantisation).
std::vector<PatchSample> ideal_samples(const TestCamera& camera) {
  std::vector<PatchSample> samples;
  for (const Lab& lab : classic().reference().lab_d50) {
    PatchSample s;
    s.device = camera.device(lab);
    s.pixels = 100;
    samples.push_back(s);
  }
  return samples;
}

const ChartCorners true_corners{{{180, 140}, {760, 110}, {800, 540}, {150, 560}}};

Image photo(const TestCamera& camera, const test::SceneOptions& options = {}) {
  const auto& refs = classic().reference().lab_d50;
  return test::render_chart(
      classic(), true_corners, [&](std::size_t i) { return camera.device(refs[i]); }, options);
}

// A camera whose channels leak into each other non-linearly (as sensors with strong
// cross-talk and a non-linear in-camera colour pipeline do); still exposure-invariant.
TestCamera nonlinear_camera() {
  TestCamera camera;
  camera.nonlinearity = [](const Vec3& v) {
    const double r = std::max(v[0], 0.0), g = std::max(v[1], 0.0), b = std::max(v[2], 0.0);
    return Vec3{0.8 * r + 0.35 * std::sqrt(r * g) - 0.1 * std::sqrt(g * b),
                0.9 * g + 0.2 * std::sqrt(r * b), 0.85 * b + 0.25 * std::sqrt(g * b)};
  };
  return camera;
}

Vec3 read_colorant(cmsHPROFILE profile, cmsTagSignature tag) {
  const auto* xyz = static_cast<const cmsCIEXYZ*>(cmsReadTag(profile, tag));
  REQUIRE(xyz != nullptr);
  return {xyz->X, xyz->Y, xyz->Z};
}

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() /
         ("pigmatch-calibration-test-" + std::to_string(::getpid()) + "-" + name);
}

// Runs a shell line (for stdin redirection) and returns its stdout.
std::string shell(const std::string& line) {
  FILE* pipe = ::popen(line.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    out.append(buffer, n);
  const int status = ::pclose(pipe);
  INFO(line);
  REQUIRE(status == 0);
  return out;
}

// Device values of every patch → Lab through an external CMM reading `profile`.
std::vector<Lab> external_lab(const std::string& tool, const fs::path& profile,
                              const std::vector<Vec3>& devices) {
  const fs::path input = temp_path(tool + ".txt");
  {
    std::ofstream out(input);
    out.precision(10);
    for (const Vec3& d : devices) {
      const double scale = tool == "transicc" ? 255.0 : 1.0;  // transicc reads RGB as 0–255
      out << d[0] * scale << ' ' << d[1] * scale << ' ' << d[2] * scale << '\n';
    }
  }
  const std::string command =
      tool == "transicc"
          ? "transicc -i'" + profile.string() + "' -o*Lab -t1 -n < '" + input.string() +
                "' 2>/dev/null"
          : "xicclu -v0 -ff -ir -pl '" + profile.string() + "' < '" + input.string() + "'";
  std::istringstream lines(shell(command));
  fs::remove(input);
  std::vector<Lab> labs;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    Lab lab;
    if (fields >> lab.L >> lab.a >> lab.b)
      labs.push_back(lab);
  }
  return labs;
}

bool has_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// The profile read by Little CMS's transicc (v4, as pigmatch writes it) and by Argyll's xicclu
// (Argyll 2.3 reads only ICC v2, so the same fit written as a v2 profile).
void check_profile_with_external_tools(const std::vector<PatchSample>& samples,
                                       CalibrationOptions options = {}) {
  std::vector<Vec3> devices;
  for (const auto& s : samples)
    devices.push_back(s.device);
  for (const std::string tool : {"transicc", "xicclu"}) {
    if (!has_program(tool)) {
      WARN(tool << " is not installed: skipped (scripts/setup.sh installs it)");
      continue;
    }
    options.icc_version = tool == "xicclu" ? 2 : 4;
    const Calibration calibration =
        calibrate(samples, classic(), test::srgb_profile_bytes(), options);
    const fs::path profile = temp_path("profile.icc");
    calibration.save_profile(profile);
    const auto labs = external_lab(tool, profile, devices);
    fs::remove(profile);
    REQUIRE(labs.size() == devices.size());
    for (std::size_t i = 0; i < labs.size(); ++i) {
      INFO(tool << " patch " << i + 1 << ": " << labs[i].L << " " << labs[i].a << " " << labs[i].b);
      CHECK(delta_e2000(labs[i], calibration.report().patches[i].fitted) < 0.1);
    }
  }
}

// pigmatch's own transform of the profile, on a 16-bit image of the patch device values.
void check_profile_with_pigmatch(const Calibration& calibration,
                                 const std::vector<PatchSample>& samples) {
  Image image;
  image.width = static_cast<int>(samples.size());
  image.height = 1;
  image.bits = 16;
  image.pixels.resize(samples.size() * 6);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    for (std::size_t c = 0; c < 3; ++c) {
      const auto code = static_cast<std::uint16_t>(std::lround(samples[i].device[c] * 65535));
      std::memcpy(image.pixels.data() + 2 * (3 * i + c), &code, 2);
    }
  }
  const LabImage lab = calibration.transform({3, 16}).apply(image);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    INFO("patch " << i + 1);
    CHECK(delta_e2000(lab.at(static_cast<int>(i), 0), calibration.report().patches[i].fitted) <
          0.1);
  }
}

}  // namespace

TEST_CASE("a linear camera is recovered exactly by the matrix fit", "[calibration]") {
  const TestCamera camera;
  const auto samples = ideal_samples(camera);
  const Calibration calibration = calibrate(samples, classic(), test::srgb_profile_bytes());
  const auto& report = calibration.report();
  CHECK(report.model == CalibrationModel::matrix);
  CHECK(report.mean_de00 < 0.01);
  CHECK(report.max_de00 < 0.02);
  CHECK(report.loo_mean_de00 < 0.02);
  REQUIRE(report.patches.size() == 24);
  for (const auto& p : report.patches)
    CHECK(p.used);

  // The profile's colorants are the camera matrix's columns, undone by the exposure.
  const auto& icc = calibration.icc_profile();
  cmsHPROFILE profile = cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size()));
  REQUIRE(profile != nullptr);
  CHECK(cmsGetEncodedICCversion(profile) >= 0x4000000);
  CHECK(cmsGetDeviceClass(profile) == cmsSigInputClass);
  CHECK(cmsIsMatrixShaper(profile));
  const cmsTagSignature tags[3] = {cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                   cmsSigBlueColorantTag};
  for (std::size_t c = 0; c < 3; ++c) {
    const Vec3 column = read_colorant(profile, tags[c]);
    for (std::size_t r = 0; r < 3; ++r)
      CHECK(column[r] == Approx(camera.matrix[r][c] / camera.exposure).margin(2e-4));
  }
  cmsCloseProfile(profile);
}

TEST_CASE("the matrix/shaper profile reads the same in pigmatch, transicc and xicclu",
          "[calibration][icc]") {
  const TestCamera camera;
  const auto samples = ideal_samples(camera);
  const Calibration calibration = calibrate(samples, classic(), test::srgb_profile_bytes());
  REQUIRE(calibration.report().model == CalibrationModel::matrix);
  check_profile_with_pigmatch(calibration, samples);
  check_profile_with_external_tools(samples);
  // And it is the photo's colour: the fitted values are the references.
  for (const auto& p : calibration.report().patches)
    CHECK(delta_e2000(p.fitted, p.reference) < 0.02);
}

TEST_CASE("a non-linear camera: a root-polynomial is chosen by leave-one-out, as a LUT profile",
          "[calibration][icc]") {
  const TestCamera camera = nonlinear_camera();
  const auto samples = ideal_samples(camera);
  const Calibration calibration = calibrate(samples, classic(), test::srgb_profile_bytes());
  const auto& report = calibration.report();
  REQUIRE(report.candidates.size() == 3);
  const auto& matrix = report.candidates[0];
  CHECK(matrix.model == CalibrationModel::matrix);
  CHECK(report.model != CalibrationModel::matrix);
  CHECK(report.loo_mean_de00 < matrix.loo_mean_de00 * 0.95);
  CHECK(report.mean_de00 <= matrix.mean_de00);
  // Leave-one-out is never better than the fit on the same patches.
  for (const auto& c : report.candidates)
    CHECK(c.loo_mean_de00 >= c.mean_de00 - 1e-9);

  const auto& icc = calibration.icc_profile();
  cmsHPROFILE profile = cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size()));
  REQUIRE(profile != nullptr);
  CHECK(cmsIsTag(profile, cmsSigAToB0Tag));
  CHECK(cmsGetPCS(profile) == cmsSigLabData);
  cmsCloseProfile(profile);
  check_profile_with_pigmatch(calibration, samples);
  check_profile_with_external_tools(samples);
}

TEST_CASE("a photographed chart: sampled at its corners, oriented, calibrated", "[calibration]") {
  const TestCamera camera;
  test::SceneOptions scene;
  scene.noise = 1.0 / 255;
  const Image image = photo(camera, scene);
  // The corners, listed from any corner in either direction, resolve to the chart's own order.
  for (const ChartCorners& given : corner_orderings(true_corners)) {
    const Calibration calibration = calibrate_from_photo(image, classic(), given);
    const auto& report = calibration.report();
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(report.corners[i].x == true_corners[i].x);
      CHECK(report.corners[i].y == true_corners[i].y);
    }
    CHECK(report.mean_de00 < 0.6);  // 8-bit quantisation and noise only
    CHECK(report.loo_mean_de00 < 1.0);
  }
}

TEST_CASE("16-bit photos calibrate as well as 8-bit ones", "[calibration]") {
  test::SceneOptions scene;
  scene.bits = 16;
  const Calibration calibration =
      calibrate_from_photo(photo(TestCamera{}, scene), classic(), true_corners);
  CHECK(calibration.report().mean_de00 < 0.1);
}

TEST_CASE("clipped patches are flagged and left out of the fit", "[calibration]") {
  TestCamera camera;
  camera.exposure = 1.25;  // the white patch and the light grey blow out
  const Image image = photo(camera);
  const auto samples = sample_patches(image, classic(), true_corners);
  CHECK(samples[18].clipped);  // white 9.5
  CHECK_FALSE(samples[0].clipped);
  const Calibration calibration = calibrate_from_photo(image, classic(), true_corners);
  const auto& report = calibration.report();
  CHECK_FALSE(report.patches[18].used);
  CHECK(report.patches[0].used);
  CHECK(report.mean_de00 < 0.6);
  bool warned = false;
  for (const auto& w : report.warnings)
    warned = warned || w.find("white 9.5") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("too few usable patches, a wrong chart or no chart are refused", "[calibration]") {
  SECTION("fewer usable patches than the matrix needs") {
    auto samples = ideal_samples(TestCamera{});
    for (std::size_t i = 5; i < samples.size(); ++i)
      samples[i].clipped = true;
    try {
      (void)calibrate(samples, classic(), {});
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      CHECK_THAT(e.what(), Catch::Contains("5 of the chart's 24"));
    }
  }
  SECTION("the root-polynomial of degree 3 is skipped when patches are short") {
    auto samples = ideal_samples(TestCamera{});
    for (std::size_t i = 12; i < 18; ++i)
      samples[i].clipped = true;  // 18 usable < 13 + 4 + 2
    samples[0].clipped = samples[1].clipped = true;
    const Calibration calibration = calibrate(samples, classic(), {});
    CHECK(calibration.report().model != CalibrationModel::root_polynomial_3);
    CHECK_FALSE(calibration.report().candidates[2].fitted);
  }
  SECTION("a photo of a uniform wall") {
    const Image wall = test::render_chart(classic(), true_corners, [](std::size_t) {
      return Vec3{0.5, 0.5, 0.5};
    });
    try {
      (void)calibrate_from_photo(wall, classic(), true_corners);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::corrupt_data);
      CHECK_THAT(e.what(), Catch::Contains("synthetic chart"));
    }
  }
  SECTION("corners that are not a quadrilateral") {
    const Image image = photo(TestCamera{});
    const ChartCorners crossed{
        {true_corners[0], true_corners[2], true_corners[1], true_corners[3]}};
    CHECK_THROWS_AS(calibrate_from_photo(image, classic(), crossed), Error);
    const ChartCorners outside{{{-5, 0}, {100, 0}, {100, 100}, {0, 100}}};
    CHECK_THROWS_AS(calibrate_from_photo(image, classic(), outside), Error);
  }
  SECTION("a grey image") {
    Image grey;
    grey.width = grey.height = 100;
    grey.channels = 1;
    grey.pixels.resize(100 * 100);
    CHECK_THROWS_AS(calibrate_from_photo(grey, classic(), {{{0, 0}, {99, 0}, {99, 99}, {0, 99}}}),
                    Error);
  }
}
