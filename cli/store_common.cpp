#include "store_common.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <vector>

#include "command.h"
#include "json_output.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/match.h"
#include "pigmatch/plugin_host/plugin_host.h"

namespace pigmatch::cli {

using ordered_json = nlohmann::ordered_json;

void add_db_option(CLI::App* command, std::string& db) {
  command->add_option(
      "--db", db,
      "database file, or a PostgreSQL server's database as postgresql://USER@HOST/DB "
      "or 'host=… dbname=…' (password in ~/.pgpass or PGPASSWORD) (default: "
      "$PIGMATCH_DB, else $XDG_DATA_HOME/pigmatch/pigmatch.db, i.e. "
      "~/.local/share/pigmatch/)");
}

std::vector<Catalog> load_catalogs(const std::vector<std::string>& ids,
                                   const std::vector<std::string>& files) {
  const std::vector<std::filesystem::path> paths(files.begin(), files.end());
  const PluginRegistry registry(default_search_paths(paths));
  report_load_problems(registry, paths);
  return match_catalogs(registry, ids, false);
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text,
                           std::string_view what) {
  std::filesystem::path partial = path;
  partial += ".partial";
  std::error_code ec;
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::filesystem::remove(partial, ec);
      throw Error(ErrorCode::io,
                  fmt::format("{}: cannot write the {}; check the folder and the free space",
                              path.string(), what));
    }
  }
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    std::filesystem::remove(partial, ec);
    throw Error(ErrorCode::io,
                fmt::format("{}: cannot write the {} ({})", path.string(), what, ec.message()));
  }
}

store::Store open_store(const std::string& db_option, DbAccess access, bool quiet) {
  const bool is_default = db_option.empty();
  const std::filesystem::path path =
      is_default ? store::default_database_path() : std::filesystem::path(db_option);
  if (is_default && access == DbAccess::create && !store::is_server_location(path.native())) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw Error(ErrorCode::io, fmt::format("{}: cannot create the data folder ({}); give the "
                                             "database with --db FILE",
                                             path.parent_path().string(), ec.message()));
    }
  }
  store::OpenOptions options;
  options.create_if_missing = access == DbAccess::create;
  options.quick_check = access != DbAccess::read;
  store::Store store = store::Store::open(path, options);
  const store::MigrationReport& m = store.migration();
  if (!quiet && !m.backup.empty()) {
    fmt::print(stderr,
               "pigmatch: migrated {} from schema version {} to {}; the old file is "
               "kept in {}\n",
               path.string(), m.from_version, m.to_version, m.backup.string());
  }
  return store;
}

std::string read_input(const std::string& file) {
  if (file == "-") {
    return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::io, fmt::format("{}: cannot open the file; check the path", file));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void apply_lot(store::Formula& f, const std::string& assignment) {
  const std::size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == assignment.size()) {
    throw UsageError(fmt::format("--lot: '{}' should be CODE=LOT, e.g. SMP-1=A1234", assignment));
  }
  const std::string code = assignment.substr(0, equals);
  bool found = false;
  for (store::Component& c : f.components) {
    if (c.code == code) {
      c.lot = assignment.substr(equals + 1);
      found = true;
    }
  }
  if (!found) {
    // The command line is well formed; the recipe is what it does not match (exit 1, not 2).
    std::vector<std::string> codes;
    for (const store::Component& c : f.components)
      codes.push_back(c.code);
    if (codes.empty())
      throw Error(ErrorCode::invalid_argument, "--lot: the recipe has no pigments");
    throw Error(ErrorCode::invalid_argument,
                fmt::format("--lot {}: the recipe has no pigment with code '{}'; its pigments are "
                            "{}. Give the lot of one of these, e.g. --lot {}=LOT",
                            assignment, code, fmt::join(codes, ", "), codes.front()));
  }
}

store::Id parse_id(const std::string& text, std::string_view what) {
  store::Id id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc{} || end != text.data() + text.size() || id < 1) {
    throw UsageError(
        fmt::format("{}: '{}' is not an id; ids are whole numbers from 1, as "
                    "'pigmatch client list' shows them",
                    what, text));
  }
  return id;
}

ordered_json formula_json(const store::Formula& formula) {
  return ordered_json::parse(store::to_json(formula));
}

ordered_json record_json(const store::ClientRecord& record) {
  return ordered_json::parse(store::to_json(record));
}

ordered_json client_json(const store::Client& c) {
  return {{"id", c.id},       {"name", c.name},   {"birth_date", c.birth_date}, {"phone", c.phone},
          {"email", c.email}, {"notes", c.notes}, {"created_at", c.created_at}};
}

ordered_json visit_json(const store::Visit& v) {
  return {{"id", v.id},         {"client", v.client_id}, {"kind", store::to_string(v.kind)},
          {"date", v.date},     {"area", v.area},        {"practitioner", v.practitioner},
          {"needle", v.needle}, {"notes", v.notes}};
}

void print_json(const ordered_json& value) {
  fmt::print("{}\n", value.dump(2));
}

std::string lab_text(const Lab& lab) {
  return fmt::format("L {:.2f} a {:.2f} b {:.2f}", lab.L, lab.a, lab.b);
}

std::string_view drop_word(double drops) {
  return drops == 1 ? "drop" : "drops";
}

std::string drops_text(double drops) {
  return fmt::format("{:g} {}", drops, drop_word(drops));
}

void print_formula(const store::Formula& f, std::optional<store::Id> replaced_by) {
  std::string versions;
  if (f.replaces)
    versions += fmt::format(", corrects #{}", *f.replaces);
  if (replaced_by)
    versions += fmt::format(", corrected by #{}", *replaced_by);
  fmt::print("formula #{} for client {}{} — {}{}{}\n", f.id, f.client_id,
             f.region.empty() ? "" : ", " + f.region, f.created_at,
             f.visit_id ? fmt::format(", visit {}", *f.visit_id) : "", versions);
  fmt::print("  target     {}\n  predicted  {}   ΔE00 {:.2f}   ({} model, catalog {})\n",
             lab_text(f.target), lab_text(f.predicted), f.delta_e00, f.model, f.catalog);
  for (const store::Component& c : f.components) {
    fmt::print("  {:>6g} {:<5} {:>7.3f} ml  {} {}{}\n", c.drops, drop_word(c.drops), c.ml, c.vendor,
               c.code, c.lot.empty() ? "" : "  lot " + c.lot);
  }
  if (!f.notes.empty())
    fmt::print("  notes: {}\n", f.notes);
}

}  // namespace pigmatch::cli
