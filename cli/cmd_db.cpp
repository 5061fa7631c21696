// pigmatch db backup FILE | check | migrate [--to STORE]: the database itself.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "command.h"
#include "pigmatch/error.h"
#include "pigmatch/store/store.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

struct DbOptions {
  std::string db;
  std::string destination;
  std::string from;  // db migrate --from/--to: move the records into another store
  std::string to;
  bool json = false;
};

void run_backup(const DbOptions& o) {
  // Checked first (read commands skip the check): a copy of a damaged file is no backup, and
  // saying "backed up" would let the user trust it.
  store::Store db = open_store(o.db, DbAccess::existing);
  db.backup(o.destination);
  if (o.json) {
    print_json({{"database", db.path().string()}, {"backup", o.destination}});
  } else {
    fmt::print("{} backed up to {}\n", db.path().string(), o.destination);
  }
}

void run_check(const DbOptions& o) {
  store::OpenOptions options;
  options.create_if_missing = false;
  options.migrate = false;  // a check reports; it does not change the file
  const auto path = o.db.empty() ? store::default_database_path() : std::filesystem::path(o.db);
  store::Store db = store::Store::open(path, options);
  const store::CheckReport r = db.check();
  if (o.json) {
    print_json({{"database", db.path().string()},
                {"schema_version", r.schema_version},
                {"ok", r.problems.empty()},
                {"problems", r.problems},
                {"clients", r.clients},
                {"visits", r.visits},
                {"measurements", r.measurements},
                {"formulas", r.formulas},
                {"lots", r.lots}});
  } else {
    fmt::print(
        "{}: schema version {}, {} clients, {} visits, {} measurements, {} formulas, {} "
        "lots\n",
        db.path().string(), r.schema_version, r.clients, r.visits, r.measurements, r.formulas,
        r.lots);
    for (const std::string& p : r.problems)
      fmt::print("problem: {}\n", p);
    if (r.problems.empty())
      fmt::print("integrity: ok\n");
  }
  if (!r.problems.empty()) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: {} problem(s) found; restore a backup ('pigmatch db backup' "
                            "makes them)",
                            db.path().string(), r.problems.size()));
  }
}

// db migrate --to: every client and lot of one store copied into another (a studio's file into
// its server), then every client's export compared on both sides.
void run_copy(const DbOptions& o) {
  if (!o.db.empty() && !o.from.empty()) {
    throw UsageError("give the store to copy from with --from or --db, not both");
  }
  store::Store from = open_store(o.from.empty() ? o.db : o.from, DbAccess::existing);
  store::Store to = open_store(o.to, DbAccess::create);
  if (from.path() == to.path())
    throw UsageError("--from and --to name the same database");
  const store::CopyReport r =
      store::copy_records(from, to, [](std::size_t done, std::size_t total) {
        if (done == total || done % 100 == 0)
          fmt::print(stderr, "pigmatch: {} of {} clients copied and checked\n", done, total);
      });
  if (o.json) {
    print_json({{"from", from.path().string()},
                {"to", to.path().string()},
                {"clients_copied", r.clients},
                {"clients_already_there", r.already},
                {"formulas_copied", r.formulas},
                {"lots", r.lots},
                {"verified", true}});
  } else {
    fmt::print(
        "{} clients ({} formulas) copied from {} to {}, {} already there; {} lots. Every "
        "client's export reads the same in both\n",
        r.clients, r.formulas, from.path().string(), to.path().string(), r.already, r.lots);
  }
}

void run_migrate(const DbOptions& o) {
  if (!o.to.empty()) {
    run_copy(o);
    return;
  }
  if (!o.from.empty())
    throw UsageError("--from needs --to: the store to copy the records into");
  store::Store db = open_store(o.db, DbAccess::existing, /*quiet=*/true);
  const store::MigrationReport& m = db.migration();
  if (o.json) {
    print_json({{"database", db.path().string()},
                {"from_version", m.from_version},
                {"to_version", m.to_version},
                {"backup", m.backup.empty() ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json(m.backup.string())}});
  } else if (m.backup.empty()) {
    fmt::print("{} is already at schema version {}\n", db.path().string(), m.to_version);
  } else {
    fmt::print("{} migrated from schema version {} to {}; backup in {}\n", db.path().string(),
               m.from_version, m.to_version, m.backup.string());
  }
}

}  // namespace

void register_db_command(CLI::App& app) {
  auto o = std::make_shared<DbOptions>();
  CLI::App* dbc = app.add_subcommand("db", "The database file: backup, check, migrate");
  dbc->require_subcommand(1);
  CLI::App* backup = dbc->add_subcommand("backup", "A consistent copy, safe while others write");
  add_db_option(backup, o->db);
  backup->add_option("FILE", o->destination, "where to write the copy (must not exist)")
      ->required();
  backup->add_flag("--json", o->json, "machine-readable output");
  backup->callback([o] { run_backup(*o); });
  CLI::App* check = dbc->add_subcommand("check", "Integrity and foreign-key check, row counts");
  add_db_option(check, o->db);
  check->add_flag("--json", o->json, "machine-readable output");
  check->callback([o] { run_check(*o); });
  CLI::App* migrate = dbc->add_subcommand(
      "migrate",
      "Bring an older file to this schema (after a backup); with --to, copy every record into "
      "another store (e.g. a PostgreSQL server) and compare every client's export");
  add_db_option(migrate, o->db);
  migrate->add_option("--from", o->from, "the store to copy from (default: --db)");
  migrate->add_option("--to", o->to,
                      "the store to copy into: a file, or postgresql://USER@HOST/DB (created "
                      "when empty; a client already copied is skipped, so a stopped copy can be "
                      "run again)");
  migrate->add_flag("--json", o->json, "machine-readable output");
  migrate->callback([o] { run_migrate(*o); });
}

}  // namespace pigmatch::cli
