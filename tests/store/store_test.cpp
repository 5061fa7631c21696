// The store on real SQLite files in temporary folders: records, immutability of formulas,
// search against a brute-force ΔE00 scan, migration from a version-1 file built from the frozen
// v1 DDL, refusal of newer/foreign/damaged files without touching them, busy databases, erase
// (checked table by table and byte by byte) and export → erase → import.
#include "pigmatch/store/store.h"

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>

#include "pigmatch/colour/color.h"
#include "store/store_fixtures.h"

namespace fs = std::filesystem;
using namespace pigmatch;
using namespace pigmatch::store;
using pigmatch::test::add_sample_client;
using pigmatch::test::file_bytes;
using pigmatch::test::RawDb;
using pigmatch::test::sample_formula;
using pigmatch::test::TempDir;

namespace {

Client named(const std::string& name) {
  Client c;
  c.name = name;
  return c;
}

struct Fixture {
  TempDir dir;
  fs::path db = dir / "studio.db";
};

struct FileState {
  std::string bytes;
  timespec mtime{};
  bool operator==(const FileState& o) const {
    return bytes == o.bytes && mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec;
  }
};

FileState state_of(const fs::path& file) {
  struct stat st {};
  ::stat(file.c_str(), &st);
  return {file_bytes(file), st.st_mtim};
}

// Every file in `dir` except `keep`: a refused open must not leave -wal/-shm/backup files.
std::vector<std::string> other_files(const fs::path& dir, const fs::path& keep) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path() != keep)
      names.push_back(entry.path().filename().string());
  }
  return names;
}

}  // namespace

TEST_CASE("store: records come back as written") {
  Fixture fx;
  Store store = Store::open(fx.db);
  CHECK(store.migration().to_version == schema_version);
  const Id id = add_sample_client(store, "Ana Duarte");
  const ClientRecord r = store.client_record(id);
  CHECK(r.client.name == "Ana Duarte");
  CHECK(r.client.birth_date == "1984-06-02");
  CHECK(r.client.created_at.size() == 20);
  REQUIRE(r.visits.size() == 1);
  CHECK(r.visits[0].kind == VisitKind::initial);
  CHECK(r.visits[0].needle == "3RL 0.25");
  REQUIRE(r.consents.size() == 1);
  CHECK(r.consents[0].signed_by == "Ana Duarte");
  REQUIRE(r.measurements.size() == 1);
  CHECK(r.measurements[0].lab.a == 11.25);
  CHECK(r.measurements[0].calibration_de00 == 1.25);
  CHECK(r.measurements[0].uncertainty_de00 == 1.75);
  CHECK(r.measurements[0].visit_id == r.visits[0].id);
  REQUIRE(r.formulas.size() == 1);
  const Formula& f = r.formulas[0];
  CHECK(f.target.L == 38);
  CHECK(f.predicted.b == 6.2);
  REQUIRE(f.components.size() == 2);
  CHECK(f.components[0].lot == "LOT-A1");
  CHECK(f.components[1].lot.empty());
  CHECK(f.components[1].drops == 9);

  // The file as another SQLite program sees it: the settings the issue asks for.
  RawDb raw(fx.db);
  CHECK(raw.scalar("PRAGMA journal_mode") == "wal");
  CHECK(raw.scalar("PRAGMA user_version") == std::to_string(schema_version));
  for (const char* table : {"clients", "visits", "consents", "measurements", "lots", "formulas",
                            "formula_components"}) {
    INFO(table);
    const std::string sql =
        raw.scalar(std::string("SELECT sql FROM sqlite_schema WHERE name = '") + table + "'");
    CHECK(sql.find("STRICT") != std::string::npos);
  }
  CHECK(raw.scalar("SELECT count(*) FROM lots WHERE lot = 'LOT-A1'") == "1");
}

