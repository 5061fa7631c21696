// `pigmatch lab`, run as a real process on real JPEG files, checked against an independent
// computation: pixels decoded by libjpeg-turbo's own `djpeg`, converted with the sRGB equations
// (IEC 61966-2-1) and a Bradford adaptation written out here.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pigmatch/colour/color.h"
#include "process.h"

namespace fs = std::filesystem;
using pigmatch::test::run_pigmatch;
using pigmatch::test::run_process;

namespace {

const fs::path sample =
    fs::path(PIGMATCH_SOURCE_DIR) / "data" / "samples" / "colorchecker-srgb.jpg";

struct Rgb8Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;
};

// Decodes with the `djpeg` program into a binary PPM and reads it.
Rgb8Image decode_with_djpeg(const fs::path& jpeg) {
  const auto r = run_process("/usr/bin/djpeg", {"-pnm", jpeg.string()});
  REQUIRE(r.exit_code == 0);
  Rgb8Image image;
  int maxval = 0;
  int header_length = 0;
  REQUIRE(std::sscanf(r.out.c_str(), "P6 %d %d %d%n", &image.width, &image.height, &maxval,
                      &header_length) == 3);
  REQUIRE(maxval == 255);
  const std::size_t size = static_cast<std::size_t>(image.width) * image.height * 3;
  const std::size_t start = static_cast<std::size_t>(header_length) + 1;  // one whitespace byte
  REQUIRE(r.out.size() == start + size);
  image.rgb.assign(r.out.begin() + static_cast<std::ptrdiff_t>(start), r.out.end());
  return image;
}

