// A catalog from a studio's own drawdown readings. Pigments with known K and S are "measured"
// through an independent Kubelka–Munk film (tests/formulation/independent_km.h) on a card that is
// not flat, with the noise of a spectrophotometer, and written as real CGATS files by Little
// CMS's IT8 writer (an i1Profiler-style export named by SAMPLE_NAME, an Argyll-style one in
// percent named by a layout file). The catalog built from them must validate, fit its readings,
// and give back the recipes of mixtures of the true pigments.
#include "pigmatch/formulation/catalog_build.h"

#include <lcms2.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "error_from.h"
#include "formulation/drawdowns.h"
#include "formulation/independent_km.h"
#include "formulation/random_recipe.h"
#include "formulation/synthetic_catalog.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/mixing.h"
#include "store/store_fixtures.h"

using namespace pigmatch;
namespace fs = std::filesystem;

namespace {

using test::card_at;
using test::pigment_count;
using test::readings;
using test::Row;
using test::series;
using test::write_cgats;
using test::write_layout;

}  // namespace

TEST_CASE("a catalog built from an i1Profiler-style export fits its readings and validates",
          "[catalog_build]") {
  const test::TempDir dir;
  const Catalog truth = test::synthetic_catalog(pigment_count, 21);
  const fs::path file = dir.path() / "drawdowns.txt";
  write_cgats(file, readings(truth, 0.001, 5), false);
  const std::vector<DrawdownReading> read = read_drawdowns(file, std::nullopt);
  REQUIRE(read.size() == 3 + pigment_count * series.size());
  CHECK(read.front().code.empty());
  CHECK(read[3].code == "P0");
  CHECK(read[3].concentration == Approx(1.0));

  const BuiltCatalog built = build_catalog(read, {"studio-own", "Studio", "Our bottles"});
  CHECK(validate(built.catalog).empty());
  REQUIRE(built.catalog.pigments.size() == pigment_count + 1);
  CHECK(built.catalog.pigments.back().is_diluent);
  REQUIRE(built.fits.size() == pigment_count);
  for (std::size_t b = 0; b < Spectrum::band_count; ++b)
    CHECK(built.card[b] == Approx(card_at(b)).margin(0.002));
  for (const PigmentFit& f : built.fits) {
    INFO(f.code);
    CHECK(f.concentrations == series.size());
    CHECK(f.mean_de00 < 0.5);
    CHECK(f.max_de00 < 1.0);
  }
}

TEST_CASE("recipes of mixtures of the true pigments come back from the built catalog",
          "[catalog_build]") {
  // Issue 15's check: 100 mixtures of 1–3 true pigments in 20 drops, formulated with the
  // catalog built from noisy readings (Argyll style, layout file): the same pigments with drops
  // within ±1 of the truth in ≥ 95 of 100. Each drawdown is read three times (the builder
  // averages them), as docs/catalog-format.md asks, with 0.1 % reflectance noise per reading.
  // Recipes a drop apart differ by 0.1–0.3 ΔE00, so the catalog must be that good: read once
  // with 0.2 % noise, 74 of 100 come back; noise-free, 99 (the truth's own catalog: 99).
  const test::TempDir dir;
  const Catalog truth = test::synthetic_catalog(pigment_count, 21);
  const std::vector<Row> rows = readings(truth, 0.001, 9, 3);
  write_cgats(dir.path() / "drawdowns.ti3", rows, true);
  write_layout(dir.path() / "layout.csv", rows);
  const BuiltCatalog built =
      build_catalog(read_drawdowns(dir.path() / "drawdowns.ti3", dir.path() / "layout.csv"),
                    {"studio-own", "Studio", "Our bottles"});
  const PigmentPool pool = select_pigments(std::span(&built.catalog, 1), {});
  MixerConditions conditions;
  conditions.substrate = Spectrum::constant(0.88);
  const auto mixer = make_builtin_mixer(BuiltinModel::km, pool.pigments(), conditions);

  std::mt19937 random(31);
  int recovered = 0;
  for (int trial = 0; trial < 100; ++trial) {
    const int n = 1 + trial % 3;
    const auto drops = test::random_recipe(random, n, pigment_count);
    Spectrum::Values target{};
    for (std::size_t b = 0; b < Spectrum::band_count; ++b) {
      double k = 0, s = 0;
      for (const auto& [p, d] : drops) {
        k += d / 20.0 * (*truth.pigments[p].k)[b];
        s += d / 20.0 * (*truth.pigments[p].s)[b];
      }
      target[b] = test::independent_film(k, s, 0.88);
    }
    FormulationRequest request;
    request.target_lab_d50 = to_lab(Spectrum(target));
    request.top = 1;
    const FormulationResult result = formulate(request, pool, *mixer);
    REQUIRE_FALSE(result.recipes.empty());
    bool same = true;
    std::size_t pigments = 0;
    for (const auto& c : result.recipes.front().components) {
      if (c.is_diluent)
        continue;
      ++pigments;
      const auto match = std::find_if(drops.begin(), drops.end(), [&](const auto& d) {
        return truth.pigments[d.first].code == c.code;
      });
      same = same && match != drops.end() && std::abs(match->second - c.drops) <= 1;
    }
    recovered += same && pigments == drops.size();
  }
  WARN("mixtures recovered from the built catalog: " << recovered << "/100");
  CHECK(recovered >= 95);
}

