// The store's PostgreSQL engine: one libpq connection with prepared statements (bound parameters
// only, sent as text), and the mapping of server errors to pigmatch errors.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pigmatch/store/store.h"
#include "store/store_sql.h"

namespace pigmatch::store::detail {

/// The location as messages may show it: parsed by libpq and written back without a password.
/// Throws Error (invalid_argument) for a location libpq cannot parse or one that carries a
/// password (which belongs in ~/.pgpass or PGPASSWORD, never on a command line).
std::string server_display_name(const std::string& location);

class PostgresConnection;

/// A statement prepared on the server the first time it runs, with the types of that run's
/// parameters; later runs send every value as text, which the server reads as those types.
class PostgresStatement final : public StatementBackend {
 public:
  PostgresStatement(PostgresConnection& connection, std::string name, std::string sql);
  ~PostgresStatement() override;

  void bind_int64(int index, std::int64_t value) override;
  void bind_real(int index, double value) override;
  void bind_text(int index, std::string_view value, bool copy) override;
  void bind_null(int index) override;
  bool step() override;
  std::int64_t int64(int column) const override;
  double real(int column) const override;
  std::string text(int column) const override;
  bool is_null(int column) const override;
  void reset() noexcept override;

 private:
  void set(int index, std::optional<std::string> value, unsigned type);
  void execute();
  const char* cell(int column) const;

  PostgresConnection& connection_;
  std::string name_;
  std::string sql_;  // with $N placeholders
  bool prepared_ = false;
  std::vector<std::optional<std::string>> values_;
  std::vector<unsigned> types_;  // Oid of each parameter, 0 (unknown) for NULL
  PGresult* result_ = nullptr;
  int row_ = -1;
};

/// One connection to a PostgreSQL database.
class PostgresConnection final : public Connection {
 public:
  /// Connects to `location` (see is_server_location); throws Error (io) naming the server when
  /// it cannot be reached or refuses the login.
  PostgresConnection(const std::string& location, const OpenOptions& options);
  ~PostgresConnection() override;

  Engine engine() const noexcept override { return Engine::postgresql; }
  const std::string& name() const noexcept override { return name_; }
  PGconn* handle() const noexcept { return conn_; }

  void exec(const char* sql, std::string_view doing) override;
  Statement prepare(const char* sql) override;
  /// SERIALIZABLE: a write that raced another room's is refused (BusyError), never merged.
  void begin_write() override;
  void commit() override;
  void rollback() noexcept override;

  /// Throws the pigmatch error for a failed `result` (which it clears), or for a lost
  /// connection when `result` is null.
  [[noreturn]] void throw_failure(PGresult* result, std::string_view doing);

 private:
  PGconn* conn_ = nullptr;
  std::string name_;
  std::unordered_map<const char*, std::unique_ptr<PostgresStatement>> cache_;
  int next_statement_ = 0;
};

}  // namespace pigmatch::store::detail
