// The readers of the catalog-files plugin, called directly: real files (the demo catalogs, a
// CGATS file written by Little CMS's own IT8 writer from published ColorChecker spectra) and
// hostile ones. Line numbers are found in the test's own text by searching for a marker, not
// copied from the reader's output.
#include "catalog_files.h"

#include <lcms2.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "csv.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/plugin.hpp"
#include "shared_data.h"

namespace {

namespace cf = pigmatch::catalog_files;
using pigmatch::plugin::CatalogData;
using pigmatch::plugin::DiagnosticData;

const std::filesystem::path demo_dir = std::filesystem::path(PIGMATCH_SOURCE_DIR) / "data/catalogs";

std::string describe(const std::vector<DiagnosticData>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    out += (d.severity == PIGMATCH_SEVERITY_ERROR ? "error " : "warning ") + d.where + " line " +
           std::to_string(d.line) + ": " + d.message + "\n";
  }
  return out;
}

// The diagnostic whose `where` is `where` (fails when there is none).
DiagnosticData find(const cf::ParseResult& r, const std::string& where) {
  INFO(describe(r.diagnostics));
  const auto it = std::find_if(r.diagnostics.begin(), r.diagnostics.end(),
                               [&](const DiagnosticData& d) { return d.where == where; });
  REQUIRE(it != r.diagnostics.end());
  return *it;
}

