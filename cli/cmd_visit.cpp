// pigmatch visit add CLIENT --kind KIND --date DATE [...]: record a session.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "command.h"
#include "pigmatch/store/store.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

struct VisitOptions {
  std::string db;
  std::string client;
  std::string kind = "initial";
  store::Visit visit;
  bool json = false;
};

void run_add(VisitOptions o) {
  o.visit.client_id = parse_id(o.client, "CLIENT");
  o.visit.kind = store::parse_visit_kind(o.kind);
  store::Store db = open_store(o.db, DbAccess::existing);
  const store::Id id = db.add_visit(o.visit);
  // As stored: the store drops blanks around the fields.
  const std::vector<store::Visit> visits = db.client_record(o.visit.client_id).visits;
  const auto added =
      std::find_if(visits.begin(), visits.end(), [&](const store::Visit& v) { return v.id == id; });
  const store::Visit& visit = added != visits.end() ? *added : o.visit;
  if (o.json) {
    print_json(visit_json(visit));
  } else {
    fmt::print("visit {} added for client {}: {} on {}\n", id, visit.client_id, o.kind, visit.date);
  }
}

}  // namespace

void register_visit_command(CLI::App& app) {
  auto o = std::make_shared<VisitOptions>();
  CLI::App* visit = app.add_subcommand("visit", "Sessions: initial, second, touch-up, camouflage");
  visit->require_subcommand(1);
  CLI::App* add = visit->add_subcommand("add", "Record a session of a client");
  add_db_option(add, o->db);
  add->add_option("CLIENT", o->client, "client id")->required();
  add->add_option("--kind", o->kind, "initial, second, touchup or camouflage")
      ->check(CLI::IsMember({"initial", "second", "touchup", "camouflage"}))
      ->capture_default_str();
  add->add_option("--date", o->visit.date, "YYYY-MM-DD")->required();
  add->add_option("--area", o->visit.area, "treated area, e.g. crown, left temple scar");
  add->add_option("--practitioner", o->visit.practitioner, "who did the session");
  add->add_option("--needle", o->visit.needle, "needle, e.g. '3RL 0.25'");
  add->add_option("--notes", o->visit.notes, "free text");
  add->add_flag("--json", o->json, "machine-readable output");
  add->callback([o] { run_add(*o); });
}

}  // namespace pigmatch::cli
