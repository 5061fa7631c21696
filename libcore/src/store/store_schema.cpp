// Opening a store: the read-only inspection that protects foreign and damaged files, the schema
// history with its forward migrations, backups, and the integrity check.
#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <system_error>

#include "store/store_internal.h"
#include "store/store_postgres.h"

namespace pigmatch::store {
namespace detail {
namespace {

namespace fs = std::filesystem;

// ---- the schema history ----------------------------------------------------------------------
// Never edit a released step: a database at version N has run steps 1..N exactly as written.
// A new version appends a step; Store::open runs the missing ones in one transaction.

// Version 1: the records. Every client-owned table has an index on its client column so that
// erasing a client (and the foreign-key checks it triggers) never scans the whole file.
constexpr const char* schema_v1 = R"sql(
CREATE TABLE clients (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) > 0),
  birth_date TEXT,
  phone TEXT,
  email TEXT,
  notes TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX clients_name ON clients(name COLLATE NOCASE);

CREATE TABLE visits (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL CHECK (kind IN ('initial', 'second', 'touchup', 'camouflage')),
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  area TEXT NOT NULL DEFAULT '',
  practitioner TEXT NOT NULL DEFAULT '',
  needle TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX visits_client ON visits(client_id, date);

CREATE TABLE consents (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL CHECK (length(kind) > 0),
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  signed_by TEXT NOT NULL CHECK (length(signed_by) > 0)
) STRICT;
CREATE INDEX consents_client ON consents(client_id);

CREATE TABLE measurements (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  visit_id INTEGER REFERENCES visits(id),
  kind TEXT NOT NULL CHECK (kind IN ('skin', 'hair', 'healed')),
  region TEXT NOT NULL DEFAULT '',
  L REAL NOT NULL CHECK (L BETWEEN 0 AND 100),
  a REAL NOT NULL,
  b REAL NOT NULL,
  calibration_de00 REAL CHECK (calibration_de00 >= 0),
  photo_path TEXT,
  photo_sha256 TEXT CHECK (photo_sha256 IS NULL OR
                           (length(photo_sha256) = 64 AND photo_sha256 NOT GLOB '*[^0-9a-f]*')),
  taken_at TEXT NOT NULL
) STRICT;
CREATE INDEX measurements_client ON measurements(client_id, kind, region);
CREATE INDEX measurements_visit ON measurements(visit_id);

CREATE TABLE lots (
  vendor TEXT NOT NULL,
  code TEXT NOT NULL,
  lot TEXT NOT NULL,
  expiry TEXT,
  PRIMARY KEY (vendor, code, lot)
) STRICT, WITHOUT ROWID;

CREATE TABLE formulas (
  id INTEGER PRIMARY KEY,
  client_id INTEGER NOT NULL REFERENCES clients(id),
  visit_id INTEGER REFERENCES visits(id),
  replaces INTEGER REFERENCES formulas(id),
  region TEXT NOT NULL DEFAULT '',
  target_L REAL NOT NULL CHECK (target_L BETWEEN 0 AND 100),
  target_a REAL NOT NULL,
  target_b REAL NOT NULL,
  model TEXT NOT NULL,
  catalog TEXT NOT NULL,
  predicted_L REAL NOT NULL CHECK (predicted_L BETWEEN 0 AND 100),
  predicted_a REAL NOT NULL,
  predicted_b REAL NOT NULL,
  delta_e00 REAL NOT NULL CHECK (delta_e00 >= 0),
  notes TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX formulas_client ON formulas(client_id);
-- Partial indexes: most formulas have no visit and replace nothing, and an entry per NULL
-- would cost every insert. A lookup "visit_id = ?" (foreign-key checks) still uses them.
CREATE INDEX formulas_visit ON formulas(visit_id) WHERE visit_id IS NOT NULL;
-- A version is corrected at most once: the versions of a formula form a chain.
CREATE UNIQUE INDEX formulas_replaces ON formulas(replaces) WHERE replaces IS NOT NULL;

CREATE TABLE formula_components (
  formula_id INTEGER NOT NULL REFERENCES formulas(id),
  position INTEGER NOT NULL,
  vendor TEXT NOT NULL,
  code TEXT NOT NULL,
  lot TEXT,
  drops REAL NOT NULL CHECK (drops >= 0),
  ml REAL NOT NULL CHECK (ml >= 0),
  PRIMARY KEY (formula_id, position),
  FOREIGN KEY (vendor, code, lot) REFERENCES lots(vendor, code, lot)
) STRICT, WITHOUT ROWID;
CREATE INDEX components_lot ON formula_components(lot) WHERE lot IS NOT NULL;

-- Formulas are immutable. The only way a formula leaves is with its client (the right to be
-- forgotten): erase_client() names the client here for the length of its transaction.
CREATE TABLE erasing (client_id INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER formulas_immutable BEFORE UPDATE ON formulas
BEGIN
  SELECT RAISE(ABORT, 'formulas are immutable: save a correction as a new version');
END;
CREATE TRIGGER formulas_kept BEFORE DELETE ON formulas
WHEN NOT EXISTS (SELECT 1 FROM erasing WHERE client_id = OLD.client_id)
BEGIN
  SELECT RAISE(ABORT, 'formulas are never deleted, except by erasing their client');
END;
CREATE TRIGGER components_immutable BEFORE UPDATE ON formula_components
BEGIN
  SELECT RAISE(ABORT, 'formulas are immutable: save a correction as a new version');
END;
CREATE TRIGGER components_kept BEFORE DELETE ON formula_components
WHEN NOT EXISTS (SELECT 1 FROM erasing JOIN formulas ON formulas.client_id = erasing.client_id
                 WHERE formulas.id = OLD.formula_id)
BEGIN
  SELECT RAISE(ABORT, 'formulas are never deleted, except by erasing their client');
END;
CREATE TRIGGER formulas_replace_own BEFORE INSERT ON formulas
WHEN NEW.replaces IS NOT NULL AND
     NOT EXISTS (SELECT 1 FROM formulas WHERE id = NEW.replaces AND client_id = NEW.client_id)
BEGIN
  SELECT RAISE(ABORT, 'a correction must replace a formula of the same client');
END;
)sql";

// Version 2: an index for `formula search --near`: the target's whole-unit L* and a* cells,
// then b*, L*, a* (so the search reads candidates from the index alone). A search walks the
// (L*, a*) cells of a box and reads a b* range in each. (An R*Tree was tried first: its inserts
// cost 60 % of a bulk import.)
constexpr const char* schema_v2 = R"sql(
CREATE INDEX formulas_target ON formulas(
  CAST(target_L AS INTEGER), CAST(target_a AS INTEGER), target_b, target_L, target_a);
)sql";

// Version 3: the Lab search index becomes one integer per formula (see PIGMATCH_LAB_KEY_SQL in
// store_internal.h): the version-2 index on five columns, updated at a random place for every
// formula, was a third of a bulk import's time at a million formulas.
constexpr const char* schema_v3 =
    "DROP INDEX formulas_target;\n"
    "CREATE INDEX formulas_lab ON formulas(" PIGMATCH_LAB_KEY_SQL ");\n";

// Version 4: each measurement keeps how well its colour is known (ΔE00), when measured with it.
constexpr const char* schema_v4 =
    "ALTER TABLE measurements ADD COLUMN uncertainty_de00 REAL "
    "CHECK (uncertainty_de00 >= 0);\n";

// Version 5: an erased client's id is never given to another client. SQLite gives a new row the
// highest id plus one, so erasing the newest client freed its id for the next one, and a paper
// note or an old backup naming "client 12" would then name someone else. The highest id ever
// given is kept here (PostgreSQL's sequence does the same); a new client takes the next.
constexpr const char* schema_v5 = R"sql(
CREATE TABLE client_id_high_water (id INTEGER NOT NULL) STRICT;
INSERT INTO client_id_high_water SELECT coalesce(max(id), 0) FROM clients;
CREATE TRIGGER clients_high_water AFTER INSERT ON clients
WHEN NEW.id > (SELECT id FROM client_id_high_water)
BEGIN
  UPDATE client_id_high_water SET id = NEW.id;
END;
CREATE TRIGGER client_id_high_water_kept BEFORE DELETE ON client_id_high_water
BEGIN
  SELECT RAISE(ABORT, 'the highest client id given is kept');
END;
)sql";

constexpr std::array<const char*, schema_version> migrations = {schema_v1, schema_v2, schema_v3,
                                                                schema_v4, schema_v5};

// ---- read-only inspection --------------------------------------------------------------------

[[noreturn]] void throw_not_a_database(const fs::path& file, std::string_view why) {
  throw NotADatabaseError(
      ErrorCode::corrupt_data,
      fmt::format("{}: {}; the file was not changed. Give pigmatch its own database with --db, "
                  "or restore a backup",
                  file.string(), why));
}

struct Inspection {
  int version = 0;  // 0: an empty file or an empty SQLite database, ready to be initialised
};

// Everything here reads: the file is opened read-only, so a foreign or damaged file is refused
// exactly as it was found.
Inspection inspect(const fs::path& file, const OpenOptions& options, MigrationReport& report) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw_not_a_database(file, "is not a regular file");
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec)
    throw Error(ErrorCode::io, fmt::format("{}: cannot read the file size", file.string()));
  if (size == 0)
    return {};
  if (!has_sqlite_header(file, size)) {
    throw_not_a_database(file, size < 100 ? "is too short to be a pigmatch database"
                                          : "is not a pigmatch database (not an SQLite file)");
  }
  SqliteConnection db(inspection_uri(file), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, file);
  sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
  const std::int64_t objects = db.query_int("SELECT count(*) FROM sqlite_schema");
  const std::int64_t app_id = db.query_int("PRAGMA application_id");
  const std::int64_t version = db.query_int("PRAGMA user_version");
  // A migration writes whatever the caller asked: never into a damaged file.
  if (options.quick_check || version < schema_version) {
    const std::string verdict = db.query_text("PRAGMA quick_check");
    if (verdict != "ok") {
      throw_not_a_database(file, fmt::format("is damaged ({})", verdict));
    }
  }
  if (app_id != application_id) {
    if (objects == 0 && version == 0)
      return {};
    throw_not_a_database(file, fmt::format("is an SQLite database of another program "
                                           "(application_id {:#x}), not a pigmatch database",
                                           app_id));
  }
  if (version > schema_version) {
    throw NewerSchemaError(
        ErrorCode::unsupported,
        fmt::format("{}: was written by a newer pigmatch (schema version {}; this pigmatch knows "
                    "up to {}). Update pigmatch to open it; the file was not changed",
                    file.string(), version, schema_version));
  }
  if (version < 1)
    throw_not_a_database(file, "has pigmatch's mark but no schema version");
  report.from_version = report.to_version = static_cast<int>(version);
  if (version < schema_version) {
    if (!options.migrate) {
      throw Error(ErrorCode::unsupported,
                  fmt::format("{}: has schema version {}, older than this pigmatch's {}; run "
                              "'pigmatch db migrate' (it takes a backup first)",
                              file.string(), version, schema_version));
    }
    // A backup even though the migration is one transaction: it protects against a migration
    // that is wrong, not only one that is interrupted.
    const std::string stamp = now_utc();
    std::string compact;
    for (char c : stamp) {
      if (c != '-' && c != ':')
        compact += c;
    }
    fs::path backup = file;
    backup += fmt::format(".v{}-{}.bak", version, compact);
    backup_database(db.handle(), file, backup);
    report.backup = backup;
  }
  return {static_cast<int>(version)};
}

