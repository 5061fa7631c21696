// `pigmatch catalog list|show|validate`, run as a real process against the built-in plugin folder
// (<build>/plugins, holding catalog-files) and the bundled demo catalogs (data/catalogs).
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.h"

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
