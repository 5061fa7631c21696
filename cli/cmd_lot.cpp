// pigmatch lot trace LOT | lot list: every client and visit that received a pigment lot (what a
// recall needs), and the lots the studio has recorded.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "command.h"
#include "pigmatch/store/store.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct LotOptions {
  std::string db;
  std::string lot;
  bool json = false;
};

void run_trace(const LotOptions& o) {
  store::Store db = open_store(o.db, DbAccess::read);
  const std::vector<store::LotUse> uses = db.trace_lot(o.lot);
  if (o.json) {
    ordered_json out = ordered_json::array();
    for (const store::LotUse& u : uses) {
      out.push_back({{"client", u.client_id},
                     {"name", u.client_name},
                     {"formula", u.formula_id},
                     {"formula_created_at", u.formula_created_at},
                     {"visit", u.visit ? visit_json(*u.visit) : ordered_json(nullptr)},
                     {"vendor", u.component.vendor},
                     {"code", u.component.code},
                     {"lot", u.component.lot},
                     {"drops", u.component.drops},
                     {"ml", u.component.ml}});
    }
    print_json({{"lot", o.lot}, {"uses", out}});
    return;
  }
  if (uses.empty()) {
    fmt::print("No formula used lot '{}'.\n", o.lot);
    return;
  }
  fmt::print("Lot {} went into {} formula(s):\n", o.lot, uses.size());
  fmt::print("{:>6}  {:<28} {:>8}  {:<10} {:<10} {:<20} {}\n", "CLIENT", "NAME", "FORMULA", "VISIT",
             "KIND", "PIGMENT", "AMOUNT");
  for (const store::LotUse& u : uses) {
    fmt::print("{:>6}  {:<28} {:>8}  {:<10} {:<10} {:<20} {}, {:.3f} ml\n", u.client_id,
               u.client_name, u.formula_id, u.visit ? u.visit->date : "(no visit)",
               u.visit ? std::string(store::to_string(u.visit->kind)) : "",
               u.component.vendor + " " + u.component.code, drops_text(u.component.drops),
               u.component.ml);
  }
}

void run_list(const LotOptions& o) {
  store::Store db = open_store(o.db, DbAccess::read);
  const std::vector<store::Lot> lots = db.lots();
  if (o.json) {
    ordered_json out = ordered_json::array();
    for (const store::Lot& l : lots) {
      out.push_back({{"vendor", l.vendor}, {"code", l.code}, {"lot", l.lot}, {"expiry", l.expiry}});
    }
    print_json(out);
    return;
  }
  fmt::print("{:<28} {:<14} {:<16} {}\n", "VENDOR", "CODE", "LOT", "EXPIRY");
  for (const store::Lot& l : lots) {
    fmt::print("{:<28} {:<14} {:<16} {}\n", l.vendor, l.code, l.lot, l.expiry);
  }
}

}  // namespace

void register_lot_command(CLI::App& app) {
  auto o = std::make_shared<LotOptions>();
  CLI::App* lot = app.add_subcommand("lot", "Pigment lots: trace a lot to clients (recalls), list");
  lot->require_subcommand(1);
  CLI::App* trace = lot->add_subcommand("trace", "Every client and visit that received a lot");
  add_db_option(trace, o->db);
  trace->add_option("LOT", o->lot, "the lot number as printed on the bottle")->required();
  trace->add_flag("--json", o->json, "machine-readable output");
  trace->callback([o] { run_trace(*o); });
  CLI::App* list = lot->add_subcommand("list", "The lots recorded in formulas");
  add_db_option(list, o->db);
  list->add_flag("--json", o->json, "machine-readable output");
  list->callback([o] { run_list(*o); });
}

}  // namespace pigmatch::cli
