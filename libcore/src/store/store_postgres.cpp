#include "store/store_postgres.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstring>

namespace pigmatch::store::detail {
namespace {

// Parameter types the server is told at preparation (pg_type.h's OIDs, stable across versions).
constexpr unsigned int8_oid = 20;
constexpr unsigned float8_oid = 701;
constexpr unsigned text_oid = 25;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// SQLite's `?` and `?N` as PostgreSQL's `$N` (a bare `?` takes the next number, as in SQLite).
// The store's SQL has no `?` inside string literals, but they are skipped all the same.
std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  bool in_literal = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'')
      in_literal = !in_literal;
    if (c != '?' || in_literal) {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])) != 0)
      ++end;
    if (end > i + 1) {
      out += '$';
      out.append(sql.substr(i + 1, end - i - 1));
      i = end - 1;
    } else {
      out += fmt::format("${}", next++);
    }
  }
  return out;
}

std::string error_field(const PGresult* result, int field) {
  const char* value = result != nullptr ? PQresultErrorField(result, field) : nullptr;
  return value != nullptr ? value : "";
}

}  // namespace
}  // namespace pigmatch::store::detail

namespace pigmatch::store {

bool is_server_location(std::string_view location) {
  using detail::starts_with;
  if (starts_with(location, "postgresql://") || starts_with(location, "postgres://"))
    return true;
  // A libpq keyword/value string starts with one of its keywords and '='.
  static constexpr std::array<std::string_view, 9> keywords = {
      "host", "hostaddr", "port", "dbname", "user", "service", "sslmode", "options", "passfile"};
  for (const std::string_view keyword : keywords) {
    if (!starts_with(location, keyword))
      continue;
    std::size_t i = keyword.size();
    while (i < location.size() && location[i] == ' ')
      ++i;
    if (i < location.size() && location[i] == '=')
      return true;
  }
  return false;
}

}  // namespace pigmatch::store

namespace pigmatch::store::detail {

std::string server_display_name(const std::string& location) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(location.c_str(), &parse_error);
  if (options == nullptr) {
    std::string why = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the database location is not a PostgreSQL URI or connection string "
                            "({}); write it as postgresql://USER@HOST:PORT/DATABASE",
                            why));
  }
  // Shown in a fixed order, whatever the order written: where, then which database as whom.
  static constexpr std::array<std::string_view, 6> shown_keywords = {
      "host", "hostaddr", "port", "dbname", "user", "service"};
  std::array<std::string, shown_keywords.size()> shown_values;
  bool has_password = false;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0')
      continue;
    const std::string_view keyword = o->keyword;
    has_password = has_password || keyword == "password";
    for (std::size_t k = 0; k < shown_keywords.size(); ++k) {
      if (keyword == shown_keywords[k])
        shown_values[k] = o->val;
    }
  }
  std::string shown;
  for (std::size_t k = 0; k < shown_keywords.size(); ++k) {
    if (!shown_values[k].empty())
      shown += fmt::format("{}{}={}", shown.empty() ? "" : " ", shown_keywords[k], shown_values[k]);
  }
  PQconninfoFree(options);
  if (has_password) {
    throw Error(ErrorCode::invalid_argument,
                "the database location carries a password, which would show in the process list "
                "and the shell's history; remove it and put it in ~/.pgpass (or PGPASSWORD) "
                "instead");
  }
  return shown.empty() ? std::string("the default PostgreSQL database") : "postgresql: " + shown;
}

// ---- PostgresStatement ------------------------------------------------------------------------

PostgresStatement::PostgresStatement(PostgresConnection& connection, std::string name,
                                     std::string sql)
    : connection_(connection), name_(std::move(name)), sql_(std::move(sql)) {}

PostgresStatement::~PostgresStatement() {
  PQclear(result_);
}

void PostgresStatement::set(int index, std::optional<std::string> value, unsigned type) {
  if (index < 1) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("parameter {} of a query: numbers start at 1", index));
  }
  const auto at = static_cast<std::size_t>(index - 1);
  if (values_.size() <= at) {
    values_.resize(at + 1);
    types_.resize(at + 1, 0);
  }
  values_[at] = std::move(value);
  types_[at] = type;
}

void PostgresStatement::bind_int64(int index, std::int64_t value) {
  set(index, fmt::format("{}", value), int8_oid);
}

void PostgresStatement::bind_real(int index, double value) {
  // fmt's shortest form reads back as the same double.
  set(index, fmt::format("{}", value), float8_oid);
}

void PostgresStatement::bind_text(int index, std::string_view value, bool /*copy*/) {
  set(index, std::string(value), text_oid);
}

void PostgresStatement::bind_null(int index) {
  set(index, std::nullopt, 0);
}

void PostgresStatement::execute() {
  PGconn* conn = connection_.handle();
  if (!prepared_) {
    PGresult* prepared = PQprepare(conn, name_.c_str(), sql_.c_str(),
                                   static_cast<int>(types_.size()), types_.data());
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK)
      connection_.throw_failure(prepared, "preparing a query");
    PQclear(prepared);
    prepared_ = true;
  }
  std::vector<const char*> values(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i)
    values[i] = values_[i] ? values_[i]->c_str() : nullptr;
  PQclear(result_);
  result_ = PQexecPrepared(conn, name_.c_str(), static_cast<int>(values.size()), values.data(),
                           nullptr, nullptr, 0);
  const ExecStatusType status = PQresultStatus(result_);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PGresult* failed = result_;
    result_ = nullptr;
    connection_.throw_failure(failed, "running a query");
  }
  row_ = -1;
}

