// The store's commands as real processes on a real PostgreSQL server (a throw-away cluster,
// tests/store/postgres_server.h): the same session on a file and on the server prints the same;
// `db migrate --to` moves a studio's file into the server and proves it client by client, and
// can be run again after a stop; bad locations are refused with a clear message.
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "process.h"
#include "store/postgres_catch.h"
#include "store/store_fixtures.h"

namespace fs = std::filesystem;
using nlohmann::json;
using pigmatch::test::PgRaw;
using pigmatch::test::PostgresServer;
using pigmatch::test::ProcessResult;
using pigmatch::test::run_db;
using pigmatch::test::run_pigmatch;
using pigmatch::test::server_or_skip;
using pigmatch::test::TempDir;

namespace {

const char* formula_text = R"({"region": "crown", "target": {"L": 38, "a": 2, "b": 6},
  "model": "km", "catalog": "demo-smp", "predicted": [38.4, 1.9, 6.2], "delta_e00": 0.5,
  "created_at": "2021-04-12T10:00:00Z",
  "components": [{"vendor": "Acme", "code": "SMP-1", "drops": 3, "ml": 0.15},
                 {"vendor": "Acme", "code": "DIL", "drops": 9, "ml": 0.45}]})";

std::string ok(const std::string& db, const std::vector<std::string>& args) {
  const ProcessResult r = run_db(db, args);
  INFO(db << ": pigmatch " << args.front() << " " << args.at(1) << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// A studio's day; returns what the read commands printed, in order, for comparison.
std::string studio_day(const std::string& db, const fs::path& folder) {
  std::ofstream(folder / "f.json") << formula_text;
  std::string printed;
  for (const char* name : {"Ana Duarte", "bo lind", "Carla Mendes"})
    ok(db, {"client", "add", name, "--birth-date", "1984-06-02"});
  ok(db, {"visit", "add", "1", "--kind", "initial", "--date", "2021-04-12", "--area", "crown"});
  ok(db, {"client", "consent", "1", "--kind", "treatment", "--date", "2021-04-12", "--signed-by",
          "Ana Duarte"});
  ok(db, {"formula", "save", (folder / "f.json").string(), "--client", "1", "--visit", "1", "--lot",
          "SMP-1=A77"});
  ok(db, {"formula", "save", (folder / "f.json").string(), "--client", "1", "--replaces", "1",
          "--notes", "darker"});
  ok(db, {"formula", "save", (folder / "f.json").string(), "--client", "2", "--lot", "SMP-1=A77"});
  for (const std::vector<std::string>& read :
       std::vector<std::vector<std::string>>{{"formula", "history", "1"},
                                             {"formula", "show", "1", "--json"},
                                             {"formula", "search", "--near", "38,2,6.5"},
                                             {"lot", "trace", "A77"},
                                             {"lot", "list"},
                                             {"client", "export", "1"}}) {
    printed += ok(db, read);
  }
  return printed;
}

// The commands stamp records with the time they were saved: the two runs differ there only.
// (No std::regex: GCC 12's <regex> trips -Wmaybe-uninitialized under the sanitizers.)
std::string without_times(const std::string& text) {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  const auto stamp_at = [&](std::size_t at) {
    for (std::size_t k = 0; k < shape.size(); ++k) {
      const char c = text[at + k];
      const bool fits =
          shape[k] == 'd' ? std::isdigit(static_cast<unsigned char>(c)) != 0 : c == shape[k];
      if (!fits)
        return false;
    }
    return true;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i + shape.size() <= text.size() && stamp_at(i)) {
      out += "<time>";
      i += shape.size() - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("pigmatch on PostgreSQL: a studio's day prints what it prints on a file") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  TempDir folder;
  const std::string on_file = studio_day((folder / "studio.db").string(), folder.path());
  const std::string location = server->new_database();
  const std::string on_server = studio_day(location, folder.path());
  CHECK(without_times(on_server) == without_times(on_file));
  CHECK(on_server.find("A77") != std::string::npos);
  CHECK(without_times(on_server).find("<time>") != std::string::npos);
  // client list prints creation times, which differ: compare the names and ids only.
  const json listed = json::parse(ok(location, {"client", "list", "--json"}));
  REQUIRE(listed.size() == 3);
  CHECK(listed.at(1).at("name") == "bo lind");
  const json check = json::parse(ok(location, {"db", "check", "--json"}));
  CHECK(check.at("ok") == true);
  CHECK(check.at("formulas") == 3);
  CHECK(check.at("database").get<std::string>().find("dbname=") != std::string::npos);
}

TEST_CASE("pigmatch db migrate --to: a studio's file moved into the server, proved, resumable") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  TempDir folder;
  const std::string file = (folder / "studio.db").string();
  studio_day(file, folder.path());
  const std::string location = server->new_database();

  const ProcessResult moved =
      run_pigmatch({"db", "migrate", "--from", file, "--to", location, "--json"});
  INFO(moved.err);
  REQUIRE(moved.exit_code == 0);
  const json report = json::parse(moved.out);
  CHECK(report.at("clients_copied") == 3);
  CHECK(report.at("formulas_copied") == 3);
  CHECK(report.at("verified") == true);
  CHECK(moved.err.find("3 of 3 clients") != std::string::npos);
  for (const char* id : {"1", "2", "3"})
    CHECK(ok(location, {"client", "export", id}) == ok(file, {"client", "export", id}));
  CHECK(ok(location, {"lot", "list"}) == ok(file, {"lot", "list"}));

  // Run again (as after a stop): nothing copied twice.
  const json again =
      json::parse(run_pigmatch({"db", "migrate", "--from", file, "--to", location, "--json"}).out);
  CHECK(again.at("clients_copied") == 0);
  CHECK(again.at("clients_already_there") == 3);
  PgRaw raw(location);
  CHECK(raw.scalar("SELECT count(*) FROM formulas") == "3");

  // The server and the file each gain a different client 4: refused, nothing lost.
  ok(location, {"client", "add", "Eve"});
  ok(file, {"client", "add", "Dora"});
  const ProcessResult clash = run_pigmatch({"db", "migrate", "--from", file, "--to", location});
  CHECK(clash.exit_code == 1);
  CHECK(clash.err.find("different client") != std::string::npos);
  CHECK(raw.scalar("SELECT count(*) FROM clients") == "4");
  CHECK(raw.scalar("SELECT name FROM clients WHERE id = 4") == "Eve");
}

TEST_CASE("pigmatch on PostgreSQL: bad locations get a clear message and exit 1") {
  const ProcessResult with_password =
      run_pigmatch({"client", "list", "--db", "postgresql://ana:hunter2@localhost/studio"});
  CHECK(with_password.exit_code == 1);
  CHECK(with_password.err.find("~/.pgpass") != std::string::npos);
  CHECK(with_password.err.find("hunter2") == std::string::npos);
  const ProcessResult nowhere =
      run_pigmatch({"client", "list", "--db", "host=/nonexistent-pigmatch dbname=studio"});
  CHECK(nowhere.exit_code == 1);
  CHECK(nowhere.err.find("cannot connect to the PostgreSQL server") != std::string::npos);
  const ProcessResult usage = run_pigmatch({"db", "migrate", "--from", "a.db"});
  CHECK(usage.exit_code == 2);
}

TEST_CASE("pigmatch studio and client share: branches set up from the command line") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  const std::string location = server->new_database();
  PgRaw admin(location);
  admin.exec("CREATE ROLE pigmatch_cli_north LOGIN");
  admin.exec("CREATE ROLE pigmatch_cli_south LOGIN");
  ok(location, {"client", "add", "Nobody yet"});  // creates the store as the tables' owner
  ok(location, {"studio", "add", "North"});
  ok(location, {"studio", "add", "South"});
  ok(location, {"studio", "member", "pigmatch_cli_north", "North"});
  ok(location, {"studio", "member", "pigmatch_cli_south", "South"});
  const std::string north = location + " user=pigmatch_cli_north";
  const std::string south = location + " user=pigmatch_cli_south";
  const json ana = json::parse(ok(north, {"client", "add", "Ana", "--json"}));
  const std::string id = std::to_string(ana.at("id").get<long>());
  CHECK(json::parse(ok(south, {"client", "list", "--json"})).empty());
  const ProcessResult hidden = run_db(south, {"client", "show", id});
  CHECK(hidden.exit_code == 1);
  CHECK(hidden.err.find("no client") != std::string::npos);
  ok(north, {"client", "share", id, "--studio", "South"});
  const json seen = json::parse(ok(south, {"client", "list", "--json"}));
  REQUIRE(seen.size() == 1);
  CHECK(seen.at(0).at("name") == "Ana");
  const ProcessResult not_theirs = run_db(south, {"client", "erase", id, "--yes"});
  CHECK(not_theirs.exit_code == 1);
  CHECK(not_theirs.err.find("own studio") != std::string::npos);
  CHECK(admin.scalar("SELECT count(*) FROM clients WHERE name = 'Ana'") == "1");
  const ProcessResult no_studio = run_db(north, {"client", "share", id, "--studio", "West"});
  CHECK(no_studio.exit_code == 1);
  CHECK(no_studio.err.find("studio add") != std::string::npos);

  TempDir folder;
  ok((folder / "studio.db").string(), {"client", "add", "Ana"});
  const ProcessResult on_file =
      run_pigmatch({"studio", "add", "North", "--db", (folder / "studio.db").string()});
  CHECK(on_file.exit_code == 1);
  CHECK(on_file.err.find("PostgreSQL server") != std::string::npos);
}

TEST_CASE("pigmatch measure --save on PostgreSQL records what it prints") {
  PostgresServer* server = server_or_skip();
  if (server == nullptr)
    return;
  const std::string location = server->new_database();
  const std::string photo =
      (fs::path(PIGMATCH_SOURCE_DIR) / "data" / "samples" / "colorchecker-srgb.jpg").string();
  const std::string id = std::to_string(
      json::parse(ok(location, {"client", "add", "Eli", "--json"})).at("id").get<long>());
  ok(location, {"visit", "add", id, "--date", "2022-02-02"});
  const json measured =
      json::parse(ok(location, {"measure", photo, "--chart", "none", "-r", "p1=30,30,60,60",
                                "--client", id, "--save", "--json"}));
  PgRaw raw(location);
  const auto rows = raw.rows("SELECT region, L, a, b, uncertainty_de00 FROM measurements");
  REQUIRE(rows.size() == 1);
  const json& lab = measured.at("regions").at(0).at("lab_d50");
  CHECK(rows[0][0] == "p1");
  // Every bit of the printed colour is what the server holds.
  CHECK(std::stod(rows[0][1]) == lab.at(0).get<double>());
  CHECK(std::stod(rows[0][2]) == lab.at(1).get<double>());
  CHECK(std::stod(rows[0][3]) == lab.at(2).get<double>());
  CHECK(std::stod(rows[0][4]) == measured.at("regions").at(0).at("uncertainty_de00").get<double>());
}
