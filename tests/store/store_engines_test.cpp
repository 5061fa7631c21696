// The store's behaviour on both engines: a real SQLite file and a real PostgreSQL server (a
// throw-away cluster, tests/store/postgres_server.h). Each test case runs once per engine and
// asks the same of both; the PostgreSQL-only cases look at the server with raw libpq: the rules
// hold there too (formulas immutable, ids never reused), a foreign or newer database is refused
// untouched, a password never travels in the location, and two rooms correcting the same formula
// at once leave one version, never two and never a lost one.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "pigmatch/colour/color.h"
#include "pigmatch/store/store.h"
#include "store/postgres_catch.h"
#include "store/store_fixtures.h"

using namespace pigmatch;
using namespace pigmatch::store;
using pigmatch::test::PgRaw;
using pigmatch::test::PostgresServer;
using pigmatch::test::sample_formula;
using pigmatch::test::server_or_skip;
using pigmatch::test::TempDir;

namespace {

// One database of the engine under test: a file in a temporary folder, or a fresh database on
// the test server. `location` is empty when the engine is not available here (then `skip` says
// why, and the test case says so and stops).
struct EngineDb {
  std::string engine;
  std::string location;
  std::string skip;
  std::shared_ptr<TempDir> folder;  // TempDir does not move
};

EngineDb database_of(const std::string& engine) {
  EngineDb db;
  db.engine = engine;
  if (engine == "sqlite") {
    db.folder = std::make_shared<TempDir>();
    db.location = (db.folder->path() / "studio.db").string();
    return db;
  }
  PostgresServer* server = PostgresServer::get();
  if (server == nullptr) {
    db.skip = "PostgreSQL case skipped: " + PostgresServer::why_not();
    return db;
  }
  db.location = server->new_database();
  return db;
}

#define PIGMATCH_ENGINE_OR_SKIP(db)                                                     \
  const EngineDb db = database_of(GENERATE(as<std::string>{}, "sqlite", "postgresql")); \
  INFO("engine: " << db.engine);                                                        \
  if (db.location.empty()) {                                                            \
    WARN(db.skip);                                                                      \
    return;                                                                             \
  }

// Fixed times, so that both engines' exports can be compared byte for byte.
constexpr const char* stamp = "2021-04-12T09:30:00Z";
const Lab sample_target{38.123456789012345, 2.2, -6.000000000000001};  // every bit must survive

Id add_sample_client(Store& store, const std::string& name) {
  return pigmatch::test::add_sample_client(store, name, sample_target, stamp);
}

}  // namespace

TEST_CASE("store engines: records come back as written, the same from both") {
  PIGMATCH_ENGINE_OR_SKIP(db);
  Store store = Store::open(db.location);
  const Id id = add_sample_client(store, "Ana Duarte");
  const ClientRecord r = store.client_record(id);
  CHECK(r.client.name == "Ana Duarte");
  CHECK(r.client.birth_date == "1984-06-02");
  REQUIRE(r.visits.size() == 1);
  CHECK(r.visits[0].needle == "3RL 0.25");
  REQUIRE(r.consents.size() == 1);
  REQUIRE(r.measurements.size() == 1);
  CHECK(r.measurements[0].lab.a == 11.25);
  CHECK(r.measurements[0].uncertainty_de00 == 1.75);
  CHECK(r.measurements[0].visit_id == r.visits[0].id);
  REQUIRE(r.formulas.size() == 1);
  // Doubles go through text on the server: every bit must come back.
  CHECK(r.formulas[0].target.L == sample_target.L);
  CHECK(r.formulas[0].target.b == sample_target.b);
  REQUIRE(r.formulas[0].components.size() == 2);
  CHECK(r.formulas[0].components[0].lot == "LOT-A1");
  CHECK(r.formulas[0].components[1].lot.empty());

  // The export is the same text from either engine: write the same records to a SQLite file and
  // compare.
  TempDir reference_folder;
  Store reference = Store::open(reference_folder / "reference.db");
  const Id reference_id = add_sample_client(reference, "Ana Duarte");
  REQUIRE(reference_id == id);
  CHECK(to_json(store.client_record(id)) == to_json(reference.client_record(reference_id)));

  // Case-insensitive search with wildcards taken literally, and lists in the same order.
  add_sample_client(store, "bruno 100%_sure");
  add_sample_client(store, "Carla");
  CHECK(store.clients("ANA").size() == 1);
  CHECK(store.clients("%").size() == 1);
  const std::vector<Client> all = store.clients();
  REQUIRE(all.size() == 3);
  CHECK(all[0].name == "Ana Duarte");
  CHECK(all[1].name == "bruno 100%_sure");
  CHECK(all[2].name == "Carla");
  CHECK(store.latest_visit(id)->area == "crown Ana Duarte");
  CHECK(store.latest_measurement(id, MeasurementKind::skin, "crown")->lab.L == 62.5);
  CHECK_FALSE(store.latest_measurement(id, MeasurementKind::hair).has_value());
}

