// Tests of the chart module: the built-in ColorChecker Classic against X-Rite's published values
// (../shared/data), its geometry, and loading chart files, including hostile ones.
#include "pigmatch/calibration/chart.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "csv.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "shared_data.h"

namespace fs = std::filesystem;
using pigmatch::ChartDefinition;
using pigmatch::Error;
using pigmatch::ErrorCode;

namespace {

fs::path write_temp(const std::string& name, const std::string& text) {
  const fs::path path = fs::temp_directory_path() / ("pigmatch-chart-test-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A minimal valid chart with two patches, for hostile-input variations.
std::string two_patch_chart(const std::string& second_center = "[0.75, 0.5]",
                            const std::string& second_lab = "[50, 0, 0]") {
  return R"({"format": "pigmatch-chart", "version": 1, "id": "two",
    "geometry": {"size_mm": [100, 50]},
    "patches": [{"id": 1, "name": "a", "center": [0.25, 0.5], "size": [0.4, 0.8]},
                {"id": 2, "name": "b", "center": )" +
         second_center + R"(, "size": [0.4, 0.8], "neutral": true}],
    "references": [{"id": "ref", "lab": [[40, 10, 10], )" +
         second_lab + R"(]}]})";
}

ErrorCode code_of(const std::string& text) {
  try {
    pigmatch::parse_chart(text, "test.json");
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("parse_chart accepted: " << text);
  return ErrorCode::invalid_argument;
}

}  // namespace

TEST_CASE("the built-in ColorChecker carries X-Rite's published Lab D50 values", "[chart]") {
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const ChartDefinition chart = pigmatch::builtin_chart();
  REQUIRE(chart.id == "colorchecker-classic");
  REQUIRE(chart.patches.size() == 24);

  const auto check = [&](const std::string& set, const std::string& file) {
    const auto csv = pigmatch::test::read_csv(shared / "colorchecker" / file);
    const auto& reference = chart.reference(set);
    REQUIRE(csv.rows.size() == 24);
    REQUIRE(reference.lab_d50.size() == 24);
    CHECK_FALSE(reference.source.empty());
    for (std::size_t i = 0; i < 24; ++i) {
      INFO(set << " patch " << i + 1);
      CHECK(chart.patches[i].id == std::stoi(csv.rows[i][csv.column("patch_index")]));
      CHECK(chart.patches[i].name == csv.rows[i][csv.column("name")]);
      CHECK(reference.lab_d50[i].L == csv.number(i, csv.column("L")));
      CHECK(reference.lab_d50[i].a == csv.number(i, csv.column("a")));
      CHECK(reference.lab_d50[i].b == csv.number(i, csv.column("b")));
    }
  };
  check("xrite-2014", "xrite2016_colorchecker24_after_nov2014_Lab_D50_2deg.csv");
  check("xrite-pre-2014", "xrite2016_colorchecker24_before_nov2014_Lab_D50_2deg.csv");
  CHECK(chart.reference().id == "xrite-2014");  // the current formulation is the default
}

TEST_CASE("the built-in ColorChecker's reconstructed spectra give its reference Lab", "[chart]") {
  // tools/gen_chart_spectra.py: Munsell chips (skin patches: skin reflectances) combined to each
  // patch's X-Rite 2014 Lab. Blue and green lie outside the chips' gamut: they stay at the
  // nearest colour the chips reach (the calibration targets the reference Lab regardless).
  const ChartDefinition chart = pigmatch::builtin_chart();
  REQUIRE(chart.spectra.size() == 24);
  const auto& reference = chart.reference("xrite-2014");
  for (std::size_t i = 0; i < 24; ++i) {
    INFO("patch " << i + 1 << " " << chart.patches[i].name);
    const double de = pigmatch::delta_e2000(
        pigmatch::to_lab(pigmatch::to_xyz(chart.spectra[i], pigmatch::Illuminant::d50)),
        reference.lab_d50[i]);
    const double allowed = i == 12 ? 9.5 : i == 13 ? 1.5 : 0.05;
    CHECK(de <= allowed);
  }
}

TEST_CASE("the built-in ColorChecker's reconstructed spectra resemble measured ones", "[chart]") {
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const auto csv = pigmatch::test::read_csv(shared / "colorchecker" /
                                            "babelcolor_average_spectral_380-730_10nm.csv");
  REQUIRE(csv.rows.size() == 36);
  const ChartDefinition chart = pigmatch::builtin_chart();
  REQUIRE(chart.spectra.size() == 24);
  for (std::size_t p = 0; p < 24; ++p) {
    // 400–700 nm: the Munsell chips were measured there only.
    double sum = 0;
    int bands = 0;
    for (std::size_t row = 0; row < 36; ++row) {
      const double nm = csv.number(row, 0);
      if (nm < 400 || nm > 700)
        continue;
      const double d = chart.spectra[p][row] - csv.number(row, p + 1);
      sum += d * d;
      ++bands;
    }
    const double rms = std::sqrt(sum / bands);
    INFO("patch " << p + 1 << " " << chart.patches[p].name << ": RMS " << rms);
    // Skin patches from skin reflectances: close; the rest within what separates charts.
    CHECK(rms <= (p < 2 ? 0.03 : 0.08));
  }
}

TEST_CASE("the built-in ColorChecker's layout is 4 rows of 6, row by row, greys last", "[chart]") {
  const ChartDefinition chart = pigmatch::builtin_chart("colorchecker-classic");
  REQUIRE(chart.patches.size() == 24);
  CHECK(chart.rows == 4);
  CHECK(chart.columns == 6);
  CHECK(chart.width_mm / chart.height_mm == Approx(1.5).margin(0.05));
  for (std::size_t i = 0; i < 24; ++i) {
    const auto& p = chart.patches[i];
    INFO("patch " << p.id);
    const std::size_t row = i / 6, column = i % 6;
    // Equal pitch in both directions: patch centres sit on a regular grid.
    const auto& first = chart.patches[0];
    const double pitch_x = chart.patches[1].center.x - first.center.x;
    const double pitch_y = chart.patches[6].center.y - first.center.y;
    CHECK(p.center.x ==
          Approx(first.center.x + pitch_x * static_cast<double>(column)).margin(1e-5));
    CHECK(p.center.y == Approx(first.center.y + pitch_y * static_cast<double>(row)).margin(1e-5));
    // Square in millimetres, and smaller than the pitch so neighbours do not overlap.
    CHECK(p.width * chart.width_mm == Approx(p.height * chart.height_mm).margin(0.01));
    CHECK(p.width < pitch_x);
    CHECK(p.height < pitch_y);
    CHECK(p.neutral == (row == 3));
  }
}

TEST_CASE("the embedded chart is the data file in the repository", "[chart]") {
  const fs::path file = fs::path(PIGMATCH_SOURCE_DIR) / "data/charts/colorchecker-classic.json";
  const ChartDefinition from_file = pigmatch::load_chart(file);
  const ChartDefinition builtin = pigmatch::builtin_chart();
  REQUIRE(from_file.patches.size() == builtin.patches.size());
  for (std::size_t i = 0; i < builtin.patches.size(); ++i) {
    CHECK(from_file.patches[i].center.x == builtin.patches[i].center.x);
    CHECK(from_file.patches[i].center.y == builtin.patches[i].center.y);
    CHECK(from_file.reference().lab_d50[i].L == builtin.reference().lab_d50[i].L);
  }
  CHECK(pigmatch::builtin_chart_ids() == std::vector<std::string>{"colorchecker-classic"});
}

TEST_CASE("chart files: a valid one loads, with its default reference first", "[chart]") {
  std::string text = two_patch_chart();
  text.insert(text.rfind('}'), R"(, "default_reference": "ref")");
  const auto path = write_temp("valid.json", text);
  const ChartDefinition chart = pigmatch::load_chart(path);
  fs::remove(path);
  CHECK(chart.id == "two");
  CHECK(chart.name == "two");
  REQUIRE(chart.patches.size() == 2);
  CHECK(chart.patches[1].neutral);
  CHECK_FALSE(chart.patches[0].neutral);
  CHECK(chart.reference().lab_d50[0].L == 40);
}

TEST_CASE("chart files: hostile and broken input is refused with a clear error", "[chart]") {
  CHECK(code_of("") == ErrorCode::corrupt_data);
  CHECK(code_of("{\"format\": \"pigmatch-chart\"") == ErrorCode::corrupt_data);
  CHECK(code_of("[1, 2, 3]") == ErrorCode::corrupt_data);
  CHECK(code_of(R"({"format": "something-else", "version": 1})") == ErrorCode::corrupt_data);
  std::string future = two_patch_chart();
  future.replace(future.find("\"version\": 1"), 12, "\"version\": 2");
  CHECK(code_of(future) == ErrorCode::corrupt_data);
  CHECK(code_of(two_patch_chart("[0.95, 0.5]")) == ErrorCode::corrupt_data);   // sticks out
  CHECK(code_of(two_patch_chart("[0.75]")) == ErrorCode::corrupt_data);        // not a point
  CHECK(code_of(two_patch_chart("[\"x\", 0.5]")) == ErrorCode::corrupt_data);  // not a number
  CHECK(code_of(two_patch_chart("[0.75, 0.5]", "[150, 0, 0]")) == ErrorCode::corrupt_data);
  CHECK(code_of(two_patch_chart("[0.75, 0.5]", "[50, 0]")) == ErrorCode::corrupt_data);
  std::string missing_value = two_patch_chart();
  missing_value.replace(missing_value.find(", [50, 0, 0]"), 12, "");
  CHECK(code_of(missing_value) == ErrorCode::corrupt_data);  // 2 patches, 1 value
  std::string duplicate = two_patch_chart();
  duplicate.replace(duplicate.find("\"id\": 2"), 7, "\"id\": 1");
  CHECK(code_of(duplicate) == ErrorCode::corrupt_data);
  std::string bad_default = two_patch_chart();
  bad_default.insert(bad_default.rfind('}'), R"(, "default_reference": "nope")");
  CHECK(code_of(bad_default) == ErrorCode::corrupt_data);

  try {
    pigmatch::parse_chart(two_patch_chart("[0.95, 0.5]"), "mine.json");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("mine.json") && Catch::Contains("patch 2"));
  }
}

TEST_CASE("chart files: missing files and unknown names", "[chart]") {
  try {
    pigmatch::load_chart("/nonexistent/chart.json");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::io);
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent/chart.json"));
  }
  try {
    pigmatch::builtin_chart("colorchecker-sg");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::not_found);
    CHECK_THAT(e.what(), Catch::Contains("colorchecker-classic"));
  }
  try {
    (void)pigmatch::builtin_chart().reference("xrite-1976");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::not_found);
    CHECK_THAT(e.what(), Catch::Contains("xrite-pre-2014"));
  }
}

namespace {

// The two-patch chart with a "spectra" member.
std::string with_spectra(const std::string& spectra) {
  std::string text = two_patch_chart();
  text.insert(text.rfind('}'), R"(, "spectra": )" + spectra);
  return text;
}

}  // namespace

TEST_CASE("chart files: optional spectra are resampled to the 10 nm grid", "[chart]") {
  CHECK(pigmatch::parse_chart(two_patch_chart(), "none.json").spectra.empty());
  // 5 nm data from 380 to 730 nm, each patch a straight line: the 10 nm values are its points.
  std::string wavelengths, first, second;
  for (int nm = 380; nm <= 730; nm += 5) {
    const std::string sep = nm == 380 ? "" : ", ";
    wavelengths += sep + std::to_string(nm);
    first += sep + std::to_string(0.1 + 0.001 * (nm - 380));
    second += sep + std::to_string(nm < 550 ? 0.2 : 0.6);
  }
  const ChartDefinition chart = pigmatch::parse_chart(
      with_spectra(R"({"wavelengths_nm": [)" + wavelengths + R"(], "reflectance": [[)" + first +
                   "], [" + second + "]]}"),
      "spectra.json");
  REQUIRE(chart.spectra.size() == 2);
  for (std::size_t i = 0; i < pigmatch::Spectrum::band_count; ++i) {
    const double nm = pigmatch::Spectrum::wavelength(i);
    CHECK(chart.spectra[0][i] == Approx(0.1 + 0.001 * (nm - 380)).margin(1e-6));
    CHECK(chart.spectra[1][i] == Approx(nm < 550 ? 0.2 : 0.6));
  }
  // Data starting at 390 nm (as many instruments) holds its first value for 380 nm.
  const ChartDefinition short_range = pigmatch::parse_chart(
      with_spectra(R"({"wavelengths_nm": [390, 730], "reflectance": [[0.3, 0.5], [0.1, 0.1]]})"),
      "short.json");
  CHECK(short_range.spectra[0][0] == Approx(0.3));
  CHECK(short_range.spectra[0][35] == Approx(0.5));
}

TEST_CASE("chart files: broken spectra are refused with a clear error", "[chart]") {
  const auto message = [](const std::string& spectra) -> std::string {
    try {
      pigmatch::parse_chart(with_spectra(spectra), "spectra.json");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::corrupt_data);
      return e.what();
    }
    FAIL("accepted: " << spectra);
    return {};
  };
  CHECK_THAT(message(R"({"wavelengths_nm": [380, 730], "reflectance": [[0.3, 0.5]]})"),
             Catch::Contains("one curve per patch (2)"));
  CHECK_THAT(message(R"({"wavelengths_nm": [380, 730], "reflectance": [[0.3, 0.5], [0.1]]})"),
             Catch::Contains("patch 2"));
  CHECK_THAT(message(R"({"wavelengths_nm": [380, 730], "reflectance": [[0.3, 5], [0.1, 0.1]]})"),
             Catch::Contains("outside 0"));
  CHECK_THAT(message(R"({"wavelengths_nm": [450, 730], "reflectance": [[0.3, 0.5], [0.1, 0.1]]})"),
             Catch::Contains("spectra.json"));
  CHECK_THAT(message(R"({"wavelengths_nm": [730, 380], "reflectance": [[0.3, 0.5], [0.1, 0.1]]})"),
             Catch::Contains("spectra.json"));
  CHECK_THAT(message(R"({"reflectance": [[0.3, 0.5], [0.1, 0.1]]})"),
             Catch::Contains("wavelengths_nm"));
  CHECK_THAT(message(R"({"wavelengths_nm": [380, 730], "reflectance": [[0.3, "x"], [0.1, 0.1]]})"),
             Catch::Contains("number"));
}