TEST_CASE("store: bad values are refused with a message naming them") {
  Fixture fx;
  Store store = Store::open(fx.db);
  CHECK_THROWS_WITH(store.add_client({}), Catch::Contains("name is blank"));
  const Id id = store.add_client({0, "Bo", "", "", "", "", ""});
  Visit v;
  v.client_id = id;
  v.date = "12/04/2021";
  CHECK_THROWS_WITH(store.add_visit(v), Catch::Contains("YYYY-MM-DD"));
  v.client_id = 999;
  v.date = "2021-04-12";
  CHECK_THROWS_AS(store.add_visit(v), Error);
  Formula f = sample_formula(id, {120, 0, 0});
  CHECK_THROWS_WITH(store.save_formula(f), Catch::Contains("L* must be 0–100"));
  f = sample_formula(id, {40, 0, 0});
  f.components[0].drops = -1;
  CHECK_THROWS_WITH(store.save_formula(f), Catch::Contains("drops"));
  f = sample_formula(id, {40, 0, 0});
  f.components.clear();
  CHECK_THROWS_WITH(store.save_formula(f), Catch::Contains("at least one component"));
  CHECK(store.formula_history(id).empty());
}

TEST_CASE("store: a record typed now has a real date and a name that displays as typed") {
  Fixture fx;
  Store store = Store::open(fx.db);
  const auto added_name = [&](const std::string& name) {
    return store.client(store.add_client({0, name, "", "", "", "", ""})).name;
  };
  CHECK(added_name("  Ann Page \t") == "Ann Page");
  CHECK(added_name("\u00a0Zoë Ng\u3000") == "Zoë Ng");
  // Right-to-left names need no control characters: the display order comes from the letters.
  CHECK(added_name("سارة الحسن") == "سارة الحسن");
  CHECK(added_name("נועה לוי") == "נועה לוי");

  const std::size_t clients_before = store.clients().size();
  const auto refused = [&](const std::string& name) {
    INFO(name);
    try {
      store.add_client({0, name, "", "", "", "", ""});
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      return std::string(e.what());
    }
    FAIL("accepted");
    return std::string();
  };
  CHECK_THAT(refused(""), Catch::Contains("name is blank"));
  CHECK_THAT(refused("   \t "), Catch::Contains("name is blank"));
  CHECK_THAT(refused("\u00a0\u2003"), Catch::Contains("name is blank"));
  // "Ann" + RIGHT-TO-LEFT OVERRIDE + "egaP" displays as "AnnPage", which it does not hold.
  CHECK_THAT(refused("Ann\u202eegaP"), Catch::Contains("U+202E"));
  CHECK_THAT(refused("Ann\u2066Page\u2069"), Catch::Contains("U+2066"));
  CHECK_THAT(refused("Ann\u200fPage"), Catch::Contains("direction control"));
  CHECK_THAT(refused("Ann\nPage"), Catch::Contains("control character (U+000A)"));
  CHECK_THAT(refused("Ann\x1b[31mPage"), Catch::Contains("U+001B"));
  CHECK_THAT(refused("Ann\xff Page"), Catch::Contains("not UTF-8"));
  CHECK_THAT(refused("Ann\xc0\xafPage"), Catch::Contains("not UTF-8"));  // an overlong '/'
  CHECK_THAT(refused("Ann\xed\xa0\x80"), Catch::Contains("not UTF-8"));  // a surrogate
  CHECK(store.clients().size() == clients_before);

  const Id id = store.add_client({0, "Bo Dates", "", "", "", "", ""});
  const auto visit_on = [&](const std::string& date) {
    Visit v;
    v.client_id = id;
    v.date = date;
    return v;
  };
  CHECK_THROWS_WITH(
      store.add_visit(visit_on("2026-02-30")),
      Catch::Contains("2026-02-30 is not a day of the calendar: month 02 of 2026 has 28 days"));
  CHECK_THROWS_WITH(store.add_visit(visit_on("2023-02-29")), Catch::Contains("not a day"));
  CHECK_THROWS_WITH(store.add_visit(visit_on("2025-04-31")), Catch::Contains("has 30 days"));
  CHECK_THROWS_WITH(store.add_visit(visit_on("2025-4-30")), Catch::Contains("YYYY-MM-DD"));
  CHECK_THROWS_WITH(store.add_visit(visit_on("2099-01-01")), Catch::Contains("in the future"));
  CHECK_THROWS_WITH(store.add_visit(visit_on("1899-12-31")), Catch::Contains("before 1900"));
  CHECK_NOTHROW(store.add_visit(visit_on("2024-02-29")));  // a leap day
  CHECK_NOTHROW(store.add_visit(visit_on("2000-02-29")));  // divisible by 400
  CHECK_THROWS_WITH(store.add_visit(visit_on("1900-02-29")), Catch::Contains("not a day"));

  // Today (UTC) is accepted, and so is tomorrow: a studio east of UTC is already there.
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const auto iso = [](std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return std::string(text);
  };
  CHECK_NOTHROW(store.add_visit(visit_on(iso(today))));
  CHECK_NOTHROW(store.add_visit(visit_on(" " + iso(today + std::chrono::days{1}))));
  CHECK_THROWS_WITH(store.add_visit(visit_on(iso(today + std::chrono::days{2}))),
                    Catch::Contains("in the future"));
  CHECK(store.client_record(id).visits.size() == 4);
  CHECK(store.client_record(id).visits.back().date == iso(today + std::chrono::days{1}));

  Consent consent{0, id, "procedure", "2026-13-01", "Bo Dates"};
  CHECK_THROWS_WITH(store.add_consent(consent), Catch::Contains("not a date"));
  Client born_later{0, "Cy Later", "2099-05-05", "", "", "", ""};
  CHECK_THROWS_WITH(store.add_client(born_later), Catch::Contains("birth date 2099-05-05"));

  // A record written by an older pigmatch, which accepted such dates, still imports: the rule
  // is for what is typed now, and an import never loses a record.
  ClientRecord old;
  old.client = {0, "Di Older", "", "", "", "", "2024-01-01T10:00:00Z"};
  old.visits.push_back(visit_on("2026-02-30"));
  old.visits.back().id = 1;
  const Id imported = store.import_client(old, false);
  CHECK(store.client_record(imported).visits.at(0).date == "2026-02-30");
}