TEST_CASE("store engines: bad values and missing rows are refused the same way") {
  PIGMATCH_ENGINE_OR_SKIP(db);
  Store store = Store::open(db.location);
  const Id id = add_sample_client(store, "Ana");
  Visit bad_date{0, id, VisitKind::touchup, "2021-13-01", "", "", "", ""};
  CHECK_THROWS_WITH(store.add_visit(bad_date), Catch::Contains("is not a date"));
  CHECK_THROWS_WITH(store.add_visit({0, 999, VisitKind::touchup, "2021-03-01", "", "", "", ""}),
                    Catch::Contains("there is no client 999"));
  Formula other = sample_formula(id, {40, 1, 1});
  other.visit_id = 12345;
  CHECK_THROWS_WITH(store.save_formula(other), Catch::Contains("there is no visit 12345"));
  CHECK_THROWS_AS(store.formula(777), Error);
  CHECK(store.check().problems.empty());
  CHECK(store.check().formulas == 1);
}

TEST_CASE("store engines: a correction is a new version, and a version is corrected once") {
  PIGMATCH_ENGINE_OR_SKIP(db);
  Store store = Store::open(db.location);
  const Id ana = add_sample_client(store, "Ana");
  const Id bo = add_sample_client(store, "Bo");
  const Formula first = *store.current_formula(ana);
  Formula correction = sample_formula(ana, {36, 2, 5});
  correction.replaces = first.id;
  const Id second = store.save_formula(correction);
  CHECK(store.replaced_by(first.id) == second);
  CHECK(store.current_formula(ana)->id == second);
  CHECK_THROWS_WITH(store.save_formula(correction), Catch::Contains("already corrected"));
  Formula across = sample_formula(bo, {36, 2, 5});
  across.replaces = second;
  CHECK_THROWS_WITH(store.save_formula(across), Catch::Contains("same client"));
  CHECK(store.formula_history(ana).size() == 2);
}

