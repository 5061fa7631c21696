#include "store/store_sqlite.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <limits>

namespace pigmatch::store::detail {

void throw_sqlite(sqlite3* db, int rc, const std::filesystem::path& file, std::string_view doing) {
  const int primary = rc & 0xff;
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    throw BusyError(ErrorCode::busy,
                    fmt::format("{}: database busy: another pigmatch is writing to it and did not "
                                "finish within the wait; nothing was saved, try again in a moment",
                                file.string()));
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    throw NotADatabaseError(
        ErrorCode::corrupt_data,
        fmt::format("{}: the database is damaged ({} while {}); it was not changed. Restore a "
                    "backup ('pigmatch db backup' copies) or run 'pigmatch db check'",
                    file.string(), detail, doing));
  }
  if (primary == SQLITE_CONSTRAINT) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: {} was refused: {}", file.string(), doing, detail));
  }
  // SQLite reports a write that the system refused as an I/O error; errno says whether the disk
  // was full (ENOSPC, or EFBIG past a file-size limit) or read-only, which the person can fix.
  const int system_error = db != nullptr && primary == SQLITE_IOERR ? sqlite3_system_errno(db) : 0;
  if (primary == SQLITE_FULL || system_error == ENOSPC || system_error == EFBIG ||
      system_error == EDQUOT) {
    throw Error(ErrorCode::io, fmt::format("{}: the disk is full while {}; nothing was saved. Free "
                                           "some space and try again",
                                           file.string(), doing));
  }
  if (primary == SQLITE_READONLY || system_error == EROFS) {
    throw Error(ErrorCode::io, fmt::format("{}: the database is read-only while {} ({}); nothing "
                                           "was saved. Check the file's permissions and that its "
                                           "disk is not mounted read-only",
                                           file.string(), doing, detail));
  }
  if (primary == SQLITE_IOERR) {
    // errno is not always the write's own (SQLite makes other calls before it returns), but a
    // failed write is nearly always a full or read-only disk, which the person can fix.
    throw Error(ErrorCode::io, fmt::format("{}: the disk refused a write while {} ({}); nothing "
                                           "was saved. Check that the disk has free space and is "
                                           "writable, then try again",
                                           file.string(), doing, detail));
  }
  if (primary == SQLITE_CANTOPEN || primary == SQLITE_PERM) {
    throw Error(ErrorCode::io, fmt::format("{}: cannot open the database while {} ({}); check the "
                                           "path and its permissions",
                                           file.string(), doing, detail));
  }
  throw Error(ErrorCode::io, fmt::format("{}: {} failed: {}", file.string(), doing, detail));
}

// ---- SqliteStatement ------------------------------------------------------------------------

void SqliteStatement::bind_text(int index, std::string_view value, bool copy) {
  // SQLITE_TRANSIENT: SQLite copies, so the caller's string may die before step(). An empty
  // string_view may have a null data(), which SQLite would bind as NULL rather than ''.
  const char* data = value.data() != nullptr ? value.data() : "";
  sqlite3_bind_text64(stmt_, index, data, value.size(), copy ? SQLITE_TRANSIENT : SQLITE_STATIC,
                      SQLITE_UTF8);
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  throw_sqlite(db_, rc, *file_, "running a query");
}

std::string SqliteStatement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (data == nullptr)
    return {};
  return {data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

// ---- Connection -----------------------------------------------------------------------------

SqliteConnection::SqliteConnection(const std::filesystem::path& file, int flags)
    : SqliteConnection(file.string(), flags, file) {}

SqliteConnection::SqliteConnection(const std::string& name, int flags,
                                   const std::filesystem::path& file)
    : file_(file), name_(file.string()) {
  const int rc = sqlite3_open_v2(name.c_str(), &db_, flags | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (rc != SQLITE_OK) {
    const std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    // SQLite's errno is not the open's by now; the file system says whether it is read-only.
    struct statvfs disk {};
    const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : ".";
    if (::statvfs(folder.c_str(), &disk) == 0 && (disk.f_flag & ST_RDONLY) != 0) {
      throw Error(ErrorCode::io, fmt::format("{}: cannot create or open the file: the disk is "
                                             "mounted read-only ({}); use a writable disk",
                                             file.string(), detail));
    }
    throw Error(ErrorCode::io, fmt::format("{}: cannot open the database ({}); check the path and "
                                           "its permissions",
                                           file.string(), detail));
  }
  sqlite3_extended_result_codes(db_, 1);
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void SqliteConnection::exec(const char* sql, std::string_view doing) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    throw_sqlite(db_, rc, file_, doing);
}

Statement SqliteConnection::prepare(const char* sql) {
  auto found = cache_.find(sql);
  if (found == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
      throw_sqlite(db_, rc, file_, "preparing a query");
    found = cache_.emplace(sql, std::make_unique<SqliteStatement>(stmt, db_, &file_)).first;
  }
  return Statement(*found->second);
}

}  // namespace pigmatch::store::detail
