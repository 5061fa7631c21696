// The records: clients, visits, consents, measurements, formulas and lots. Each public write is
// one transaction; every value reaches SQLite as a bound parameter.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_set>

#include "pigmatch/plugin_host/plugin_host.h"
#include "store/store_internal.h"
#include "store/store_rules.h"

namespace pigmatch::store {
namespace {

using detail::invalid;
using detail::require_lab;
using detail::require_text;
using detail::Statement;
using detail::Transaction;
using detail::validate;

// How often a write refused by a serialization conflict is run before the refusal reaches the
// caller, and the spread of the random pause before a retry (which grows with each attempt).
constexpr int write_attempts = 6;
constexpr int max_backoff_ms = 40;

// Runs `work` in one write transaction and commits it. On a server, SERIALIZABLE transactions
// that ran beside each other may be refused even when they touched different clients (the
// server's conflict detection works on index pages, not rows); PostgreSQL's manual prescribes
// running them again. A write that really conflicts (two rooms correcting the same version)
// then meets the other's row and is refused by its own check, with its own message. `work`
// must read and write only through `db`, so that a retry starts from nothing.
template <typename Work>
auto write(detail::Connection& db, Work&& work) {
  std::minstd_rand jitter(
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (int attempt = 1;; ++attempt) {
    try {
      Transaction transaction(db);
      if constexpr (std::is_void_v<decltype(work())>) {
        work();
        transaction.commit();
        return;
      } else {
        auto result = work();
        transaction.commit();
        return result;
      }
    } catch (const detail::ConflictError&) {
      if (attempt >= write_attempts)
        throw;
      // Apart in time, so the two do not collide again.
      const auto pause = static_cast<int>(jitter() % static_cast<unsigned>(max_backoff_ms)) + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(pause * attempt / 2 + 1));
    }
  }
}

std::string or_now(const std::string& stamp) {
  return stamp.empty() ? detail::now_utc() : stamp;
}

// ---- row readers ------------------------------------------------------------------------------

Client read_client(const Statement& s) {
  return {s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)};
}

Visit read_visit(const Statement& s, int first = 0) {
  Visit v;
  v.id = s.int64(first);
  v.client_id = s.int64(first + 1);
  v.kind = parse_visit_kind(s.text(first + 2));
  v.date = s.text(first + 3);
  v.area = s.text(first + 4);
  v.practitioner = s.text(first + 5);
  v.needle = s.text(first + 6);
  v.notes = s.text(first + 7);
  return v;
}

Measurement read_measurement(const Statement& s) {
  Measurement m;
  m.id = s.int64(0);
  m.client_id = s.int64(1);
  m.visit_id = s.optional_int64(2);
  m.kind = parse_measurement_kind(s.text(3));
  m.region = s.text(4);
  m.lab = {s.real(5), s.real(6), s.real(7)};
  m.calibration_de00 = s.optional_real(8);
  m.photo_path = s.text(9);
  m.photo_sha256 = s.text(10);
  m.taken_at = s.text(11);
  m.uncertainty_de00 = s.optional_real(12);
  return m;
}

// The formula columns, in the order read_formula expects.
#define PIGMATCH_FORMULA_COLUMNS                                                              \
  "f.id, f.client_id, f.visit_id, f.replaces, f.region, f.target_L, f.target_a, f.target_b, " \
  "f.model, f.catalog, f.predicted_L, f.predicted_a, f.predicted_b, f.delta_e00, f.notes, "   \
  "f.created_at"
constexpr int formula_column_count = 16;

Formula read_formula(const Statement& s) {
  Formula f;
  f.id = s.int64(0);
  f.client_id = s.int64(1);
  f.visit_id = s.optional_int64(2);
  f.replaces = s.optional_int64(3);
  f.region = s.text(4);
  f.target = {s.real(5), s.real(6), s.real(7)};
  f.model = s.text(8);
  f.catalog = s.text(9);
  f.predicted = {s.real(10), s.real(11), s.real(12)};
  f.delta_e00 = s.real(13);
  f.notes = s.text(14);
  f.created_at = s.text(15);
  return f;
}

Component read_component(const Statement& s, int first) {
  return {s.text(first), s.text(first + 1), s.text(first + 2), s.real(first + 3),
          s.real(first + 4)};
}

// Rows of a formulas-LEFT-JOIN-components query, ordered by formula then position, folded into
// formulas with their components.
std::vector<Formula> read_formulas_with_components(Statement& s) {
  std::vector<Formula> formulas;
  while (s.step()) {
    if (formulas.empty() || formulas.back().id != s.int64(0))
      formulas.push_back(read_formula(s));
    if (!s.is_null(formula_column_count)) {
      formulas.back().components.push_back(read_component(s, formula_column_count));
    }
  }
  return formulas;
}

[[noreturn]] void throw_not_found(std::string_view what, Id id) {
  const std::string_view where = what == "client" ? "'pigmatch client list' lists them"
                                                  : "'pigmatch client show CLIENT' lists them";
  throw Error(ErrorCode::not_found,
              fmt::format("there is no {} {} in this database; {}", what, id, where));
}

}  // namespace

// ---- kinds --------------------------------------------------------------------------------------

std::string_view to_string(VisitKind kind) noexcept {
  switch (kind) {
    case VisitKind::initial:
      return "initial";
    case VisitKind::second:
      return "second";
    case VisitKind::touchup:
      return "touchup";
    case VisitKind::camouflage:
      return "camouflage";
  }
  return "initial";
}