// 1-based line of the first line containing `marker`.
std::uint32_t line_of(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  return static_cast<std::uint32_t>(std::count(text.begin(), text.begin() + long(at), '\n') + 1);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Test-side conversion of standard-grid data into the C++ model, to run validate() on what the
// readers produce (the host has its own conversion; this one only needs the 36-band case).
pigmatch::Spectrum to_spectrum(const pigmatch::plugin::SpectrumData& data) {
  REQUIRE(data.wavelengths_nm.empty());
  REQUIRE(data.values.size() == pigmatch::Spectrum::band_count);
  pigmatch::Spectrum s;
  for (std::size_t i = 0; i < data.values.size(); ++i)
    s[i] = data.values[i];
  return s;
}

pigmatch::Catalog to_model(const CatalogData& data) {
  pigmatch::Catalog c{data.id, data.vendor, data.name, data.version, data.description, "test", {}};
  for (const auto& p : data.pigments) {
    pigmatch::Pigment m;
    m.code = p.code;
    m.name = p.name;
    m.line = p.product_line;
    m.ci_numbers = p.ci_numbers;
    for (const auto& meas : p.measurements) {
      pigmatch::Measurement x;
      x.concentration = meas.concentration;
      x.substrate = meas.substrate;
      if (meas.reflectance)
        x.reflectance = to_spectrum(*meas.reflectance);
      if (meas.lab_d50)
        x.lab_d50 = pigmatch::Lab{meas.lab_d50->L, meas.lab_d50->a, meas.lab_d50->b};
      m.measurements.push_back(x);
    }
    if (p.k)
      m.k = to_spectrum(*p.k);
    if (p.s)
      m.s = to_spectrum(*p.s);
    m.drop_volume_ml = p.drop_volume_ml;
    if (p.price)
      m.price = pigmatch::Price{p.price->amount, p.price->currency, p.price->volume_ml};
    for (const auto& l : p.lots)
      m.lots.push_back({l.lot, l.expiry});
    m.compliance = p.compliance;
    m.sds_reference = p.sds_reference;
    m.is_diluent = p.is_diluent;
    m.uses = p.uses;
    c.pigments.push_back(m);
  }
  return c;
}

void require_valid_model(const CatalogData& data) {
  const auto problems = pigmatch::validate(to_model(data));
  std::string text;
  for (const auto& p : problems)
    text += pigmatch::to_string(p) + "\n";
  INFO(text);
  CHECK(problems.empty());
}

const pigmatch::plugin::PigmentData& pigment(const CatalogData& c, const std::string& code) {
  const auto it = std::find_if(c.pigments.begin(), c.pigments.end(),
                               [&](const auto& p) { return p.code == code; });
  REQUIRE(it != c.pigments.end());
  return *it;
}

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("pigmatch-catalog-files-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// A small valid JSON catalog, one line per key so that tests can point at lines.
std::string json_catalog(const std::string& pigment_body) {
  return "{\n"
         "  \"format\": \"pigmatch-catalog\",\n"
         "  \"format_version\": 1,\n"
         "  \"id\": \"t\",\n"
         "  \"vendor\": \"V\",\n"
         "  \"name\": \"N\",\n"
         "  \"pigments\": [\n"
         "    {\n" +
         pigment_body +
         "\n    }\n"
         "  ]\n"
         "}\n";
}

}  // namespace

TEST_CASE("the JSON demo catalog reads without any problem and passes validate()") {
  const auto r = cf::read_catalog_file(demo_dir / "demo-smp-carbon.json");
  INFO(describe(r.diagnostics));
  REQUIRE(r.diagnostics.empty());
  REQUIRE(r.catalog);
  const CatalogData& c = *r.catalog;
  CHECK(c.id == "demo-smp-carbon");
  CHECK(contains(c.description, "ILLUSTRATIVE"));
  REQUIRE(c.pigments.size() == 6);
  const auto& k100 = pigment(c, "SMP-K100");
  CHECK(k100.ci_numbers == std::vector<std::string>{"CI 77266"});
  REQUIRE(k100.measurements.size() == 4);
  CHECK(k100.measurements[0].concentration == 1.0);
  CHECK(k100.drop_volume_ml == 0.05);
  CHECK(k100.compliance == std::vector<std::string>{"EU REACH 2020/2081"});
  REQUIRE(k100.lots.size() == 2);
  const auto& diluent = pigment(c, "SMP-DIL");
  CHECK(diluent.is_diluent);
  CHECK(diluent.measurements.empty());
  // The catalog's "uses" are every pigment's, the diluent's too.
  CHECK(k100.uses == std::vector<std::string>{"smp"});
  CHECK(diluent.uses == std::vector<std::string>{"smp"});
  require_valid_model(c);

  // Plausibility of the modelled shades (computed with libcore's CIE tables): the 100 % shade is
  // near-black and neutral, every pre-diluted shade is lighter than the stronger one, and each
  // dilution series gets lighter as the concentration falls.
  const auto L = [&](const std::string& code, std::size_t m) {
    return pigmatch::to_lab(to_spectrum(*pigment(c, code).measurements[m].reflectance));
  };
  const pigmatch::Lab black = L("SMP-K100", 0);
  CHECK(black.L < 30);
  CHECK(std::hypot(black.a, black.b) < 3);
  const std::vector<std::string> shades{"SMP-K100", "SMP-K75", "SMP-K50", "SMP-K25", "SMP-K10"};
  for (std::size_t i = 1; i < shades.size(); ++i)
    CHECK(L(shades[i], 0).L > L(shades[i - 1], 0).L);
  for (const auto& code : shades) {
    for (std::size_t m = 1; m < 4; ++m)
      CHECK(L(code, m).L > L(code, m - 1).L);
  }
}

TEST_CASE("the CGATS demo catalog reads without any problem and passes validate()") {
  const auto r = cf::read_catalog_file(demo_dir / "demo-camouflage.cgats");
  INFO(describe(r.diagnostics));
  REQUIRE(r.diagnostics.empty());
  REQUIRE(r.catalog);
  const CatalogData& c = *r.catalog;
  CHECK(c.id == "demo-camouflage");
  CHECK(c.vendor == "Demo Pigments (illustrative)");
  CHECK(contains(c.description, "ILLUSTRATIVE"));
  REQUIRE(c.pigments.size() == 8);
  const auto& flesh = pigment(c, "CAM-FL2");
  CHECK(flesh.ci_numbers.size() == 4);
  CHECK(flesh.ci_numbers[0] == "CI 77891");
  CHECK(flesh.measurements.size() == 3);
  CHECK(flesh.measurements[1].concentration == 0.5);
  CHECK(flesh.measurements[1].substrate == "white drawdown card, wet film");  // header default
  CHECK(flesh.product_line == "Demo Camouflage");
  CHECK(flesh.compliance == std::vector<std::string>{"EU REACH 2020/2081"});
  REQUIRE(flesh.lots.size() == 2);
  CHECK(flesh.lots[1].expiry == "2028-04");
  REQUIRE(flesh.price);
  CHECK(flesh.price->currency == "EUR");
  const auto& diluent = pigment(c, "CAM-DIL");
  CHECK(diluent.is_diluent);
  CHECK(diluent.measurements.empty());
  CHECK(diluent.ci_numbers.empty());
  CHECK(flesh.uses == std::vector<std::string>{"camouflage"});  // the USES keyword
  CHECK(diluent.uses == std::vector<std::string>{"camouflage"});
  require_valid_model(c);

  // Titanium dioxide is the lightest colorant, black iron oxide the darkest; red iron oxide is
  // red (a* > b* > 0) and yellow iron oxide yellow (b* > a* > 0).
  const auto lab = [&](const std::string& code) {
    return pigmatch::to_lab(to_spectrum(*pigment(c, code).measurements[0].reflectance));
  };
  CHECK(lab("CAM-TIW").L > 90);
  CHECK(lab("CAM-BIO").L < 35);
  CHECK(lab("CAM-RIO").a > lab("CAM-RIO").b);
  CHECK(lab("CAM-RIO").b > 0);
  CHECK(lab("CAM-YIO").b > lab("CAM-YIO").a);
  CHECK(lab("CAM-YIO").a > 0);
}

TEST_CASE("a CGATS file written by Little CMS's IT8 writer reads back (ColorChecker spectra)") {
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const auto spectra = pigmatch::test::read_csv(
      shared / "colorchecker/babelcolor_average_spectral_380-730_10nm.csv");
  const auto labs = pigmatch::test::read_csv(
      shared / "colorchecker/xrite2016_colorchecker24_after_nov2014_Lab_D50_2deg.csv");
  REQUIRE(spectra.rows.size() == 36);

  // Patches 1 (dark skin) and 2 (light skin) as two "pigments", each with a masstone and a
  // dilution row; the dilution rows reuse the patch's spectrum with the concentration changed.
  const std::vector<int> patches{1, 2};
  cmsHANDLE it8 = cmsIT8Alloc(nullptr);
  REQUIRE(it8 != nullptr);
  cmsIT8SetSheetType(it8, "CGATS.17");
  cmsIT8SetPropertyStr(it8, "CATALOG_ID", "cc-skin");
  cmsIT8SetPropertyStr(it8, "VENDOR", "X-Rite ColorChecker (test)");
  cmsIT8SetPropertyStr(it8, "CATALOG_NAME", "Skin patches");
  cmsIT8SetPropertyStr(it8, "SUBSTRATE", "ColorChecker chart");
  std::vector<std::string> fields{"SAMPLE_ID", "PIGMENT_CODE", "PIGMENT_NAME", "CONCENTRATION",
                                  "LAB_L",     "LAB_A",        "LAB_B"};
  for (int i = 0; i < 36; ++i)
    fields.push_back("SPECTRAL_NM" + std::to_string(380 + 10 * i));
  cmsIT8SetPropertyDbl(it8, "NUMBER_OF_FIELDS", double(fields.size()));
  for (std::size_t f = 0; f < fields.size(); ++f)
    cmsIT8SetDataFormat(it8, int(f), fields[f].c_str());
  cmsIT8SetPropertyDbl(it8, "NUMBER_OF_SETS", 4);
  int row = 0;
  for (const int patch : patches) {
    for (const double concentration : {1.0, 0.5}) {
      const auto lab_row = std::size_t(patch - 1);
      cmsIT8SetDataRowCol(it8, row, 0, std::to_string(row + 1).c_str());
      cmsIT8SetDataRowCol(it8, row, 1, ("CC-" + std::to_string(patch)).c_str());
      cmsIT8SetDataRowCol(it8, row, 2, labs.rows[lab_row][1].c_str());  // "dark skin": a space
      cmsIT8SetDataRowColDbl(it8, row, 3, concentration);
      cmsIT8SetDataRowColDbl(it8, row, 4, labs.number(lab_row, 2));
      cmsIT8SetDataRowColDbl(it8, row, 5, labs.number(lab_row, 3));
      cmsIT8SetDataRowColDbl(it8, row, 6, labs.number(lab_row, 4));
      for (int b = 0; b < 36; ++b) {
        cmsIT8SetDataRowColDbl(it8, row, 7 + b, spectra.number(std::size_t(b), std::size_t(patch)));
      }
      ++row;
    }
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("pigmatch-it8-" + std::to_string(::getpid()) + ".cgats");
  REQUIRE(cmsIT8SaveToFile(it8, path.c_str()));
  cmsIT8Free(it8);

  const auto r = cf::read_catalog_file(path);
  std::filesystem::remove(path);
  INFO(describe(r.diagnostics));
  REQUIRE(r.diagnostics.empty());
  REQUIRE(r.catalog);
  REQUIRE(r.catalog->pigments.size() == 2);
  for (std::size_t p = 0; p < 2; ++p) {
    const auto& pig = r.catalog->pigments[p];
    const auto patch = std::size_t(patches[p]);
    CHECK(pig.code == "CC-" + std::to_string(patch));
    CHECK(pig.name == labs.rows[patch - 1][1]);
    REQUIRE(pig.measurements.size() == 2);
    CHECK(pig.measurements[1].concentration == 0.5);
    const auto& m = pig.measurements[0];
    REQUIRE(m.lab_d50);
    CHECK(m.lab_d50->L == Approx(labs.number(patch - 1, 2)).margin(1e-9));
    CHECK(m.lab_d50->b == Approx(labs.number(patch - 1, 4)).margin(1e-9));
    REQUIRE(m.reflectance);
    CHECK(m.reflectance->wavelengths_nm.empty());  // the standard grid
    for (std::size_t b = 0; b < 36; ++b) {
      CHECK(m.reflectance->values[b] == Approx(spectra.number(b, patch)).margin(1e-9));
    }
  }
  // The spectrum and X-Rite's Lab describe the same colour: validate() finds nothing.
  require_valid_model(*r.catalog);
}

TEST_CASE("CGATS: other wavelength grids are passed on with their wavelengths; SPECTRAL_NORM") {
  std::string fields = "PIGMENT_CODE PIGMENT_NAME";
  std::string values = "P1 \"Pigment one\"";
  for (int nm = 360; nm <= 740; nm += 20) {
    fields += " SPEC_" + std::to_string(nm);
    values += " " + std::to_string(40 + (nm - 360) / 20);  // percent
  }
  const std::string text =
      "CGATS.17\nCATALOG_ID \"g\"\nVENDOR \"V\"\nCATALOG_NAME \"N\"\n"
      "SPECTRAL_NORM 100\nNUMBER_OF_FIELDS 22\nBEGIN_DATA_FORMAT\n" +
      fields + "\nEND_DATA_FORMAT\nNUMBER_OF_SETS 1\nBEGIN_DATA\n" + values + "\nEND_DATA\n";
  const auto r = cf::parse_cgats_catalog(text, "grid.cgats");
  INFO(describe(r.diagnostics));
  REQUIRE(r.catalog);
  const auto& s = *r.catalog->pigments.at(0).measurements.at(0).reflectance;
  REQUIRE(s.wavelengths_nm.size() == 20);
  CHECK(s.wavelengths_nm.front() == 360);
  CHECK(s.wavelengths_nm.back() == 740);
  CHECK(s.values.front() == Approx(0.40));
  CHECK(s.values.back() == Approx(0.59));
}

TEST_CASE("JSON: a syntax error names its line") {
  std::string text = json_catalog("      \"code\": \"A\",\n      \"name\": \"B\" \"oops\"");
  const auto r = cf::parse_json_catalog(text, "bad.json");
  CHECK_FALSE(r.catalog);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].line == line_of(text, "\"oops\""));
  CHECK(contains(r.diagnostics[0].message, "bad.json"));
  CHECK(contains(r.diagnostics[0].message, "not valid JSON"));
}

