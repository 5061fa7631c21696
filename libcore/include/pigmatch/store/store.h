// pigmatch/store/store.h — the client records: clients, visits, consents, measurements, formulas
// and pigment lots, in one SQLite file (one computer) or a PostgreSQL database (a studio's server,
// shared by its rooms and branches; docs/postgresql.md).
//
// Touch-ups come 2–5 years after the first sessions, so the record must say exactly what was used
// and how it healed. Formulas are immutable: a correction is a new formula whose `replaces` names
// the previous version. Every write is one transaction; a process killed at any moment leaves
// every acknowledged write in place. Opening a file never changes it before it has been checked:
// a file that is not SQLite, is corrupt, belongs to another program or comes from a newer
// pigmatch is refused untouched; an older schema is backed up, then migrated in one transaction.
//
// Dates are ISO 8601 text ("YYYY-MM-DD"; timestamps "YYYY-MM-DDTHH:MM:SSZ" in UTC). Lab is
// CIELAB D50/2°, as everywhere in pigmatch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/error.h"

namespace pigmatch {
namespace store {

using Id = std::int64_t;

/// The schema version this pigmatch writes (PRAGMA user_version).
inline constexpr int schema_version = 5;

enum class VisitKind { initial, second, touchup, camouflage };
enum class MeasurementKind { skin, hair, healed };

/// "initial", "second", "touchup", "camouflage".
std::string_view to_string(VisitKind kind) noexcept;
/// "skin", "hair", "healed".
std::string_view to_string(MeasurementKind kind) noexcept;
/// The kind named `text`; throws Error (invalid_argument) listing the accepted names.
VisitKind parse_visit_kind(std::string_view text);
/// The kind named `text`; throws Error (invalid_argument) listing the accepted names.
MeasurementKind parse_measurement_kind(std::string_view text);

struct Client {
  Id id = 0;  ///< 0 until stored
  std::string name;
  std::string birth_date;  ///< "YYYY-MM-DD" or empty
  std::string phone;
  std::string email;
  std::string notes;
  std::string created_at;  ///< set by the store when empty
};

struct Visit {
  Id id = 0;
  Id client_id = 0;
  VisitKind kind = VisitKind::initial;
  std::string date;  ///< "YYYY-MM-DD"
  std::string area;  ///< e.g. "crown", "scar left temple"
  std::string practitioner;
  std::string needle;  ///< e.g. "3RL 0.25 mm"
  std::string notes;
};

struct Consent {
  Id id = 0;
  Id client_id = 0;
  std::string kind;  ///< e.g. "treatment", "photos"
  std::string date;  ///< "YYYY-MM-DD"
  std::string signed_by;
};

/// A colour measured on the client: skin, hair, or the healed result of a previous session.
struct Measurement {
  Id id = 0;
  Id client_id = 0;
  std::optional<Id> visit_id;
  MeasurementKind kind = MeasurementKind::skin;
  std::string region;  ///< e.g. "crown"
  Lab lab;
  std::optional<double> calibration_de00;  ///< mean ΔE00 of the chart calibration, if any
  /// How well `lab` is known, ΔE00 (about one standard deviation: calibration, sampling,
  /// stubble separation and light; photo_measurement.h ColourUncertainty), if recorded.
  std::optional<double> uncertainty_de00;
  std::string photo_path;
  std::string photo_sha256;  ///< 64 lowercase hex digits, or empty
  std::string taken_at;      ///< set by the store when empty
};

/// One pigment of a formula, with the lot that went into the client.
struct Component {
  std::string vendor;
  std::string code;
  std::string lot;  ///< empty when not recorded
  double drops = 0;
  double ml = 0;
};

/// A mixing recipe for one client and region. Immutable once stored.
struct Formula {
  Id id = 0;
  Id client_id = 0;
  std::optional<Id> visit_id;
  std::optional<Id> replaces;  ///< the version this one corrects
  std::string region;
  Lab target;
  std::string model;    ///< the mixing model that predicted it
  std::string catalog;  ///< the catalog id the pigments come from
  Lab predicted;
  double delta_e00 = 0;  ///< ΔE00 between target and predicted
  std::vector<Component> components;
  std::string notes;
  std::string created_at;  ///< set by the store when empty
};

/// A pigment lot known to the studio (registered automatically when a formula names it).
struct Lot {
  std::string vendor;
  std::string code;
  std::string lot;
  std::string expiry;  ///< "YYYY-MM-DD", "YYYY-MM" or empty
};

/// Everything the store holds about one client: what `client export` writes.
struct ClientRecord {
  Client client;
  std::vector<Visit> visits;
  std::vector<Consent> consents;
  std::vector<Measurement> measurements;
  std::vector<Formula> formulas;  ///< in id order, so a version follows the one it replaces
};

/// One use of a lot: the formula, client and visit it went into (what a recall needs).
struct LotUse {
  Component component;
  Id formula_id = 0;
  Id client_id = 0;
  std::string client_name;
  std::optional<Visit> visit;
  std::string formula_created_at;
};

/// A stored formula near a colour, found by Store::search_near.
struct NearFormula {
  Formula formula;       ///< without components
  double delta_e00 = 0;  ///< from the searched colour to the formula's target
  bool superseded = false;
};

/// The rows a touch-up wrote (Store::save_touchup).
struct SavedTouchup {
  Id measurement = 0;  ///< the healed measurement
  Id formula = 0;      ///< the corrected version
};

/// What a save that may repeat an earlier one did (Store::save_formula_once,
/// Store::add_measurements_once).
struct SaveOutcome {
  Id id = 0;            ///< the row written now, or the identical row that was already there
  bool written = true;  ///< false: the same row was already stored, and nothing was written
};

/// What Store::check found.
struct CheckReport {
  int schema_version = 0;
  std::vector<std::string> problems;  ///< empty when integrity and foreign keys are fine
  std::int64_t clients = 0, visits = 0, formulas = 0, measurements = 0, lots = 0;
};

/// The database is locked by another writer for longer than the busy timeout (code busy).
class BusyError : public Error {
 public:
  using Error::Error;
};

/// The file was written by a newer pigmatch (a schema this version does not know).
class NewerSchemaError : public Error {
 public:
  using Error::Error;
};

/// The file is not an SQLite database, is corrupt, or belongs to another program.
class NotADatabaseError : public Error {
 public:
  using Error::Error;
};

struct OpenOptions {
  bool create_if_missing = true;  ///< false: a missing file is an Error (not_found)
  bool migrate = true;            ///< false: an older schema is an Error (used by `db check`)
  /// Run PRAGMA quick_check at open (O(file size)); always run before a migration. Turn off
  /// only when the caller will not write.
  bool quick_check = true;
  int busy_timeout_ms = 5000;
};

/// Store::open's account of what it did to an older file.
struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::filesystem::path backup;  ///< the copy taken before migrating; empty when none was needed
};

/// `--db` else $PIGMATCH_DB else $XDG_DATA_HOME/pigmatch/pigmatch.db (~/.local/share/…).
std::filesystem::path default_database_path();

/// True when `location` names a database on a PostgreSQL server rather than a file: a
/// postgresql:// or postgres:// URI, or a libpq keyword/value string starting with one of host,
/// hostaddr, port, dbname, user, service, sslmode, options or passfile and '=' (write
/// "./dbname=x" for a file of that name). Store::open takes either.
bool is_server_location(std::string_view location);

/// A pigmatch database file that holds a client besides the open database: a backup
/// (`pigmatch db backup`), the copy a migration keeps (*.bak), an older copy of the file.
struct ClientCopy {
  std::filesystem::path file;
  /// Empty when the file holds the client; else why it could not be searched (it may hold it).
  std::string unreadable;
  /// Empty when the copy's client has the same name; else that name: the same id made at the
  /// same second, so the client before a correction of the name, or (after an erase let the id
  /// be given again) another client made in the same second. Worth a person's look.
  std::string other_name;
};

/// The pigmatch database files directly in `folders` (not in sub-folders), other than
/// `database` and its side files, that hold a client with `client`'s id made at the same second
/// (ClientCopy::other_name says when its name differs),
/// and those that could not be searched. Only reads: no locks are taken and no side files are
/// left. For `client erase`: a client erased from the database is still in its backups.
std::vector<ClientCopy> find_client_copies(const Client& client,
                                           const std::vector<std::filesystem::path>& folders,
                                           const std::filesystem::path& database);

/// The box (per-axis half widths around a colour) that contains every colour within
/// `max_delta_e00` (CIEDE2000) of `center`; max_delta_e00 must be in (0, 10].
struct LabBox {
  double L0, L1, a0, a1, b0, b1;
};
LabBox lab_box_for_delta_e00(const Lab& center, double max_delta_e00);

/// One connection to one database file or server database. Not thread-safe: use one Store per
/// thread. On PostgreSQL every write is SERIALIZABLE: a write that raced another connection's
/// is refused with BusyError (nothing of it saved), never merged.
class Store {
 public:
  /// Opens (or creates) `path`, checking it read-only first (see the file comment). Throws
  /// NotADatabaseError, NewerSchemaError, BusyError or Error (io, not_found). A server location
  /// (is_server_location) connects instead; its password must come from ~/.pgpass or
  /// PGPASSWORD (a location carrying one is refused), and a database holding another program's
  /// tables is refused untouched.
  static Store open(const std::filesystem::path& path, const OpenOptions& options = {});

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  /// The file, or the server database as messages name it (host, port, database, user).
  const std::filesystem::path& path() const noexcept;
  /// What open() migrated (from == to when nothing was needed).
  const MigrationReport& migration() const noexcept;

