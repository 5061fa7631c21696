// The store's commands (client, visit, formula, lot, db) run as real processes on real files:
// exit codes 0/1/2, --json output, the export → erase → import round trip, migration of a
// version-1 file built from the frozen v1 DDL, and damaged files refused untouched.
#include <catch2/catch.hpp>
#include <cmath>
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
using pigmatch::test::run_db;
using pigmatch::test::run_pigmatch;
using pigmatch::test::TempDir;

namespace {

json run_json(const fs::path& db, std::vector<std::string> args) {
  args.push_back("--json");
  const ProcessResult r = run_db(db, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

std::string demo_catalog() {
  return (fs::path(PIGMATCH_SOURCE_DIR) / "data" / "catalogs" / "demo-smp-carbon.json").string();
}

long count_rows(const fs::path& db, const std::string& table) {
  RawDb raw(db, SQLITE_OPEN_READONLY);
  return std::stol(raw.scalar("SELECT count(*) FROM " + table));
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

  const json imported = run_json(db, {"client", "import", (dir / "bo.json").string()});
  CHECK(imported.at("client") == std::stol(id));
  CHECK(imported.at("visits") == 1);
  CHECK(imported.at("consents") == 1);
  CHECK(imported.at("measurements") == 0);
  CHECK(imported.at("formulas") == 1);
  CHECK(imported.at("lots") == 0);
  const ProcessResult again = run_db(db, {"client", "export", id});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == exported);
  // In words, every kind of row counted.
  const ProcessResult copy =
      run_db(db, {"client", "import", (dir / "bo.json").string(), "--renumber"});
  CHECK(copy.out.find("Bo Lind (1 visit, 1 consent, 0 measurements, 1 formula; 0 pigment lots)") !=
        std::string::npos);
}

TEST_CASE("pigmatch client erase names the backups that still hold the client, and purges them") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  const long ann = run_json(db, {"client", "add", "Ann Page"}).at("id").get<long>();
  const long bo = run_json(db, {"client", "add", "Bo"}).at("id").get<long>();
  fs::create_directories(dir / "usb");
  REQUIRE(run_db(db, {"db", "backup", (dir / "monday.db").string()}).exit_code == 0);
  REQUIRE(run_db(db, {"db", "backup", (dir / "usb" / "copy.db").string()}).exit_code == 0);
  write_text(dir / "notes.txt", "not a database");
  // Another studio's database with a client of the same id and name, made at another time:
  // another person.
  run_json(dir / "other.db", {"client", "add", "Ann Page", "--birth-date", "1990-01-01"});
  RawDb(dir / "other.db").exec("UPDATE clients SET created_at = '2020-01-01T09:00:00Z'");
  const std::string monday = file_bytes(dir / "monday.db");

  // Named, not touched, without --purge-backups; --backups adds a folder.
  const json erased = run_json(
      db, {"client", "erase", std::to_string(ann), "--yes", "--backups", (dir / "usb").string()});
  const json& copies = erased.at("copies");
  REQUIRE(copies.size() == 2);
  CHECK(fs::path(copies.at(0).at("file").get<std::string>()).filename() == "monday.db");
  CHECK(fs::path(copies.at(1).at("file").get<std::string>()).filename() == "copy.db");
  CHECK(copies.at(0).at("state") == "holds");
  CHECK(file_bytes(dir / "monday.db") == monday);
  const ProcessResult said = run_db(db, {"client", "erase", std::to_string(bo), "--yes"});
  CHECK(said.out.find("still in " + (dir / "monday.db").string() + ": erase it there too") !=
        std::string::npos);
  CHECK(said.out.find("copy.db") == std::string::npos);  // not searched without --backups

  // --purge-backups erases the client from each copy, and only that client.
  const long cy = run_json(db, {"client", "add", "Cy"}).at("id").get<long>();
  REQUIRE(run_db(db, {"db", "backup", (dir / "tuesday.db").string()}).exit_code == 0);
  const json purged = run_json(db, {"client", "erase", std::to_string(cy), "--yes", "--backups",
                                    (dir / "usb").string(), "--purge-backups"});
  INFO(purged.dump());
  // Only Tuesday's copy is Cy's. (With Ann and Bo erased, Cy may be given id 1 again; made in the
  // same second as Ann, Monday's Ann is then named as one that "may hold" her, never purged.)
  std::vector<std::string> erased_from;
  for (const json& c : purged.at("copies")) {
    if (c.at("state") == "erased")
      erased_from.push_back(fs::path(c.at("file").get<std::string>()).filename().string());
    else
      CHECK(c.at("state") == "may hold");
  }
  CHECK(erased_from == std::vector<std::string>{"tuesday.db"});
  // Tuesday's backup held Cy alone (Ann and Bo were erased before it); the USB copy holds Ann
  // and Bo, not Cy, and is left as it was.
  CHECK(RawDb(dir / "tuesday.db", SQLITE_OPEN_READONLY).scalar("SELECT count(*) FROM clients") ==
        "0");
  CHECK(
      RawDb(dir / "usb" / "copy.db", SQLITE_OPEN_READONLY).scalar("SELECT count(*) FROM clients") ==
      "2");
  // Erasing Ann from Monday's backup, purging the USB copy too: Bo stays there.
  const json from_monday =
      run_json(dir / "monday.db", {"client", "erase", std::to_string(ann), "--yes", "--backups",
                                   (dir / "usb").string(), "--purge-backups"});
  CHECK(RawDb(dir / "usb" / "copy.db", SQLITE_OPEN_READONLY)
            .scalar("SELECT group_concat(name) FROM clients") == "Bo");
  CHECK(RawDb(dir / "other.db", SQLITE_OPEN_READONLY).scalar("SELECT count(*) FROM clients") ==
        "1");  // the other studio's Ann is another person
  bool other_named = false;
  for (const json& c : from_monday.at("copies"))
    other_named =
        other_named || c.at("file").get<std::string>().find("other.db") != std::string::npos;
  CHECK_FALSE(other_named);
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
  CHECK(report.at("to_version") == pigmatch::store::schema_version);
  REQUIRE(report.at("backup").is_string());
  CHECK(fs::exists(report.at("backup").get<std::string>()));
  CHECK(run_json(db, {"db", "migrate"}).at("backup").is_null());
  CHECK(run_json(db, {"client", "list"}).at(0).at("name") == "Old");

  // The copy the migration kept still holds the client after an erase; it is of schema
  // version 1, so it is named and left alone (migrating it would keep yet another copy).
  const std::string backup = report.at("backup");
  const std::string before = file_bytes(backup);
  const json erased = run_json(db, {"client", "erase", "4", "--yes", "--purge-backups"});
  REQUIRE(erased.at("copies").size() == 1);
  CHECK(erased.at("copies").at(0).at("file") == fs::weakly_canonical(backup).string());
  CHECK(erased.at("copies").at(0).at("state") == "not erased");
  CHECK(erased.at("copies").at(0).at("message").get<std::string>().find("schema version 1") !=
        std::string::npos);
  CHECK(file_bytes(backup) == before);
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

TEST_CASE("pigmatch refuses records a studio would regret, and saves a recipe once") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  for (const char* name : {"   ", "Ann\u202eegaP"}) {
    const ProcessResult r = run_db(db, {"client", "add", name});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK((r.err.find("blank") != std::string::npos ||
           r.err.find("direction control (U+202E)") != std::string::npos));
  }
  const json added = run_json(db, {"client", "add", "  Ann Page  "});
  CHECK(added.at("name") == "Ann Page");
  const std::string id = std::to_string(added.at("id").get<long>());
  for (const char* date : {"2026-02-30", "2099-01-01"}) {
    const ProcessResult r = run_db(db, {"visit", "add", id, "--date", date});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(date) != std::string::npos);
  }
  CHECK(count_rows(db, "visits") == 0);
  const long visit =
      run_json(db, {"visit", "add", id, "--date", "2024-02-29"}).at("id").get<long>();

