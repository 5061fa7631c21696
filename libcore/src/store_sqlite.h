// A thin RAII layer over the SQLite C API for the store: a connection, cached prepared statements
// with bound parameters only, and the mapping of SQLite result codes to pigmatch errors.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pigmatch/store.h"

namespace pigmatch::store::detail {

/// Throws the pigmatch error for an SQLite failure `rc` on `db` (the file is named in the
/// message): BusyError, NotADatabaseError, or Error(io).
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::filesystem::path& file,
                               std::string_view doing);

/// A prepared statement borrowed from the cache; reset and unbound when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db, const std::filesystem::path* file)
      : stmt_(stmt), db_(db), file_(file) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  /// Binds NULL for an empty string (optional text columns).
  Statement& bind_text_or_null(int index, std::string_view value);
  /// Binds without copying: `value` must stay alive until this Statement goes out of scope
  /// (its destructor unbinds). For the bulk paths, where copying every text costs.
  Statement& bind_static(int index, std::string_view value);
  Statement& bind_static_or_null(int index, std::string_view value);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind(int index, const std::optional<double>& value);
  Statement& bind_null(int index);

  /// Steps once: true when a row is available, false when done.
  bool step();
  /// Steps to completion (a statement that returns no rows).
  void run();

  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::optional<std::int64_t> optional_int64(int column) const;
  std::optional<double> optional_real(int column) const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  const std::filesystem::path* file_;
};

/// One SQLite connection with its statement cache.
class Connection {
 public:
  /// Opens `file` with sqlite3_open_v2 `flags`; throws on failure (the handle is closed).
  Connection(const std::filesystem::path& file, int flags);
  /// Opens `name` (a path or, with SQLITE_OPEN_URI, a file: URI); messages name `file`.
  Connection(const std::string& name, int flags, const std::filesystem::path& file);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* handle() const noexcept { return db_; }
  const std::filesystem::path& file() const noexcept { return file_; }

  /// Runs one or more statements with no parameters (DDL, PRAGMA, BEGIN/COMMIT).
  void exec(const char* sql, std::string_view doing);
  /// The cached prepared statement for `sql` (compiled on first use).
  Statement prepare(const char* sql);
  /// The first column of the first row of a parameterless query, e.g. a PRAGMA.
  std::int64_t query_int(const char* sql);
  std::string query_text(const char* sql);
  /// The id of the last inserted row.
  std::int64_t last_insert_id() const noexcept { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

/// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed uncommitted (an exception unwound it).
/// IMMEDIATE takes the write lock up front, so a busy database fails here, before any work,
/// instead of deadlocking on a read-to-write upgrade.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace pigmatch::store::detail