TEST_CASE("store engines: a save run twice writes once; any difference is a new row") {
  PIGMATCH_ENGINE_OR_SKIP(db);
  Store store = Store::open(db.location);
  const Id ana = add_sample_client(store, "Ana");
  const Id visit = store.client_record(ana).visits.at(0).id;
  const Id stored = store.formula_history(ana).at(0).id;

  // add_sample_client saved sample_formula(ana, sample_target) into its visit.
  Formula same = sample_formula(ana, sample_target);
  same.visit_id = visit;
  same.notes = "typed again";
  const SaveOutcome again = store.save_formula_once(same);
  CHECK_FALSE(again.written);
  CHECK(again.id == stored);

  std::vector<Formula> different(5, same);
  different[0].components[1].drops = 10;
  different[1].components[0].lot = "LOT-B2";
  different[2].visit_id.reset();
  different[3].target.b += 0.01;
  different[4].region = "temples";
  std::set<Id> ids{stored};
  for (const Formula& f : different) {
    const SaveOutcome o = store.save_formula_once(f);
    CHECK(o.written);
    ids.insert(o.id);
    CHECK_FALSE(store.save_formula_once(f).written);  // and now it is there
  }
  CHECK(ids.size() == 6);
  CHECK(store.formula_history(ana).size() == 6);

  Measurement m;
  m.client_id = ana;
  m.visit_id = visit;
  m.kind = MeasurementKind::skin;
  m.region = "crown";
  m.lab = {61.25, 9.5, 14.75};
  m.photo_sha256 = std::string(64, 'a');
  Measurement hair = m;
  hair.kind = MeasurementKind::hair;
  Measurement manual = m;  // typed in, no photo: always a new reading
  manual.photo_sha256.clear();
  const std::vector<SaveOutcome> first = store.add_measurements_once({m, hair, manual});
  const std::vector<SaveOutcome> second = store.add_measurements_once({m, hair, manual});
  REQUIRE(second.size() == 3);
  CHECK((first[0].written && first[1].written && first[2].written));
  CHECK((!second[0].written && second[0].id == first[0].id));
  CHECK((!second[1].written && second[1].id == first[1].id));
  CHECK((second[2].written && second[2].id != first[2].id));
  Measurement remeasured = m;  // the same photo, the region moved: another colour
  remeasured.lab.L += 0.5;
  CHECK(store.add_measurements_once({remeasured}).at(0).written);
  CHECK(store.client_record(ana).measurements.size() == 1 + 5);
}

TEST_CASE("store engines: a client's details are corrected by the same rules, and kept") {
  PIGMATCH_ENGINE_OR_SKIP(db);
  Store store = Store::open(db.location);
  const Id ana = add_sample_client(store, "Ana Duatre");
  Client c = store.client(ana);
  const std::string made = c.created_at;
  c.name = "  Ana Duarte ";
  c.phone.clear();
  c.notes = "prefers mornings";
  store.update_client(c);
  const Client back = store.client(ana);
  CHECK(back.name == "Ana Duarte");
  CHECK(back.phone.empty());
  CHECK(back.notes == "prefers mornings");
  CHECK(back.birth_date == c.birth_date);
  CHECK(back.created_at == made);
  CHECK(store.client_record(ana).formulas.size() == 1);  // the records stay the client's

  Client blank = back;
  blank.name = " ";
  CHECK_THROWS_WITH(store.update_client(blank), Catch::Contains("name is blank"));
  Client future = back;
  future.birth_date = "2099-01-01";
  CHECK_THROWS_WITH(store.update_client(future), Catch::Contains("in the future"));
  Client nobody = back;
  nobody.id = 999;
  CHECK_THROWS_WITH(store.update_client(nobody), Catch::Contains("no client 999"));
  CHECK(store.client(ana).name == "Ana Duarte");
}

TEST_CASE("store engines: lot trace and search near a colour") {
  PIGMATCH_ENGINE_OR_SKIP(db);
  Store store = Store::open(db.location);
  std::mt19937 random(7);
  std::uniform_real_distribution<double> L(20, 80), ab(-30, 30);
  std::vector<Formula> formulas;
  const Id a = add_sample_client(store, "Ana");
  const Id b = add_sample_client(store, "Bo");
  for (int i = 0; i < 400; ++i)
    formulas.push_back(sample_formula(i % 2 == 0 ? a : b, {L(random), ab(random), ab(random)},
                                      i % 50 == 0 ? "LOT-TRACE" : "LOT-B"));
  store.save_formulas(formulas);
  CHECK(store.trace_lot("LOT-TRACE").size() == 8);
  CHECK(store.trace_lot("LOT-A1").size() == 2);

  const Lab centre{50, 5, 5};
  const std::vector<NearFormula> near = store.search_near(centre, 8, 5);
  // Brute force over every formula's target.
  std::vector<double> distances;
  for (const Formula& f : store.formula_history(a))
    distances.push_back(delta_e2000(centre, f.target));
  for (const Formula& f : store.formula_history(b))
    distances.push_back(delta_e2000(centre, f.target));
  std::sort(distances.begin(), distances.end());
  REQUIRE(near.size() == 5);
  for (std::size_t i = 0; i < near.size(); ++i)
    CHECK(near[i].delta_e00 == Approx(distances[i]).margin(1e-9));
}