TEST_CASE("series that cannot be fitted are refused, saying what to do", "[catalog_build]") {
  const Catalog truth = test::synthetic_catalog(pigment_count, 21);
  std::vector<DrawdownReading> good;
  for (const Row& row : readings(truth, 0.001, 5)) {
    const auto at = row.name.find('@');
    good.push_back({row.name, at == std::string::npos ? "" : row.name.substr(0, at),
                    at == std::string::npos ? 1.0 : std::stod(row.name.substr(at + 1)),
                    row.reflectance, std::nullopt});
  }
  const CatalogBuildOptions options{"studio-own", "Studio", "Our bottles"};
  REQUIRE_NOTHROW(build_catalog(good, options));

  SECTION("no card") {
    std::vector<DrawdownReading> r = good;
    std::erase_if(r, [](const DrawdownReading& x) { return x.code.empty(); });
    CHECK_THAT(test::error_message([&] { build_catalog(r, options); }),
               Catch::Contains("bare card"));
  }
  SECTION("one concentration only") {
    std::vector<DrawdownReading> r = good;
    std::erase_if(r,
                  [](const DrawdownReading& x) { return x.code == "P2" && x.concentration < 1; });
    const std::string m = test::error_message([&] { build_catalog(r, options); });
    CHECK_THAT(m, Catch::Contains("'P2'") && Catch::Contains("one concentration"));
  }
  SECTION("two drawdowns swapped") {
    std::vector<DrawdownReading> r = good;
    for (DrawdownReading& x : r) {
      if (x.code == "P1" && x.concentration == 1.0)
        x.concentration = 0.1;
      else if (x.code == "P1" && x.concentration == 0.1)
        x.concentration = 1.0;
    }
    const std::string m = test::error_message([&] { build_catalog(r, options); });
    CHECK_THAT(m, Catch::Contains("'P1'") && Catch::Contains("out of order"));
  }
  SECTION("a concentration outside (0, 1]") {
    std::vector<DrawdownReading> r = good;
    r.back().concentration = 25;  // 25 % written as 25
    CHECK_THAT(test::error_message([&] { build_catalog(r, options); }), Catch::Contains("(0, 1]"));
  }
}

TEST_CASE("hostile measurement files get a typed error naming the problem", "[catalog_build]") {
  const test::TempDir dir;
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
    return dir.path() / name;
  };
  const std::string header =
      "CGATS.17\nNUMBER_OF_FIELDS 6\nBEGIN_DATA_FORMAT\nSAMPLE_ID SAMPLE_NAME SPEC_400 SPEC_500 "
      "SPEC_600 SPEC_700\nEND_DATA_FORMAT\n";
  const auto code_of = [](const fs::path& file, std::optional<fs::path> layout = std::nullopt) {
    try {
      read_drawdowns(file, layout);
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::invalid_argument;  // not what any case expects
  };
  CHECK(code_of(write("garbage.txt", "\x01\x02 not cgats")) == ErrorCode::corrupt_data);
  CHECK(code_of(dir.path() / "missing.txt") == ErrorCode::io);
  CHECK(code_of(write("empty.txt", "")) == ErrorCode::corrupt_data);  // Little CMS asserts on it
  const fs::path bad_name =
      write("bad_name.txt", header +
                                "NUMBER_OF_SETS 1\nBEGIN_DATA\n1 \"K100 half\" 0.5 0.5 0.5 0.5\n"
                                "END_DATA\n");
  CHECK(code_of(bad_name) == ErrorCode::corrupt_data);
  CHECK_THAT(test::error_message([&] { read_drawdowns(bad_name, std::nullopt); }),
             Catch::Contains("CODE@CONCENTRATION"));
  const fs::path not_number =
      write("nan.txt", header + "NUMBER_OF_SETS 1\nBEGIN_DATA\n1 card 0.5 x 0.5 0.5\nEND_DATA\n");
  CHECK_THAT(test::error_message([&] { read_drawdowns(not_number, std::nullopt); }),
             Catch::Contains("500 nm"));
  const fs::path narrow = write("narrow.txt",
                                "CGATS.17\nNUMBER_OF_FIELDS 3\nBEGIN_DATA_FORMAT\nSAMPLE_ID "
                                "SPEC_500 SPEC_600\nEND_DATA_FORMAT\nNUMBER_OF_SETS 1\n"
                                "BEGIN_DATA\n1 0.5 0.5\nEND_DATA\n");
  CHECK_THAT(test::error_message([&] { read_drawdowns(narrow, std::nullopt); }),
             Catch::Contains("400–700 nm"));
  const fs::path ok =
      write("ok.txt", header + "NUMBER_OF_SETS 1\nBEGIN_DATA\n7 card 0.8 0.8 0.8 0.8\nEND_DATA\n");
  const fs::path layout = write("layout.csv", "sample_id,code,concentration\n1,K100,0.5\n");
  CHECK_THAT(test::error_message([&] { read_drawdowns(ok, layout); }),
             Catch::Contains("sample 7 is not in the layout"));
  const fs::path out_of_range = write(
      "range.txt", header + "NUMBER_OF_SETS 1\nBEGIN_DATA\n1 card 0.8 180 0.8 0.8\nEND_DATA\n");
  CHECK(code_of(out_of_range) == ErrorCode::corrupt_data);
}