double srgb_to_linear(double v) {
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

// sRGB (D65) → XYZ D65 (IEC 61966-2-1) → Bradford to D50 → CIELAB D50, all written out here.
pigmatch::Lab srgb8_to_lab_d50(const unsigned char* p) {
  const double r = srgb_to_linear(p[0] / 255.0), g = srgb_to_linear(p[1] / 255.0),
               b = srgb_to_linear(p[2] / 255.0);
  const std::array<double, 3> xyz65 = {0.4124 * r + 0.3576 * g + 0.1805 * b,
                                       0.2126 * r + 0.7152 * g + 0.0722 * b,
                                       0.0193 * r + 0.1192 * g + 0.9505 * b};
  // Bradford D65 → D50 (Lindbloom's published matrix).
  const double X = 1.0478112 * xyz65[0] + 0.0228866 * xyz65[1] - 0.0501270 * xyz65[2];
  const double Y = 0.0295424 * xyz65[0] + 0.9904844 * xyz65[1] - 0.0170491 * xyz65[2];
  const double Z = -0.0092345 * xyz65[0] + 0.0150436 * xyz65[1] + 0.7521316 * xyz65[2];
  const auto f = [](double t) {
    return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16.0) / 116.0;
  };
  const double fx = f(X / 0.9642), fy = f(Y / 1.0), fz = f(Z / 0.8249);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

pigmatch::Lab independent_mean_lab(const Rgb8Image& image, int x0, int y0, int w, int h) {
  double L = 0, a = 0, b = 0;
  for (int y = y0; y < y0 + h; ++y) {
    for (int x = x0; x < x0 + w; ++x) {
      const auto lab =
          srgb8_to_lab_d50(&image.rgb[(static_cast<std::size_t>(y) * image.width + x) * 3]);
      L += lab.L;
      a += lab.a;
      b += lab.b;
    }
  }
  const double n = static_cast<double>(w) * h;
  return {L / n, a / n, b / n};
}

pigmatch::Lab lab_from_json(const nlohmann::json& j) {
  return {j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>()};
}

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() /
         ("pigmatch-lab-test-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace

TEST_CASE("pigmatch lab on an sRGB JPEG matches the sRGB equations within 0.05 ΔE00") {
  const Rgb8Image decoded = decode_with_djpeg(sample);
  // Every patch of the sample chart (inner 60×60 of each 80×80 patch), and one region that
  // straddles a patch edge (a mix of colours, where averaging order matters).
  std::vector<std::array<int, 4>> regions;
  for (int row = 0; row < 4; ++row) {
    for (int col = 0; col < 6; ++col)
      regions.push_back({30 + 100 * col, 30 + 100 * row, 60, 60});
  }
  regions.push_back({70, 70, 80, 40});
  double worst = 0;
  for (const auto& [x, y, w, h] : regions) {
    const std::string region = std::to_string(x) + "," + std::to_string(y) + "," +
                               std::to_string(w) + "," + std::to_string(h);
    const auto r = run_pigmatch({"lab", sample.string(), "--region", region, "--json"});
    INFO("region " << region << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto json = nlohmann::json::parse(r.out);
    CHECK(json.at("pixels") == w * h);
    CHECK(json.at("profile").at("source") == "embedded");
    const auto measured = lab_from_json(json.at("lab_d50").at("mean"));
    const auto expected = independent_mean_lab(decoded, x, y, w, h);
    const double de = pigmatch::delta_e2000(expected, measured);
    worst = std::max(worst, de);
    CHECK(de < 0.05);
  }
  WARN("worst ΔE00 of pigmatch lab against the sRGB equations: " << worst);
}

TEST_CASE("pigmatch lab assumes sRGB for a photo without a profile, and says so") {
  const fs::path stripped = temp_file("noprofile.jpg");
  const auto strip = run_process("/usr/bin/jpegtran",
                                 {"-copy", "none", "-outfile", stripped.string(), sample.string()});
  REQUIRE(strip.exit_code == 0);

  const auto with_profile =
      run_pigmatch({"lab", sample.string(), "--region", "130,30,60,60", "--json"});
  const auto without =
      run_pigmatch({"lab", stripped.string(), "--region", "130,30,60,60", "--json"});
  REQUIRE(with_profile.exit_code == 0);
  REQUIRE(without.exit_code == 0);
  const auto json = nlohmann::json::parse(without.out);
  CHECK(json.at("profile").at("source") == "assumed-srgb");
  // The embedded profile is sRGB, so assuming sRGB must give the same colour.
  const auto a = lab_from_json(nlohmann::json::parse(with_profile.out).at("lab_d50").at("mean"));
  const auto b = lab_from_json(json.at("lab_d50").at("mean"));
  CHECK(pigmatch::delta_e2000(a, b) < 0.01);

  const auto human = run_pigmatch({"lab", stripped.string(), "--region", "130,30,60,60"});
  CHECK(human.exit_code == 0);
  CHECK(human.err.find("no embedded ICC profile") != std::string::npos);
  CHECK(human.out.find("sRGB assumed") != std::string::npos);
  CHECK(human.out.find("median") != std::string::npos);
  fs::remove(stripped);
}

TEST_CASE("pigmatch lab without --region measures the whole photo") {
  const auto r = run_pigmatch({"lab", sample.string(), "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out).at("pixels") == 620 * 420);
}

TEST_CASE("pigmatch lab on a corrupt, truncated or missing photo exits 1 with a one-line message") {
  std::ifstream in(sample, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 1000);

  const fs::path truncated = temp_file("truncated.jpg");
  std::ofstream(truncated, std::ios::binary).write(bytes.data(), 1000);
  const fs::path garbage = temp_file("garbage.jpg");
  std::ofstream(garbage, std::ios::binary) << "this is not a photo\n";
  const fs::path missing = temp_file("missing.jpg");

  for (const fs::path& path : {truncated, garbage, missing}) {
    const auto r = run_pigmatch({"lab", path.string()});
    INFO(path << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find(path.filename().string()) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  fs::remove(truncated);
  fs::remove(garbage);
}

TEST_CASE("pigmatch lab: a region outside the photo fails; a malformed one is a usage error") {
  const auto outside = run_pigmatch({"lab", sample.string(), "--region", "600,400,50,50"});
  CHECK(outside.exit_code == 1);
  CHECK(outside.err.find("region") != std::string::npos);

  for (const char* bad : {"1,2,3", "a,b,c,d", "10,10,0,5", "-1,0,5,5", "1.5,0,5,5"}) {
    const auto r = run_pigmatch({"lab", sample.string(), "--region", bad});
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("x,y,w,h") != std::string::npos);
  }
}