  // ---- clients ---------------------------------------------------------------------------
  /// Stores a new client; returns its id. Blanks around the name and the other one-line fields
  /// are dropped; refused (Error, invalid_argument) when the name is blank, when a field holds
  /// control characters or Unicode bidirectional controls (U+202A–U+202E, U+2066–U+2069, the
  /// marks U+200E, U+200F, U+061C: they make a name display as another), or when the birth date
  /// is not a real day from 1900 to today.
  Id add_client(const Client& client);
  /// Corrects a client's details (name, birth date, phone, e-mail, notes) by `client.id`, with
  /// add_client's rules; the creation time stays. Throws Error (not_found) when there is no such
  /// client (on a server: none this studio may change).
  void update_client(const Client& client);
  /// The client; throws Error (not_found) when there is none with this id.
  Client client(Id id);
  /// Every client whose name contains `name_part` (case-insensitive), by name.
  std::vector<Client> clients(std::string_view name_part = {});
  /// Everything about the client (for export and `client show`).
  ClientRecord client_record(Id id);
  /// Removes every row of the client (formulas included) with secure_delete, then checkpoints
  /// the WAL so no copy of the data stays in it. Returns false when the WAL could not be
  /// emptied because another process was reading (the data is deleted; the WAL copy goes at the
  /// next checkpoint).
  bool erase_client(Id id);
  /// Stores a record written by export. With keep_ids the original ids are reused (an Error
  /// when any is taken); otherwise new ids are given and references remapped. Returns the
  /// client id.
  Id import_client(const ClientRecord& record, bool keep_ids);