TEST_CASE(
    "store engines: export, erase and import give the same record back, and ids stay "
    "unique") {
  PIGMATCH_ENGINE_OR_SKIP(db);
  Store store = Store::open(db.location);
  const Id id = add_sample_client(store, "Ana");
  const Id other = add_sample_client(store, "Bo");
  Formula correction = sample_formula(id, {35, 1, 4});
  correction.replaces = store.current_formula(id)->id;
  store.save_formula(correction);
  const std::string exported = to_json(store.client_record(id));

  store.erase_client(id);
  CHECK_THROWS_AS(store.client(id), Error);
  CHECK(store.check().formulas == 1);  // Bo's only
  CHECK(store.client_record(other).formulas.size() == 1);

  const Id back = store.import_client(client_record_from_json(exported, "export"), true);
  CHECK(back == id);
  CHECK(to_json(store.client_record(back)) == exported);
  // Ids given by an import are never handed out again.
  const Id next = add_sample_client(store, "Cy");
  CHECK(next > std::max(id, other));
  const Id renumbered = store.import_client(client_record_from_json(exported, "export"), false);
  CHECK(renumbered != id);
  CHECK(store.client_record(renumbered).formulas.size() == 2);
}

// ---- PostgreSQL only ---------------------------------------------------------------------------

namespace {}  // namespace

TEST_CASE("store on PostgreSQL: the rules hold in the server, not only in pigmatch") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  const std::string location = server->new_database();
  {
    Store store = Store::open(location);
    add_sample_client(store, "Ana");
  }
  PgRaw raw(location);
  std::string error;
  CHECK_FALSE(raw.exec("UPDATE formulas SET notes = 'changed'", &error));
  CHECK(error.find("immutable") != std::string::npos);
  CHECK_FALSE(raw.exec("UPDATE formula_components SET drops = 1", &error));
  CHECK_FALSE(raw.exec("DELETE FROM formulas", &error));
  CHECK(error.find("never deleted") != std::string::npos);
  CHECK_FALSE(raw.exec("TRUNCATE formulas CASCADE", &error));
  CHECK_FALSE(
      raw.exec("INSERT INTO visits (client_id, kind, date) VALUES (1, 'initial', "
               "'12 May 2021')",
               &error));
  CHECK(raw.scalar("SELECT count(*) FROM formulas") == "1");
  CHECK(raw.scalar("SELECT version FROM pigmatch_schema") == "3");
  CHECK(raw.scalar("SELECT notes FROM formulas") == "first mix");
}

TEST_CASE(
    "store on PostgreSQL: another program's or a newer pigmatch's database is refused "
    "untouched") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  SECTION("another program's tables") {
    const std::string location = server->new_database();
    PgRaw raw(location);
    REQUIRE(raw.exec("CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1)"));
    CHECK_THROWS_AS(Store::open(location), NotADatabaseError);
    CHECK(raw.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "1");
  }
  SECTION("a newer schema") {
    const std::string location = server->new_database();
    { Store::open(location); }
    PgRaw raw(location);
    REQUIRE(raw.exec("UPDATE pigmatch_schema SET version = 99"));
    const std::string before = raw.scalar("SELECT count(*) FROM pg_class");
    CHECK_THROWS_AS(Store::open(location), NewerSchemaError);
    CHECK(raw.scalar("SELECT version FROM pigmatch_schema") == "99");
    CHECK(raw.scalar("SELECT count(*) FROM pg_class") == before);
  }
  SECTION("an empty database is not created when asked not to") {
    const std::string location = server->new_database();
    OpenOptions options;
    options.create_if_missing = false;
    CHECK_THROWS_WITH(Store::open(location, options), Catch::Contains("no pigmatch records"));
    PgRaw raw(location);
    CHECK(raw.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0");
  }
}