TEST_CASE("JSON: every structural problem is reported with its path and line") {
  const std::string text = json_catalog(
      "      \"code\": 5,\n"
      "      \"name\": \"Black\",\n"
      "      \"refletance\": [],\n"
      "      \"ci_numbers\": [\"CI 77266\", 77266],\n"
      "      \"measurements\": [\n"
      "        {\"concentration\": \"half\", \"reflectance\": [0.1, 0.2]},\n"
      "        {\"lab\": {\"L\": 20, \"a\": 0}},\n"
      "        {\"reflectance\": {\"wavelengths_nm\": [400, 700], \"values\": [0.1]}}\n"
      "      ],\n"
      "      \"lots\": [{\"lot\": \"L1\", \"expiry\": 2027}],\n"
      "      \"price\": {\"amount\": 10, \"currency\": \"EUR\", \"volume_ml\": 15},\n"
      "      \"price\": {\"amount\": 11, \"currency\": \"EUR\", \"volume_ml\": 15}");
  const auto r = cf::parse_json_catalog(text, "t.json");
  CHECK_FALSE(r.catalog);
  INFO(describe(r.diagnostics));
  CHECK(find(r, "pigments[0].code").line == line_of(text, "\"code\": 5"));
  const auto unknown = find(r, "pigments[0].refletance");
  CHECK(unknown.severity == PIGMATCH_SEVERITY_WARNING);
  CHECK(unknown.line == line_of(text, "refletance"));
  CHECK(find(r, "pigments[0].ci_numbers[1]").line == line_of(text, "\"ci_numbers\""));
  CHECK(find(r, "pigments[0].measurements[0].concentration").line == line_of(text, "\"half\""));
  CHECK(contains(find(r, "pigments[0].measurements[0].reflectance").message, "has 2 values"));
  CHECK(find(r, "pigments[0].measurements[1].lab.b").line == line_of(text, "\"L\": 20"));
  CHECK(contains(find(r, "pigments[0].measurements[2].reflectance").message, "same length"));
  CHECK(find(r, "pigments[0].lots[0].expiry").line == line_of(text, "2027}"));
  const auto duplicate = find(r, "pigments[0].price");
  CHECK(duplicate.line == line_of(text, "\"amount\": 11"));
  CHECK(contains(duplicate.message, "twice"));
}

