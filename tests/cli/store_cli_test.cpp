// The store's commands (client, visit, formula, lot, db) run as real processes on real files:
// exit codes 0/1/2, --json output, the export → erase → import round trip, migration of a
// version-1 file built from the frozen v1 DDL, and damaged files refused untouched.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.h"
#include "store/store_fixtures.h"

namespace fs = std::filesystem;
using nlohmann::json;
using pigmatch::test::file_bytes;
using pigmatch::test::ProcessResult;
using pigmatch::test::RawDb;
using pigmatch::test::run_pigmatch;
using pigmatch::test::TempDir;

namespace {

// Runs pigmatch with --db appended to the leaf command's arguments.
ProcessResult run_db(const fs::path& db, std::vector<std::string> args) {
  args.push_back("--db");
  args.push_back(db.string());
  return run_pigmatch(args);
}

json run_json(const fs::path& db, std::vector<std::string> args) {
  args.push_back("--json");
  const ProcessResult r = run_db(db, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

const char* formula_text = R"({"region": "crown", "target": {"L": 38, "a": 2, "b": 6},
  "model": "km", "catalog": "demo-smp", "predicted": [38.4, 1.9, 6.2], "delta_e00": 0.5,
  "components": [{"vendor": "Acme", "code": "SMP-1", "drops": 3, "ml": 0.15},
                 {"vendor": "Acme", "code": "DIL", "drops": 9, "ml": 0.45}]})";

}  // namespace

TEST_CASE("pigmatch client/visit/formula/lot: a studio's day, in JSON") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  const json ana = run_json(db, {"client", "add", "Ana Duarte", "--birth-date", "1984-06-02"});
  const std::string id = std::to_string(ana.at("id").get<long>());
  const json visit = run_json(db, {"visit", "add", id, "--kind", "initial", "--date", "2021-04-12",
                                   "--area", "crown", "--needle", "3RL 0.25"});
  CHECK(visit.at("kind") == "initial");
  write_text(dir / "f.json", formula_text);
  const json saved =
      run_json(db, {"formula", "save", (dir / "f.json").string(), "--client", id, "--visit",
                    std::to_string(visit.at("id").get<long>()), "--lot", "SMP-1=A77"});
  CHECK(saved.at("components").at(0).at("lot") == "A77");
  CHECK(saved.at("components").at(1).at("lot") == "");
  const std::string first = std::to_string(saved.at("id").get<long>());
  const json corrected = run_json(db, {"formula", "save", (dir / "f.json").string(), "--client", id,
                                       "--replaces", first, "--notes", "darker"});
  CHECK(corrected.at("replaces").get<long>() == saved.at("id").get<long>());

  const json shown = run_json(db, {"formula", "show", first});
  CHECK(shown.at("replaced_by") == corrected.at("id"));
  const json history = run_json(db, {"formula", "history", id});
  CHECK(history.at("formulas").size() == 2);
  const json near = run_json(db, {"formula", "search", "--near", "38,2,6.5"});
  REQUIRE(near.at("formulas").size() == 2);
  CHECK(near.at("formulas").at(0).at("superseded") == true);
  const json trace = run_json(db, {"lot", "trace", "A77"});
  REQUIRE(trace.at("uses").size() == 1);
  CHECK(trace.at("uses").at(0).at("name") == "Ana Duarte");
  CHECK(trace.at("uses").at(0).at("visit").at("date") == "2021-04-12");
  const json check = run_json(db, {"db", "check"});
  CHECK(check.at("ok") == true);
  CHECK(check.at("formulas") == 2);
}

TEST_CASE("pigmatch client export → erase → import round-trips") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  const std::string id =
      std::to_string(run_json(db, {"client", "add", "Bo Lind"}).at("id").get<long>());
  run_json(db, {"visit", "add", id, "--kind", "second", "--date", "2021-05-20"});
  run_json(db, {"client", "consent", id, "--kind", "treatment", "--date", "2021-05-20",
                "--signed-by", "Bo Lind"});
  write_text(dir / "f.json", formula_text);
  run_json(db, {"formula", "save", (dir / "f.json").string(), "--client", id});

  REQUIRE(run_db(db, {"client", "export", id, "-o", (dir / "bo.json").string()}).exit_code == 0);
  const std::string exported = file_bytes(dir / "bo.json");
  CHECK(json::parse(exported).at("formulas").size() == 1);

  const ProcessResult refused = run_db(db, {"client", "erase", id});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("--yes") != std::string::npos);
  CHECK(run_db(db, {"client", "erase", id, "--yes"}).exit_code == 0);
  const ProcessResult gone = run_db(db, {"client", "show", id});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err.find("no client") != std::string::npos);

  CHECK(run_json(db, {"client", "import", (dir / "bo.json").string()}).at("client") ==
        std::stol(id));
  const ProcessResult again = run_db(db, {"client", "export", id});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == exported);
}

