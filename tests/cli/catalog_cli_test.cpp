// `pigmatch catalog list|show|validate|build|card`, run as a real process against the built-in
// plugin folder
// (<build>/plugins, holding catalog-files) and the bundled demo catalogs (data/catalogs).
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formulation/drawdowns.h"
#include "formulation/swatch_photo.h"
#include "formulation/synthetic_catalog.h"
#include "pigmatch/formulation/swatch_card.h"
#include "pigmatch/image/image.h"
#include "process.h"
#include "shared_data.h"

using nlohmann::json;
using pigmatch::test::run_pigmatch;

namespace {

const std::filesystem::path demo_dir = std::filesystem::path(PIGMATCH_SOURCE_DIR) / "data/catalogs";

std::filesystem::path write_temp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("pigmatch-cli-catalog-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string slurp(const std::filesystem::path& path) {
  return pigmatch::test::slurp(path);
}

std::string fmt_lab(const pigmatch::Lab& lab) {
  char text[96];
  std::snprintf(text, sizeof text, "%.6f,%.6f,%.6f", lab.L, lab.a, lab.b);
  return text;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const json* find_by(const json& array, const std::string& key, const std::string& value) {
  for (const auto& item : array) {
    if (item.at(key) == value)
      return &item;
  }
  return nullptr;
}

// 1-based line of the first line containing `marker`.
int line_of(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  return int(std::count(text.begin(), text.begin() + long(at), '\n')) + 1;
}

}  // namespace

TEST_CASE("catalog list shows the bundled demo catalogs") {
  const auto r = run_pigmatch({"catalog", "list", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json out = json::parse(r.out);
  const json* smp = find_by(out.at("catalogs"), "id", "demo-smp-carbon");
  const json* camo = find_by(out.at("catalogs"), "id", "demo-camouflage");
  REQUIRE(smp != nullptr);
  REQUIRE(camo != nullptr);
  CHECK(smp->at("pigments") == 6);
  CHECK(camo->at("pigments") == 8);
  CHECK(smp->at("plugin") == "org.pigmatch.catalog-files");

  const auto table = run_pigmatch({"catalog", "list"});
  CHECK(table.exit_code == 0);
  CHECK(contains(table.out, "demo-smp-carbon"));
  CHECK(contains(table.out, "Demo Pigments (illustrative)"));
}

TEST_CASE("catalog show gives the pigments as the file has them") {
  const auto r = run_pigmatch({"catalog", "show", "demo-smp-carbon", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json out = json::parse(r.out);
  const json file = json::parse(slurp(demo_dir / "demo-smp-carbon.json"));
  REQUIRE(out.at("pigments").size() == file.at("pigments").size());
  for (std::size_t i = 0; i < file.at("pigments").size(); ++i) {
    const json& shown = out.at("pigments")[i];
    const json& given = file.at("pigments")[i];
    CHECK(shown.at("code") == given.at("code"));
    CHECK(shown.at("name") == given.at("name"));
    CHECK(shown.at("lots") == given.at("lots"));
    if (given.contains("measurements")) {
      for (std::size_t m = 0; m < given.at("measurements").size(); ++m) {
        CHECK(shown.at("measurements")[m].at("reflectance") ==
              given.at("measurements")[m].at("reflectance"));
      }
    }
  }
  const json* black = find_by(out.at("pigments"), "code", "SMP-K100");
  REQUIRE(black != nullptr);
  CHECK(black->at("masstone_lab").at("L").get<double>() < 30);
  CHECK(black->at("ci_numbers") == json::array({"CI 77266"}));

  const auto table = run_pigmatch({"catalog", "show", "demo-camouflage"});
  CHECK(table.exit_code == 0);
  CHECK(contains(table.out, "CAM-TIW"));
  CHECK(contains(table.out, "CI 77891"));
  CHECK(contains(table.out, "EU REACH 2020/2081"));
}

TEST_CASE("catalog show of an unknown id fails and names the available ones") {
  const auto r = run_pigmatch({"catalog", "show", "no-such-catalog"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "no-such-catalog"));
  CHECK(contains(r.err, "demo-smp-carbon"));
}

TEST_CASE("catalog validate: the demo catalogs are valid") {
  for (const char* name : {"demo-smp-carbon.json", "demo-camouflage.cgats"}) {
    const auto r = run_pigmatch({"catalog", "validate", (demo_dir / name).string(), "--json"});
    INFO(name << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    const json out = json::parse(r.out);
    CHECK(out.at("valid") == true);
    CHECK(out.at("errors") == 0);
    CHECK(out.at("warnings") == 0);
  }
}

TEST_CASE("catalog validate reports every problem of a JSON file, with lines and paths") {
  const std::string text =
      "{\n"
      "  \"format\": \"pigmatch-catalog\", \"format_version\": 1,\n"
      "  \"id\": \"bad\", \"vendor\": \"V\", \"name\": \"Bad\",\n"
      "  \"pigments\": [\n"
      "    {\"code\": \"A\", \"name\": \"Alpha\", \"ci_numbers\": [\"CI 7726\"],\n"
      "     \"measurements\": [{\"concentration\": 1.5, \"substrate\": \"card\",\n"
      "       \"lab\": {\"L\": 120, \"a\": 0, \"b\": 0}}],\n"
      "     \"lots\": [{\"lot\": \"L1\", \"expiry\": \"2027-02-30\"}]},\n"
      "    {\"code\": \"a\", \"name\": \"Alpha again\", \"colour\": \"black\",\n"
      "     \"measurements\": [{\"lab\": {\"L\": 20, \"a\": 0, \"b\": 0}, \"substrate\": "
      "\"card\"}]}\n"
      "  ]\n"
      "}\n";
  const auto file = write_temp("bad.json", text);
  const auto r = run_pigmatch({"catalog", "validate", file.string(), "--json"});
  const auto human = run_pigmatch({"catalog", "validate", file.string()});
  std::filesystem::remove(file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const json out = json::parse(r.out);
  CHECK(out.at("valid") == false);
  std::vector<std::string> where;
  for (const auto& p : out.at("problems"))
    where.push_back(p.at("where"));
  const std::string unknown_key =
      "line " + std::to_string(line_of(text, "colour")) + ": pigments[1].colour";
  CHECK_THAT(
      where,
      Catch::Matchers::UnorderedEquals(std::vector<std::string>{
          unknown_key, "pigments[0].ci_numbers[0]", "pigments[0].measurements[0].concentration",
          "pigments[0].measurements[0].lab.L", "pigments[0].lots[0].expiry", "pigments[1].code"}));
  CHECK(out.at("errors") == 5);
  CHECK(out.at("warnings") == 1);

  CHECK(human.exit_code == 1);
  CHECK(contains(human.out, "5 errors, 1 warning"));
  CHECK(contains(human.out, "2027-02-30"));
  CHECK(contains(human.err, "not a valid catalog"));
}

TEST_CASE("catalog validate of a broken CGATS file names the line Little CMS stopped at") {
  const std::string text =
      "CGATS.17\nCATALOG_ID \"x\"\nVENDOR \"V\"\nCATALOG_NAME \"N\"\nNUMBER_OF_FIELDS 2\n"
      "BEGIN_DATA_FORMAT\nPIGMENT_CODE LAB_L LAB_A\nEND_DATA_FORMAT\n";
  const auto file = write_temp("broken.cgats", text);
  const auto r = run_pigmatch({"catalog", "validate", file.string()});
  std::filesystem::remove(file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // Little CMS notices the mismatch on the field line or when it reaches the end of the section.
  const int first = line_of(text, "PIGMENT_CODE");
  const int last = int(std::count(text.begin(), text.end(), '\n')) + 1;
  bool named = false;
  for (int line = first; line <= last; ++line) {
    named = named || contains(r.out, "line " + std::to_string(line) + ":");
  }
  CHECK(named);
  CHECK(contains(r.out, "NUMBER_OF_FIELDS"));
}

TEST_CASE("catalog validate of a missing file fails with its name") {
  const auto r = run_pigmatch({"catalog", "validate", "/nonexistent/acme.json"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "/nonexistent/acme.json"));
}

TEST_CASE("--catalog adds a file; a broken one fails list but the others are still listed") {
  json extra = json::parse(slurp(demo_dir / "demo-smp-carbon.json"));
  extra["id"] = "extra-smp";
  const auto good = write_temp("extra.json", extra.dump());
  const auto r = run_pigmatch({"catalog", "list", "--json", "--catalog", good.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const json listed = json::parse(r.out);
  const json* added = find_by(listed.at("catalogs"), "id", "extra-smp");
  REQUIRE(added != nullptr);
  CHECK(added->at("origin") == "explicit");

  extra["pigments"][0]["code"] = "";
  const auto bad = write_temp("bad-extra.json", extra.dump());
  const auto b = run_pigmatch({"catalog", "list", "--catalog", bad.string()});
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
  CHECK(b.exit_code == 1);
  CHECK(contains(b.out, "demo-camouflage"));
  CHECK(contains(b.err, "pigments[0].code"));
}

TEST_CASE("catalog validate accepts the complete examples in docs/catalog-format.md") {
  const std::string doc =
      slurp(std::filesystem::path(PIGMATCH_SOURCE_DIR) / "docs/catalog-format.md");
  const auto block = [&](const std::string& opening) {
    const auto start = doc.find(opening);
    REQUIRE(start != std::string::npos);
    const auto body = doc.find('\n', start) + 1;
    return doc.substr(body, doc.find("```", body) - body);
  };
  const auto json_file = write_temp("doc.json", block("```json\n{"));
  const auto cgats_file = write_temp("doc.cgats", block("```\nCGATS.17"));
  for (const auto& file : {json_file, cgats_file}) {
    const auto r = run_pigmatch({"catalog", "validate", file.string(), "--json"});
    std::filesystem::remove(file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(json::parse(r.out).at("warnings") == 0);
  }
}

TEST_CASE("catalog build: readings in, a catalog out that validate accepts and match uses") {
  const pigmatch::Catalog truth =
      pigmatch::test::synthetic_catalog(pigmatch::test::pigment_count, 21);
  const auto rows = pigmatch::test::readings(truth, 0.001, 3, 3);
  const auto measurements = write_temp("drawdowns.txt", "");
  pigmatch::test::write_cgats(measurements, rows, false);
  const auto out = write_temp("studio.json", "");
  std::filesystem::remove(out);

  const auto built =
      run_pigmatch({"catalog", "build", measurements.string(), "--id", "studio-own", "--vendor",
                    "Our studio", "--name", "Our bottles", "--out", out.string(), "--json"});
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  const json report = json::parse(built.out);
  CHECK(report.at("readings") == rows.size());
  REQUIRE(report.at("pigments").size() == pigmatch::test::pigment_count);
  for (const json& p : report.at("pigments")) {
    CHECK(p.at("concentrations") == 4);
    CHECK(p.at("readings") == 12);
    CHECK(p.at("max_de00").get<double>() < 1.0);
  }
  const auto validated = run_pigmatch({"catalog", "validate", out.string()});
  INFO(validated.out << validated.err);
  CHECK(validated.exit_code == 0);
  CHECK(contains(validated.out, "0 errors"));

  // The catalog serves a match: a colour of P3 alone (10 drops in 20) comes back as P3.
  const auto& p3 = truth.pigments[3];
  pigmatch::Spectrum::Values target{};
  for (std::size_t b = 0; b < pigmatch::Spectrum::band_count; ++b)
    target[b] = pigmatch::test::independent_film(0.5 * (*p3.k)[b], 0.5 * (*p3.s)[b], 0.88);
  const pigmatch::Lab lab = pigmatch::to_lab(pigmatch::Spectrum(target));
  const auto matched =
      run_pigmatch({"match", "--catalog-file", out.string(), "--catalog", "studio-own", "--target",
                    fmt_lab(lab), "--mode", "custom", "--top", "1", "--json"});
  INFO(matched.err);
  REQUIRE(matched.exit_code == 0);
  const json recipe = json::parse(matched.out).at("recipes").at(0);
  CHECK(recipe.at("de00").get<double>() < 0.5);
  CHECK(recipe.at("components").at(0).at("code") == "P3");

  // It is not overwritten unless asked.
  const auto again =
      run_pigmatch({"catalog", "build", measurements.string(), "--id", "studio-own", "--vendor",
                    "Our studio", "--name", "Our bottles", "--out", out.string()});
  CHECK(again.exit_code == 2);
  CHECK(contains(again.err, "--force"));
  std::filesystem::remove(out);
  std::filesystem::remove(measurements);
}

TEST_CASE("catalog build: an Argyll .ti3 named by a layout, and refusals that say what to do") {
  const pigmatch::Catalog truth =
      pigmatch::test::synthetic_catalog(pigmatch::test::pigment_count, 21);
  auto rows = pigmatch::test::readings(truth, 0.001, 4);
  const auto ti3 = write_temp("drawdowns.ti3", "");
  const auto layout = write_temp("layout.csv", "");
  pigmatch::test::write_cgats(ti3, rows, true);
  pigmatch::test::write_layout(layout, rows);
  const auto out = write_temp("argyll.json", "");
  std::filesystem::remove(out);
  const std::vector<std::string> common{"--id",   "studio-own",  "--vendor", "Our studio",
                                        "--name", "Our bottles", "--out",    out.string()};
  auto args =
      std::vector<std::string>{"catalog", "build", ti3.string(), "--layout", layout.string()};
  args.insert(args.end(), common.begin(), common.end());
  const auto built = run_pigmatch(args);
  INFO(built.err);
  CHECK(built.exit_code == 0);
  CHECK(contains(built.out, "P7"));
  CHECK(run_pigmatch({"catalog", "validate", out.string()}).exit_code == 0);
  std::filesystem::remove(out);

  // Without the layout the .ti3's rows have no names.
  args = {"catalog", "build", ti3.string()};
  args.insert(args.end(), common.begin(), common.end());
  const auto unnamed = run_pigmatch(args);
  CHECK(unnamed.exit_code == 1);
  CHECK(contains(unnamed.err, "--layout"));
  CHECK_FALSE(std::filesystem::exists(out));

  // No card in the file: refused, nothing written.
  std::erase_if(rows, [](const pigmatch::test::Row& r) { return r.name == "card"; });
  const auto no_card = write_temp("nocard.txt", "");
  pigmatch::test::write_cgats(no_card, rows, false);
  args = {"catalog", "build", no_card.string()};
  args.insert(args.end(), common.begin(), common.end());
  const auto refused = run_pigmatch(args);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "bare card"));
  CHECK_FALSE(std::filesystem::exists(out));
  for (const auto& f : {ti3, layout, no_card})
    std::filesystem::remove(f);
}

TEST_CASE("catalog build reads a .ti3 written by Argyll's own txt2ti3") {
  // An i1Profiler-style export converted by Argyll (installed by scripts/setup.sh): Argyll keeps
  // the names in SAMPLE_LOC and writes the spectra in percent, with its own keywords.
  const std::filesystem::path txt2ti3 = "/usr/bin/txt2ti3";
  if (!std::filesystem::exists(txt2ti3)) {
    WARN("skipped: Argyll's txt2ti3 is not installed (scripts/setup.sh installs argyll)");
    return;
  }
  const pigmatch::Catalog truth =
      pigmatch::test::synthetic_catalog(pigmatch::test::pigment_count, 21);
  const auto rows = pigmatch::test::readings(truth, 0.001, 6, 3);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pigmatch-cli-catalog-argyll-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  pigmatch::test::write_cgats(dir / "export.txt", rows, false);
  const auto converted = pigmatch::test::run_process(
      txt2ti3.string(), {(dir / "export.txt").string(), (dir / "argyll").string()});
  INFO(converted.out << converted.err);
  REQUIRE(converted.exit_code == 0);
  const std::string ti3 = slurp(dir / "argyll.ti3");
  REQUIRE(contains(ti3, "CTI3"));
  REQUIRE(contains(ti3, "SPEC_380"));
  REQUIRE(contains(ti3, "SAMPLE_LOC"));

  const auto built = run_pigmatch({"catalog", "build", (dir / "argyll.ti3").string(), "--id",
                                   "from-argyll", "--vendor", "Our studio", "--name", "Argyll",
                                   "--out", (dir / "argyll.json").string(), "--json"});
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  const json report = json::parse(built.out);
  REQUIRE(report.at("pigments").size() == pigmatch::test::pigment_count);
  for (const json& p : report.at("pigments"))
    CHECK(p.at("mean_de00").get<double>() < 0.5);
  // The same readings straight from the export give the same catalog: percent read as percent.
  const auto direct = run_pigmatch({"catalog", "build", (dir / "export.txt").string(), "--id",
                                    "direct", "--vendor", "Our studio", "--name", "Direct", "--out",
                                    (dir / "direct.json").string(), "--json"});
  REQUIRE(direct.exit_code == 0);
  const json a = json::parse(slurp(dir / "argyll.json")).at("pigments");
  const json b = json::parse(slurp(dir / "direct.json")).at("pigments");
  REQUIRE(a.size() == b.size());
  for (std::size_t p = 0; p + 1 < a.size(); ++p) {
    for (std::size_t band = 0; band < pigmatch::Spectrum::band_count; ++band)
      CHECK(a[p].at("k")[band].get<double>() ==
            Approx(b[p].at("k")[band].get<double>()).epsilon(0.02));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "catalog card and build --photo: the printed card, painted and photographed, becomes a "
    "catalog") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  namespace pt = pigmatch::test;
  const auto dir = write_temp("swatch", "");
  std::filesystem::remove(dir);
  std::filesystem::create_directories(dir);
  const auto svg = dir / "card.svg";
  const auto card = run_pigmatch({"catalog", "card", "--pigments", "P0,P1,P2,P3,P4,P5,P6,P7",
                                  "--title", "Room 1", "--out", svg.string()});
  INFO(card.err);
  REQUIRE(card.exit_code == 0);
  CHECK(contains(card.out, "catalog build --photo"));
  const auto print = pt::rasterised_card(svg, dir / "card.png", 4);
  PIGMATCH_REQUIRE_CARD_PRINT(print)
  const pt::SpectralCamera camera =
      pt::load_spectral_camera(data, "Canon_40D", "CIE_std_illum_D65.csv");
  const pigmatch::Catalog truth = pt::smp_like_catalog();
  pt::SwatchScene scene;
  scene.camera = &camera;
  scene.truth = &truth;
  scene.layout = pigmatch::load_swatch_card_layout(svg);
  scene.print = &*print;
  const pt::SwatchPhoto photo = pt::render_swatch_photo(scene);
  const auto jpeg = dir / "card.jpg";
  pigmatch::JpegWriteOptions jpeg_options;
  jpeg_options.quality = 95;
  jpeg_options.chroma_subsampling = true;
  pigmatch::write_jpeg(photo.image, jpeg, jpeg_options);
  const auto points = [](const std::array<pigmatch::Point, 4>& p) {
    std::string text;
    for (const auto& q : p)
      text += (text.empty() ? "" : ",") + std::to_string(q.x) + "," + std::to_string(q.y);
    return text;
  };
  const auto out = dir / "studio.json";
  const std::vector<std::string> build{
      "catalog",     "build",        "--photo",           jpeg.string(), "--card",
      svg.string(),  "--card-marks", points(photo.marks), "--chart",     points(photo.chart),
      "--id",        "studio-photo", "--vendor",          "Our studio",  "--name",
      "Our bottles", "--out",        out.string()};
  auto with_json = build;
  with_json.push_back("--json");
  const auto built = run_pigmatch(with_json);
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  const json report = json::parse(built.out);
  CHECK(report.at("photo").at("calibration").at("source") == "chart");
  CHECK(report.at("photo").at("boxes").size() == 48);
  CHECK(report.at("photo").at("light_variation").get<double>() ==
        Approx(photo.light_variation).margin(0.02));
  REQUIRE(report.at("pigments").size() == 8);
  // Each series fitted by one film (through the published chart values and a 4:2:0 JPEG the
  // camera's colours of a series agree with one film a little less than in
  // swatch_card_test.cpp).
  for (const json& p : report.at("pigments"))
    CHECK(p.at("max_de00").get<double>() < 2.5);
  const auto validated = run_pigmatch({"catalog", "validate", out.string()});
  INFO(validated.out << validated.err);
  CHECK(validated.exit_code == 0);

  // Red iron oxide alone, 8 drops of 20, asked of the new catalog: the recipe it proposes, mixed
  // from the true pigments, lands on the target.
  const auto& red = truth.pigments[2];
  pigmatch::Spectrum::Values target{};
  for (std::size_t b = 0; b < pigmatch::Spectrum::band_count; ++b)
    target[b] = pt::independent_film(0.4 * (*red.k)[b], 0.4 * (*red.s)[b], pt::paper_at(b));
  const pigmatch::Lab lab = pigmatch::to_lab(pigmatch::Spectrum(target));
  const auto matched =
      run_pigmatch({"match", "--catalog-file", out.string(), "--catalog", "studio-photo",
                    "--target", fmt_lab(lab), "--mode", "custom", "--top", "1", "--json"});
  INFO(matched.err);
  REQUIRE(matched.exit_code == 0);
  const json recipe = json::parse(matched.out).at("recipes").at(0);
  INFO(recipe.dump());
  pigmatch::Spectrum::Values mixed{};
  for (std::size_t b = 0; b < pigmatch::Spectrum::band_count; ++b) {
    double k = 0, s = 0;
    for (const json& c : recipe.at("components")) {
      if (c.at("diluent").get<bool>())
        continue;
      const auto& p = truth.pigments[std::stoul(c.at("code").get<std::string>().substr(1))];
      k += c.at("fraction").get<double>() * (*p.k)[b];
      s += c.at("fraction").get<double>() * (*p.s)[b];
    }
    mixed[b] = pt::independent_film(k, s, pt::paper_at(b));
  }
  CHECK(pigmatch::delta_e2000(pigmatch::to_lab(pigmatch::Spectrum(mixed)), lab) < 2.0);

  // Nothing given but the photo and the card: the chart found beside the card's own grid of
  // boxes, the card's marks found, and the same catalog.
  auto found = build;
  found.erase(found.begin() + 6, found.begin() + 10);  // --card-marks MARKS --chart CORNERS
  found.insert(found.end(), {"--force", "--json"});
  const auto automatic = run_pigmatch(found);
  INFO(automatic.err);
  REQUIRE(automatic.exit_code == 0);
  const json found_report = json::parse(automatic.out);
  CHECK(found_report.at("photo").at("calibration").at("source") == "chart");
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(found_report.at("photo").at("marks").at(i).at(0).get<double>() ==
          Approx(photo.marks[i].x).margin(1.5));
    CHECK(found_report.at("photo").at("marks").at(i).at(1).get<double>() ==
          Approx(photo.marks[i].y).margin(1.5));
  }
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(found_report.at("pigments").at(i).at("max_de00").get<double>() ==
          Approx(report.at("pigments").at(i).at("max_de00").get<double>()).margin(0.5));
  }

  // The human table names the light and the white pigment's uncertainty.
  auto again = build;
  again.push_back("--force");
  const auto table = run_pigmatch(again);
  INFO(table.err);
  CHECK(table.exit_code == 0);
  CHECK(contains(table.out, "light across the card"));
  CHECK(contains(table.err, "P5 is within"));

  SECTION("refusals") {
    auto no_card = build;
    no_card.erase(no_card.begin() + 4, no_card.begin() + 6);  // --card CARD
    const auto r1 = run_pigmatch(no_card);
    CHECK(r1.exit_code == 2);
    CHECK(contains(r1.err, "--photo needs --card"));
    // A photo without the card: its marks are not found, and the message says what to do.
    const auto chart_only = dir / "chart-only.jpg";
    pigmatch::write_jpeg(pt::without_card(photo.image), chart_only, jpeg_options);
    const auto r7 = run_pigmatch({"catalog", "build", "--photo", chart_only.string(), "--card",
                                  svg.string(), "--id", "x", "--vendor", "v", "--name", "n",
                                  "--out", (dir / "x.json").string()});
    CHECK(r7.exit_code == 1);
    CHECK(contains(r7.err, "corner marks were not found"));
    auto uncalibrated = build;
    uncalibrated[9] = "none";
    const auto r2 = run_pigmatch(uncalibrated);
    CHECK(r2.exit_code == 2);
    CHECK(contains(r2.err, "calibrated photo"));
    auto paper = build;
    std::array<pigmatch::Point, 4> off = photo.marks;
    for (auto& p : off)
      p = {p.x + (p.x < 1000 ? 40 : -40), p.y + (p.y < 450 ? 40 : -40)};
    paper[7] = points(off);
    paper.push_back("--force");
    const auto r3 = run_pigmatch(paper);
    CHECK(r3.exit_code == 1);
    CHECK(contains(r3.err, "cannot tell the card's top-left"));
    auto few = build;
    few[7] = "1,2,3";
    const auto r4 = run_pigmatch(few);
    CHECK(r4.exit_code == 2);
    CHECK(contains(r4.err, "--card-marks: expects"));
    const auto r5 = run_pigmatch({"catalog", "card", "--pigments", "A,B,C,D,E,F,G,H,I", "--out",
                                  (dir / "big.svg").string()});
    CHECK(r5.exit_code == 2);
    CHECK(contains(r5.err, "several cards"));
    CHECK_FALSE(std::filesystem::exists(dir / "big.svg"));
    const auto r6 =
        run_pigmatch({"catalog", "build", "--photo", jpeg.string(), "--card", jpeg.string(),
                      "--card-marks", points(photo.marks), "--id", "x", "--vendor", "v", "--name",
                      "n", "--out", (dir / "x.json").string()});
    CHECK(r6.exit_code == 1);
    CHECK(contains(r6.err, "holds no swatch-card layout"));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("the shipped example card is what catalog card writes today") {
  const auto out = write_temp("demo-card.svg", "");
  std::filesystem::remove(out);
  const auto made =
      run_pigmatch({"catalog", "card", "--pigments", "SMP-K100,SMP-K75,SMP-K50,SMP-K25,SMP-K10",
                    "--title", "demo-smp-carbon (example)", "--out", out.string()});
  REQUIRE(made.exit_code == 0);
  CHECK(slurp(out) ==
        slurp(std::filesystem::path(PIGMATCH_SOURCE_DIR) / "data/cards/demo-smp-carbon-card.svg"));
  const auto help = run_pigmatch({"catalog", "card", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "--steps"));
  std::filesystem::remove(out);
}