  write_text(dir / "f.json", formula_text);
  const std::vector<std::string> save = {
      "formula",  "save",    (dir / "f.json").string(), "--client",
      id,         "--visit", std::to_string(visit),     "--lot",
      "SMP-1=A77"};
  const json first = run_json(db, save);
  CHECK(first.at("written") == true);
  const json second = run_json(db, save);
  CHECK(second.at("written") == false);
  CHECK(second.at("id") == first.at("id"));
  const ProcessResult told = run_db(db, save);
  CHECK(told.out.find("nothing new was written") != std::string::npos);
  // Another lot is another record of what went into the client.
  std::vector<std::string> other_lot = save;
  other_lot.back() = "SMP-1=B12";
  CHECK(run_json(db, other_lot).at("written") == true);
  CHECK(count_rows(db, "formulas") == 2);

  // A lot for a pigment the recipe does not have: the recipe's pigments named, exit 1.
  std::vector<std::string> wrong_lot = save;
  wrong_lot.back() = "K100=L9";
  const ProcessResult r = run_db(db, wrong_lot);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("its pigments are SMP-1, DIL") != std::string::npos);
  CHECK(count_rows(db, "formulas") == 2);

  // One drop is "1 drop".
  std::string one_drop = formula_text;
  const std::string three = "\"drops\": 3";
  one_drop.replace(one_drop.find(three), three.size(), "\"drops\": 1");
  write_text(dir / "one.json", one_drop);
  const json saved_one =
      run_json(db, {"formula", "save", (dir / "one.json").string(), "--client", id});
  const ProcessResult shown =
      run_db(db, {"formula", "show", std::to_string(saved_one.at("id").get<long>())});
  CHECK(shown.out.find(" 1 drop  ") != std::string::npos);
  CHECK(shown.out.find("1 drops") == std::string::npos);
  CHECK(shown.out.find(" 9 drops ") != std::string::npos);

  // Correcting the client's details: the same rules; only what is given changes.
  REQUIRE(run_db(db, {"db", "backup", (dir / "before-edit.db").string()}).exit_code == 0);
  const json edited =
      run_json(db, {"client", "edit", id, "--name", "Ann Page-Lee", "--phone", "+44 20 7946 0000"});
  CHECK(edited.at("name") == "Ann Page-Lee");
  CHECK(edited.at("phone") == "+44 20 7946 0000");
  CHECK(edited.at("created_at") == added.at("created_at"));
  CHECK(run_db(db, {"client", "edit", id}).exit_code == 2);
  const ProcessResult bidi = run_db(db, {"client", "edit", id, "--name", "Ann\u202eeeL"});
  CHECK(bidi.exit_code == 1);
  CHECK(run_json(db, {"client", "show", id}).at("client").at("name") == "Ann Page-Lee");
  // The backup from before the correction is found at erase time, her old name said, and left
  // to a person's look (it is not purged on an id and a time alone).
  const json erased = run_json(db, {"client", "erase", id, "--yes", "--purge-backups"});
  REQUIRE(erased.at("copies").size() == 1);
  const json& copy = erased.at("copies").at(0);
  CHECK(fs::path(copy.at("file").get<std::string>()).filename() == "before-edit.db");
  CHECK(copy.at("state") == "may hold");
  CHECK(
      RawDb(dir / "before-edit.db", SQLITE_OPEN_READONLY).scalar("SELECT count(*) FROM clients") ==
      "1");
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

  // A number beyond a double's range is malformed JSON naming the file, not an internal error.
  write_text(dir / "huge.json", R"({"recipes": [{"de00": 1e400}]})");
  const ProcessResult huge =
      run_db(db, {"formula", "save", "--from", (dir / "huge.json").string(), "--client", id});
  CHECK(huge.exit_code == 1);
  CHECK(huge.err.find("huge.json") != std::string::npos);
  CHECK(huge.err.find("not valid JSON") != std::string::npos);
  CHECK(huge.err.find("internal error") == std::string::npos);
}

