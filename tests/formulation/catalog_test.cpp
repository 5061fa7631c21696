#include "pigmatch/formulation/catalog.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "csv.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/mixing.h"
#include "shared_data.h"

// The valid catalog below is built by hand; each test breaks one thing and checks that
// validate() reports exactly that, at the documented path. The reflectance/Lab consistency check
// is tested with independent published data: BabelColor's average ColorChecker spectra against
// X-Rite's own Lab D50 reference values (../shared/data/colorchecker).

namespace {

using pigmatch::Catalog;
using pigmatch::Lab;
using pigmatch::Measurement;
using pigmatch::Pigment;
using pigmatch::Problem;
using pigmatch::Severity;
using pigmatch::Spectrum;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A plain grey whose Lab is consistent with its spectrum (computed by the library under test
// only for the fixture; the consistency check itself is tested with published data below).
Measurement grey_measurement(double concentration, double reflectance) {
  Measurement m;
  m.concentration = concentration;
  m.substrate = "white card";
  m.reflectance = Spectrum::constant(reflectance);
  return m;
}

Pigment carbon_black() {
  Pigment p;
  p.code = "SMP-100";
  p.name = "Carbon Black 100 %";
  p.line = "SMP Carbon";
  p.ci_numbers = {"CI 77266"};
  p.measurements = {grey_measurement(1.0, 0.04), grey_measurement(0.5, 0.12)};
  p.drop_volume_ml = 0.05;
  p.price = pigmatch::Price{24.5, "EUR", 15};
  p.lots = {{"CB-2411-07", "2027-11-30"}, {"CB-2502-01", "2028-02"}};
  p.compliance = {"EU REACH 2020/2081"};
  p.sds_reference = "SDS-SMP-100 rev 3";
  return p;
}

Pigment diluent() {
  Pigment p;
  p.code = "DIL";
  p.name = "Diluent (distilled water, witch hazel, glycerin)";
  p.is_diluent = true;
  p.k = Spectrum::constant(0);
  p.s = Spectrum::constant(0);
  return p;
}

Catalog valid_catalog() {
  Catalog c;
  c.id = "test-smp";
  c.vendor = "Test Vendor";
  c.name = "Test SMP line";
  c.version = "2025.1";
  c.source = "unit-test";
  c.pigments = {carbon_black(), diluent()};
  return c;
}

std::vector<Problem> errors_of(const std::vector<Problem>& problems) {
  std::vector<Problem> out;
  std::copy_if(problems.begin(), problems.end(), std::back_inserter(out),
               [](const Problem& p) { return p.severity == Severity::error; });
  return out;
}

// The single error validate() finds (fails the test when there is not exactly one).
Problem only_error(const Catalog& catalog) {
  const auto errors = errors_of(pigmatch::validate(catalog));
  INFO("errors found: " << errors.size());
  for (const auto& e : errors)
    INFO(pigmatch::to_string(e));
  REQUIRE(errors.size() == 1);
  return errors.front();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a complete, plausible catalog has no problems") {
  const auto problems = pigmatch::validate(valid_catalog());
  for (const auto& p : problems)
    INFO(pigmatch::to_string(p));
  CHECK(problems.empty());
}

TEST_CASE("reflectance that is NaN, infinite, negative or above 1.5 is an error at its band") {
  const auto [value, fragment] = GENERATE(table<double, std::string>({{kNaN, "not a number"},
                                                                      {kInf, "not a number"},
                                                                      {-0.01, "negative"},
                                                                      {1.5001, "above 1.5"},
                                                                      {42.0, "percent"}}));
  Catalog c = valid_catalog();
  (*c.pigments[0].measurements[1].reflectance)[12] = value;
  const Problem e = only_error(c);
  CHECK(e.where == "pigments[0].measurements[1].reflectance[12]");
  CHECK(contains(e.message, "500 nm"));  // 380 + 12 × 10
  CHECK(contains(e.message, fragment));
}

TEST_CASE("reflectance from 0 to 1.5 inclusive is accepted (fluorescence may exceed 1)") {
  Catalog c = valid_catalog();
  auto& r = *c.pigments[0].measurements[0].reflectance;
  r[0] = 0.0;
  r[35] = 1.5;
  CHECK(errors_of(pigmatch::validate(c)).empty());
}

TEST_CASE("concentration must lie in (0, 1]") {
  Catalog c = valid_catalog();
  SECTION("rejected") {
    const double value = GENERATE(0.0, -0.25, 1.0000001, 100.0, kNaN, kInf);
    c.pigments[0].measurements[1].concentration = value;
    const Problem e = only_error(c);
    CHECK(e.where == "pigments[0].measurements[1].concentration");
  }
  SECTION("accepted") {
    const double value = GENERATE(1e-6, 0.1, 1.0);
    c.pigments[0].measurements[1].concentration = value;
    CHECK(errors_of(pigmatch::validate(c)).empty());
  }
}

TEST_CASE("empty or malformed identities are errors naming the field") {
  Catalog c = valid_catalog();
  SECTION("catalog id empty") {
    c.id = "";
    CHECK(only_error(c).where == "id");
  }
  SECTION("catalog id with a space or slash") {
    c.id = GENERATE("acme smp", "acme/smp", "acme\n");
    CHECK(only_error(c).where == "id");
  }
  SECTION("vendor blank") {
    c.vendor = "   ";
    CHECK(only_error(c).where == "vendor");
  }
  SECTION("catalog name empty") {
    c.name.clear();
    CHECK(only_error(c).where == "name");
  }
  SECTION("pigment code blank") {
    c.pigments[1].code = " \t";
    CHECK(only_error(c).where == "pigments[1].code");
  }
  SECTION("pigment name empty") {
    c.pigments[0].name.clear();
    CHECK(only_error(c).where == "pigments[0].name");
  }
  SECTION("pigment name with a newline") {
    c.pigments[0].name = "Carbon\nBlack";
    const Problem e = only_error(c);
    CHECK(e.where == "pigments[0].name");
    CHECK(contains(e.message, "control characters"));
  }
  SECTION("no pigments") {
    c.pigments.clear();
    CHECK(only_error(c).where == "pigments");
  }
}

TEST_CASE("duplicate codes are an error even when only the case differs") {
  Catalog c = valid_catalog();
  c.pigments.push_back(carbon_black());
  c.pigments[2].code = GENERATE("SMP-100", "smp-100");
  const Problem e = only_error(c);
  CHECK(e.where == "pigments[2].code");
  CHECK(contains(e.message, "pigments[0]"));
}

TEST_CASE("a pigment needs colour data; a measurement needs a spectrum or Lab") {
  Catalog c = valid_catalog();
  SECTION("no measurements and no K/S") {
    c.pigments[0].measurements.clear();
    const Problem e = only_error(c);
    CHECK(e.where == "pigments[0]");
    CHECK(contains(e.message, "no colour data"));
  }
  SECTION("K and S alone are colour data") {
    c.pigments[0].measurements.clear();
    c.pigments[0].k = Spectrum::constant(2.0);
    c.pigments[0].s = Spectrum::constant(0.1);
    CHECK(errors_of(pigmatch::validate(c)).empty());
  }
  SECTION("Lab alone is colour data") {
    c.pigments[0].measurements[0].reflectance.reset();
    c.pigments[0].measurements[0].lab_d50 = Lab{21.0, 0.3, -0.8};
    CHECK(errors_of(pigmatch::validate(c)).empty());
  }
  SECTION("a measurement with neither") {
    c.pigments[0].measurements[1].reflectance.reset();
    CHECK(only_error(c).where == "pigments[0].measurements[1]");
  }
}

TEST_CASE("Lab values must be finite, L* in 0..100, |a*|,|b*| <= 200") {
  Catalog c = valid_catalog();
  auto& m = c.pigments[0].measurements[0];
  m.reflectance.reset();
  SECTION("L above 100") {
    m.lab_d50 = Lab{100.5, 0, 0};
    CHECK(only_error(c).where == "pigments[0].measurements[0].lab.L");
  }
  SECTION("NaN b") {
    m.lab_d50 = Lab{50, 0, kNaN};
    CHECK(only_error(c).where == "pigments[0].measurements[0].lab");
  }
  SECTION("absurd a") {
    m.lab_d50 = Lab{50, -250, 0};
    CHECK(only_error(c).where == "pigments[0].measurements[0].lab");
  }
}

TEST_CASE("K and S: both or neither, finite and non-negative") {
  Catalog c = valid_catalog();
  SECTION("K without S") {
    c.pigments[0].k = Spectrum::constant(1.0);
    CHECK(only_error(c).where == "pigments[0].s");
  }
  SECTION("negative S band") {
    c.pigments[0].k = Spectrum::constant(1.0);
    c.pigments[0].s = Spectrum::constant(0.2);
    (*c.pigments[0].s)[35] = -0.1;
    const Problem e = only_error(c);
    CHECK(e.where == "pigments[0].s[35]");
    CHECK(contains(e.message, "730 nm"));
  }
  SECTION("large K is fine (carbon black absorbs strongly)") {
    c.pigments[0].k = Spectrum::constant(1e4);
    c.pigments[0].s = Spectrum::constant(0.2);
    CHECK(errors_of(pigmatch::validate(c)).empty());
  }
}

TEST_CASE("a diluent has no colour") {
  Catalog c = valid_catalog();
  Pigment& d = c.pigments[1];
  SECTION("with measurements") {
    d.measurements = {grey_measurement(1.0, 0.9)};
    CHECK(only_error(c).where == "pigments[1].measurements");
  }
  SECTION("with absorption") {
    (*d.k)[20] = 0.01;
    CHECK(only_error(c).where == "pigments[1]");
  }
  SECTION("with a Colour Index number") {
    d.ci_numbers = {"CI 77266"};
    CHECK(only_error(c).where == "pigments[1].ci_numbers");
  }
  SECTION("without K and S at all") {
    d.k.reset();
    d.s.reset();
    CHECK(errors_of(pigmatch::validate(c)).empty());
  }
}

TEST_CASE("Colour Index designations") {
  Catalog c = valid_catalog();
  SECTION("accepted") {
    c.pigments[0].ci_numbers = {
        GENERATE("CI 77266", "C.I. 77891", "CI77491", "CI 77499:1", "PBk 7", "PR 101", "PW 6")};
    CHECK(errors_of(pigmatch::validate(c)).empty());
  }
  SECTION("rejected") {
    c.pigments[0].ci_numbers = {
        "CI 77266", GENERATE("77266", "CI 7726", "CI 772661", "carbon", "PBk", "PBk 7 ", "")};
    CHECK(only_error(c).where == "pigments[0].ci_numbers[1]");
  }
}

TEST_CASE("lots: a number and a real expiry date, no duplicates") {
  Catalog c = valid_catalog();
  auto& lots = c.pigments[0].lots;
  SECTION("calendar dates") {
    lots[0].expiry = GENERATE("2028-02-29", "2000-02-29", "2027-12", "2027-01-31");
    CHECK(errors_of(pigmatch::validate(c)).empty());
  }
  SECTION("not dates") {
    lots[0].expiry = GENERATE(as<std::string>{}, "2027-02-29", "1900-02-29", "2027-13",
                              "2027-04-31", "31/12/2027", "2027-1-5", "", "soon", "2027-12-3x");
    CHECK(only_error(c).where == "pigments[0].lots[0].expiry");
  }
  SECTION("empty lot number") {
    lots[1].lot = "";
    CHECK(only_error(c).where == "pigments[0].lots[1].lot");
  }
  SECTION("duplicate lot number") {
    lots[1].lot = lots[0].lot;
    CHECK(only_error(c).where == "pigments[0].lots[1].lot");
  }
}

TEST_CASE("drop volume and price must be physically sensible") {
  Catalog c = valid_catalog();
  SECTION("drop volume in microlitres by mistake") {
    c.pigments[0].drop_volume_ml = GENERATE(50.0, 0.0, -0.05, kNaN);
    CHECK(only_error(c).where == "pigments[0].drop_volume_ml");
  }
  SECTION("currency not ISO 4217") {
    c.pigments[0].price->currency = GENERATE("eur", "€", "EURO", "");
    CHECK(only_error(c).where == "pigments[0].price.currency");
  }
  SECTION("negative price") {
    c.pigments[0].price->amount = -1;
    CHECK(only_error(c).where == "pigments[0].price.amount");
  }
  SECTION("bottle without volume") {
    c.pigments[0].price->volume_ml = 0;
    CHECK(only_error(c).where == "pigments[0].price.volume_ml");
  }
}

TEST_CASE("every problem is reported, not only the first") {
  Catalog c = valid_catalog();
  c.id.clear();
  (*c.pigments[0].measurements[0].reflectance)[0] = -1;
  (*c.pigments[0].measurements[0].reflectance)[1] = kNaN;
  c.pigments[0].lots[0].expiry = "never";
  c.pigments[1].code = "smp-100";
  const auto errors = errors_of(pigmatch::validate(c));
  std::vector<std::string> where;
  for (const auto& e : errors)
    where.push_back(e.where);
  CHECK_THAT(where, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
                        "id", "pigments[0].measurements[0].reflectance[0]",
                        "pigments[0].measurements[0].reflectance[1]", "pigments[0].lots[0].expiry",
                        "pigments[1].code"}));
}