TEST_CASE("JSON: format name and version are checked") {
  SECTION("a newer format version") {
    std::string text = json_catalog("\"code\": \"A\", \"name\": \"B\"");
    text.replace(text.find("\"format_version\": 1"), 19, "\"format_version\": 2");
    const auto r = cf::parse_json_catalog(text, "v2.json");
    CHECK_FALSE(r.catalog);
    CHECK(contains(find(r, "format_version").message, "update pigmatch"));
  }
  SECTION("another JSON document") {
    const auto r = cf::parse_json_catalog("{\"type\": \"FeatureCollection\"}", "geo.json");
    CHECK_FALSE(r.catalog);
    find(r, "format");
    find(r, "id");
    find(r, "pigments");
  }
  SECTION("not an object") {
    const auto r = cf::parse_json_catalog("[1, 2, 3]", "array.json");
    CHECK_FALSE(r.catalog);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(contains(r.diagnostics[0].message, "array.json"));
  }
}

TEST_CASE("JSON: value problems pass the reader and are left to validate()") {
  const std::string text = json_catalog(
      "      \"code\": \"A\", \"name\": \"B\",\n"
      "      \"measurements\": [{\"concentration\": 7, \"reflectance\": {\"wavelengths_nm\": "
      "[380, 730], \"values\": [-1, 99]}}]");
  const auto r = cf::parse_json_catalog(text, "values.json");
  INFO(describe(r.diagnostics));
  REQUIRE(r.catalog);
  CHECK(r.diagnostics.empty());
  CHECK(r.catalog->pigments[0].measurements[0].concentration == 7);
}