TEST_CASE("pigmatch match --client --save, then touchup: compare, correct, save a new version") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  const std::string id = std::to_string(run_json(db, {"client", "add", "Cy"}).at("id").get<long>());
  const long first_visit =
      run_json(db, {"visit", "add", id, "--date", "2021-04-12"}).at("id").get<long>();

  const ProcessResult match =
      run_db(db, {"match", "--target", "35,1,3", "--catalog-file", demo_catalog(), "--max-pigments",
                  "2", "--top", "1", "--json", "--client", id, "--save"});
  INFO(match.err);
  REQUIRE(match.exit_code == 0);
  const json m = json::parse(match.out);
  CHECK(match.err.find("saved the best recipe as formula #") != std::string::npos);
  const ProcessResult rerun =
      run_db(db, {"match", "--target", "35,1,3", "--catalog-file", demo_catalog(), "--max-pigments",
                  "2", "--top", "1", "--json", "--client", id, "--save"});
  CHECK(rerun.exit_code == 0);
  CHECK(rerun.err.find("is already saved as formula #1") != std::string::npos);
  const json history = run_json(db, {"formula", "history", id});
  REQUIRE(history.at("formulas").size() == 1);
  const json& old = history.at("formulas").at(0);
  CHECK(old.at("visit") == first_visit);
  CHECK(old.at("predicted") == m.at("recipes").at(0).at("predicted"));
  CHECK(old.at("components").size() == m.at("recipes").at(0).at("components").size());
  const long old_id = old.at("id").get<long>();

  // The healed dots: 3 darker and 1.5 bluer than predicted.
  const double pL = old.at("predicted").at("L"), pa = old.at("predicted").at("a"),
               pb = old.at("predicted").at("b");
  write_text(
      dir / "healed.json",
      json{{"image", "healed.jpg"},
           {"regions",
            json::array(
                {json{{"name", "crown"}, {"kind", "plain"}, {"lab_d50", {pL - 3, pa, pb - 1.5}}}})}}
          .dump());
  const std::vector<std::string> touchup = {
      "touchup",  id,      "--from",         (dir / "healed.json").string(),
      "--region", "crown", "--catalog-file", demo_catalog()};
  const json t = run_json(db, touchup);
  CHECK(t.at("formula").at("id") == old_id);
  // Words from 1 CIELAB unit on; chroma C* = √(a*² + b*²) may change with b*.
  const double dC = std::hypot(pa, pb - 1.5) - std::hypot(pa, pb);
  json words = json::array({"darker", "bluer"});
  if (std::abs(dC) >= 1)
    words.push_back(dC > 0 ? "more saturated" : "greyer");
  CHECK(t.at("vs_predicted").at("words") == words);
  CHECK(t.at("vs_predicted").at("dL").get<double>() == Approx(-3));
  const json& target = old.at("target");
  CHECK(t.at("aim").at("L").get<double>() == Approx(target.at("L").get<double>() + 3));
  CHECK(t.at("aim").at("b").get<double>() == Approx(target.at("b").get<double>() + 1.5));
  CHECK(t.at("correction").at("replaces") == old_id);
  // Healed darker: the correction is predicted lighter than the old mix.
  CHECK(t.at("correction").at("predicted").at("L").get<double>() > pL + 1.5);
  CHECK(t.at("saved").is_null());
  CHECK(count_rows(db, "formulas") == 1);
  CHECK(count_rows(db, "measurements") == 0);
  const ProcessResult table = run_db(db, touchup);
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("3.0 darker, 1.5 bluer") != std::string::npos);
  CHECK(table.out.find("not saved") != std::string::npos);

  const long touchup_visit =
      run_json(db, {"visit", "add", id, "--kind", "touchup", "--date", "2024-05-02"})
          .at("id")
          .get<long>();
  const std::string code = t.at("correction").at("components").at(0).at("code");
  std::vector<std::string> lot_unsaved = touchup;
  lot_unsaved.insert(lot_unsaved.end(), {"--lot", code + "=NEW-7"});
  CHECK(run_db(db, lot_unsaved).exit_code == 2);
  std::vector<std::string> save = lot_unsaved;
  save.push_back("--save");
  const json saved = run_json(db, save);
  const long new_id = saved.at("saved").at("formula").get<long>();
  CHECK(saved.at("correction").at("components").at(0).at("lot") == "NEW-7");
  const json trace = run_json(db, {"lot", "trace", "NEW-7"});
  REQUIRE(trace.at("uses").size() == 1);
  CHECK(trace.at("uses").at(0).at("formula") == new_id);
  CHECK(saved.at("saved").at("visit") == touchup_visit);
  CHECK(saved.at("correction").at("id") == new_id);
  CHECK(run_json(db, {"formula", "show", std::to_string(old_id)}).at("replaced_by") == new_id);
  {
    RawDb raw(db, SQLITE_OPEN_READONLY);
    const auto rows = raw.rows("SELECT kind, region, L, visit_id, photo_path FROM measurements");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][0] == "healed");
    CHECK(rows[0][1] == "crown");
    CHECK(std::stod(rows[0][2]) == Approx(pL - 3));
    CHECK(rows[0][3] == std::to_string(touchup_visit));
    CHECK(rows[0][4].find("healed.jpg") != std::string::npos);
  }
  // The next touch-up starts from the new version; the old one cannot be corrected twice.
  CHECK(run_json(db, touchup).at("formula").at("id") == new_id);
  std::vector<std::string> old_again = touchup;
  old_again.insert(old_again.end(), {"--formula", std::to_string(old_id)});
  const ProcessResult twice = run_db(db, old_again);
  CHECK(twice.exit_code == 1);
  CHECK(twice.err.find("already corrected by #" + std::to_string(new_id)) != std::string::npos);

  // Healed at the target: nothing to correct. --save keeps the healed
  // measurement (what model fit learns from), not a version identical to the current one.
  const json current = run_json(db, {"formula", "show", std::to_string(new_id)});
  write_text(
      dir / "as-planned.json",
      json{
          {"image",
           (fs::path(PIGMATCH_SOURCE_DIR) / "data" / "samples" / "colorchecker-srgb.jpg").string()},
          {"regions",
           json::array({json{{"name", "crown"},
                             {"kind", "plain"},
                             {"lab_d50",
                              {current.at("target").at("L"), current.at("target").at("a"),
                               current.at("target").at("b")}}}})}}
          .dump());
  const std::vector<std::string> planned = {
      "touchup",  id,      "--from",         (dir / "as-planned.json").string(),
      "--region", "crown", "--catalog-file", demo_catalog(),
      "--save"};
  const long formulas_before = count_rows(db, "formulas");
  const ProcessResult kept = run_db(db, planned);
  INFO(kept.err);
  CHECK(kept.exit_code == 0);
  CHECK(kept.out.find("no correction: ") != std::string::npos);
  CHECK(kept.out.find("keep the formula") != std::string::npos);
  CHECK(kept.out.find("formula #" + std::to_string(new_id) + " stays the current version") !=
        std::string::npos);
  CHECK(count_rows(db, "formulas") == formulas_before);
  CHECK(count_rows(db, "measurements") == 2);
  std::vector<std::string> planned_json = planned;
  planned_json.push_back("--json");
  const json again = run_json(db, planned_json);
  CHECK(again.at("improves") == false);
  CHECK(again.at("saved").at("formula").is_null());
  CHECK(count_rows(db, "measurements") == 2);  // the same photo (by SHA-256): once

  const ProcessResult no_region =
      run_db(db, {"touchup", id, "--from", (dir / "healed.json").string(), "--region", "nape"});
  CHECK(no_region.exit_code == 1);
  CHECK(no_region.err.find("no region 'nape'; its regions are: crown") != std::string::npos);
  const std::string other =
      std::to_string(run_json(db, {"client", "add", "Dee"}).at("id").get<long>());
  const ProcessResult no_formula =
      run_db(db, {"touchup", other, "--from", (dir / "healed.json").string(), "--region", "crown"});
  CHECK(no_formula.exit_code == 1);
  CHECK(no_formula.err.find("has no formula") != std::string::npos);
  CHECK(count_rows(db, "formulas") == 2);
}

