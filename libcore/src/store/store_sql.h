// The store's records are written once, in SQL that SQLite and PostgreSQL both read; this is the
// small interface they are written against. Each engine supplies a Connection (store_sqlite.h,
// store_postgres.h). Statements take only bound parameters, written `?` or `?N` (SQLite's
// spelling; the PostgreSQL connection renumbers them as `$N`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pigmatch/store/store.h"

namespace pigmatch::store::detail {

enum class Engine { sqlite, postgresql };

/// One prepared statement of an engine: what Statement forwards to.
class StatementBackend {
 public:
  StatementBackend() = default;
  StatementBackend(const StatementBackend&) = delete;
  StatementBackend& operator=(const StatementBackend&) = delete;
  virtual ~StatementBackend() = default;

  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_real(int index, double value) = 0;
  /// `copy` false: the text stays alive until reset() (the bulk paths' zero-copy bind).
  virtual void bind_text(int index, std::string_view value, bool copy) = 0;
  virtual void bind_null(int index) = 0;
  /// Runs the statement the first time and moves to the next row: true when one is available.
  virtual bool step() = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual bool is_null(int column) const = 0;
  /// Ready to run again, with no parameters bound.
  virtual void reset() noexcept = 0;
};

/// A prepared statement borrowed from its connection's cache; reset and unbound when it goes out
/// of scope.
class Statement {
 public:
  explicit Statement(StatementBackend& backend) : backend_(&backend) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { backend_->reset(); }

  Statement& bind(int index, std::int64_t value) {
    backend_->bind_int64(index, value);
    return *this;
  }
  Statement& bind(int index, double value) {
    backend_->bind_real(index, value);
    return *this;
  }
  Statement& bind(int index, std::string_view value) {
    backend_->bind_text(index, value, true);
    return *this;
  }
  /// Binds NULL for an empty string (optional text columns).
  Statement& bind_text_or_null(int index, std::string_view value) {
    return value.empty() ? bind_null(index) : bind(index, value);
  }
  /// Binds without copying: `value` must stay alive until this Statement goes out of scope
  /// (its destructor unbinds). For the bulk paths, where copying every text costs.
  Statement& bind_static(int index, std::string_view value) {
    backend_->bind_text(index, value, false);
    return *this;
  }
  Statement& bind_static_or_null(int index, std::string_view value) {
    return value.empty() ? bind_null(index) : bind_static(index, value);
  }
  Statement& bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  Statement& bind(int index, const std::optional<double>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  Statement& bind_null(int index) {
    backend_->bind_null(index);
    return *this;
  }

  /// Steps once: true when a row is available, false when done.
  bool step() { return backend_->step(); }
  /// Steps to completion (a statement that returns no rows).
  void run() {
    while (step()) {
    }
  }
  /// The first column of the first row as an integer: the id an INSERT … RETURNING id gives.
  std::int64_t returned_id();

  std::int64_t int64(int column) const { return backend_->int64(column); }
  double real(int column) const { return backend_->real(column); }
  std::string text(int column) const { return backend_->text(column); }
  bool is_null(int column) const { return backend_->is_null(column); }
  std::optional<std::int64_t> optional_int64(int column) const {
    return is_null(column) ? std::nullopt : std::optional<std::int64_t>(int64(column));
  }
  std::optional<double> optional_real(int column) const {
    return is_null(column) ? std::nullopt : std::optional<double>(real(column));
  }

 private:
  StatementBackend* backend_;
};

/// One connection to a store, of either engine.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() = default;

  virtual Engine engine() const noexcept = 0;
  /// The database as messages name it: a file, or a server location without its password.
  virtual const std::string& name() const noexcept = 0;

  /// Runs one or more statements with no parameters (DDL, BEGIN/COMMIT).
  virtual void exec(const char* sql, std::string_view doing) = 0;
  /// The cached prepared statement for `sql`, a string literal (the cache keys on its address).
  virtual Statement prepare(const char* sql) = 0;

  /// Starts the write transaction of one public store call (see Transaction).
  virtual void begin_write() = 0;
  virtual void commit() = 0;
  /// Never throws: called while an exception unwinds.
  virtual void rollback() noexcept = 0;

  /// The first column of the first row of a parameterless query.
  std::int64_t query_int(const char* sql) {
    Statement statement = prepare(sql);
    return statement.step() ? statement.int64(0) : 0;
  }
  std::string query_text(const char* sql) {
    Statement statement = prepare(sql);
    return statement.step() ? statement.text(0) : std::string();
  }
};

inline std::int64_t Statement::returned_id() {
  if (!step())
    throw Error(ErrorCode::io, "the database stored a row but gave back no id");
  const std::int64_t id = int64(0);
  run();
  return id;
}

/// A write refused only because a concurrent one got there first (PostgreSQL's serialization
/// failure or deadlock): running it again from the start is the remedy (see in_write_transaction
/// in store.cpp). A BusyError, so what reaches the caller after the retries is the busy message.
class ConflictError : public BusyError {
 public:
  using BusyError::BusyError;
};

/// One write transaction; rolls back when destroyed uncommitted (an exception unwound it).
/// SQLite takes the write lock up front (BEGIN IMMEDIATE), so a busy file fails before any work;
/// PostgreSQL runs it SERIALIZABLE, so two rooms' concurrent writes either both hold or one is
/// refused as a conflict, never silently merged.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) {
    connection_.begin_write();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_)
      connection_.rollback();
  }
  void commit() {
    connection_.commit();
    open_ = false;
  }

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace pigmatch::store::detail