std::string_view to_string(MeasurementKind kind) noexcept {
  switch (kind) {
    case MeasurementKind::skin:
      return "skin";
    case MeasurementKind::hair:
      return "hair";
    case MeasurementKind::healed:
      return "healed";
  }
  return "skin";
}

VisitKind parse_visit_kind(std::string_view text) {
  for (VisitKind k :
       {VisitKind::initial, VisitKind::second, VisitKind::touchup, VisitKind::camouflage}) {
    if (to_string(k) == text)
      return k;
  }
  invalid(fmt::format("visit kind '{}' is not one of initial, second, touchup, camouflage", text));
}

MeasurementKind parse_measurement_kind(std::string_view text) {
  for (MeasurementKind k :
       {MeasurementKind::skin, MeasurementKind::hair, MeasurementKind::healed}) {
    if (to_string(k) == text)
      return k;
  }
  invalid(fmt::format("measurement kind '{}' is not one of skin, hair, healed", text));
}

std::filesystem::path default_database_path() {
  if (const char* env = std::getenv("PIGMATCH_DB"); env != nullptr && *env != '\0')
    return env;
  const std::filesystem::path data = user_data_directory();
  if (data.empty()) {
    throw Error(ErrorCode::not_found,
                "no database location: HOME is not set; give the database with --db FILE or "
                "PIGMATCH_DB");
  }
  return data / "pigmatch.db";
}

// ---- clients
// --------------------------------------------------------------------------------------