TEST_CASE("warnings: missing substrate, repeated measurement; they do not make a catalog invalid") {
  Catalog c = valid_catalog();
  c.pigments[0].measurements[1].substrate.clear();
  c.pigments[0].measurements.push_back(grey_measurement(1.0, 0.04));
  const auto problems = pigmatch::validate(c);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].severity == Severity::warning);
  CHECK(problems[0].where == "pigments[0].measurements[1].substrate");
  CHECK(problems[1].where == "pigments[0].measurements[2]");
  CHECK_FALSE(pigmatch::has_errors(problems));
  CHECK_NOTHROW(pigmatch::require_valid(c));
  CHECK(pigmatch::to_string(problems[0]).find("warning") != std::string::npos);
}

TEST_CASE("reflectance and Lab of one measurement must agree (published ColorChecker data)") {
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const auto spectra = pigmatch::test::read_csv(
      shared / "colorchecker/babelcolor_average_spectral_380-730_10nm.csv");
  const auto labs = pigmatch::test::read_csv(
      shared / "colorchecker/xrite2016_colorchecker24_after_nov2014_Lab_D50_2deg.csv");
  REQUIRE(spectra.rows.size() == Spectrum::band_count);
  REQUIRE(labs.rows.size() == 24);
  const auto patch_spectrum = [&](int patch) {
    Spectrum s;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      s[i] = spectra.number(i, static_cast<std::size_t>(patch));
    }
    return s;
  };
  const auto patch_lab = [&](int patch) {
    const auto row = static_cast<std::size_t>(patch - 1);
    return Lab{labs.number(row, labs.column("L")), labs.number(row, labs.column("a")),
               labs.number(row, labs.column("b"))};
  };
  // Patches 1, 2 (dark and light skin) and 19–24 (the neutrals): BabelColor's average of 30
  // charts and X-Rite's 2016 reference agree to about 1–2 ΔE00, inside the 3 ΔE00 tolerance.
  for (const int patch : {1, 2, 19, 20, 21, 22, 23, 24}) {
    Catalog c = valid_catalog();
    c.pigments[0].measurements[0].reflectance = patch_spectrum(patch);
    c.pigments[0].measurements[0].lab_d50 = patch_lab(patch);
    INFO("patch " << patch);
    CHECK(pigmatch::validate(c).empty());
  }
  // Dark skin's spectrum with light skin's Lab: a different sample (ΔE00 ≈ 20).
  Catalog c = valid_catalog();
  c.pigments[0].measurements[0].reflectance = patch_spectrum(1);
  c.pigments[0].measurements[0].lab_d50 = patch_lab(2);
  const auto problems = pigmatch::validate(c);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].severity == Severity::warning);
  CHECK(problems[0].where == "pigments[0].measurements[0].lab");
}