void migrate(SqliteConnection& db, MigrationReport& report) {
  Transaction transaction(db);
  // Read again under the write lock: another pigmatch may have migrated meanwhile.
  const auto version = static_cast<int>(db.query_int("PRAGMA user_version"));
  if (version > schema_version) {
    throw NewerSchemaError(ErrorCode::unsupported,
                           fmt::format("{}: was migrated by a newer pigmatch meanwhile (schema "
                                       "version {}); update pigmatch",
                                       db.file().string(), version));
  }
  if (version == schema_version)
    return;
  for (int step = version; step < schema_version; ++step) {
    db.exec(migrations[static_cast<std::size_t>(step)],
            fmt::format("migrating the schema to version {}", step + 1));
  }
  // PRAGMAs take no bound parameters; both values are compile-time constants.
  db.exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};", application_id,
                      schema_version)
              .c_str(),
          "recording the schema version");
  transaction.commit();
  if (report.from_version == 0)
    report.from_version = version;
  report.to_version = schema_version;
}

void configure(SqliteConnection& db, const OpenOptions& options) {
  sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
  // secure_delete: erased records are overwritten with zeros, not left in free pages.
  // synchronous=FULL: an acknowledged write survives power loss as well as a killed process.
  // cache_size: 64 MiB (the default is 2 MiB); with a million formulas the indexes are
  // updated at random places, and a small cache spills pages to the WAL mid-import.
  db.exec(
      "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA synchronous = FULL; "
      "PRAGMA cache_size = -65536;",
      "configuring the connection");
  const std::string mode = db.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal") {
    throw Error(ErrorCode::io, fmt::format("{}: cannot switch the database to WAL mode (got '{}'); "
                                           "is it on a network drive? Keep it on a local disk",
                                           db.file().string(), mode));
  }
}

}  // namespace