TEST_CASE("store: formulas are immutable; a correction is a new version") {
  Fixture fx;
  Store store = Store::open(fx.db);
  const Id ana = add_sample_client(store, "Ana");
  const Id bo = add_sample_client(store, "Bo");
  const Id first = store.formula_history(ana).at(0).id;
  Formula correction = sample_formula(ana, {36, 2, 5});
  correction.replaces = first;
  const Id second = store.save_formula(correction);
  CHECK(store.replaced_by(first) == second);
  CHECK(store.current_formula(ana)->id == second);
  CHECK(store.formula(second).replaces == first);

  // A version is corrected once, by its own client.
  CHECK_THROWS_WITH(store.save_formula(correction), Catch::Contains("already corrected"));
  Formula foreign = sample_formula(bo, {36, 2, 5});
  foreign.replaces = second;
  CHECK_THROWS_WITH(store.save_formula(foreign), Catch::Contains("same client"));

  // Not even another program may edit or delete a formula: the triggers are in the file.
  {
    RawDb raw(fx.db);
    std::string error;
    CHECK(raw.exec("UPDATE formulas SET target_L = 50 WHERE id = " + std::to_string(first),
                   &error) != SQLITE_OK);
    CHECK(error.find("immutable") != std::string::npos);
    CHECK(raw.exec("DELETE FROM formulas WHERE id = " + std::to_string(first), &error) !=
          SQLITE_OK);
    CHECK(error.find("never deleted") != std::string::npos);
    CHECK(raw.exec("UPDATE formula_components SET drops = 1", &error) != SQLITE_OK);
    CHECK(raw.exec("DELETE FROM formula_components", &error) != SQLITE_OK);
  }
  CHECK(store.formula(first).target.L == 38);
  CHECK(store.formula(first).components.size() == 2);
}