TEST_CASE("store on PostgreSQL: locations are checked and passwords kept off the command line") {
  CHECK_THROWS_WITH(Store::open("postgresql://ana:secret@localhost/studio"),
                    Catch::Contains("~/.pgpass") && !Catch::Contains("secret"));
  CHECK_THROWS_WITH(Store::open("host=/nonexistent-socket-dir dbname=studio password=x"),
                    Catch::Contains("password"));
  CHECK_THROWS_WITH(Store::open("postgresql://localhost:notaport/studio"),
                    Catch::Contains("PostgreSQL"));
  // A server that is not there: a clear message naming it, quickly.
  CHECK_THROWS_WITH(Store::open("host=/nonexistent-socket-dir dbname=studio user=ana"),
                    Catch::Contains("cannot connect to the PostgreSQL server") &&
                        Catch::Contains("/nonexistent-socket-dir"));
}

TEST_CASE("store on PostgreSQL: two rooms correcting the same formula at once leave one version") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  const std::string location = server->new_database();
  Id client = 0;
  {
    Store store = Store::open(location);
    client = add_sample_client(store, "Ana");
  }
  for (int round = 0; round < 10; ++round) {
    Store setup = Store::open(location);
    const Id current = setup.current_formula(client)->id;
    std::atomic<int> ready{0};
    std::array<std::string, 2> outcome;
    std::array<std::thread, 2> rooms;
    for (std::size_t room = 0; room < 2; ++room) {
      rooms[room] = std::thread([&, room] {
        Store mine = Store::open(location);
        Formula correction = sample_formula(client, {36.0 + static_cast<double>(room), 2, 5});
        correction.replaces = current;
        ++ready;
        while (ready < 2) {
        }
        try {
          mine.save_formula(correction);
          outcome[room] = "saved";
        } catch (const BusyError& e) {
          outcome[room] = std::string("busy: ") + e.what();
        } catch (const Error& e) {
          outcome[room] = std::string("refused: ") + e.what();
        }
      });
    }
    for (auto& room : rooms)
      room.join();
    INFO("round " << round << ": " << outcome[0] << " | " << outcome[1]);
    const int saved = static_cast<int>(std::count(outcome.begin(), outcome.end(), "saved"));
    CHECK(saved == 1);
    for (const std::string& o : outcome) {
      if (o != "saved") {
        CHECK((o.find("at the same moment") != std::string::npos ||
               o.find("already corrected") != std::string::npos));
      }
    }
    // One new version, replacing the old one, and nothing half-written.
    const std::optional<Id> next = setup.replaced_by(current);
    REQUIRE(next.has_value());
    CHECK(setup.formula(*next).components.size() == 2);
  }
}

namespace {

// `location` as database role `role` (the test cluster trusts its socket, as a studio's server
// would trust its own password file).
std::string as_role(const std::string& location, const std::string& role) {
  return location + " user=" + role;
}

std::vector<std::string> names_of(const std::vector<Client>& clients) {
  std::vector<std::string> names;
  for (const Client& c : clients)
    names.push_back(c.name);
  return names;
}

}  // namespace