bool has_sqlite_header(const fs::path& file, std::uintmax_t size) {
  constexpr std::string_view magic{"SQLite format 3\0", 16};
  std::array<char, 16> head{};
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::io,
                fmt::format("{}: cannot read the file; check its permissions", file.string()));
  }
  in.read(head.data(), head.size());
  return size >= 100 && in && std::string_view(head.data(), head.size()) == magic;
}

// A WAL-mode file opened read-only still gets -wal and -shm files next to it. When no -wal
// exists, no connection has the file open and every committed page is in the main file, so it
// is read as immutable: no locks, no side files, the folder stays as it was found.
std::string inspection_uri(const fs::path& file) {
  fs::path wal = file;
  wal += "-wal";
  std::error_code ec;
  const bool has_wal = fs::exists(wal, ec);
  std::string uri = "file://";
  for (const char c : fs::absolute(file, ec).string()) {
    if (c == '%' || c == '?' || c == '#') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  return uri + (has_wal ? "?mode=ro" : "?mode=ro&immutable=1");
}

SqliteConnection& sqlite_of(Connection& db) {
  return static_cast<SqliteConnection&>(db);
}

bool purge_erased(Connection& db) {
  // PostgreSQL: the rows are gone at commit; autovacuum reclaims their space.
  if (db.engine() == Engine::postgresql)
    return true;
  // The WAL still holds the pages as they were before the erase: copy the zeroed pages into
  // the database and empty the WAL.
  int log_frames = 0, checkpointed = 0;
  const int rc = sqlite3_wal_checkpoint_v2(sqlite_of(db).handle(), nullptr,
                                           SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &checkpointed);
  return rc == SQLITE_OK;
}

std::string now_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  const std::size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return {text.data(), n};
}