TEST_CASE("store: lot trace finds every client and visit that received a lot") {
  Fixture fx;
  Store store = Store::open(fx.db);
  const Id ana = add_sample_client(store, "Ana");
  const Id bo = add_sample_client(store, "Bo");
  store.save_formula(sample_formula(bo, {30, 1, 2}, "LOT-B7"));
  store.save_formula(sample_formula(ana, {30, 1, 2}, "LOT-C9"));
  const auto uses = store.trace_lot("LOT-A1");
  REQUIRE(uses.size() == 2);
  std::set<Id> clients;
  for (const LotUse& u : uses) {
    clients.insert(u.client_id);
    CHECK(u.component.lot == "LOT-A1");
    REQUIRE(u.visit.has_value());
    CHECK(u.visit->date == "2021-04-12");
  }
  CHECK(clients == std::set<Id>{ana, bo});
  CHECK(store.trace_lot("LOT-B7").size() == 1);
  CHECK(store.trace_lot("NOPE").empty());
}

TEST_CASE("store: the Lab box holds every colour within the ΔE00 radius") {
  // Random pairs concentrated where CIEDE2000 is least Euclidean: high chroma, blue hues
  // (the rotation term), extreme lightness.
  std::mt19937 rng(20251121);
  std::uniform_real_distribution<double> L(0, 100), C(0, 120), h(0, 360), unit(-1, 1);
  std::uniform_real_distribution<double> radius(0.1, 10);
  int inside_checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const Lab q = to_lab(Lch{L(rng), C(rng), h(rng)});
    const double x = radius(rng);
    // Sample p around q in LCh, scaled so a good share falls within the radius.
    const Lch lq = to_lch(q);
    const double spread = x * (1 + 0.05 * lq.C);
    Lch lp{std::clamp(lq.L + unit(rng) * 2 * x, 0.0, 100.0),
           std::max(0.0, lq.C + unit(rng) * spread), lq.h + unit(rng) * 30 * x / (1 + lq.C)};
    const Lab p = to_lab(lp);
    if (delta_e2000(q, p) > x)
      continue;
    ++inside_checked;
    const LabBox box = lab_box_for_delta_e00(q, x);
    INFO("q " << q.L << "," << q.a << "," << q.b << " p " << p.L << "," << p.a << "," << p.b);
    REQUIRE((p.L >= box.L0 && p.L <= box.L1 && p.a >= box.a0 && p.a <= box.a1 && p.b >= box.b0 &&
             p.b <= box.b1));
  }
  CHECK(inside_checked > 20000);
  CHECK_THROWS_AS(lab_box_for_delta_e00({50, 0, 0}, 0), Error);
  CHECK_THROWS_AS(lab_box_for_delta_e00({50, 0, 0}, 11), Error);
}