TEST_CASE(
    "store on PostgreSQL: each studio sees its own clients and the ones shared with it; "
    "the server enforces it") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  const std::string location = server->new_database();
  PgRaw admin(location);
  // Login roles are the cluster's (they outlive the database): create them once.
  for (const char* role : {"pigmatch_room_north", "pigmatch_room_south", "pigmatch_boss"}) {
    admin.exec(std::string("CREATE ROLE ") + role + " LOGIN");
  }
  {
    Store owner_of_tables = Store::open(location);
    owner_of_tables.add_studio("North");
    owner_of_tables.add_studio("South");
    owner_of_tables.add_studio_member("pigmatch_room_north", "North");
    owner_of_tables.add_studio_member("pigmatch_room_south", "South");
    owner_of_tables.add_owner("pigmatch_boss");
  }
  Store north = Store::open(as_role(location, "pigmatch_room_north"));
  Store south = Store::open(as_role(location, "pigmatch_room_south"));
  Store boss = Store::open(as_role(location, "pigmatch_boss"));
  const Id ana = add_sample_client(north, "Ana");
  const Id bo = add_sample_client(south, "Bo");

  CHECK(names_of(north.clients()) == std::vector<std::string>{"Ana"});
  CHECK(names_of(south.clients()) == std::vector<std::string>{"Bo"});
  CHECK(names_of(boss.clients()) == std::vector<std::string>{"Ana", "Bo"});
  CHECK_THROWS_WITH(south.client_record(ana), Catch::Contains("there is no client"));
  CHECK_THROWS_WITH(south.formula(north.current_formula(ana)->id), Catch::Contains("no formula"));
  CHECK(south.trace_lot("LOT-A1").size() == 1);  // Bo's use only
  CHECK(boss.trace_lot("LOT-A1").size() == 2);   // across the chain

  // The server, not pigmatch, hides them: raw SQL as the south room sees one of everything.
  {
    PgRaw raw_south(as_role(location, "pigmatch_room_south"));
    CHECK(raw_south.scalar("SELECT count(*) FROM clients") == "1");
    CHECK(raw_south.scalar("SELECT count(*) FROM formulas") == "1");
    CHECK(raw_south.scalar("SELECT count(*) FROM formula_components") == "2");
    CHECK(raw_south.scalar("SELECT count(*) FROM measurements") == "1");
    std::string error;
    CHECK_FALSE(
        raw_south.exec("INSERT INTO clients (name, created_at, studio) VALUES "
                       "('Spy', 'x', 'North')",
                       &error));
    CHECK(error.find("row-level security") != std::string::npos);
    CHECK_FALSE(raw_south.exec("INSERT INTO studios (name) VALUES ('Rogue')", &error));
    CHECK(raw_south.exec("DELETE FROM visits WHERE client_id = " + std::to_string(ana)));
    CHECK(admin.scalar("SELECT count(*) FROM visits WHERE client_id = " + std::to_string(ana)) ==
          "1");
  }
  // A role's own SQL cannot get round the rules: a temporary studio_members does not move it to
  // another studio, and marking its own client as being erased does not let it delete a single
  // formula of a client it keeps.
  {
    PgRaw raw_south(as_role(location, "pigmatch_room_south"));
    REQUIRE(
        raw_south.exec("CREATE TEMP TABLE studio_members (member name, studio text); "
                       "INSERT INTO studio_members VALUES (current_user, 'North')"));
    CHECK(raw_south.scalar("SELECT count(*) FROM clients") == "1");
    std::string error;
    const std::string bo_id = std::to_string(bo);
    CHECK_FALSE(raw_south.exec("BEGIN; INSERT INTO erasing VALUES (" + bo_id +
                                   "); DELETE FROM formula_components WHERE formula_id IN "
                                   "(SELECT id FROM formulas WHERE client_id = " +
                                   bo_id + "); DELETE FROM formulas WHERE client_id = " + bo_id +
                                   "; DELETE FROM erasing; COMMIT",
                               &error));
    CHECK(error.find("never deleted") != std::string::npos);
    raw_south.exec("ROLLBACK");
    CHECK(admin.scalar("SELECT count(*) FROM formulas WHERE client_id = " + bo_id) == "1");
    CHECK(admin.scalar("SELECT count(*) FROM formula_components c JOIN formulas f ON f.id = "
                       "c.formula_id WHERE f.client_id = " +
                       bo_id) == "2");
  }

  // Ana visits the south branch: shared, the south room sees her and records the visit.
  north.share_client(ana, "South");
  CHECK(names_of(south.clients()) == std::vector<std::string>{"Ana", "Bo"});
  Visit there{0, ana, VisitKind::touchup, "2023-02-01", "crown", "South room", "", ""};
  south.add_visit(there);
  CHECK(north.client_record(ana).visits.size() == 2);
  // But only her own studio (or an owner) erases her, and a refused erase leaves every row.
  CHECK_THROWS_WITH(south.erase_client(ana), Catch::Contains("only the client's own studio"));
  CHECK(north.client_record(ana).formulas.size() == 1);
  CHECK(north.client_record(ana).visits.size() == 2);
  CHECK_THROWS_WITH(south.share_client(bo, "Nowhere"), Catch::Contains("no studio 'Nowhere'"));

  // The owner erases across branches: no row of Ana anywhere.
  boss.erase_client(ana);
  const std::string id = std::to_string(ana);
  for (const char* table : {"clients WHERE id = ", "visits WHERE client_id = ",
                            "consents WHERE client_id = ", "measurements WHERE client_id = ",
                            "formulas WHERE client_id = ", "client_shares WHERE client_id = "}) {
    INFO(table);
    CHECK(admin.scalar(std::string("SELECT count(*) FROM ") + table + id) == "0");
  }
  CHECK(admin.scalar("SELECT count(*) FROM formula_components") == "2");  // Bo's
  CHECK(names_of(south.clients()) == std::vector<std::string>{"Bo"});
}