TEST_CASE("JSON: hostile nesting, huge numbers and empty input do not crash") {
  SECTION("100 000 nested arrays") {
    const std::string text = std::string(100000, '[') + std::string(100000, ']');
    const auto r = cf::parse_json_catalog(text, "deep.json");
    CHECK_FALSE(r.catalog);
    CHECK_FALSE(r.diagnostics.empty());
  }
  SECTION("empty") {
    const auto r = cf::parse_json_catalog("", "empty.json");
    CHECK_FALSE(r.catalog);
    REQUIRE(r.diagnostics.size() == 1);
  }
  SECTION("a number beyond double") {
    const std::string text =
        json_catalog("\"code\": \"A\", \"name\": \"B\", \"drop_volume_ml\": 1e999");
    const auto r = cf::parse_json_catalog(text, "huge.json");
    CHECK(!r.diagnostics.empty());  // nlohmann refuses it as a syntax error
    CHECK_FALSE(r.catalog);
  }
}

TEST_CASE("CGATS: parser errors from Little CMS keep their line number") {
  const std::string text =
      "CGATS.17\nCATALOG_ID \"x\"\nVENDOR \"V\"\nCATALOG_NAME \"N\"\nNUMBER_OF_FIELDS 4\n"
      "BEGIN_DATA_FORMAT\nPIGMENT_CODE LAB_L LAB_A LAB_B\nEND_DATA_FORMAT\nNUMBER_OF_SETS 1\n"
      "BEGIN_DATA\nA 50 0 0\nB 60 0 0\nEND_DATA\n";
  const auto r = cf::parse_cgats_catalog(text, "rows.cgats");
  CHECK_FALSE(r.catalog);
  REQUIRE(r.diagnostics.size() == 1);
  // Little CMS notices the extra row when it reaches END_DATA and reports the line after it.
  CHECK(r.diagnostics[0].line > line_of(text, "B 60"));
  CHECK(r.diagnostics[0].line <= line_of(text, "END_DATA\n") + 1);
  CHECK(contains(r.diagnostics[0].message, "NUMBER_OF_SETS"));
  CHECK(contains(r.diagnostics[0].message, "rows.cgats"));
}