TEST_CASE("store: search --near equals a brute-force ΔE00 scan") {
  Fixture fx;
  Store store = Store::open(fx.db);
  const Id id = store.add_client({0, "Many", "", "", "", "", ""});
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> L(15, 85), ab(-60, 60);
  std::vector<Formula> formulas;
  for (int i = 0; i < 4000; ++i)
    formulas.push_back(sample_formula(id, {L(rng), ab(rng), ab(rng)}));
  // The index key's edges: L* 0 and 100, whole-unit cell borders, a* and b* beyond its ±256
  // clamp, and a cluster closer together than its 1/1024 steps.
  const std::vector<Lab> edges = {
      {0, 0, 0},           {100, 0, 0},     {50, 300, -400},       {50, 299.5, -401},
      {50, -256, 255.999}, {40, 2.0, -3.0}, {40, 1.9999, -3.0001}, {40.0004, 2.0003, -2.9998},
      {99.9999, -0.5, 0.5}};
  for (const Lab& e : edges) {
    formulas.push_back(sample_formula(id, e));
    formulas.back().predicted.L = std::min(formulas.back().predicted.L, 100.0);
  }
  const std::vector<Id> ids = store.save_formulas(formulas);
  REQUIRE(ids.size() == formulas.size());
  for (int trial = 0; trial < 40 + static_cast<int>(edges.size()); ++trial) {
    const Lab q =
        trial < 40 ? Lab{L(rng), ab(rng), ab(rng)} : edges[static_cast<std::size_t>(trial - 40)];
    const double radius = trial % 2 == 0 ? 10.0 : 4.0;
    const std::size_t limit = trial % 3 == 0 ? 5 : 1000;
    std::vector<std::pair<double, Id>> expected;
    for (std::size_t i = 0; i < formulas.size(); ++i) {
      const double de = delta_e2000(q, formulas[i].target);
      if (de <= radius)
        expected.emplace_back(de, ids[i]);
    }
    std::sort(expected.begin(), expected.end());
    if (expected.size() > limit)
      expected.resize(limit);
    const auto found = store.search_near(q, radius, limit);
    INFO("trial " << trial);
    REQUIRE(found.size() == expected.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
      CHECK(found[i].formula.id == expected[i].second);
      CHECK(found[i].delta_e00 == Approx(expected[i].first).margin(1e-12));
    }
  }
}

