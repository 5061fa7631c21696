// What store.cpp (the records) and store_schema.cpp (opening, checking, migrating) share.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "pigmatch/store/store.h"
#include "store/store_sqlite.h"

namespace pigmatch::store {

struct Store::Impl {
  explicit Impl(std::unique_ptr<detail::Connection> opened)
      : connection(std::move(opened)), db(*connection) {}
  std::unique_ptr<detail::Connection> connection;
  detail::Connection& db;
  std::filesystem::path path;  ///< the file, or the server location without its password
  MigrationReport migration;
};

namespace detail {

// ---- the Lab key of formulas' targets (schema version 3) -------------------------------------
// One 64-bit integer per formula target, the key of index formulas_lab (what `formula search
// --near` reads): from the high bits, L* cell (whole units, 7 bits), a* cell (whole units + 256,
// clamped to 0–511, 9 bits), b* quantised to 1/1024 (b* + 256 clamped to 0–511.999, 19 bits),
// then the L* and a* fractions within their cells in 1/1024 (10 bits each). Within one (L*, a*)
// cell a b* range is one key range, and the key alone gives L*, a*, b* to ±1/2048 (inside the
// clamp), enough to choose candidates before the exact ΔE00. A single integer keeps the index
// small (about 15 bytes an entry instead of 40 for the version-2 index on five columns) and its
// comparisons cheap: it is updated at a random place for every formula saved.
// Never change this text: the index was built with it, and SQLite uses the index only for the
// identical expression. A different key is a new schema version.
#define PIGMATCH_LAB_A_SQL "min(max(target_a + 256, 0), 511.999)"
#define PIGMATCH_LAB_KEY_SQL                                                  \
  "((((CAST(target_L AS INTEGER) * 512 + CAST(" PIGMATCH_LAB_A_SQL            \
  " AS INTEGER)) * 524288 + "                                                 \
  "CAST(min(max(target_b + 256, 0), 511.999) * 1024 AS INTEGER)) * 1024 + "   \
  "CAST((target_L - CAST(target_L AS INTEGER)) * 1024 AS INTEGER)) * 1024 + " \
  "CAST((" PIGMATCH_LAB_A_SQL " - CAST(" PIGMATCH_LAB_A_SQL " AS INTEGER)) * 1024 AS INTEGER))"

/// pigmatch's PRAGMA application_id ("PGMT"): tells our files from other programs' databases.
inline constexpr int application_id = 0x50474D54;

/// Store::open for a PostgreSQL location (store_postgres_schema.cpp): connects, refuses another
/// program's or a newer pigmatch's database untouched, creates or migrates the schema.
std::unique_ptr<Connection> open_postgres(const std::string& location, const OpenOptions& options,
                                          MigrationReport& report);
/// Store::check on PostgreSQL: the schema version, the rules' triggers, and the row counts.
CheckReport check_postgres(Connection& connection);

/// The SQLite connection of a store opened on a file (call only where engine() says so).
SqliteConnection& sqlite_of(Connection& db);

/// After a client's rows were deleted (and committed): removes the engine's leftover copies of
/// them. False when a copy may stay until the engine's next clean-up (see Store::erase_client).
bool purge_erased(Connection& db);

/// True when `file` (of `size` bytes) starts with SQLite's header; throws Error (io) when it
/// cannot be read.
bool has_sqlite_header(const std::filesystem::path& file, std::uintmax_t size);
/// The URI that opens `file` read-only without leaving side files or taking locks when no
/// connection has it open (no -wal file beside it).
std::string inspection_uri(const std::filesystem::path& file);

/// The current time in UTC as "YYYY-MM-DDTHH:MM:SSZ".
std::string now_utc();

/// A consistent copy of `source`'s main database into `destination` (which must not exist),
/// written under a temporary name and renamed when complete.
void backup_database(sqlite3* source, const std::filesystem::path& source_file,
                     const std::filesystem::path& destination);

}  // namespace detail
}  // namespace pigmatch::store
