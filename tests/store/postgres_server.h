// A real PostgreSQL server for the store tests: $PIGMATCH_TEST_POSTGRES (a libpq connection
// string of a role that may create databases) when set, else a throw-away cluster started on
// first use by scripts/pg_test_server.sh and stopped when the test process ends. Each test gets
// a database of its own. Raw libpq access (PgRaw) looks at the server the way another program
// would, independent of pigmatch's store code.
#pragma once

#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef PIGMATCH_PG_TEST_SERVER
#error "PIGMATCH_PG_TEST_SERVER (scripts/pg_test_server.sh) must be defined by the build"
#endif

namespace pigmatch::test {

/// One libpq connection for the tests' own queries.
class PgRaw {
 public:
  explicit PgRaw(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("cannot connect to " + conninfo + ": " + message);
    }
    PQsetNoticeProcessor(
        conn_, [](void* /*unused*/, const char* /*notice*/) {}, nullptr);
  }
  PgRaw(const PgRaw&) = delete;
  PgRaw& operator=(const PgRaw&) = delete;
  ~PgRaw() { PQfinish(conn_); }

  /// Runs SQL; true when it succeeded, with the server's message in `error` otherwise.
  bool exec(const std::string& sql, std::string* error = nullptr) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (error != nullptr)
      *error = ok ? "" : PQerrorMessage(conn_);
    PQclear(r);
    return ok;
  }
  /// Every row of a query as text cells ("NULL" for null); throws on a failed query.
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      const std::string message = PQerrorMessage(conn_);
      PQclear(r);
      throw std::runtime_error("bad test query: " + sql + ": " + message);
    }
    std::vector<std::vector<std::string>> out;
    for (int row = 0; row < PQntuples(r); ++row) {
      std::vector<std::string> cells;
      for (int column = 0; column < PQnfields(r); ++column) {
        cells.emplace_back(PQgetisnull(r, row, column) != 0 ? "NULL" : PQgetvalue(r, row, column));
      }
      out.push_back(std::move(cells));
    }
    PQclear(r);
    return out;
  }
  std::string scalar(const std::string& sql) {
    const auto r = rows(sql);
    return r.empty() || r[0].empty() ? std::string() : r[0][0];
  }

 private:
  PGconn* conn_;
};

class PostgresServer {
 public:
  /// The server, started on first call; nullptr when it cannot start (why_not() says why).
  /// With PIGMATCH_REQUIRE_POSTGRES=1 (CI) a server that cannot start is an exception instead.
  static PostgresServer* get() {
    static std::unique_ptr<PostgresServer> server = start();
    if (!server && require())
      throw std::runtime_error("PIGMATCH_REQUIRE_POSTGRES is set but " + why_not());
    return server.get();
  }
  static std::string& why_not() {
    static std::string reason;
    return reason;
  }

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer() {
    if (!folder_.empty()) {
      const std::string command =
          std::string(PIGMATCH_PG_TEST_SERVER) + " stop '" + folder_ + "' >/dev/null 2>&1";
      [[maybe_unused]] const int rc = std::system(command.c_str());
    }
  }

  /// True when this process started the server (and so may crash and resume it).
  bool ours() const { return !folder_.empty(); }
  /// Kills the server as a power cut would (pg_ctl stop -m immediate), keeping its data.
  void crash() { script("crash"); }
  /// Starts it again on the same data (crash recovery runs first).
  void resume() { script("resume"); }

  /// The maintenance connection (a role that may create databases and roles).
  const std::string& admin() const { return admin_; }

  /// A new, empty database; its connection string (same server and role as admin()).
  std::string new_database() {
    const std::string name =
        "pigmatch_test_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
    PgRaw raw(admin_);
    std::string error;
    if (!raw.exec("DROP DATABASE IF EXISTS " + name, &error) ||
        !raw.exec("CREATE DATABASE " + name, &error)) {
      throw std::runtime_error("cannot create the test database " + name + ": " + error);
    }
    return with_database(name);
  }

  /// admin() with its dbname replaced.
  std::string with_database(const std::string& name) const {
    const std::size_t at = admin_.find("dbname=");
    if (at == std::string::npos)
      return admin_ + " dbname=" + name;
    const std::size_t end = admin_.find(' ', at);
    return admin_.substr(0, at) + "dbname=" + name +
           (end == std::string::npos ? "" : admin_.substr(end));
  }

 private:
  PostgresServer(std::string admin, std::string folder)
      : admin_(std::move(admin)), folder_(std::move(folder)) {}

  void script(const std::string& action) const {
    const std::string command =
        std::string(PIGMATCH_PG_TEST_SERVER) + " " + action + " '" + folder_ + "' >/dev/null 2>&1";
    if (folder_.empty() || std::system(command.c_str()) != 0)
      throw std::runtime_error("pg_test_server.sh " + action + " failed for " + folder_);
  }

  static bool require() {
    const char* value = std::getenv("PIGMATCH_REQUIRE_POSTGRES");
    return value != nullptr && std::string(value) == "1";
  }

  static std::unique_ptr<PostgresServer> start() {
    if (const char* given = std::getenv("PIGMATCH_TEST_POSTGRES"); given != nullptr && *given)
      return std::unique_ptr<PostgresServer>(new PostgresServer(given, ""));
    std::string folder = (std::filesystem::temp_directory_path() / "pigmatch-pg-XXXXXX").string();
    if (::mkdtemp(folder.data()) == nullptr) {
      why_not() = "no temporary folder for the test server";
      return nullptr;
    }
    const std::string command = std::string(PIGMATCH_PG_TEST_SERVER) + " start '" + folder + "' " +
                                std::to_string(::getpid()) + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    std::string output;
    if (pipe != nullptr) {
      std::array<char, 256> chunk{};
      while (std::fgets(chunk.data(), chunk.size(), pipe) != nullptr)
        output += chunk.data();
    }
    const int status = pipe != nullptr ? ::pclose(pipe) : -1;
    while (!output.empty() && output.back() == '\n')
      output.pop_back();
    if (status != 0 || output.find("host=") != 0) {
      why_not() = "the throw-away PostgreSQL server did not start: " + output;
      std::error_code ec;
      std::filesystem::remove_all(folder, ec);
      return nullptr;
    }
    return std::unique_ptr<PostgresServer>(new PostgresServer(output, folder));
  }

  std::string admin_;
  std::string folder_;  // empty: a server given by the environment, not ours to stop
  int databases_ = 0;
};

}  // namespace pigmatch::test