TEST_CASE("CGATS: every content problem is reported with field and line") {
  std::string spectral_fields, good, bad;
  for (int nm = 380; nm <= 730; nm += 10) {
    spectral_fields += " SPECTRAL_" + std::to_string(nm);
    good += " 0.5";
    bad += nm == 500 ? " x0.5" : " 0.5";
  }
  const std::string text =
      "CGATS.17\nVENDOR \"V\"\nCATALOG_NAME \"N\"\nNUMBER_OF_FIELDS 42\n"
      "BEGIN_DATA_FORMAT\nPIGMENT_CODE PIGMENT_NAME CONCENTRATION LAB_L LAB_A LAB_B" +
      spectral_fields +
      "\nEND_DATA_FORMAT\nNUMBER_OF_SETS 4\nBEGIN_DATA\n"
      "A \"Alpha\" 1 50 0 0" +
      good +
      "\n"
      "A \"Alpha renamed\" 0.5 - - -" +
      good +
      "\n"
      "B \"Beta\" half 50 1 -" +
      good +
      "\n"
      "C \"Gamma\" 1 - - -" +
      bad +
      "\n"
      "END_DATA\n";
  const auto r = cf::parse_cgats_catalog(text, "content.cgats");
  CHECK_FALSE(r.catalog);
  INFO(describe(r.diagnostics));
  CHECK(contains(find(r, "CATALOG_ID").message, "missing"));
  const auto renamed = find(r, "PIGMENT_NAME");
  CHECK(renamed.line == line_of(text, "Alpha renamed"));
  CHECK(contains(renamed.message, "line " + std::to_string(line_of(text, "\"Alpha\""))));
  CHECK(find(r, "CONCENTRATION").line == line_of(text, "half"));
  CHECK(find(r, "LAB").line == line_of(text, "half"));
  const auto band = find(r, "reflectance 500 nm");
  CHECK(band.line == line_of(text, "Gamma"));
  CHECK(contains(band.message, "x0.5"));
}