  // ---- visits, consents, measurements ----------------------------------------------------
  /// Stores a new visit; returns its id. Its date must be a real day from 1900 to today (UTC
  /// tomorrow, for studios ahead of UTC): a visit dated in the future would collect every later
  /// save as its own. One-line fields are cleaned and checked as add_client's.
  Id add_visit(const Visit& visit);
  /// The client's most recent visit (latest date, then highest id), if any.
  std::optional<Visit> latest_visit(Id client_id);
  /// Stores a consent; the date and text follow add_visit's rules.
  Id add_consent(const Consent& consent);
  Id add_measurement(const Measurement& measurement);
  /// Stores several measurements (e.g. every region of one photo) in one transaction.
  std::vector<Id> add_measurements(const std::vector<Measurement>& measurements);
  /// As add_measurements, for a photo measured again: a measurement whose visit already holds
  /// one of the same photo (SHA-256), kind and region with the same colour is not written
  /// again (the outcome names the stored one). Measurements without a photo are always written.
  std::vector<SaveOutcome> add_measurements_once(const std::vector<Measurement>& measurements);
  /// The client's most recent measurement of `kind` in `region` (any region when empty).
  std::optional<Measurement> latest_measurement(Id client_id, MeasurementKind kind,
                                                std::string_view region = {});