TEST_CASE("pigmatch db migrate: a version-1 file is backed up and migrated") {
  TempDir dir;
  const fs::path db = dir / "old.db";
  {
    RawDb raw(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const std::string ddl =
        file_bytes(fs::path(PIGMATCH_SOURCE_DIR) / "tests" / "store" / "schema_v1.sql");
    REQUIRE(
        raw.exec("BEGIN;" + ddl +
                 "INSERT INTO clients (id, name, created_at) VALUES (4, 'Old', 'x'); COMMIT;") ==
        SQLITE_OK);
  }
  const json report = run_json(db, {"db", "migrate"});
  CHECK(report.at("from_version") == 1);
  CHECK(report.at("to_version") == 2);
  REQUIRE(report.at("backup").is_string());
  CHECK(fs::exists(report.at("backup").get<std::string>()));
  CHECK(run_json(db, {"db", "migrate"}).at("backup").is_null());
  CHECK(run_json(db, {"client", "list"}).at(0).at("name") == "Old");
}

TEST_CASE("pigmatch refuses damaged, newer and missing databases with exit 1") {
  TempDir dir;
  const fs::path text = dir / "notes.db";
  write_text(text, std::string(200, 'x'));
  const std::string before = file_bytes(text);
  const ProcessResult r = run_db(text, {"client", "list"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not a pigmatch database") != std::string::npos);
  CHECK(file_bytes(text) == before);
  CHECK(run_db(text, {"db", "check"}).exit_code == 1);

  const fs::path newer = dir / "newer.db";
  run_json(newer, {"client", "add", "X"});
  { RawDb(newer).exec("PRAGMA user_version = 9"); }
  const ProcessResult n = run_db(newer, {"client", "add", "Y"});
  CHECK(n.exit_code == 1);
  CHECK(n.err.find("newer pigmatch") != std::string::npos);

  const ProcessResult missing = run_db(dir / "none.db", {"client", "list"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no pigmatch database") != std::string::npos);
  CHECK(!fs::exists(dir / "none.db"));
}

TEST_CASE("pigmatch store commands: usage errors exit 2, every command has --help and --json") {
  TempDir dir;
  const fs::path db = dir / "s.db";
  run_json(db, {"client", "add", "Z"});
  CHECK(run_db(db, {"client", "show", "abc"}).exit_code == 2);
  CHECK(run_db(db, {"visit", "add", "1", "--date", "2021-01-01", "--kind", "laser"}).exit_code ==
        2);
  CHECK(run_db(db, {"formula", "search", "--near", "38,2"}).exit_code == 2);
  CHECK(run_db(db, {"formula", "save"}).exit_code == 2);
  const ProcessResult bad_date = run_db(db, {"visit", "add", "1", "--date", "12/01/2021"});
  CHECK(bad_date.exit_code == 1);
  CHECK(bad_date.err.find("YYYY-MM-DD") != std::string::npos);
  const std::vector<std::vector<std::string>> commands = {
      {"client", "add"},    {"client", "list"},     {"client", "show"},    {"client", "export"},
      {"client", "import"}, {"client", "erase"},    {"visit", "add"},      {"formula", "save"},
      {"formula", "show"},  {"formula", "history"}, {"formula", "search"}, {"lot", "trace"},
      {"db", "backup"},     {"db", "check"},        {"db", "migrate"}};
  for (auto args : commands) {
    args.push_back("--help");
    const ProcessResult help = run_pigmatch(args);
    INFO(args[0] << " " << args[1]);
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("--json") != std::string::npos);
    CHECK(help.out.find("--db") != std::string::npos);
  }
}

TEST_CASE("pigmatch formula save --from reads what pigmatch match --json prints") {
  TempDir dir;
  const fs::path db = dir / "s.db";
  const std::string catalog =
      (fs::path(PIGMATCH_SOURCE_DIR) / "data" / "catalogs" / "demo-smp-carbon.json").string();
  const ProcessResult match =
      run_pigmatch({"match", "--target", "35,1,3", "--mode", "custom", "--catalog-file", catalog,
                    "--max-pigments", "2", "--top", "2", "--json"});
  INFO(match.err);
  REQUIRE(match.exit_code == 0);
  write_text(dir / "match.json", match.out);
  const json m = json::parse(match.out);
  REQUIRE(m.at("recipes").size() >= 2);
  const json& recipe = m.at("recipes").at(1);
  const std::string code = recipe.at("components").at(0).at("code");

  const std::string id = std::to_string(run_json(db, {"client", "add", "M"}).at("id").get<long>());
  const json saved = run_json(db, {"formula", "save", "--from", (dir / "match.json").string(),
                                   "--rank", "2", "--client", id, "--lot", code + "=X123"});
  CHECK(saved.at("target") == m.at("target"));
  CHECK(saved.at("predicted") == recipe.at("predicted"));
  CHECK(saved.at("delta_e00") == recipe.at("de00"));
  CHECK(saved.at("model") == m.at("model"));
  CHECK(saved.at("catalog") == m.at("catalog"));
  REQUIRE(saved.at("components").size() == recipe.at("components").size());
  for (std::size_t i = 0; i < saved.at("components").size(); ++i) {
    CHECK(saved.at("components")[i].at("code") == recipe.at("components")[i].at("code"));
    CHECK(saved.at("components")[i].at("drops") == recipe.at("components")[i].at("drops"));
    CHECK(saved.at("components")[i].at("ml") == recipe.at("components")[i].at("ml"));
    CHECK(saved.at("components")[i].at("vendor") == recipe.at("components")[i].at("vendor"));
  }
  CHECK(saved.at("components")[0].at("lot") == "X123");
  const ProcessResult too_far = run_db(
      db,
      {"formula", "save", "--from", (dir / "match.json").string(), "--rank", "99", "--client", id});
  CHECK(too_far.exit_code == 1);
  CHECK(too_far.err.find("--rank 99") != std::string::npos);
}
