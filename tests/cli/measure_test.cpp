// `pigmatch measure`, run as a real process on synthetic photos written as real JPEG and TIFF
// files: a camera with a known, non-sRGB response photographs a ColorChecker, skin and stubble
// whose true Lab values are known, so the calibrated measurement can be checked against truth.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../calibration/synthetic_chart.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/image/image.h"
#include "process.h"

namespace fs = std::filesystem;
using nlohmann::json;
using pigmatch::Lab;
using pigmatch::test::run_pigmatch;
using pigmatch::test::Vec3;

namespace {

const Lab skin_truth{62.0, 14.0, 18.0};
const Lab hair_truth{22.0, 3.0, 4.0};
const pigmatch::ChartCorners chart_corners{{{60, 60}, {520, 50}, {540, 370}, {50, 380}}};
const std::string plain_region = "cheek=620,80,120,120";
const std::string stubble_region = "crown=620,300,200,160";

fs::path temp(const std::string& name) {
  return fs::temp_directory_path() /
         ("pigmatch-measure-test-" + std::to_string(::getpid()) + "-" + name);
}

// The photo as a 16-bit TIFF or an 8-bit JPEG (4:4:4, quality 95) in the temporary folder.
fs::path save_photo(const pigmatch::Image& image, const std::string& name, bool tiff) {
  const fs::path path = temp(name + (tiff ? ".tif" : ".jpg"));
  if (tiff) {
    pigmatch::write_tiff(image, path);
  } else {
    pigmatch::write_jpeg(image, path, {95, false});
  }
  return path;
}

// The chart's corners as --chart takes them.
std::string corners_argument() {
  std::string corners;
  for (const auto& p : chart_corners)
    corners += (corners.empty() ? "" : ",") + std::to_string(p.x) + "," + std::to_string(p.y);
  return corners;
}

// A photo: skin everywhere, hair dots in the stubble area, and the chart unless `with_chart` is
// false (on a card with `card` around its patch field). 8-bit sRGB JPEG (4:4:4, quality 95) or
// 16-bit TIFF, sRGB profile embedded.
fs::path write_photo_with_chart_at(const std::string& name, const pigmatch::ChartCorners& corners,
                                   bool tiff = false, const std::array<double, 4>& card = {}) {
  const pigmatch::test::TestCamera camera;
  const auto chart = pigmatch::builtin_chart();
  const auto& refs = chart.reference().lab_d50;
  pigmatch::test::SceneOptions options;
  options.width = 900;
  options.height = 520;
  options.bits = tiff ? 16 : 8;
  options.noise = 1.0 / 255;
  options.background = camera.device(skin_truth);
  options.card = card;
  pigmatch::Image image = pigmatch::test::render_chart(
      chart, corners, [&](std::size_t i) { return camera.device(refs[i]); }, options);
  // Hair dots: discs of radius 3 on an 11-pixel grid inside the stubble area.
  const Vec3 hair = camera.device(hair_truth);
  for (int y = 300; y < 460; ++y) {
    for (int x = 620; x < 820; ++x) {
      const int dx = (x - 620) % 11 - 5, dy = (y - 300) % 11 - 5;
      if (dx * dx + dy * dy > 9)
        continue;
      for (int c = 0; c < 3; ++c) {
        const auto index = (static_cast<std::size_t>(y) * 900 + static_cast<std::size_t>(x)) * 3 +
                           static_cast<std::size_t>(c);
        if (tiff) {
          const auto code =
              static_cast<std::uint16_t>(std::lround(hair[static_cast<std::size_t>(c)] * 65535));
          std::memcpy(image.pixels.data() + 2 * index, &code, 2);
        } else {
          image.pixels[index] =
              static_cast<std::byte>(std::lround(hair[static_cast<std::size_t>(c)] * 255));
        }
      }
    }
  }
  return save_photo(image, name, tiff);
}

fs::path write_photo(const std::string& name, bool with_chart, bool tiff = false,
                     const std::array<double, 4>& card = {}) {
  const pigmatch::ChartCorners off_frame{{{-900, -900}, {-800, -900}, {-800, -800}, {-900, -800}}};
  return write_photo_with_chart_at(name, with_chart ? chart_corners : off_frame, tiff, card);
}

Lab lab_of(const json& value) {
  return {value[0].get<double>(), value[1].get<double>(), value[2].get<double>()};
}

json measure_json(const std::vector<std::string>& args) {
  const auto r = run_pigmatch(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

const json& region(const json& out, const std::string& name) {
  for (const auto& r : out["regions"])
    if (r["name"] == name)
      return r;
  FAIL("no region " << name);
  return out;
}

}  // namespace

TEST_CASE("measure: the chart is found, calibrates the camera, and regions come out true",
          "[cli][measure]") {
  const fs::path photo = write_photo("chart", true);
  const json out = measure_json(
      {"measure", photo.string(), "--region", plain_region, "--stubble", stubble_region, "--json"});
  const json chart_only = measure_json({"measure", photo.string(), "--no-skin-training", "--json"});
  fs::remove(photo);
  const json& cal = out["calibration"];
  CHECK(cal["source"] == "chart");
  CHECK(cal["model"].is_string());
  REQUIRE(cal["corners"].size() == 4);
  // The chart's own order: the corner next to dark skin first.
  CHECK(cal["corners"][0][0].get<double>() == Approx(chart_corners[0].x).margin(8));
  CHECK(cal["corners"][0][1].get<double>() == Approx(chart_corners[0].y).margin(8));
  CHECK(cal["mean_de00"].get<double>() < 1.0);
  CHECK(cal["loo_mean_de00"].get<double>() >= cal["mean_de00"].get<double>() - 1e-9);
  CHECK(cal["max_de00"].get<double>() >= cal["mean_de00"].get<double>());
  CHECK(cal["warnings"].is_array());
  // The built-in chart carries (reconstructed) spectra: skin training is on by default.
  CHECK(cal.value("skin_spectra_fitted", -1) == 16);
  CHECK(chart_only["calibration"].value("skin_spectra_fitted", -1) == 0);

  const json& cheek = region(out, "cheek");
  CHECK(cheek["kind"] == "plain");
  CHECK(pigmatch::delta_e2000(lab_of(cheek["lab_d50"]), skin_truth) < 1.0);
  CHECK(cheek["pixels"].get<int>() > 10000);
  for (const char* key : {"ita", "ita_class", "monk", "fitzpatrick_estimate", "undertone"})
    CHECK(cheek.contains(key));
  // ITA from the truth, by its definition on D65/10° values, lands in the same class.
  CHECK(cheek["ita"].get<double>() > 10);

  const json& crown = region(out, "crown");
  CHECK(crown["kind"] == "stubble");
  CHECK(pigmatch::delta_e2000(lab_of(crown["skin"]["lab_d50"]), skin_truth) < 1.5);
  CHECK(pigmatch::delta_e2000(lab_of(crown["hair"]["lab_d50"]), hair_truth) < 3.0);
  // 29 discs of area ~29 px in each 121-pixel cell: about 24 % coverage.
  CHECK(crown["hair"]["coverage"].get<double>() == Approx(29.0 / 121).margin(0.08));
}

TEST_CASE("measure: without calibration the same camera is visibly wrong", "[cli][measure]") {
  const fs::path photo = write_photo("uncalibrated", true);
  const json out =
      measure_json({"measure", photo.string(), "--chart", "none", "-r", plain_region, "--json"});
  fs::remove(photo);
  CHECK(out["calibration"]["source"] == "embedded");
  CHECK(out["calibration"]["mean_de00"].is_null());
  CHECK(pigmatch::delta_e2000(lab_of(region(out, "cheek")["lab_d50"]), skin_truth) > 2.0);
}

TEST_CASE("measure: user corners, a saved profile reused on a photo without a chart, 16-bit TIFF",
          "[cli][measure]") {
  const fs::path photo = write_photo("corners", true, true);
  const fs::path profile = temp("camera.icc");
  const std::string corners = corners_argument();
  const json first = measure_json({"measure", photo.string(), "--chart", corners, "-r",
                                   plain_region, "--profile-out", profile.string(), "--json"});
  CHECK(first["calibration"]["detection"] == "user");
  CHECK(first["calibration"]["mean_de00"].get<double>() < 0.5);
  REQUIRE(fs::file_size(profile) > 128);
  const Lab calibrated = lab_of(region(first, "cheek")["lab_d50"]);
  CHECK(pigmatch::delta_e2000(calibrated, skin_truth) < 0.7);

  const json again = measure_json(
      {"measure", photo.string(), "--profile", profile.string(), "-r", plain_region, "--json"});
  CHECK(again["calibration"]["source"] == "profile");
  CHECK(pigmatch::delta_e2000(lab_of(region(again, "cheek")["lab_d50"]), calibrated) < 0.1);
  fs::remove(photo);
  fs::remove(profile);
}

TEST_CASE("measure: the card's physical corners (logo band, ruler) work as the corner marks do",
          "[cli][measure]") {
  const fs::path photo = write_photo("card", true, false, pigmatch::test::kClassicCard);
  const auto& card = pigmatch::test::kClassicCard;
  const pigmatch::test::TestHomography field(chart_corners);
  std::string physical;
  for (const pigmatch::Point uv :
       {pigmatch::Point{-card[0], -card[1]}, pigmatch::Point{1 + card[2], -card[1]},
        pigmatch::Point{1 + card[2], 1 + card[3]}, pigmatch::Point{-card[0], 1 + card[3]}}) {
    const pigmatch::Point p = field.to_image(uv);
    physical += (physical.empty() ? "" : ",") + std::to_string(std::lround(p.x)) + "," +
                std::to_string(std::lround(p.y));
  }
  for (const std::string& corners : {corners_argument(), physical}) {
    CAPTURE(corners);
    const json out = measure_json({"measure", photo.string(), "--chart", corners, "--region",
                                   plain_region, "--no-skin-training", "--json"});
    const json& cal = out["calibration"];
    CHECK(cal["mean_de00"].get<double>() < 1.0);
    // The patch field is reported, whichever corners were given.
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(cal["corners"][i][0].get<double>() == Approx(chart_corners[i].x).margin(6));
      CHECK(cal["corners"][i][1].get<double>() == Approx(chart_corners[i].y).margin(6));
    }
    CHECK(pigmatch::delta_e2000(lab_of(region(out, "cheek")["lab_d50"]), skin_truth) < 1.0);
    const bool said = cal["warnings"].dump().find("patch field") != std::string::npos;
    CHECK(said == (corners == physical));
  }
  fs::remove(photo);
}

TEST_CASE("measure: a chart cut by the photo's edge is named as such", "[cli][measure]") {
  // The chart 250 px further left than the photo begins: its left third is out of frame.
  const pigmatch::ChartCorners cut{{{-190, 60}, {270, 50}, {290, 370}, {-200, 380}}};
  const fs::path photo = write_photo_with_chart_at("cut-chart", cut);
  const json out = measure_json({"measure", photo.string(), "-r", plain_region, "--json"});
  CHECK(out["calibration"]["source"] == "embedded");
  const json& warnings = out["calibration"]["warnings"];
  REQUIRE(warnings.size() >= 2);
  CHECK_THAT(warnings[0].get<std::string>(), Catch::StartsWith("no X-Rite ColorChecker"));
  bool named_cut = false;
  for (const json& w : warnings)
    named_cut =
        named_cut || w.get<std::string>().find("cut by the photo's edge") != std::string::npos;
  CHECK(named_cut);
  fs::remove(photo);
}

TEST_CASE("measure: a photo without a chart", "[cli][measure]") {
  const fs::path photo = write_photo("no-chart", false);
  SECTION("falls back to the embedded profile with a warning") {
    const json out = measure_json({"measure", photo.string(), "-r", plain_region, "--json"});
    CHECK(out["calibration"]["source"] == "embedded");
    CHECK(out["calibration"]["corners"].empty());
    REQUIRE(out["calibration"]["warnings"].size() >= 1);
    // Plainly first: no chart, and which profile the colours were read through.
    CHECK_THAT(out["calibration"]["warnings"][0].get<std::string>(),
               Catch::StartsWith("no X-Rite ColorChecker") && Catch::Contains("found in") &&
                   Catch::Contains("embedded profile (sRGB") && !Catch::Contains("lies outside"));
  }
  SECTION("is an error when the chart is required") {
    const auto r = run_pigmatch({"measure", photo.string(), "--chart", "auto"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("found") && Catch::Contains("--chart X1,Y1"));
  }
  SECTION("cannot save a profile") {
    const auto r =
        run_pigmatch({"measure", photo.string(), "--profile-out", temp("x.icc").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("--profile-out"));
  }
  SECTION("corners on bare skin are refused") {
    const auto r =
        run_pigmatch({"measure", photo.string(), "--chart", "60,60,520,50,540,370,50,380"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("no X-Rite ColorChecker"));
  }
  fs::remove(photo);
}

TEST_CASE("measure: bad arguments and bad files", "[cli][measure]") {
  CHECK(run_pigmatch({"measure", "x.jpg", "--chart", "1,2,3"}).exit_code == 2);
  CHECK(run_pigmatch({"measure", "x.jpg", "--region", "120,80,60,40"}).exit_code == 2);
  CHECK(run_pigmatch({"measure", "x.jpg", "--profile", "a.icc", "--chart", "auto"}).exit_code == 2);
  CHECK(run_pigmatch({"measure", "x.jpg", "--profile-version", "3"}).exit_code == 2);
  const auto missing = run_pigmatch({"measure", "/nonexistent/photo.jpg"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/photo.jpg"));
  const fs::path junk = temp("junk.jpg");
  { std::ofstream(junk) << "\xFF\xD8\xFF not really a jpeg"; }
  const auto corrupt = run_pigmatch({"measure", junk.string()});
  fs::remove(junk);
  CHECK(corrupt.exit_code == 1);
  CHECK(corrupt.err.find("internal error") == std::string::npos);
}

namespace {

// A flat field for the 1200×800 sample: a uniform grey card photographed with the same setup,
// except that the rectangle `dim` got `light` times the light (linear), sRGB-encoded.
fs::path write_flat_field(const std::string& name, int width, int height, pigmatch::Rect dim,
                          double light) {
  pigmatch::Image flat;
  flat.width = width;
  flat.height = height;
  flat.channels = 3;
  flat.bits = 8;
  flat.icc_profile = pigmatch::test::srgb_profile_bytes();
  flat.pixels.resize(flat.row_stride() * static_cast<std::size_t>(height));
  const auto encode = [](double v) {
    const double e = v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
    return static_cast<std::byte>(static_cast<int>(std::lround(255 * e)));
  };
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const bool in_dim = x >= dim.x && x < dim.x + dim.w && y >= dim.y && y < dim.y + dim.h;
      const std::byte v = encode(0.18 * (in_dim ? light : 1.0));
      for (std::size_t c = 0; c < 3; ++c)
        flat.pixels[(static_cast<std::size_t>(y) * width + x) * 3 + c] = v;
    }
  }
  const fs::path path = temp(name);
  pigmatch::write_jpeg(flat, path, {95, false});
  return path;
}

}  // namespace

TEST_CASE("measure: light fall-off corrected by a flat field or a grey card", "[cli][measure]") {
  const fs::path photo =
      fs::path(PIGMATCH_SOURCE_DIR) / "data" / "samples" / "scalp-canon40d-f11.jpg";
  const std::string skin = "skin=683,455,193,257";
  const auto measure = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"measure", photo.string(), "--chart", "auto",
                                     "--json",  "--region",     skin};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_pigmatch(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  };
  const auto luminance = [](const json& out) {
    const json& lab = out.at("regions").at(0).at("lab_d50");
    return pigmatch::to_xyz(Lab{lab[0].get<double>(), lab[1].get<double>(), lab[2].get<double>()})
        .Y;
  };
  const json plain = measure({});
  CHECK(plain.at("light").at("compensated") == false);
  CHECK_THAT(plain.at("light").at("note").get<std::string>(), Catch::Contains("--grey"));
  CHECK(plain.at("regions").at(0).at("uncertainty").at("light_de00") == 1.0);
  // The light across the chart, read from its patches, with its standard errors.
  const json& across = plain.at("calibration").at("light_across_chart");
  CHECK(across.at("corrected").is_boolean());
  CHECK(across.at("along_rows_se").get<double>() > 0);
  CHECK(std::abs(across.at("along_rows").get<double>()) < 0.5);

  // The skin got 80 % of the chart's light: the flat field says so, and the skin is put back.
  const fs::path flat = write_flat_field("flat.jpg", 1200, 800, {650, 420, 260, 330}, 0.8);
  const json flattened = measure({"--flat-field", flat.string()});
  CHECK(flattened.at("light").at("by") == "flat field");
  const json& light = flattened.at("regions").at(0).at("light");
  CHECK(light.at("factor").get<double>() == Approx(1 / 0.8).epsilon(0.02));
  CHECK(luminance(flattened) / luminance(plain) == Approx(light.at("factor").get<double>()));
  CHECK(flattened.at("regions").at(0).at("uncertainty").at("light_de00") == 0.3);

  // A grey card: here a patch of the chart stands in for one (the mechanics, not the accuracy,
  // which bench/measure_accuracy.py --compensation measures on rendered grey cards).
  const json carded = measure({"--grey", "card=250,330,30,20:50.87"});
  CHECK(carded.at("light").at("by") == "grey card");
  CHECK(carded.at("regions").at(0).at("light").at("reference") == "card");

  // What cannot tell the light.
  CHECK(run_pigmatch(
            {"measure", photo.string(), "--grey", "c=1,1,5,5", "--flat-field", flat.string()})
            .exit_code == 2);
  CHECK(run_pigmatch({"measure", photo.string(), "--grey", "c=1,1,5,5:120"}).exit_code == 2);
  CHECK(run_pigmatch({"measure", photo.string(), "--grey", "c=1,1,5,5:grey"}).exit_code == 2);
  const fs::path small = write_flat_field("small.jpg", 600, 400, {0, 0, 1, 1}, 1.0);
  const auto wrong_size =
      run_pigmatch({"measure", photo.string(), "--region", skin, "--flat-field", small.string()});
  CHECK(wrong_size.exit_code == 1);
  CHECK_THAT(wrong_size.err, Catch::Contains("flat field") && Catch::Contains("600×400"));
  fs::remove(flat);
  fs::remove(small);
}

namespace {

// Linear camera values without white balance (green strong, red and blue weak), no profile: what
// a machine-vision camera or a raw file developed without a curve gives.
Vec3 raw_linear(const Lab& lab) {
  pigmatch::test::TestCamera camera;
  camera.exposure = 0.6;
  Vec3 rgb = camera.linear_rgb(pigmatch::to_xyz(lab));
  const Vec3 gains{0.5, 1.0, 0.65};
  for (std::size_t c = 0; c < 3; ++c)
    rgb[c] = std::clamp(rgb[c] * gains[c], 0.0, 1.0);
  return rgb;
}

fs::path write_linear_photo(const std::string& name, bool tiff) {
  const auto chart = pigmatch::builtin_chart();
  const auto& refs = chart.reference().lab_d50;
  pigmatch::test::SceneOptions options;
  options.width = 900;
  options.height = 520;
  options.bits = tiff ? 16 : 8;
  options.noise = 1.0 / 255;  // a sensor's noise, which also dithers 8-bit linear codes
  options.background = raw_linear(skin_truth);
  options.frame = raw_linear(refs[23]);
  pigmatch::Image image = pigmatch::test::render_chart(
      chart, chart_corners, [&](std::size_t i) { return raw_linear(refs[i]); }, options);
  image.icc_profile.clear();
  return save_photo(image, name, tiff);
}

}  // namespace

TEST_CASE("measure: a linear photo without a profile is read as linear and measures true",
          "[cli][measure][encoding]") {
  for (const bool tiff : {true, false}) {
    CAPTURE(tiff);
    const fs::path photo = write_linear_photo("linear", tiff);
    for (const std::string& chart : {corners_argument(), std::string("auto")}) {
      CAPTURE(chart);
      const json out =
          measure_json({"measure", photo.string(), "--chart", chart, "-r", plain_region, "--json"});
      const json& encoding = out["calibration"]["encoding"];
      CHECK(encoding["read"] == "linear");
      CHECK(encoding["chosen"] == "by the chart");
      CHECK(encoding["loo_mean_de00"]["profile"].get<double>() > 8);
      for (const auto& e : encoding["tone_exponents"])
        CHECK(std::abs(e.get<double>() - 1.0) < 0.1);
      // 8 linear bits give the dark patches a few codes, and the JPEG's colour conversion
      // rounds each of them by one (the 16-bit TIFF measures within a few tenths).
      const double limit = tiff ? 1.0 : 2.5;
      CHECK(out["calibration"]["loo_mean_de00"].get<double>() < limit);
      CHECK(pigmatch::delta_e2000(lab_of(region(out, "cheek")["lab_d50"]), skin_truth) < limit);
    }
    // Read as sRGB (what a file without a profile meant before), the chart does not calibrate.
    const auto as_srgb = run_pigmatch({"measure", photo.string(), "--chart", corners_argument(),
                                       "--encoding", "profile", "-r", plain_region});
    CHECK(as_srgb.exit_code == 1);
    CHECK_THAT(as_srgb.err, Catch::Contains("however its pixels are read"));
    // The human table says how the pixels were read.
    const auto table = run_pigmatch(
        {"measure", photo.string(), "--chart", corners_argument(), "-r", plain_region});
    CHECK(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::Contains("pixels read as linear values"));
    fs::remove(photo);
  }
}

TEST_CASE("measure: --encoding is checked", "[cli][measure][encoding]") {
  const auto bogus = run_pigmatch({"measure", "x.jpg", "--encoding", "gamma"});
  CHECK(bogus.exit_code == 2);
  CHECK_THAT(bogus.err, Catch::Contains("--encoding"));
  const auto with_profile =
      run_pigmatch({"measure", "x.jpg", "--profile", "p.icc", "--encoding", "linear"});
  CHECK(with_profile.exit_code == 2);
  CHECK_THAT(with_profile.err, Catch::Contains("--profile"));
}