TEST_CASE("require_valid throws corrupt_data naming the source and listing the errors") {
  Catalog c = valid_catalog();
  c.source = "/tmp/acme.json";
  c.pigments[0].lots[0].expiry = "2027-02-30";
  try {
    pigmatch::require_valid(c);
    FAIL("no exception");
  } catch (const pigmatch::Error& e) {
    CHECK(e.code() == pigmatch::ErrorCode::corrupt_data);
    const std::string message = e.what();
    CHECK(contains(message, "/tmp/acme.json"));
    CHECK(contains(message, "pigments[0].lots[0].expiry"));
    CHECK(contains(message, "2027-02-30"));
  }
}

TEST_CASE("require_valid caps the listed errors but counts the rest") {
  Catalog c = valid_catalog();
  c.pigments[0].measurements[0].reflectance = Spectrum::constant(kNaN);  // 36 errors
  try {
    pigmatch::require_valid(c);
    FAIL("no exception");
  } catch (const pigmatch::Error& e) {
    CHECK(contains(e.what(), "and 16 more errors"));
  }
}

TEST_CASE("find_pigment looks codes up case-insensitively") {
  const Catalog c = valid_catalog();
  REQUIRE(pigmatch::find_pigment(c, "smp-100") != nullptr);
  CHECK(pigmatch::find_pigment(c, "smp-100")->name == "Carbon Black 100 %");
  CHECK(pigmatch::find_pigment(c, "dil") == &c.pigments[1]);
  CHECK(pigmatch::find_pigment(c, "SMP-10") == nullptr);
  CHECK(pigmatch::find_pigment(c, "") == nullptr);
}

