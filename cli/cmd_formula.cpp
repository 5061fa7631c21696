// pigmatch formula save|show|history|search: the mixing records. Formulas are immutable; a
// correction is saved with --replaces and becomes the current version.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "arguments.h"
#include "command.h"
#include "match_json.h"
#include "pigmatch/error.h"
#include "pigmatch/store/store.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct FormulaOptions {
  std::string db;
  std::string file;  // save FILE
  std::string from;  // save --from MATCH.json
  int rank = 1;
  std::string client, visit, replaces, region, notes;
  std::vector<std::string> lots;  // CODE=LOT
  std::string id;                 // show ID / history CLIENT
  std::string near;               // search --near L,a,b
  double max_de = 5;
  std::size_t limit = 10;
  bool json = false;
};

store::Formula formula_to_save(const FormulaOptions& o) {
  if (o.file.empty() == o.from.empty()) {
    throw UsageError(
        "give the formula either as FILE (formula JSON, '-' for stdin) or with "
        "--from MATCH.json (the output of 'pigmatch match --json')");
  }
  store::Formula f;
  if (!o.from.empty()) {
    f = formula_from_match_json(read_input(o.from), o.from == "-" ? "stdin" : o.from, o.rank);
  } else {
    f = store::formula_from_json(read_input(o.file), o.file == "-" ? "stdin" : o.file);
  }
  // What the command line says wins over the file: the same match output can go to any client.
  if (!o.client.empty())
    f.client_id = parse_id(o.client, "--client");
  if (!o.visit.empty())
    f.visit_id = parse_id(o.visit, "--visit");
  if (!o.replaces.empty())
    f.replaces = parse_id(o.replaces, "--replaces");
  if (!o.region.empty())
    f.region = o.region;
  if (!o.notes.empty())
    f.notes = o.notes;
  for (const std::string& assignment : o.lots)
    apply_lot(f, assignment);
  if (f.client_id < 1) {
    throw UsageError(
        "which client is this formula for? Give --client ID (or \"client\" in the "
        "JSON)");
  }
  f.id = 0;
  f.created_at.clear();
  return f;
}

void run_save(const FormulaOptions& o) {
  const store::Formula formula = formula_to_save(o);
  store::Store db = open_store(o.db, DbAccess::existing);
  const store::SaveOutcome saved = db.save_formula_once(formula);
  if (o.json) {
    ordered_json out = formula_json(db.formula(saved.id));
    out["written"] = saved.written;
    print_json(out);
  } else if (saved.written) {
    fmt::print("formula {} saved for client {}{}\n", saved.id, formula.client_id,
               formula.replaces ? fmt::format(" (corrects formula {})", *formula.replaces) : "");
  } else {
    fmt::print(
        "formula {} already holds this recipe for client {} (same visit, pigments, drops "
        "and lots); nothing new was written\n",
        saved.id, formula.client_id);
  }
}

void run_show(const FormulaOptions& o) {
  store::Store db = open_store(o.db, DbAccess::read);
  const store::Formula f = db.formula(parse_id(o.id, "ID"));
  const std::optional<store::Id> next = db.replaced_by(f.id);
  if (o.json) {
    ordered_json out = formula_json(f);
    out["replaced_by"] = next ? ordered_json(*next) : ordered_json(nullptr);
    print_json(out);
  } else {
    print_formula(f, next);
  }
}

void run_history(const FormulaOptions& o) {
  store::Store db = open_store(o.db, DbAccess::read);
  const store::Id client = parse_id(o.id, "CLIENT");
  const std::string name = db.client(client).name;
  const std::vector<store::Formula> formulas = db.formula_history(client);
  if (o.json) {
    ordered_json out = ordered_json::array();
    for (const store::Formula& f : formulas)
      out.push_back(formula_json(f));
    print_json({{"client", client}, {"name", name}, {"formulas", out}});
    return;
  }
  if (formulas.empty()) {
    fmt::print("No formulas for client {} ({}) yet.\n", client, name);
    return;
  }
  fmt::print("{} formula(s) for client {} ({}), oldest first:\n\n", formulas.size(), client, name);
  for (const store::Formula& f : formulas) {
    print_formula(f, db.replaced_by(f.id));
    fmt::print("\n");
  }
}