void backup_database(sqlite3* source, const fs::path& source_file, const fs::path& destination) {
  std::error_code ec;
  if (fs::exists(destination, ec)) {
    throw Error(ErrorCode::io, fmt::format("{}: already exists; choose another name for the backup",
                                           destination.string()));
  }
  fs::path partial = destination;
  partial += ".partial";
  fs::remove(partial, ec);
  {
    SqliteConnection target(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3_backup* copy = sqlite3_backup_init(target.handle(), "main", source, "main");
    if (copy == nullptr) {
      fs::remove(partial, ec);
      throw_sqlite(target.handle(), sqlite3_errcode(target.handle()), destination,
                   "starting the backup");
    }
    const int step = sqlite3_backup_step(copy, -1);
    const int finish = sqlite3_backup_finish(copy);
    if (step != SQLITE_DONE || finish != SQLITE_OK) {
      const int rc = step != SQLITE_DONE ? step : finish;
      fs::remove(partial, ec);
      // A read or lock failure is the source's; anything else (a full disk) the backup's.
      const int primary = rc & 0xff;
      const bool source_failed = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ||
                                 primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
      if (source_failed)
        throw_sqlite(nullptr, rc, source_file, "copying the database for a backup");
      throw_sqlite(target.handle(), rc, destination,
                   fmt::format("writing the backup of {}", source_file.string()));
    }
  }
  fs::rename(partial, destination, ec);
  if (ec) {
    throw Error(ErrorCode::io, fmt::format("{}: cannot finish the backup ({})",
                                           destination.string(), ec.message()));
  }
}

}  // namespace detail

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const std::filesystem::path& Store::path() const noexcept {
  return impl_->path;
}
const MigrationReport& Store::migration() const noexcept {
  return impl_->migration;
}