bool PostgresStatement::step() {
  if (result_ == nullptr)
    execute();
  ++row_;
  return row_ < PQntuples(result_);
}

const char* PostgresStatement::cell(int column) const {
  if (result_ == nullptr || row_ < 0 || row_ >= PQntuples(result_) || column < 0 ||
      column >= PQnfields(result_)) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("column {} of a query read outside its rows", column));
  }
  return PQgetvalue(result_, row_, column);
}

std::int64_t PostgresStatement::int64(int column) const {
  const char* value = cell(column);
  // Booleans (EXISTS …) come as 't' and 'f'.
  if (std::strcmp(value, "t") == 0)
    return 1;
  if (std::strcmp(value, "f") == 0)
    return 0;
  std::int64_t out = 0;
  const char* end = value + std::strlen(value);
  if (std::from_chars(value, end, out).ptr != end) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: the server gave '{}' where an integer belongs", connection_.name(),
                            value));
  }
  return out;
}

double PostgresStatement::real(int column) const {
  const char* value = cell(column);
  double out = 0;
  const char* end = value + std::strlen(value);
  if (std::from_chars(value, end, out).ptr != end) {
    throw Error(ErrorCode::corrupt_data, fmt::format("{}: the server gave '{}' where a number "
                                                     "belongs",
                                                     connection_.name(), value));
  }
  return out;
}

std::string PostgresStatement::text(int column) const {
  const char* value = cell(column);
  return {value, static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

bool PostgresStatement::is_null(int column) const {
  cell(column);
  return PQgetisnull(result_, row_, column) != 0;
}

void PostgresStatement::reset() noexcept {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  for (auto& value : values_)
    value.reset();
}

// ---- PostgresConnection -----------------------------------------------------------------------

PostgresConnection::PostgresConnection(const std::string& location, const OpenOptions& options)
    : name_(server_display_name(location)) {
  const std::array<const char*, 4> keywords = {"dbname", "fallback_application_name",
                                               "client_encoding", nullptr};
  const std::array<const char*, 4> values = {location.c_str(), "pigmatch", "UTF8", nullptr};
  conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error(ErrorCode::io,
                fmt::format("{}: cannot connect to the PostgreSQL server ({}); check that it runs "
                            "and that the host, port, database and user are right (a password "
                            "goes in ~/.pgpass or PGPASSWORD)",
                            name_, why));
  }
  // The server's notices (e.g. "relation exists, skipping") are not for the person at the
  // command line; libpq would print them on stderr.
  PQsetNoticeProcessor(
      conn_, [](void* /*unused*/, const char* /*notice*/) {}, nullptr);
  // A write that waits for another's lock gives up as SQLite's busy timeout does.
  exec(fmt::format("SET lock_timeout = {}", std::max(options.busy_timeout_ms, 1)).c_str(),
       "configuring the connection");
}

PostgresConnection::~PostgresConnection() {
  cache_.clear();
  PQfinish(conn_);
}

void PostgresConnection::throw_failure(PGresult* result, std::string_view doing) {
  const std::string state = error_field(result, PG_DIAG_SQLSTATE);
  std::string message = error_field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) {
    message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
  }
  const bool no_result = result == nullptr;
  PQclear(result);
  // No SQLSTATE: libpq's own failure, not the server's answer — in practice the connection.
  const bool lost = PQstatus(conn_) != CONNECTION_OK || starts_with(state, "08") ||
                    starts_with(state, "57P") || no_result || state.empty();
  if (lost) {
    throw Error(ErrorCode::io,
                fmt::format("{}: the connection to the server was lost while {} ({}); the server "
                            "keeps a write whole or drops it, so nothing is half-written. Check "
                            "the server and the network, then look whether the last change is "
                            "there before repeating it",
                            name_, doing, message));
  }
  const std::string busy = fmt::format(
      "{}: another pigmatch changed the same records at the same moment ({}); "
      "nothing of this change was saved, try again",
      name_, message);
  if (state == "40001" || state == "40P01")
    throw ConflictError(ErrorCode::busy, busy);
  if (state == "55P03")
    throw BusyError(ErrorCode::busy, busy);
  if (starts_with(state, "23") || state == "P0001") {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: {} was refused: {}", name_, doing, message));
  }
  if (state == "42501") {
    throw Error(ErrorCode::io,
                fmt::format("{}: {} is not allowed for this database user ({}); ask the studio's "
                            "database owner for access",
                            name_, doing, message));
  }
  if (state == "53100") {
    throw Error(
        ErrorCode::io,
        fmt::format("{}: the server's disk is full while {}; nothing was saved", name_, doing));
  }
  throw Error(ErrorCode::io, fmt::format("{}: {} failed: {}", name_, doing, message));
}

void PostgresConnection::exec(const char* sql, std::string_view doing) {
  PGresult* result = PQexec(conn_, sql);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw_failure(result, doing);
  PQclear(result);
}

Statement PostgresConnection::prepare(const char* sql) {
  auto found = cache_.find(sql);
  if (found == cache_.end()) {
    auto statement = std::make_unique<PostgresStatement>(
        *this, fmt::format("pigmatch_{}", next_statement_++), numbered_placeholders(sql));
    found = cache_.emplace(sql, std::move(statement)).first;
  }
  return Statement(*found->second);
}

void PostgresConnection::begin_write() {
  exec("BEGIN ISOLATION LEVEL SERIALIZABLE", "starting a write");
}

void PostgresConnection::commit() {
  exec("COMMIT", "saving");
}

void PostgresConnection::rollback() noexcept {
  PQclear(PQexec(conn_, "ROLLBACK"));
}

}  // namespace pigmatch::store::detail