TEST_CASE("store: a version-1 file is backed up, then migrated with its data") {
  Fixture fx;
  {
    // Built by hand from the frozen v1 DDL, as pigmatch 1 would have left it.
    RawDb raw(fx.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    std::string error;
    const std::string ddl =
        file_bytes(fs::path(PIGMATCH_SOURCE_DIR) / "tests" / "store" / "schema_v1.sql");
    REQUIRE(!ddl.empty());
    REQUIRE(raw.exec("PRAGMA foreign_keys = ON; BEGIN;" + ddl + "COMMIT;", &error) == SQLITE_OK);
    REQUIRE(raw.exec(R"(
      INSERT INTO clients (id, name, created_at) VALUES (7, 'Old Timer', '2020-01-02T03:04:05Z');
      INSERT INTO visits (id, client_id, kind, date) VALUES (3, 7, 'initial', '2020-01-02');
      INSERT INTO lots (vendor, code, lot) VALUES ('V', 'BLK', 'L1');
      INSERT INTO formulas (id, client_id, visit_id, region, target_L, target_a, target_b, model,
                            catalog, predicted_L, predicted_a, predicted_b, delta_e00, created_at)
        VALUES (11, 7, 3, 'crown', 33.5, 1.5, 4.5, 'km', 'demo', 33.9, 1.4, 4.6, 0.3,
                '2020-01-02T03:04:05Z');
      INSERT INTO formula_components VALUES (11, 0, 'V', 'BLK', 'L1', 4, 0.2);
    )",
                     &error) == SQLITE_OK);
    REQUIRE(raw.scalar("PRAGMA user_version") == "1");
  }
  const std::string v1_bytes = file_bytes(fx.db);

  Store store = Store::open(fx.db);
  CHECK(store.migration().from_version == 1);
  CHECK(store.migration().to_version == schema_version);
  const fs::path backup = store.migration().backup;
  REQUIRE(!backup.empty());
  REQUIRE(fs::exists(backup));
  CHECK(backup.filename().string().rfind("studio.db.v1-", 0) == 0);
  {
    RawDb old(backup, SQLITE_OPEN_READONLY);
    CHECK(old.scalar("PRAGMA user_version") == "1");
    CHECK(old.scalar("SELECT name FROM clients WHERE id = 7") == "Old Timer");
  }
  const Formula f = store.formula(11);
  CHECK(f.target.L == 33.5);
  CHECK(f.components.at(0).lot == "L1");
  CHECK(store.client(7).name == "Old Timer");
  // The new index knows the old formulas.
  const auto near = store.search_near({33.5, 1.5, 4.6}, 1, 10);
  REQUIRE(near.size() == 1);
  CHECK(near[0].formula.id == 11);
  RawDb raw(fx.db);
  CHECK(raw.scalar("PRAGMA user_version") == std::to_string(schema_version));
  CHECK(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'formulas_lab'") == "1");
  CHECK(raw.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'formulas_target'") == "0");
  // Version 4: measurements keep their uncertainty; the old rows have none.
  CHECK(raw.scalar("SELECT count(*) FROM pragma_table_info('measurements') "
                   "WHERE name = 'uncertainty_de00'") == "1");
  CHECK(raw.scalar("SELECT count(*) FROM measurements WHERE uncertainty_de00 IS NOT NULL") == "0");
  // Version 5: the highest client id given so far is known; the next client takes the one after.
  CHECK(raw.scalar("SELECT id FROM client_id_high_water") == "7");
  CHECK(store.add_client(named("Newcomer")) == 8);
  CHECK(v1_bytes.size() > 0);
}

TEST_CASE("store: a file from a newer pigmatch is refused and left as it was") {
  Fixture fx;
  { Store::open(fx.db); }
  {
    RawDb raw(fx.db);
    raw.exec("PRAGMA user_version = " + std::to_string(schema_version + 1));
  }
  const FileState before = state_of(fx.db);
  const auto files_before = other_files(fx.dir.path(), fx.db);
  try {
    Store::open(fx.db);
    FAIL("a newer schema was opened");
  } catch (const NewerSchemaError& e) {
    CHECK_THAT(e.what(), Catch::Contains("newer pigmatch") &&
                             Catch::Contains("version " + std::to_string(schema_version + 1)));
  }
  CHECK(state_of(fx.db) == before);
  CHECK(other_files(fx.dir.path(), fx.db) == files_before);
}

TEST_CASE("store: damaged, foreign and non-SQLite files are refused untouched") {
  Fixture fx;
  // A real pigmatch database to damage, closed so that everything is in the main file.
  const fs::path good = fx.dir / "good.db";
  {
    Store store = Store::open(good);
    const Id id = store.add_client({0, "Cut", "", "", "", "", ""});
    std::vector<Formula> many(400, sample_formula(id, {40, 1, 1}));
    store.save_formulas(many);
  }
  const std::string good_bytes = file_bytes(good);
  REQUIRE(good_bytes.size() > 40000);

  std::mt19937 rng(3);
  std::string random_bytes(8192, '\0');
  for (char& c : random_bytes)
    c = static_cast<char>(rng());
  std::string bad_page = good_bytes;  // a b-tree page overwritten in the middle of the file
  for (std::size_t i = 4096 * 3; i < 4096 * 4; ++i)
    bad_page[i] = static_cast<char>(rng());

  struct Case {
    std::string name, bytes, expect;
  };
  const std::vector<Case> cases = {
      {"random.db", random_bytes, "not an SQLite file"},
      {"notes.txt",
       std::string(20, '-') + "\nclient list\nAna Duarte, crown, 2021-04-12\n" +
           "Bo Lind, temple scar, 2022-01-30\n" + std::string(20, '-') + "\n",
       "not an SQLite file"},
      {"tiny.db", "SQLite format 3", "too short"},
      {"truncated.db", good_bytes.substr(0, good_bytes.size() / 2), "damaged"},
      {"bad-page.db", bad_page, "damaged"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const fs::path file = fx.dir / c.name;
      pigmatch::test::write_bytes(file, c.bytes);
      const FileState before = state_of(file);
      const auto files_before = other_files(fx.dir.path(), file);
      try {
        Store::open(file);
        FAIL("opened " << c.name);
      } catch (const NotADatabaseError& e) {
        CHECK_THAT(e.what(), Catch::Contains(c.expect) && Catch::Contains(file.string()) &&
                                 Catch::Contains("not changed"));
      }
      CHECK(state_of(file) == before);
      CHECK(other_files(fx.dir.path(), file) == files_before);
    }
  }
  SECTION("another program's SQLite database") {
    const fs::path file = fx.dir / "other.sqlite";
    {
      RawDb raw(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      raw.exec("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');");
    }
    const FileState before = state_of(file);
    CHECK_THROWS_WITH(Store::open(file), Catch::Contains("another program"));
    CHECK(state_of(file) == before);
  }
}

TEST_CASE("store: a busy database gives the clear busy message") {
  Fixture fx;
  { Store::open(fx.db); }
  RawDb locker(fx.db);
  REQUIRE(
      locker.exec("BEGIN IMMEDIATE; INSERT INTO clients (name, created_at) VALUES ('x', 'y');") ==
      SQLITE_OK);
  OpenOptions options;
  options.busy_timeout_ms = 100;
  Store store = Store::open(fx.db, options);
  try {
    store.add_client({0, "Waiting", "", "", "", "", ""});
    FAIL("wrote through another writer's lock");
  } catch (const BusyError& e) {
    CHECK(e.code() == pigmatch::ErrorCode::busy);
    CHECK_THAT(e.what(), Catch::Contains("database busy: another pigmatch is writing"));
    CHECK_THAT(e.what(), Catch::Contains("nothing was saved, try again"));
  }
  locker.exec("ROLLBACK");
  CHECK(store.add_client({0, "Now", "", "", "", "", ""}) > 0);
}

TEST_CASE("store: erase leaves no row and no byte of the client") {
  Fixture fx;
  Store store = Store::open(fx.db);
  const std::string marker = "Zephyrine Quillfeather";
  const Id gone = add_sample_client(store, marker);
  const Id kept = add_sample_client(store, "Kept Client");
  Formula correction = sample_formula(gone, {37, 2, 6});
  correction.replaces = store.formula_history(gone).at(0).id;
  correction.notes = marker + " correction";
  store.save_formula(correction);
  const std::vector<Formula> gone_formulas = store.formula_history(gone);
  REQUIRE(gone_formulas.size() == 2);

  CHECK(store.erase_client(gone));
  CHECK_THROWS_AS(store.client(gone), Error);

  RawDb raw(fx.db);
  const std::string g = std::to_string(gone);
  CHECK(raw.scalar("SELECT count(*) FROM clients WHERE id = " + g) == "0");
  for (const char* table : {"visits", "consents", "measurements", "formulas"}) {
    INFO(table);
    CHECK(raw.scalar(std::string("SELECT count(*) FROM ") + table + " WHERE client_id = " + g) ==
          "0");
  }
  for (const Formula& f : gone_formulas) {
    const std::string fid = std::to_string(f.id);
    CHECK(raw.scalar("SELECT count(*) FROM formula_components WHERE formula_id = " + fid) == "0");
  }
  CHECK(raw.scalar("SELECT count(*) FROM erasing") == "0");
  // Every table, whatever a future version adds: no text column mentions the client.
  for (const auto& row : raw.rows("SELECT name FROM sqlite_schema WHERE type = 'table'")) {
    const auto columns = raw.rows("SELECT name FROM pragma_table_info('" + row[0] + "')");
    for (const auto& column : columns) {
      const std::string n = raw.scalar("SELECT count(*) FROM \"" + row[0] + "\" WHERE CAST(\"" +
                                       column[0] + "\" AS TEXT) LIKE '%Zephyrine%'");
      INFO(row[0] << "." << column[0]);
      CHECK(n == "0");
    }
  }
  // And no byte: secure_delete zeroed the freed cells, the checkpoint emptied the WAL.
  CHECK(file_bytes(fx.db).find("Zephyrine") == std::string::npos);
  fs::path wal = fx.db;
  wal += "-wal";
  CHECK(file_bytes(wal).find("Zephyrine") == std::string::npos);
  // The other client is whole.
  CHECK(store.client_record(kept).formulas.size() == 1);
  CHECK(store.client_record(kept).visits.size() == 1);
  CHECK(raw.scalar("PRAGMA integrity_check") == "ok");
  CHECK(raw.rows("PRAGMA foreign_key_check").empty());
}

TEST_CASE("store: an erased client's id is never given to another client") {
  Fixture fx;
  Store store = Store::open(fx.db);
  const Id first = add_sample_client(store, "First");
  const Id newest = add_sample_client(store, "Newest");
  REQUIRE(newest > first);
  REQUIRE(store.erase_client(newest));
  // SQLite alone would give the highest id in the table plus one: the erased client's id.
  const Id next = store.add_client(named("Next"));
  CHECK(next == newest + 1);
  CHECK_THROWS_AS(store.client(newest), Error);
  // Erased again, from a fresh connection: still not reused.
  REQUIRE(store.erase_client(next));
  Store reopened = Store::open(fx.db);
  CHECK(reopened.add_client(named("After")) == next + 1);
  // The kept high water cannot be deleted by hand.
  RawDb raw(fx.db);
  CHECK(raw.exec("DELETE FROM client_id_high_water") != SQLITE_OK);
}

TEST_CASE("store: export → erase → import gives the same record back") {
  Fixture fx;
  Store store = Store::open(fx.db);
  const Id id = add_sample_client(store, "Round Trip");
  Formula correction = sample_formula(id, {37, 2, 6}, "LOT-Z");
  correction.replaces = store.formula_history(id).at(0).id;
  store.save_formula(correction);
  Measurement healed;
  healed.client_id = id;
  healed.kind = MeasurementKind::healed;
  healed.region = "crown";
  healed.lab = {41.5, 1.25, 3.75};
  store.add_measurement(healed);
  const std::string exported = to_json(store.client_record(id));

  REQUIRE(store.erase_client(id));
  const ClientRecord parsed = client_record_from_json(exported, "export.json");
  const Id back = store.import_client(parsed, true);
  CHECK(back == id);
  CHECK(to_json(store.client_record(back)) == exported);

  // With new ids the record is the same up to the ids, and references follow the new ids.
  const Id copy = store.import_client(parsed, false);
  CHECK(copy != id);
  const ClientRecord again = store.client_record(copy);
  REQUIRE(again.formulas.size() == 2);
  CHECK(again.formulas[1].replaces == again.formulas[0].id);
  CHECK(again.formulas[0].visit_id == again.visits.at(0).id);
  CHECK(again.formulas[1].components.at(0).lot == "LOT-Z");
  CHECK(again.measurements.size() == 2);

  // Importing with the old ids again collides and says so; nothing is half-written.
  CHECK_THROWS_WITH(store.import_client(parsed, true), Catch::Contains("already exists"));
  CHECK(store.clients().size() == 2);
}

TEST_CASE("store: JSON input errors name the source and the field") {
  CHECK_THROWS_WITH(formula_from_json("{", "m.json"), Catch::Contains("m.json: is not valid JSON"));
  // A number beyond a double's range: nlohmann's out_of_range, reported as malformed input.
  CHECK_THROWS_WITH(client_record_from_json(R"({"format": 1e400})", "c.json"),
                    Catch::Contains("c.json: is not valid JSON"));
  CHECK_THROWS_WITH(formula_from_json(R"({"target": [40, 1], "model": "x"})", "m.json"),
                    Catch::Contains("target: must be [L, a, b]"));
  CHECK_THROWS_WITH(
      formula_from_json(R"({"target": {"L": 40, "a": 1, "b": 2}, "predicted": [40, 1, 2],
                            "model": "km", "catalog": "c", "delta_e00": 0.1,
                            "components": [{"vendor": "V", "code": "C", "drops": "3", "ml": 1}]})",
                        "m.json"),
      Catch::Contains("components[0].drops: must be a number"));
  CHECK_THROWS_WITH(client_record_from_json(R"({"format": "other"})", "c.json"),
                    Catch::Contains("not a pigmatch client export"));
}