TEST_CASE("CGATS: layout problems and hostile files") {
  SECTION("no pigment code field") {
    const auto r = cf::parse_cgats_catalog(
        "CGATS.17\nCATALOG_ID \"x\"\nVENDOR \"V\"\nCATALOG_NAME \"N\"\nNUMBER_OF_FIELDS 1\n"
        "BEGIN_DATA_FORMAT\nLAB_L\nEND_DATA_FORMAT\nNUMBER_OF_SETS 1\nBEGIN_DATA\n50\nEND_DATA\n",
        "nocode.cgats");
    CHECK_FALSE(r.catalog);
    CHECK(contains(find(r, "BEGIN_DATA_FORMAT").message, "PIGMENT_CODE"));
  }
  SECTION("a short row") {
    const std::string text =
        "CGATS.17\nCATALOG_ID \"x\"\nVENDOR \"V\"\nCATALOG_NAME \"N\"\nNUMBER_OF_FIELDS 4\n"
        "BEGIN_DATA_FORMAT\nPIGMENT_CODE LAB_L LAB_A LAB_B\nEND_DATA_FORMAT\nNUMBER_OF_SETS 2\n"
        "BEGIN_DATA\nA 50 0 0\nB\nEND_DATA\n";
    const auto r = cf::parse_cgats_catalog(text, "short.cgats");
    CHECK_FALSE(r.catalog);
    CHECK(find(r, "row 2").line == line_of(text, "\nB\nEND_DATA") + 1);
  }
  SECTION("binary garbage") {
    const std::string garbage("\x00\x01\x02\xff\xfe garbage", 14);
    const auto r = cf::parse_cgats_catalog(garbage, "garbage.cgats");
    CHECK_FALSE(r.catalog);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(contains(r.diagnostics[0].message, "garbage.cgats"));
  }
  SECTION("empty") {
    const auto r = cf::parse_cgats_catalog("", "empty.cgats");
    CHECK_FALSE(r.catalog);
    CHECK_FALSE(r.diagnostics.empty());
  }
  SECTION("unknown fields are warnings, not errors") {
    const auto r = cf::parse_cgats_catalog(
        "CGATS.17\nCATALOG_ID \"x\"\nVENDOR \"V\"\nCATALOG_NAME \"N\"\nNUMBER_OF_FIELDS 5\n"
        "BEGIN_DATA_FORMAT\nPIGMENT_CODE LAB_L LAB_A LAB_B GLOSS_60\nEND_DATA_FORMAT\n"
        "NUMBER_OF_SETS 1\nBEGIN_DATA\nA 50 0 0 12\nEND_DATA\n",
        "gloss.cgats");
    CHECK(r.catalog);
    CHECK(find(r, "GLOSS_60").severity == PIGMATCH_SEVERITY_WARNING);
  }
}

TEST_CASE("read_catalog_file: missing and over-large files") {
  SECTION("missing") {
    try {
      cf::read_catalog_file("/nonexistent/pigmatch/catalog.json");
      FAIL("no exception");
    } catch (const pigmatch::plugin::Failure& e) {
      CHECK(e.status() == PIGMATCH_ERROR_IO);
      CHECK(contains(e.what(), "/nonexistent/pigmatch/catalog.json"));
    }
  }
  SECTION("over the size limit (sparse file)") {
    const auto path = temp_file("big.json", "");
    std::filesystem::resize_file(path, cf::max_file_bytes + 1);
    const auto r = cf::read_catalog_file(path);
    std::filesystem::remove(path);
    CHECK_FALSE(r.catalog);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(contains(r.diagnostics[0].message, "limited to 16 MiB"));
  }
}