TEST_CASE("K and S that disagree with the pigment's own dilution series are a warning") {
  // K and S, and the series they make as films on km's white card (independent of validate's
  // code path only in that it is written out here with the public KM functions).
  const pigmatch::KmOptions km{};
  const double card = pigmatch::saunderson_to_internal(km.card_reflectance, km.saunderson);
  Spectrum k, s;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    k[i] = 1.5 + 0.5 * std::sin(static_cast<double>(i) / 6);
    s[i] = 0.6;
  }
  Catalog c = valid_catalog();
  Pigment& p = c.pigments[0];
  p.measurements.clear();
  for (const double conc : {1.0, 0.5, 0.25}) {
    Spectrum r;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      r[i] = pigmatch::saunderson_to_measured(
          pigmatch::km_layer_reflectance(conc * k[i], conc * s[i], card), km.saunderson);
    }
    Measurement m;
    m.concentration = conc;
    m.substrate = "white card";
    m.reflectance = r;
    p.measurements.push_back(m);
  }
  p.k = k;
  p.s = s;
  const auto agreeing = pigmatch::validate(c);
  CHECK(std::none_of(agreeing.begin(), agreeing.end(),
                     [](const Problem& x) { return contains(x.message, "disagree"); }));
  // K three times too strong: the film is far darker than the measured series.
  for (std::size_t i = 0; i < Spectrum::band_count; ++i)
    (*p.k)[i] *= 3;
  const auto problems = pigmatch::validate(c);
  const auto found = std::find_if(problems.begin(), problems.end(), [](const Problem& x) {
    return contains(x.message, "K and S disagree with the pigment's own measurement");
  });
  REQUIRE(found != problems.end());
  CHECK(found->severity == Severity::warning);
  CHECK(found->where == "pigments[0].k");
  CHECK(errors_of(problems).empty());  // usable: the warning says which model uses which
}
