// What the store's commands (client, visit, formula, lot, db) share: the --db option, opening
// the database, reading JSON input, and the JSON forms of records for --json output.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/formulation/catalog.h"
#include "pigmatch/store/store.h"

namespace pigmatch::cli {

/// Adds `--db FILE` to `command`, stored in `db`.
void add_db_option(CLI::App* command, std::string& db);

/// What a command does with the database: creates it when missing, writes to an existing one,
/// or only reads (then the O(file size) quick_check at open is skipped).
enum class DbAccess { create, existing, read };

/// Opens the database named by --db, else $PIGMATCH_DB, else the user's data folder (created
/// when needed). Says on stderr when an older file was migrated and where its backup is.
store::Store open_store(const std::string& db_option, DbAccess access, bool quiet = false);

/// The catalogs named by `ids` (--catalog), else every catalog loaded, with `files`
/// (--catalog-file) added: match_catalogs(), as `pigmatch match` chooses them. Load problems are
/// said on stderr; Throws Error (not_found) for an unknown id, (corrupt_data) for a file given
/// that could not be read.
std::vector<Catalog> load_catalogs(const std::vector<std::string>& ids,
                                   const std::vector<std::string>& files);

/// Writes `text` to `path` beside it first and renames it when complete, so a full disk or a
/// killed process never leaves half a file nor destroys the one before. Throws Error (io)
/// "<path>: cannot write the <what> …".
void write_file_atomically(const std::filesystem::path& path, const std::string& text,
                           std::string_view what);

/// The text of `file`, or of stdin when `file` is "-"; throws Error (io) naming the file.
std::string read_input(const std::string& file);

/// "--lot CODE=LOT": sets the lot of `f`'s components with pigment code CODE; UsageError when
/// the text is not CODE=LOT or no component has that code.
void apply_lot(store::Formula& f, const std::string& assignment);

/// A record id given on the command line: a whole number ≥ 1, else UsageError naming `what`.
store::Id parse_id(const std::string& text, std::string_view what);

/// The libcore JSON forms, as JSON values for embedding in command output.
nlohmann::ordered_json formula_json(const store::Formula& formula);
nlohmann::ordered_json record_json(const store::ClientRecord& record);
nlohmann::ordered_json client_json(const store::Client& client);
nlohmann::ordered_json visit_json(const store::Visit& visit);

/// Prints a JSON value (2-space indent) and a newline on stdout.
void print_json(const nlohmann::ordered_json& value);

/// "L 38.00 a 2.00 b 6.00" for people.
std::string lab_text(const Lab& lab);

/// "drop" for 1, else "drops".
std::string_view drop_word(double drops);
/// "1 drop", "9 drops", "1.5 drops" for people.
std::string drops_text(double drops);

/// One formula for people: header line, target/predicted, components with lots.
void print_formula(const store::Formula& formula, std::optional<store::Id> replaced_by);

}  // namespace pigmatch::cli
