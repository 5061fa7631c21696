// The store's SQLite engine: a connection with cached prepared statements (bound parameters
// only), and the mapping of SQLite result codes to pigmatch errors.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pigmatch/store/store.h"
#include "store/store_sql.h"

namespace pigmatch::store::detail {

/// Throws the pigmatch error for an SQLite failure `rc` on `db` (the file is named in the
/// message): BusyError, NotADatabaseError, or Error(io).
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, const std::filesystem::path& file,
                               std::string_view doing);

/// A prepared SQLite statement, owned by its connection's cache.
class SqliteStatement final : public StatementBackend {
 public:
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db, const std::filesystem::path* file)
      : stmt_(stmt), db_(db), file_(file) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void bind_int64(int index, std::int64_t value) override {
    sqlite3_bind_int64(stmt_, index, value);
  }
  void bind_real(int index, double value) override { sqlite3_bind_double(stmt_, index, value); }
  void bind_text(int index, std::string_view value, bool copy) override;
  void bind_null(int index) override { sqlite3_bind_null(stmt_, index); }
  bool step() override;
  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const override;
  bool is_null(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  void reset() noexcept override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  const std::filesystem::path* file_;
};

/// One SQLite connection with its statement cache.
class SqliteConnection final : public Connection {
 public:
  /// Opens `file` with sqlite3_open_v2 `flags`; throws on failure (the handle is closed).
  SqliteConnection(const std::filesystem::path& file, int flags);
  /// Opens `name` (a path or, with SQLITE_OPEN_URI, a file: URI); messages name `file`.
  SqliteConnection(const std::string& name, int flags, const std::filesystem::path& file);
  ~SqliteConnection() override;

  Engine engine() const noexcept override { return Engine::sqlite; }
  const std::string& name() const noexcept override { return name_; }
  sqlite3* handle() const noexcept { return db_; }
  const std::filesystem::path& file() const noexcept { return file_; }

  void exec(const char* sql, std::string_view doing) override;
  Statement prepare(const char* sql) override;
  /// BEGIN IMMEDIATE: the write lock up front, so a busy database fails here, before any work,
  /// instead of deadlocking on a read-to-write upgrade.
  void begin_write() override { exec("BEGIN IMMEDIATE", "starting a write"); }
  void commit() override { exec("COMMIT", "saving"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  std::string name_;
  // Keyed by the literal's address. Destroyed (finalised) before the connection closes.
  std::unordered_map<const char*, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace pigmatch::store::detail