namespace {

// A new client on SQLite takes the id after the highest ever given (schema v5), never an erased
// client's; PostgreSQL's trigger takes it from a sequence. (Literals: statements are cached by
// their text's address.)
const char* insert_client_sql(detail::Engine engine) noexcept {
  return engine == detail::Engine::sqlite
             ? "INSERT INTO clients (id, name, birth_date, phone, email, notes, created_at) "
               "VALUES (coalesce(?, (SELECT id + 1 FROM client_id_high_water)), ?, ?, ?, ?, ?, ?) "
               "RETURNING id"
             : "INSERT INTO clients (id, name, birth_date, phone, email, notes, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
}

Id insert_client(detail::Connection& db, const Client& c, std::optional<Id> id) {
  validate(c);
  Statement s = db.prepare(insert_client_sql(db.engine()));
  s.bind(1, id)
      .bind(2, c.name)
      .bind_text_or_null(3, c.birth_date)
      .bind_text_or_null(4, c.phone)
      .bind_text_or_null(5, c.email)
      .bind(6, c.notes)
      .bind(7, or_now(c.created_at));
  return s.returned_id();
}

Id insert_visit(detail::Connection& db, const Visit& v, std::optional<Id> id) {
  validate(v);
  Statement s = db.prepare(
      "INSERT INTO visits (id, client_id, kind, date, area, practitioner, needle, notes) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  s.bind(1, id)
      .bind(2, v.client_id)
      .bind(3, to_string(v.kind))
      .bind(4, v.date)
      .bind(5, v.area)
      .bind(6, v.practitioner)
      .bind(7, v.needle)
      .bind(8, v.notes);
  return s.returned_id();
}

Id insert_consent(detail::Connection& db, const Consent& c, std::optional<Id> id) {
  validate(c);
  Statement s = db.prepare(
      "INSERT INTO consents (id, client_id, kind, date, signed_by) VALUES (?, ?, ?, ?, ?) "
      "RETURNING id");
  s.bind(1, id).bind(2, c.client_id).bind(3, c.kind).bind(4, c.date).bind(5, c.signed_by);
  return s.returned_id();
}

Id insert_measurement(detail::Connection& db, const Measurement& m, std::optional<Id> id) {
  validate(m);
  Statement s = db.prepare(
      "INSERT INTO measurements (id, client_id, visit_id, kind, region, L, a, b, "
      "calibration_de00, photo_path, photo_sha256, taken_at, uncertainty_de00) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  s.bind(1, id)
      .bind(2, m.client_id)
      .bind(3, m.visit_id)
      .bind(4, to_string(m.kind))
      .bind(5, m.region)
      .bind(6, m.lab.L)
      .bind(7, m.lab.a)
      .bind(8, m.lab.b)
      .bind(9, m.calibration_de00)
      .bind_text_or_null(10, m.photo_path)
      .bind_text_or_null(11, m.photo_sha256)
      .bind(12, or_now(m.taken_at))
      .bind(13, m.uncertainty_de00);
  return s.returned_id();
}

void register_lot(detail::Connection& db, const Lot& lot) {
  Statement s = db.prepare(
      "INSERT INTO lots (vendor, code, lot, expiry) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (vendor, code, lot) DO UPDATE SET expiry = coalesce(excluded.expiry, "
      "lots.expiry)");
  s.bind(1, lot.vendor).bind(2, lot.code).bind(3, lot.lot).bind_text_or_null(4, lot.expiry);
  s.run();
}

void register_component_lot(detail::Connection& db, const Component& c) {
  Statement s =
      db.prepare("INSERT INTO lots (vendor, code, lot) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
  s.bind(1, c.vendor).bind(2, c.code).bind(3, c.lot);
  s.run();
}

void require_correctable(detail::Connection& db, const Formula& f) {
  if (!f.replaces)
    return;
  Statement s = db.prepare(
      "SELECT client_id, (SELECT id FROM formulas WHERE replaces = ?1) "
      "FROM formulas WHERE id = ?1");
  s.bind(1, *f.replaces);
  if (!s.step())
    throw_not_found("formula", *f.replaces);
  if (s.int64(0) != f.client_id) {
    invalid(
        fmt::format("formula {} belongs to client {}, not {}: a correction must replace a "
                    "formula of the same client",
                    *f.replaces, s.int64(0), f.client_id));
  }
  if (!s.is_null(1)) {
    invalid(fmt::format("formula {} was already corrected by formula {}; correct that one instead",
                        *f.replaces, s.int64(1)));
  }
}

// The lots registered in the current transaction: a bulk import names the same few lots again
// and again, and each INSERT … ON CONFLICT DO NOTHING is a B-tree search. A lot is (vendor, code,
// lot), hashed, and looked up by views of a component's strings.
struct LotKey {
  std::string vendor, code, lot;
};
struct LotView {
  std::string_view vendor, code, lot;
};
struct LotHash {
  using is_transparent = void;
  std::size_t operator()(const LotView& k) const noexcept {
    const std::hash<std::string_view> h;
    return h(k.vendor) ^ (h(k.code) * 31) ^ (h(k.lot) * 1009);
  }
  std::size_t operator()(const LotKey& k) const noexcept {
    return (*this)(LotView{k.vendor, k.code, k.lot});
  }
};
struct LotEqual {
  using is_transparent = void;
  static LotView view(const LotKey& k) noexcept { return {k.vendor, k.code, k.lot}; }
  static LotView view(const LotView& k) noexcept { return k; }
  template <typename X, typename Y>
  bool operator()(const X& x, const Y& y) const noexcept {
    const LotView a = view(x), b = view(y);
    return a.lot == b.lot && a.code == b.code && a.vendor == b.vendor;
  }
};
using LotKeys = std::unordered_set<LotKey, LotHash, LotEqual>;

// True the first time this transaction sees the lot (then remembered). Hashed, and looked up
// without copying the strings: an ordered set of string triples was a tenth of a bulk import.
bool first_sight(LotKeys* registered, const Component& c) {
  if (registered == nullptr)
    return true;
  if (registered->find(LotView{c.vendor, c.code, c.lot}) != registered->end())
    return false;
  registered->insert(LotKey{c.vendor, c.code, c.lot});
  return true;
}

Id insert_formula(detail::Connection& db, const Formula& f, std::optional<Id> id,
                  LotKeys* registered = nullptr) {
  validate(f);
  require_correctable(db, f);
  Id formula_id = 0;
  {
    Statement s = db.prepare(
        "INSERT INTO formulas (id, client_id, visit_id, replaces, region, target_L, target_a, "
        "target_b, model, catalog, predicted_L, predicted_a, predicted_b, delta_e00, notes, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    s.bind(1, id)
        .bind(2, f.client_id)
        .bind(3, f.visit_id)
        .bind(4, f.replaces)
        .bind_static(5, f.region)
        .bind(6, f.target.L)
        .bind(7, f.target.a)
        .bind(8, f.target.b)
        .bind_static(9, f.model)
        .bind_static(10, f.catalog)
        .bind(11, f.predicted.L)
        .bind(12, f.predicted.a)
        .bind(13, f.predicted.b)
        .bind(14, f.delta_e00)
        .bind_static(15, f.notes)
        .bind(16, or_now(f.created_at));
    formula_id = s.returned_id();
  }
  for (std::size_t i = 0; i < f.components.size(); ++i) {
    const Component& c = f.components[i];
    if (!c.lot.empty() && first_sight(registered, c))
      register_component_lot(db, c);
    Statement s = db.prepare(
        "INSERT INTO formula_components (formula_id, position, vendor, code, lot, drops, ml) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, formula_id)
        .bind(2, static_cast<std::int64_t>(i))
        .bind_static(3, c.vendor)
        .bind_static(4, c.code)
        .bind_static_or_null(5, c.lot)
        .bind(6, c.drops)
        .bind(7, c.ml);
    s.run();
  }
  return formula_id;
}

void require_client(detail::Connection& db, Id id) {
  Statement s = db.prepare("SELECT 1 FROM clients WHERE id = ?");
  s.bind(1, id);
  if (!s.step())
    throw_not_found("client", id);
}

void require_visit_of(detail::Connection& db, const std::optional<Id>& visit, Id client) {
  if (!visit)
    return;
  Statement s = db.prepare("SELECT client_id FROM visits WHERE id = ?");
  s.bind(1, *visit);
  if (!s.step())
    throw_not_found("visit", *visit);
  if (s.int64(0) != client) {
    invalid(
        fmt::format("visit {} belongs to client {}, not client {}", *visit, s.int64(0), client));
  }
}

}  // namespace

Id Store::add_client(const Client& client) {
  return write(impl_->db, [&] {
    const Id id = insert_client(
        impl_->db, detail::new_client(client, detail::latest_date_allowed()), std::nullopt);
    return id;
  });
}

void Store::update_client(const Client& client) {
  const Client c = detail::new_client(client, detail::latest_date_allowed());
  write(impl_->db, [&] {
    Statement s = impl_->db.prepare(
        "UPDATE clients SET name = ?, birth_date = ?, phone = ?, email = ?, notes = ? "
        "WHERE id = ? RETURNING id");
    s.bind(1, c.name)
        .bind_text_or_null(2, c.birth_date)
        .bind_text_or_null(3, c.phone)
        .bind_text_or_null(4, c.email)
        .bind(5, c.notes)
        .bind(6, c.id);
    if (!s.step())
      throw_not_found("client", c.id);
    s.run();
  });
}

Client Store::client(Id id) {
  Statement s = impl_->db.prepare(
      "SELECT id, name, coalesce(birth_date, ''), coalesce(phone, ''), coalesce(email, ''), "
      "notes, created_at FROM clients WHERE id = ?");
  s.bind(1, id);
  if (!s.step())
    throw_not_found("client", id);
  return read_client(s);
}

std::vector<Client> Store::clients(std::string_view name_part) {
  // instr() rather than LIKE: a '%' or '_' in the search text is not a wildcard.
  Statement s = impl_->db.prepare(
      "SELECT id, name, coalesce(birth_date, ''), coalesce(phone, ''), coalesce(email, ''), "
      "notes, created_at FROM clients WHERE ?1 = '' OR instr(lower(name), lower(?1)) > 0 "
      "ORDER BY lower(name), id");
  s.bind(1, name_part);
  std::vector<Client> out;
  while (s.step())
    out.push_back(read_client(s));
  return out;
}

ClientRecord Store::client_record(Id id) {
  detail::Connection& db = impl_->db;
  ClientRecord record;
  record.client = client(id);
  {
    Statement s = db.prepare(
        "SELECT id, client_id, kind, date, area, practitioner, needle, notes FROM visits "
        "WHERE client_id = ? ORDER BY date, id");
    s.bind(1, id);
    while (s.step())
      record.visits.push_back(read_visit(s));
  }
  {
    Statement s = db.prepare(
        "SELECT id, client_id, kind, date, signed_by FROM consents WHERE client_id = ? "
        "ORDER BY date, id");
    s.bind(1, id);
    while (s.step()) {
      record.consents.push_back({s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4)});
    }
  }
  {
    Statement s = db.prepare(
        "SELECT id, client_id, visit_id, kind, region, L, a, b, calibration_de00, "
        "coalesce(photo_path, ''), coalesce(photo_sha256, ''), taken_at, uncertainty_de00 "
        "FROM measurements "
        "WHERE client_id = ? ORDER BY id");
    s.bind(1, id);
    while (s.step())
      record.measurements.push_back(read_measurement(s));
  }
  record.formulas = formula_history(id);
  return record;
}

bool Store::erase_client(Id id) {
  detail::Connection& db = impl_->db;
  {
    write(db, [&] {
      require_client(db, id);
      const auto run = [&](const char* sql) {
        Statement s = db.prepare(sql);
        s.bind(1, id);
        s.run();
      };
      run("INSERT INTO erasing (client_id) VALUES (?)");
      run("DELETE FROM formula_components WHERE formula_id IN "
          "(SELECT id FROM formulas WHERE client_id = ?)");
      run("DELETE FROM formulas WHERE client_id = ?");
      run("DELETE FROM measurements WHERE client_id = ?");
      run("DELETE FROM consents WHERE client_id = ?");
      run("DELETE FROM visits WHERE client_id = ?");
      {
        // On a shared server the row may be visible here and still not this studio's to erase:
        // then nothing is deleted (the transaction is rolled back), never the client's records
        // without the client.
        Statement s = db.prepare("DELETE FROM clients WHERE id = ? RETURNING id");
        s.bind(1, id);
        if (!s.step()) {
          invalid(
              fmt::format("client {} belongs to another studio, which shares it with this one; "
                          "only the client's own studio (or an owner) can erase it; nothing "
                          "was erased",
                          id));
        }
        s.run();
      }
      run("DELETE FROM erasing WHERE client_id = ?");
    });
  }
  return detail::purge_erased(db);
}

Id Store::import_client(const ClientRecord& record, bool keep_ids) {
  detail::Connection& db = impl_->db;
  return write(db, [&] {
    const auto keep = [&](Id id) { return keep_ids ? std::optional<Id>(id) : std::nullopt; };
    const auto require_free = [&](const char* sql, std::string_view what, Id id) {
      if (!keep_ids)
        return;
      Statement s = db.prepare(sql);
      s.bind(1, id);
      if (s.step()) {
        invalid(
            fmt::format("{} {} already exists in this database; import with new ids instead "
                        "(pigmatch client import --renumber)",
                        what, id));
      }
    };
    require_free("SELECT 1 FROM clients WHERE id = ?", "client", record.client.id);
    const Id client_id = insert_client(db, record.client, keep(record.client.id));
    std::map<Id, Id> visit_ids, formula_ids;
    for (const Visit& v : record.visits) {
      require_free("SELECT 1 FROM visits WHERE id = ?", "visit", v.id);
      Visit copy = v;
      copy.client_id = client_id;
      visit_ids[v.id] = insert_visit(db, copy, keep(v.id));
    }
    const auto map_visit = [&](const std::optional<Id>& visit) -> std::optional<Id> {
      if (!visit)
        return std::nullopt;
      const auto found = visit_ids.find(*visit);
      if (found == visit_ids.end())
        invalid(fmt::format("the record names visit {} but has no such visit", *visit));
      return found->second;
    };
    for (const Consent& c : record.consents) {
      require_free("SELECT 1 FROM consents WHERE id = ?", "consent", c.id);
      Consent copy = c;
      copy.client_id = client_id;
      insert_consent(db, copy, keep(c.id));
    }
    for (const Measurement& m : record.measurements) {
      require_free("SELECT 1 FROM measurements WHERE id = ?", "measurement", m.id);
      Measurement copy = m;
      copy.client_id = client_id;
      copy.visit_id = map_visit(m.visit_id);
      insert_measurement(db, copy, keep(m.id));
    }
    std::vector<Formula> formulas = record.formulas;
    std::sort(formulas.begin(), formulas.end(),
              [](const Formula& x, const Formula& y) { return x.id < y.id; });
    for (const Formula& f : formulas) {
      require_free("SELECT 1 FROM formulas WHERE id = ?", "formula", f.id);
      Formula copy = f;
      copy.client_id = client_id;
      copy.visit_id = map_visit(f.visit_id);
      if (f.replaces) {
        const auto found = formula_ids.find(*f.replaces);
        if (found == formula_ids.end()) {
          invalid(fmt::format("formula {} replaces formula {}, which is not in the record", f.id,
                              *f.replaces));
        }
        copy.replaces = found->second;
      }
      formula_ids[f.id] = insert_formula(db, copy, keep(f.id));
    }
    return client_id;
  });
}

// ---- visits, consents, measurements -------------------------------------------------------------

Id Store::add_visit(const Visit& visit) {
  return write(impl_->db, [&] {
    require_client(impl_->db, visit.client_id);
    const Id id = insert_visit(impl_->db, detail::new_visit(visit, detail::latest_date_allowed()),
                               std::nullopt);
    return id;
  });
}

Id Store::add_consent(const Consent& consent) {
  return write(impl_->db, [&] {
    require_client(impl_->db, consent.client_id);
    const Id id = insert_consent(
        impl_->db, detail::new_consent(consent, detail::latest_date_allowed()), std::nullopt);
    return id;
  });
}

Id Store::add_measurement(const Measurement& measurement) {
  return write(impl_->db, [&] {
    require_client(impl_->db, measurement.client_id);
    require_visit_of(impl_->db, measurement.visit_id, measurement.client_id);
    const Id id = insert_measurement(impl_->db, measurement, std::nullopt);
    return id;
  });
}

std::vector<Id> Store::add_measurements(const std::vector<Measurement>& measurements) {
  return write(impl_->db, [&] {
    std::vector<Id> ids;
    for (const Measurement& m : measurements) {
      require_client(impl_->db, m.client_id);
      require_visit_of(impl_->db, m.visit_id, m.client_id);
      ids.push_back(insert_measurement(impl_->db, m, std::nullopt));
    }
    return ids;
  });
}

std::optional<Visit> Store::latest_visit(Id client_id) {
  Statement s = impl_->db.prepare(
      "SELECT id, client_id, kind, date, area, practitioner, needle, notes FROM visits "
      "WHERE client_id = ? ORDER BY date DESC, id DESC LIMIT 1");
  s.bind(1, client_id);
  if (!s.step())
    return std::nullopt;
  return read_visit(s);
}

std::optional<Measurement> Store::latest_measurement(Id client_id, MeasurementKind kind,
                                                     std::string_view region) {
  Statement s = impl_->db.prepare(
      "SELECT id, client_id, visit_id, kind, region, L, a, b, calibration_de00, "
      "coalesce(photo_path, ''), coalesce(photo_sha256, ''), taken_at, uncertainty_de00 "
      "FROM measurements "
      "WHERE client_id = ?1 AND kind = ?2 AND (?3 = '' OR region = ?3) "
      "ORDER BY taken_at DESC, id DESC LIMIT 1");
  s.bind(1, client_id).bind(2, to_string(kind)).bind(3, region);
  if (!s.step())
    return std::nullopt;
  return read_measurement(s);
}

// ---- formulas -----------------------------------------------------------------------------------

Id Store::save_formula(const Formula& formula) {
  return write(impl_->db, [&] {
    require_client(impl_->db, formula.client_id);
    require_visit_of(impl_->db, formula.visit_id, formula.client_id);
    const Id id = insert_formula(impl_->db, formula, std::nullopt);
    return id;
  });
}

namespace {

bool same_number(double x, double y) {
  return std::abs(x - y) <= 1e-9 * (1 + std::abs(x));
}

bool same_lab(const Lab& x, const Lab& y) {
  return same_number(x.L, y.L) && same_number(x.a, y.a) && same_number(x.b, y.b);
}

// The same recipe in the mixing cup and in the record's place: what save_formula_once keeps
// once. Notes, the prediction and the time are left out (a re-run may differ only there).
bool same_recipe(const Formula& x, const Formula& y) {
  const auto same_component = [](const Component& c, const Component& d) {
    return c.vendor == d.vendor && c.code == d.code && c.lot == d.lot &&
           same_number(c.drops, d.drops) && same_number(c.ml, d.ml);
  };
  return x.client_id == y.client_id && x.visit_id == y.visit_id && x.replaces == y.replaces &&
         x.region == y.region && x.model == y.model && x.catalog == y.catalog &&
         same_lab(x.target, y.target) &&
         std::equal(x.components.begin(), x.components.end(), y.components.begin(),
                    y.components.end(), same_component);
}

// The id of a measurement of the same photo, kind, region, visit and colour as `m`, if any.
std::optional<Id> stored_measurement_like(detail::Connection& db, const Measurement& m) {
  if (m.photo_sha256.empty())
    return std::nullopt;
  Statement s = db.prepare(
      "SELECT id, L, a, b FROM measurements WHERE client_id = ? AND coalesce(visit_id, 0) = ? "
      "AND kind = ? AND region = ? AND photo_sha256 = ? ORDER BY id");
  s.bind(1, m.client_id)
      .bind(2, m.visit_id.value_or(0))
      .bind(3, to_string(m.kind))
      .bind(4, m.region)
      .bind(5, m.photo_sha256);
  while (s.step()) {
    if (same_lab({s.real(1), s.real(2), s.real(3)}, m.lab))
      return s.int64(0);
  }
  return std::nullopt;
}

}  // namespace

SaveOutcome Store::save_formula_once(const Formula& formula) {
  return write(impl_->db, [&] {
    require_client(impl_->db, formula.client_id);
    require_visit_of(impl_->db, formula.visit_id, formula.client_id);
    for (const Formula& stored : formula_history(formula.client_id)) {
      if (same_recipe(stored, formula))
        return SaveOutcome{stored.id, false};
    }
    return SaveOutcome{insert_formula(impl_->db, formula, std::nullopt), true};
  });
}

std::vector<SaveOutcome> Store::add_measurements_once(
    const std::vector<Measurement>& measurements) {
  return write(impl_->db, [&] {
    std::vector<SaveOutcome> outcomes;
    for (const Measurement& m : measurements) {
      require_client(impl_->db, m.client_id);
      require_visit_of(impl_->db, m.visit_id, m.client_id);
      if (const std::optional<Id> stored = stored_measurement_like(impl_->db, m)) {
        outcomes.push_back({*stored, false});
      } else {
        outcomes.push_back({insert_measurement(impl_->db, m, std::nullopt), true});
      }
    }
    return outcomes;
  });
}

SavedTouchup Store::save_touchup(const Measurement& healed, const Formula& correction) {
  if (healed.client_id != correction.client_id) {
    invalid(fmt::format("the healed measurement is of client {} but the correction of client {}",
                        healed.client_id, correction.client_id));
  }
  if (!correction.replaces)
    invalid("a touch-up correction must name the formula it replaces");
  if (healed.kind != MeasurementKind::healed)
    invalid("a touch-up records a measurement of kind 'healed'");
  return write(impl_->db, [&] {
    require_client(impl_->db, healed.client_id);
    require_visit_of(impl_->db, healed.visit_id, healed.client_id);
    require_visit_of(impl_->db, correction.visit_id, correction.client_id);
    SavedTouchup saved;
    saved.measurement = insert_measurement(impl_->db, healed, std::nullopt);
    saved.formula = insert_formula(impl_->db, correction, std::nullopt);
    return saved;
  });
}

std::vector<Id> Store::save_formulas(const std::vector<Formula>& formulas) {
  return write(impl_->db, [&] {
    std::vector<Id> ids;
    ids.reserve(formulas.size());
    Id checked_client = 0;
    LotKeys registered;
    for (const Formula& f : formulas) {
      // Bulk files are usually grouped by client: check each client once per run of formulas.
      if (f.client_id != checked_client) {
        require_client(impl_->db, f.client_id);
        checked_client = f.client_id;
      }
      require_visit_of(impl_->db, f.visit_id, f.client_id);
      ids.push_back(insert_formula(impl_->db, f, std::nullopt, &registered));
    }
    return ids;
  });
}

Formula Store::formula(Id id) {
  Statement s = impl_->db.prepare(
      "SELECT " PIGMATCH_FORMULA_COLUMNS
      ", c.vendor, c.code, coalesce(c.lot, ''), c.drops, c.ml FROM formulas f "
      "LEFT JOIN formula_components c ON c.formula_id = f.id WHERE f.id = ? ORDER BY c.position");
  s.bind(1, id);
  std::vector<Formula> found = read_formulas_with_components(s);
  if (found.empty())
    throw_not_found("formula", id);
  return std::move(found.front());
}

std::vector<Formula> Store::formula_history(Id client_id) {
  Statement s = impl_->db.prepare(
      "SELECT " PIGMATCH_FORMULA_COLUMNS
      ", c.vendor, c.code, coalesce(c.lot, ''), c.drops, c.ml FROM formulas f "
      "LEFT JOIN formula_components c ON c.formula_id = f.id WHERE f.client_id = ? "
      "ORDER BY f.id, c.position");
  s.bind(1, client_id);
  return read_formulas_with_components(s);
}

std::optional<Formula> Store::current_formula(Id client_id, std::string_view region) {
  Id newest = 0;
  {
    Statement s = impl_->db.prepare(
        "SELECT f.id FROM formulas f WHERE f.client_id = ?1 AND (?2 = '' OR f.region = ?2) "
        "AND NOT EXISTS (SELECT 1 FROM formulas n WHERE n.replaces = f.id) "
        "ORDER BY f.created_at DESC, f.id DESC LIMIT 1");
    s.bind(1, client_id).bind(2, region);
    if (!s.step())
      return std::nullopt;
    newest = s.int64(0);
  }
  return formula(newest);
}

std::optional<Id> Store::replaced_by(Id id) {
  Statement s = impl_->db.prepare("SELECT id FROM formulas WHERE replaces = ?");
  s.bind(1, id);
  if (!s.step())
    return std::nullopt;
  return s.int64(0);
}

namespace {

// The Lab key of PIGMATCH_LAB_KEY_SQL, decoded (see store_internal.h for the layout).
constexpr std::int64_t b_steps = std::int64_t{1} << 19;
constexpr std::int64_t fraction_bits = 20;  // L* and a* fractions, 10 bits each
// How far a ΔE00 from the key's Lab (±1/2048 per axis) may be from the exact one: a generous
// bound (the per-axis error times ΔE00's steepest slope is under 0.005; CIEDE2000's mean-hue
// step across neutral adds a little), so candidates are never lost.
constexpr double key_margin = 0.05;

// a* + 256 and b* + 256 clamped as the SQL's min(max(…)) does.
double shifted(double v) {
  return std::clamp(v + 256, 0.0, 511.999);
}
std::int64_t a_cell(double a) {
  return static_cast<std::int64_t>(shifted(a));
}
std::int64_t b_step(double b) {
  return static_cast<std::int64_t>(shifted(b) * 1024);
}
std::int64_t L_cell(double L) {
  return static_cast<std::int64_t>(std::clamp(L, 0.0, 100.0));
}

struct KeyedLab {
  Lab lab;
  bool clamped;  // a* or b* at the clamp: the key does not say where
};

KeyedLab decode_lab_key(std::int64_t key) {
  const std::int64_t a_fraction = key & 1023, L_fraction = (key >> 10) & 1023;
  const std::int64_t b = (key >> fraction_bits) & (b_steps - 1);
  const std::int64_t cell = key >> (fraction_bits + 19);
  const std::int64_t a = cell & 511, L = cell >> 9;
  const auto value = [](std::int64_t whole, std::int64_t fraction) {
    return static_cast<double>(whole) + (static_cast<double>(fraction) + 0.5) / 1024;
  };
  const double b_value = (static_cast<double>(b) + 0.5) / 1024 - 256;
  return {{value(L, L_fraction), value(a - 256, a_fraction), b_value},
          a == 0 || a == 511 || b == 0 || b == b_steps - 1};
}

Lab stored_target(detail::Connection& db, Id id) {
  Statement s = db.prepare("SELECT target_L, target_a, target_b FROM formulas WHERE id = ?");
  s.bind(1, id);
  if (!s.step())
    throw_not_found("formula", id);
  return {s.real(0), s.real(1), s.real(2)};
}

}  // namespace

std::vector<NearFormula> Store::search_near(const Lab& lab, double max_delta_e00,
                                            std::size_t limit) {
  require_lab("the colour to search near", lab);
  if (!(max_delta_e00 > 0 && max_delta_e00 <= 10)) {
    invalid(fmt::format("the search radius {} must be a ΔE00 in (0, 10]", max_delta_e00));
  }
  if (limit == 0)
    return {};
  detail::Connection& db = impl_->db;
  // Grow the radius from small: with many formulas the nearest few are close, and a small box
  // holds few candidates. Every colour within `radius` lies in the box; candidates are chosen
  // on the ΔE00 from the index key's Lab (within key_margin of the exact one), so once `limit`
  // of them are surely within the radius, no colour outside the box can be nearer.
  std::vector<std::pair<double, Id>> near;
  for (double radius = std::min(0.5, max_delta_e00);;
       radius = std::min(radius * 2, max_delta_e00)) {
    const LabBox box = lab_box_for_delta_e00(lab, radius);
    near.clear();
    std::size_t surely_within = 0;
    const auto consider = [&](Id id, const Lab& approximate, bool exact_needed) {
      const double de = delta_e2000(lab, exact_needed ? stored_target(db, id) : approximate);
      if (de <= radius + key_margin)
        near.emplace_back(de, id);
      if (de <= radius - key_margin)
        ++surely_within;
    };
    if (db.engine() == detail::Engine::postgresql) {
      // The server's index is on the targets themselves (store_postgres_schema.cpp).
      Statement s = db.prepare(
          "SELECT id, target_L, target_a, target_b FROM formulas WHERE target_L BETWEEN ?1 AND ?2 "
          "AND target_a BETWEEN ?3 AND ?4 AND target_b BETWEEN ?5 AND ?6");
      s.bind(1, box.L0).bind(2, box.L1).bind(3, box.a0).bind(4, box.a1).bind(5, box.b0).bind(
          6, box.b1);
      while (s.step())
        consider(s.int64(0), {s.real(1), s.real(2), s.real(3)}, false);
    } else {
      // One key range per (L*, a*) cell: the b* range, widened by a step against rounding.
      const std::int64_t b_first = std::max<std::int64_t>(0, b_step(box.b0) - 1);
      const std::int64_t b_last = std::min(b_steps - 1, b_step(box.b1) + 1);
      for (std::int64_t L = L_cell(box.L0); L <= L_cell(box.L1); ++L) {
        for (std::int64_t a = a_cell(box.a0); a <= a_cell(box.a1); ++a) {
          const std::int64_t cell = (L * 512 + a) * b_steps;
          Statement s =
              db.prepare("SELECT id, " PIGMATCH_LAB_KEY_SQL
                         " FROM formulas WHERE " PIGMATCH_LAB_KEY_SQL " BETWEEN ?1 AND ?2");
          s.bind(1, (cell + b_first) << fraction_bits)
              .bind(2,
                    ((cell + b_last) << fraction_bits) | ((std::int64_t{1} << fraction_bits) - 1));
          while (s.step()) {
            const KeyedLab keyed = decode_lab_key(s.int64(1));
            consider(s.int64(0), keyed.lab, keyed.clamped);
          }
        }
      }
    }
    if (surely_within >= limit || radius >= max_delta_e00)
      break;
  }
  std::sort(near.begin(), near.end());
  // Exact distances for every candidate that may be among the nearest `limit`: one whose
  // exact ΔE00 is below the limit-th candidate's is at most 2 margins above it by the key.
  const double cutoff = near.size() >= limit ? near[limit - 1].first + 2 * key_margin
                                             : std::numeric_limits<double>::infinity();
  std::vector<std::pair<double, Id>> exact;
  for (const auto& [approximate, id] : near) {
    if (approximate > cutoff)
      break;
    const double de = delta_e2000(lab, stored_target(db, id));
    if (de <= max_delta_e00)
      exact.emplace_back(de, id);
  }
  std::sort(exact.begin(), exact.end());
  if (exact.size() > limit)
    exact.resize(limit);
  std::vector<NearFormula> found;
  for (const auto& [de, id] : exact) {
    Statement s = db.prepare("SELECT " PIGMATCH_FORMULA_COLUMNS
                             ", EXISTS (SELECT 1 FROM formulas n WHERE n.replaces = f.id) "
                             "FROM formulas f WHERE f.id = ?");
    s.bind(1, id);
    if (s.step())
      found.push_back({read_formula(s), de, s.int64(formula_column_count) != 0});
  }
  return found;
}

// ---- studios ------------------------------------------------------------------------------------

namespace {

void require_server(const detail::Connection& db) {
  if (db.engine() != detail::Engine::postgresql) {
    throw Error(ErrorCode::unsupported,
                fmt::format("{}: studios are for a store on a PostgreSQL server, shared by "
                            "several rooms or branches; this store is a file on one computer "
                            "('pigmatch db migrate --to postgresql://…' moves it to a server)",
                            db.name()));
  }
}

void require_studio(detail::Connection& db, std::string_view studio) {
  Statement known = db.prepare("SELECT 1 FROM studios WHERE name = ?");
  known.bind(1, studio);
  if (!known.step()) {
    throw Error(ErrorCode::not_found,
                fmt::format("there is no studio '{}'; 'pigmatch studio add' adds it", studio));
  }
}

}  // namespace

void Store::add_studio(std::string_view name) {
  require_server(impl_->db);
  require_text("the studio's name", name);
  write(impl_->db, [&] {
    Statement s = impl_->db.prepare("INSERT INTO studios (name) VALUES (?) ON CONFLICT DO NOTHING");
    s.bind(1, name);
    s.run();
  });
}

void Store::add_studio_member(std::string_view role, std::string_view studio) {
  require_server(impl_->db);
  require_text("the practitioner's database role", role);
  write(impl_->db, [&] {
    require_studio(impl_->db, studio);
    Statement s = impl_->db.prepare("SELECT pigmatch_add_member(?, ?)");
    s.bind(1, role).bind(2, studio);
    s.run();
  });
}

void Store::add_owner(std::string_view role) {
  require_server(impl_->db);
  require_text("the owner's database role", role);
  write(impl_->db, [&] {
    Statement s = impl_->db.prepare("SELECT pigmatch_add_owner(?)");
    s.bind(1, role);
    s.run();
  });
}

void Store::share_client(Id id, std::string_view studio) {
  require_server(impl_->db);
  write(impl_->db, [&] {
    require_client(impl_->db, id);
    require_studio(impl_->db, studio);
    Statement s = impl_->db.prepare(
        "INSERT INTO client_shares (client_id, studio) VALUES (?, ?) ON CONFLICT DO NOTHING");
    s.bind(1, id).bind(2, studio);
    s.run();
  });
}

// ---- lots
// -------------------------------------------------------------------------------------------

void Store::add_lot(const Lot& lot) {
  require_text("the lot's vendor", lot.vendor);
  require_text("the lot's pigment code", lot.code);
  require_text("the lot number", lot.lot);
  write(impl_->db, [&] { register_lot(impl_->db, lot); });
}

std::vector<Lot> Store::lots() {
  Statement s = impl_->db.prepare(
      "SELECT vendor, code, lot, coalesce(expiry, '') FROM lots ORDER BY vendor, code, lot");
  std::vector<Lot> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3)});
  return out;
}

std::vector<LotUse> Store::trace_lot(std::string_view lot) {
  Statement s = impl_->db.prepare(
      "SELECT c.vendor, c.code, c.lot, c.drops, c.ml, f.id, f.client_id, cl.name, f.created_at, "
      "v.id, v.client_id, v.kind, v.date, v.area, v.practitioner, v.needle, v.notes "
      "FROM formula_components c JOIN formulas f ON f.id = c.formula_id "
      "JOIN clients cl ON cl.id = f.client_id LEFT JOIN visits v ON v.id = f.visit_id "
      "WHERE c.lot = ? ORDER BY lower(cl.name), f.client_id, v.date, f.id");
  s.bind(1, lot);
  std::vector<LotUse> uses;
  while (s.step()) {
    LotUse use;
    use.component = read_component(s, 0);
    use.formula_id = s.int64(5);
    use.client_id = s.int64(6);
    use.client_name = s.text(7);
    use.formula_created_at = s.text(8);
    if (!s.is_null(9))
      use.visit = read_visit(s, 9);
    uses.push_back(std::move(use));
  }
  return uses;
}

}  // namespace pigmatch::store