Store Store::open(const std::filesystem::path& path, const OpenOptions& options) {
  if (is_server_location(path.native())) {
    MigrationReport report;
    auto impl = std::make_unique<Impl>(detail::open_postgres(path.native(), options, report));
    impl->path = impl->db.name();
    impl->migration = report;
    return Store(std::move(impl));
  }
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  MigrationReport report;
  if (!exists && !options.create_if_missing) {
    throw Error(ErrorCode::not_found,
                fmt::format("{}: no pigmatch database here; 'pigmatch client add' creates one, or "
                            "name another file with --db",
                            path.string()));
  }
  if (exists)
    detail::inspect(path, options, report);
  const int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
  auto connection = std::make_unique<detail::SqliteConnection>(path, flags);
  detail::configure(*connection, options);
  if (report.from_version < schema_version)
    detail::migrate(*connection, report);
  auto impl = std::make_unique<Impl>(std::move(connection));
  impl->path = path;
  impl->migration = report;
  return Store(std::move(impl));
}

void Store::backup(const std::filesystem::path& destination) {
  if (impl_->db.engine() == detail::Engine::postgresql) {
    throw Error(ErrorCode::unsupported,
                fmt::format("{}: a PostgreSQL store is backed up by the server's own tools: "
                            "pg_dump --format=custom --file={} (docs/postgresql.md)",
                            impl_->path.string(), destination.string()));
  }
  detail::backup_database(detail::sqlite_of(impl_->db).handle(), impl_->path, destination);
}

CheckReport Store::check() {
  if (impl_->db.engine() == detail::Engine::postgresql)
    return detail::check_postgres(impl_->db);
  detail::SqliteConnection& db = detail::sqlite_of(impl_->db);
  CheckReport report;
  report.schema_version = static_cast<int>(db.query_int("PRAGMA user_version"));
  {
    detail::Statement integrity = db.prepare("PRAGMA integrity_check");
    while (integrity.step()) {
      const std::string line = integrity.text(0);
      if (line != "ok")
        report.problems.push_back(line);
    }
  }
  {
    detail::Statement foreign = db.prepare("PRAGMA foreign_key_check");
    while (foreign.step()) {
      report.problems.push_back(fmt::format("{} row {} points to a missing {}", foreign.text(0),
                                            foreign.int64(1), foreign.text(2)));
    }
  }
  report.clients = db.query_int("SELECT count(*) FROM clients");
  report.visits = db.query_int("SELECT count(*) FROM visits");
  report.formulas = db.query_int("SELECT count(*) FROM formulas");
  report.measurements = db.query_int("SELECT count(*) FROM measurements");
  report.lots = db.query_int("SELECT count(*) FROM lots");
  return report;
}

}  // namespace pigmatch::store