void run_search(const FormulaOptions& o) {
  const Lab near = parse_lab(o.near, "--near");
  store::Store db = open_store(o.db, DbAccess::read);
  const std::vector<store::NearFormula> found = db.search_near(near, o.max_de, o.limit);
  if (o.json) {
    ordered_json out = ordered_json::array();
    for (const store::NearFormula& n : found) {
      out.push_back(
          {{"id", n.formula.id},
           {"client", n.formula.client_id},
           {"region", n.formula.region},
           {"target",
            {{"L", n.formula.target.L}, {"a", n.formula.target.a}, {"b", n.formula.target.b}}},
           {"delta_e00", n.delta_e00},
           {"superseded", n.superseded},
           {"created_at", n.formula.created_at}});
    }
    print_json({{"near", {{"L", near.L}, {"a", near.a}, {"b", near.b}}},
                {"max_delta_e00", o.max_de},
                {"formulas", out}});
    return;
  }
  if (found.empty()) {
    fmt::print("No formula targets within ΔE00 {} of {}.\n", o.max_de, lab_text(near));
    return;
  }
  fmt::print("{:>8}  {:>6}  {:<12} {:<32} {:>6}\n", "FORMULA", "CLIENT", "REGION", "TARGET",
             "ΔE00");
  for (const store::NearFormula& n : found) {
    fmt::print("{:>8}  {:>6}  {:<12} {:<32} {:>6.2f}{}\n", n.formula.id, n.formula.client_id,
               n.formula.region, lab_text(n.formula.target), n.delta_e00,
               n.superseded ? "  (corrected later)" : "");
  }
}

CLI::App* leaf(CLI::App* parent, const char* name, const char* description,
               const std::shared_ptr<FormulaOptions>& o) {
  CLI::App* cmd = parent->add_subcommand(name, description);
  add_db_option(cmd, o->db);
  cmd->add_flag("--json", o->json, "machine-readable output");
  return cmd;
}

}  // namespace

void register_formula_command(CLI::App& app) {
  auto o = std::make_shared<FormulaOptions>();
  CLI::App* formula = app.add_subcommand("formula", "Mixing records: save, show, history, search");
  formula->require_subcommand(1);

  CLI::App* save =
      leaf(formula, "save", "Save a formula (immutable; corrections with --replaces)", o);
  save->add_option("FILE", o->file, "formula JSON ('-': stdin), as 'formula show --json' prints");
  save->add_option("--from", o->from, "the output of 'pigmatch match --json' ('-': stdin)");
  save->add_option("--rank", o->rank, "which recipe of --from (1 = best)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  save->add_option("--client", o->client, "client id");
  save->add_option("--visit", o->visit, "visit id the formula was used in");
  save->add_option("--replaces", o->replaces, "the formula id this one corrects");
  save->add_option("--region", o->region, "e.g. crown, left temple scar");
  save->add_option("--notes", o->notes, "free text");
  save->add_option("--lot", o->lots, "CODE=LOT: the lot of a pigment's bottle (repeatable)");
  save->callback([o] { run_save(*o); });

  CLI::App* show = leaf(formula, "show", "One formula with its components and versions", o);
  show->add_option("ID", o->id, "formula id")->required();
  show->callback([o] { run_show(*o); });

  CLI::App* history = leaf(formula, "history", "A client's formulas, oldest first", o);
  history->add_option("CLIENT", o->id, "client id")->required();
  history->callback([o] { run_history(*o); });

  CLI::App* search = leaf(formula, "search", "Formulas whose target is near a colour", o);
  search->add_option("--near", o->near, "CIELAB D50 colour as L,a,b")->required();
  search->add_option("--max-de", o->max_de, "largest ΔE00 to the target, at most 10")
      ->check(CLI::Range(0.01, 10.0))
      ->capture_default_str();
  search->add_option("--limit", o->limit, "at most this many, nearest first")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  search->callback([o] { run_search(*o); });
}

}  // namespace pigmatch::cli