  // ---- formulas ---------------------------------------------------------------------------
  /// Stores a formula (and registers its lots); returns its id. A correction sets `replaces`
  /// to a formula of the same client.
  Id save_formula(const Formula& formula);
  /// As save_formula, for a command or screen that may be run twice: when the client already
  /// has the same recipe for the same visit (region, target, model, catalog, the version it
  /// replaces, and the same components in the same drops, millilitres and lots; notes aside),
  /// nothing is written and the outcome names that formula.
  SaveOutcome save_formula_once(const Formula& formula);
  /// Stores many formulas in one transaction (bulk import); returns the ids in order.
  std::vector<Id> save_formulas(const std::vector<Formula>& formulas);
  Formula formula(Id id);
  /// The client's formulas with components, oldest first.
  std::vector<Formula> formula_history(Id client_id);
  /// The newest formula of the client for `region` (any region when empty) that no other
  /// formula replaces.
  std::optional<Formula> current_formula(Id client_id, std::string_view region = {});
  /// A touch-up in one transaction: the healed measurement and the corrected formula (its
  /// `replaces` names the version it corrects), both of the same client.
  SavedTouchup save_touchup(const Measurement& healed, const Formula& correction);
  /// The version that replaces `id`, if any.
  std::optional<Id> replaced_by(Id id);
  /// Formulas whose target is within `max_delta_e00` (≤ 10) of `lab`, nearest first, at most
  /// `limit`.
  std::vector<NearFormula> search_near(const Lab& lab, double max_delta_e00, std::size_t limit);

  // ---- lots ---------------------------------------------------------------------------------
  /// Registers a lot or updates its expiry.
  void add_lot(const Lot& lot);
  std::vector<Lot> lots();
  /// Every formula component that used lot number `lot` (of any vendor), by client and date.
  std::vector<LotUse> trace_lot(std::string_view lot);

  // ---- studios (PostgreSQL only) --------------------------------------------------------------
  // A chain's branches. The server enforces who sees what (row-level security): a
  // practitioner's database role, made a member of one studio, sees and writes that studio's
  // clients and the clients shared with it; only the client's own studio erases it; an owner
  // sees every client. The calls below change the membership: run them as the database's owner
  // (the role that created the store). On a file they throw Error (unsupported).

  /// Adds a studio (a branch) by name; an existing name is left as it is.
  void add_studio(std::string_view name);
  /// Makes database role `role` a practitioner of `studio` (moving it from any other).
  void add_studio_member(std::string_view role, std::string_view studio);
  /// Makes database role `role` an owner: it sees every studio's clients.
  void add_owner(std::string_view role);
  /// Lets `studio` see and add to the records of client `id` (a client who visits another
  /// branch). Throws Error (not_found) for a client this role does not see.
  void share_client(Id id, std::string_view studio);

  // ---- the file -----------------------------------------------------------------------------
  /// A consistent copy of the database in `destination` (which must not exist).
  void backup(const std::filesystem::path& destination);
  /// PRAGMA integrity_check and foreign_key_check, plus row counts.
  CheckReport check();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- moving a store ------------------------------------------------------------------------

/// What copy_records did.
struct CopyReport {
  std::int64_t clients = 0;   ///< clients copied now
  std::int64_t already = 0;   ///< clients found already copied (a run resumed after a stop)
  std::int64_t formulas = 0;  ///< formulas of the clients copied now
  std::int64_t lots = 0;      ///< lots in the destination afterwards
};

/// Called after each client with (clients done, clients in all).
using CopyProgress = std::function<void(std::size_t, std::size_t)>;

/// Copies every client of `from`, with everything the client holds, and every lot into `to`
/// (e.g. a studio's SQLite file into its new PostgreSQL server), keeping ids so a client's
/// number stays the one the studio knows. Each client is one transaction; a client already in
/// `to` with the same export is skipped, so a copy that stopped can be run again. Afterwards
/// every client is read back from `to` and its export compared with `from`'s. Throws Error
/// (invalid_argument) when `to` holds a different client under a copied id, and Error
/// (corrupt_data) naming the first client whose copy differs.
CopyReport copy_records(Store& from, Store& to, const CopyProgress& progress = {});

// ---- JSON (the export format and `formula save` input) ------------------------------------

/// The client's record as JSON ("format": "pigmatch-client", "version": 1).
std::string to_json(const ClientRecord& record);
/// Parses what to_json(ClientRecord) wrote; `source` names the input in error messages.
ClientRecord client_record_from_json(std::string_view text, std::string_view source);
/// One formula as JSON (the form `formula save` reads and `formula show --json` writes).
std::string to_json(const Formula& formula);
/// Parses a formula; `source` names the input in error messages. Ids absent from the JSON
/// stay 0 / empty.
Formula formula_from_json(std::string_view text, std::string_view source);

}  // namespace store
}  // namespace pigmatch