TEST_CASE("uses: a pigment's own override the catalog's; an unknown use is a warning") {
  const std::string text =
      "{\n"
      "  \"format\": \"pigmatch-catalog\",\n"
      "  \"format_version\": 1,\n"
      "  \"id\": \"t\",\n"
      "  \"vendor\": \"V\",\n"
      "  \"name\": \"N\",\n"
      "  \"uses\": [\"smp\"],\n"
      "  \"pigments\": [\n"
      "    {\"code\": \"A\", \"name\": \"A\", \"measurements\": [{\"lab\": {\"L\": 50, \"a\": 0, "
      "\"b\": 0}}]},\n"
      "    {\"code\": \"B\", \"name\": \"B\", \"uses\": [\"pmu\", \"scalp\"]}\n"
      "  ]\n"
      "}\n";
  const auto r = cf::parse_json_catalog(text, "uses.json");
  INFO(describe(r.diagnostics));
  REQUIRE(r.catalog);
  CHECK(pigment(*r.catalog, "A").uses == std::vector<std::string>{"smp"});
  CHECK(pigment(*r.catalog, "B").uses == std::vector<std::string>{"pmu", "scalp"});
  const pigmatch::Catalog model = to_model(*r.catalog);
  const auto problems = pigmatch::validate(model);
  const auto unknown = std::find_if(problems.begin(), problems.end(),
                                    [](const auto& p) { return p.where == "pigments[1].uses[1]"; });
  REQUIRE(unknown != problems.end());
  CHECK(unknown->severity == pigmatch::Severity::warning);
  CHECK(contains(unknown->message, "'scalp' is not a use pigmatch knows"));
  CHECK(pigmatch::meant_for(model.pigments[1], "pmu"));
  CHECK_FALSE(pigmatch::meant_for(model.pigments[1], "smp"));

  // CGATS: a USES column overrides the USES keyword, row by row.
  const std::string cgats =
      "CGATS.17\n"
      "PIGMATCH_CATALOG_FORMAT\t\"1\"\n"
      "CATALOG_ID\t\"c\"\n"
      "VENDOR\t\"V\"\n"
      "CATALOG_NAME\t\"N\"\n"
      "USES\t\"camouflage\"\n"
      "NUMBER_OF_FIELDS\t6\n"
      "BEGIN_DATA_FORMAT\n"
      "SAMPLE_ID\tPIGMENT_CODE\tLAB_L\tLAB_A\tLAB_B\tUSES\n"
      "END_DATA_FORMAT\n"
      "NUMBER_OF_SETS\t2\n"
      "BEGIN_DATA\n"
      "1\tX\t50\t1\t0\t\"smp; pmu\"\n"
      "2\tY\t60\t2\t0\t-\n"
      "END_DATA\n";
  const auto c = cf::parse_cgats_catalog(cgats, "uses.cgats");
  INFO(describe(c.diagnostics));
  REQUIRE(c.catalog);
  CHECK(pigment(*c.catalog, "X").uses == std::vector<std::string>{"smp", "pmu"});
  CHECK(pigment(*c.catalog, "Y").uses == std::vector<std::string>{"camouflage"});
}

TEST_CASE("the complete examples in docs/catalog-format.md read without problems") {
  std::ifstream in(std::filesystem::path(PIGMATCH_SOURCE_DIR) / "docs/catalog-format.md");
  const std::string doc{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto block = [&](const std::string& opening) {
    const auto start = doc.find(opening);
    REQUIRE(start != std::string::npos);
    const auto body = doc.find('\n', start) + 1;
    return doc.substr(body, doc.find("```", body) - body);
  };
  const auto json = cf::parse_json_catalog(block("```json\n{"), "doc.json");
  INFO(describe(json.diagnostics));
  CHECK(json.diagnostics.empty());
  CHECK(json.catalog);  // value checks: tests/cli/catalog_cli_test.cpp validates through the host
  const auto cgats = cf::parse_cgats_catalog(block("```\nCGATS.17"), "doc.cgats");
  INFO(describe(cgats.diagnostics));
  CHECK(cgats.diagnostics.empty());
  CHECK(cgats.catalog);
}