TEST_CASE("store: studios on a file are refused with what to do") {
  TempDir folder;
  Store store = Store::open(folder / "studio.db");
  CHECK_THROWS_WITH(store.add_studio("North"), Catch::Contains("PostgreSQL server"));
  CHECK_THROWS_WITH(store.share_client(1, "North"), Catch::Contains("db migrate --to"));
}

TEST_CASE("store on PostgreSQL: a version-1 database is migrated with its records, in one go") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  const std::string location = server->new_database();
  PgRaw raw(location);
  const std::string ddl = pigmatch::test::file_bytes(std::filesystem::path(PIGMATCH_SOURCE_DIR) /
                                                     "tests" / "store" / "postgres_schema_v1.sql");
  REQUIRE(raw.exec("BEGIN;" + ddl +
                   "INSERT INTO pigmatch_schema VALUES ('pigmatch', 1);"
                   "INSERT INTO clients (name, created_at) VALUES ('Old Timer', "
                   "'2020-01-02T03:04:05Z');"
                   "COMMIT;"));
  {
    // Read-only users of an older schema are told to migrate, and nothing changes.
    OpenOptions no_migration;
    no_migration.migrate = false;
    CHECK_THROWS_WITH(Store::open(location, no_migration), Catch::Contains("db migrate"));
    CHECK(raw.scalar("SELECT version FROM pigmatch_schema") == "1");
  }
  Store store = Store::open(location);
  CHECK(store.migration().from_version == 1);
  CHECK(store.migration().to_version == 3);
  CHECK(raw.scalar("SELECT version FROM pigmatch_schema") == "3");
  const std::vector<Client> clients = store.clients();
  REQUIRE(clients.size() == 1);
  CHECK(clients[0].name == "Old Timer");
  CHECK(clients[0].created_at == "2020-01-02T03:04:05Z");
  // The new version's rules are on: row-level security on every client table.
  CHECK(raw.scalar("SELECT count(*) FROM pg_class WHERE relrowsecurity AND relname IN "
                   "('clients', 'visits', 'consents', 'measurements', 'formulas', "
                   "'formula_components')") == "6");
  const Id id = add_sample_client(store, "New");
  CHECK(id > clients[0].id);
}
