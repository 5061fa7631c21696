// Fixtures for the store tests: temporary folders, raw SQLite access (to look at a file the way
// another program would, independent of pigmatch's store code) and sample records.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "pigmatch/store/store.h"

namespace pigmatch::test {

/// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pigmatch-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A plain sqlite3 connection for the tests' own queries.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path, int flags = SQLITE_OPEN_READWRITE) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      throw std::runtime_error("cannot open " + path.string() + ": " + message);
    }
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close(db_); }
  sqlite3* handle() const { return db_; }

  /// Runs SQL; returns SQLite's result code and leaves the message in `error`.
  int exec(const std::string& sql, std::string* error = nullptr) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (error != nullptr)
      *error = message != nullptr ? message : "";
    sqlite3_free(message);
    return rc;
  }
  /// Every row of a query as text cells.
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("bad test query: ") + sqlite3_errmsg(db_));
    }
    std::vector<std::vector<std::string>> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row.emplace_back(text != nullptr ? text : "NULL");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string scalar(const std::string& sql) {
    const auto r = rows(sql);
    return r.empty() || r[0].empty() ? std::string() : r[0][0];
  }

 private:
  sqlite3* db_ = nullptr;
};

inline store::Formula sample_formula(store::Id client, const Lab& target,
                                     std::string lot = "LOT-A1") {
  store::Formula f;
  f.client_id = client;
  f.region = "crown";
  f.target = target;
  f.predicted = {target.L + 0.4, target.a - 0.1, target.b + 0.2};
  f.delta_e00 = 0.5;
  f.model = "km-single";
  f.catalog = "demo-smp";
  f.components = {{"Acme Pigments", "SMP-1", std::move(lot), 3, 0.15},
                  {"Acme Pigments", "DIL", "", 9, 0.45}};
  f.notes = "first mix";
  return f;
}

/// A client with a visit, a consent, a skin measurement and a formula of `target` in that visit
/// (sample_formula). With `stamp` every time is that one (exports then compare byte for byte);
/// without, the store sets them.
inline store::Id add_sample_client(store::Store& store, const std::string& name,
                                   const Lab& target = {38, 2, 6}, const std::string& stamp = "") {
  store::Client c;
  c.name = name;
  c.birth_date = "1984-06-02";
  c.phone = "+44 20 7946 0000";
  c.notes = "scar on the left temple";
  c.created_at = stamp;
  const store::Id id = store.add_client(c);
  store::Visit v;
  v.client_id = id;
  v.kind = store::VisitKind::initial;
  v.date = "2021-04-12";
  v.area = "crown " + name;
  v.practitioner = "Sam Ortiz";
  v.needle = "3RL 0.25";
  const store::Id visit = store.add_visit(v);
  store.add_consent({0, id, "treatment", "2021-04-12", name});
  store::Measurement m;
  m.client_id = id;
  m.visit_id = visit;
  m.kind = store::MeasurementKind::skin;
  m.region = "crown";
  m.lab = {62.5, 11.25, 17.5};
  m.calibration_de00 = 1.25;
  m.uncertainty_de00 = 1.75;
  m.photo_path = "/photos/" + name + ".jpg";
  m.photo_sha256 = std::string(64, 'a');
  m.taken_at = stamp;
  store.add_measurement(m);
  store::Formula f = sample_formula(id, target);
  f.visit_id = visit;
  f.created_at = stamp;
  store.save_formula(f);
  return id;
}

}  // namespace pigmatch::test