TEST_CASE("pigmatch measure --client --save records the colours, the photo's path and SHA-256") {
  TempDir dir;
  const fs::path db = dir / "studio.db";
  const std::string photo =
      (fs::path(PIGMATCH_SOURCE_DIR) / "data" / "samples" / "colorchecker-srgb.jpg").string();
  const std::string id =
      std::to_string(run_json(db, {"client", "add", "Eli"}).at("id").get<long>());
  const std::vector<std::string> measure = {"measure",        photo, "--chart",        "none", "-r",
                                            "p1=30,30,60,60", "-r",  "p2=130,30,60,60"};

  // Before any visit: a clear error and nothing written.
  std::vector<std::string> args = measure;
  args.insert(args.end(), {"--client", id, "--save"});
  const ProcessResult no_visit = run_db(db, args);
  CHECK(no_visit.exit_code == 1);
  CHECK(no_visit.err.find("has no visit") != std::string::npos);
  const long visit =
      run_json(db, {"visit", "add", id, "--date", "2022-02-02"}).at("id").get<long>();

  args.push_back("--json");
  const ProcessResult r = run_db(db, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json out = json::parse(r.out);
  const ProcessResult sum = pigmatch::test::run_process("/usr/bin/sha256sum", {photo});
  REQUIRE(sum.exit_code == 0);
  const std::string sha = sum.out.substr(0, 64);
  {
    RawDb raw(db, SQLITE_OPEN_READONLY);
    const auto rows = raw.rows(
        "SELECT kind, region, L, a, b, visit_id, photo_path, photo_sha256, uncertainty_de00 "
        "FROM measurements ORDER BY id");
    REQUIRE(rows.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
      const json& lab = out.at("regions").at(i).at("lab_d50");
      CHECK(rows[i][0] == "skin");
      CHECK(rows[i][1] == out.at("regions").at(i).at("name"));
      CHECK(std::stod(rows[i][2]) == Approx(lab.at(0).get<double>()).epsilon(1e-12));
      CHECK(std::stod(rows[i][3]) == Approx(lab.at(1).get<double>()).margin(1e-9));
      CHECK(std::stod(rows[i][4]) == Approx(lab.at(2).get<double>()).margin(1e-9));
      CHECK(rows[i][5] == std::to_string(visit));
      CHECK(fs::equivalent(rows[i][6], photo));
      CHECK(rows[i][7] == sha);
      // No chart: the colours are as the photo's embedded profile says, which no chart checked,
      // and the uncertainty says so (3 ΔE00 for the profile, 1 for the light).
      const double u = out.at("regions").at(i).at("uncertainty_de00").get<double>();
      CHECK(out.at("regions").at(i).at("uncertainty").at("calibration_de00") == 3.0);
      CHECK(u > 3.1);
      CHECK(std::stod(rows[i][8]) == Approx(u).epsilon(1e-12));
    }
  }
  // The same command again (a re-run, a double click): nothing new, and it says which rows hold
  // the colours already.
  const ProcessResult again = run_db(db, args);
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("already had measurement #1") != std::string::npos);
  CHECK(again.err.find("already had measurement #2") != std::string::npos);
  CHECK(again.err.find("nothing new was written") != std::string::npos);
  CHECK(count_rows(db, "measurements") == 2);

  std::vector<std::string> healed = measure;
  healed.insert(healed.end(), {"--client", id, "--save", "--kind", "healed"});
  REQUIRE(run_db(db, healed).exit_code == 0);
  CHECK(RawDb(db, SQLITE_OPEN_READONLY)
            .scalar("SELECT count(*) FROM measurements WHERE kind = 'healed'") == "2");

  std::vector<std::string> no_save = measure;
  no_save.insert(no_save.end(), {"--client", id});
  CHECK(run_db(db, no_save).exit_code == 2);
  std::vector<std::string> no_client = measure;
  no_client.push_back("--save");
  CHECK(run_db(db, no_client).exit_code == 2);
  std::vector<std::string> stranger = measure;
  stranger.insert(stranger.end(), {"--client", "999", "--save"});
  const ProcessResult unknown = run_db(db, stranger);
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no client 999") != std::string::npos);
  std::vector<std::string> wrong_visit = measure;
  wrong_visit.insert(wrong_visit.end(), {"--client", id, "--save", "--visit", "77"});
  const ProcessResult bad_visit = run_db(db, wrong_visit);
  CHECK(bad_visit.exit_code == 1);
  CHECK(bad_visit.err.find("has no visit 77") != std::string::npos);
  CHECK(count_rows(db, "measurements") == 4);

  CHECK(run_db(db, {"match", "--target", "35,1,3", "--catalog-file", demo_catalog(), "--lot",
                    "SMP-K100=L1"})
            .exit_code == 2);
  const ProcessResult match_unknown = run_db(db, {"match", "--target", "35,1,3", "--catalog-file",
                                                  demo_catalog(), "--client", "999", "--save"});
  CHECK(match_unknown.exit_code == 1);
  CHECK(match_unknown.err.find("no client 999") != std::string::npos);
}

TEST_CASE("pigmatch waiting on another process's write lock says the database is busy") {
  TempDir dir;
  const fs::path db = dir / "busy.db";
  run_json(db, {"client", "add", "First"});
  RawDb locker(db);
  REQUIRE(locker.exec("BEGIN IMMEDIATE; INSERT INTO clients (name, created_at) VALUES ('x', "
                      "'y');") == SQLITE_OK);
  const ProcessResult blocked = run_db(db, {"client", "add", "Second"});
  CHECK(blocked.exit_code == 1);
  CHECK(blocked.err.find("database busy: another pigmatch is writing") != std::string::npos);
  locker.exec("ROLLBACK");
  CHECK(run_db(db, {"client", "add", "Second"}).exit_code == 0);
  CHECK(count_rows(db, "clients") == 2);
}
