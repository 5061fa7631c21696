// pigmatch studio add|member|owner: the branches of a chain on a PostgreSQL store, and which
// database role works for which (the server enforces it: docs/postgresql.md).
#include <fmt/format.h>

#include <memory>
#include <string>

#include "command.h"
#include "pigmatch/store/store.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

struct StudioOptions {
  std::string db;
  std::string name;  // add NAME, member/owner ROLE
  std::string studio;
  bool json = false;
};

void run_add(const StudioOptions& o) {
  store::Store db = open_store(o.db, DbAccess::existing);
  db.add_studio(o.name);
  if (o.json) {
    print_json({{"studio", o.name}});
  } else {
    fmt::print("studio '{}' added\n", o.name);
  }
}

void run_member(const StudioOptions& o) {
  store::Store db = open_store(o.db, DbAccess::existing);
  db.add_studio_member(o.name, o.studio);
  if (o.json) {
    print_json({{"role", o.name}, {"studio", o.studio}});
  } else {
    fmt::print(
        "database role '{}' now works for studio '{}': it sees that studio's clients and "
        "the ones shared with it\n",
        o.name, o.studio);
  }
}

void run_owner(const StudioOptions& o) {
  store::Store db = open_store(o.db, DbAccess::existing);
  db.add_owner(o.name);
  if (o.json) {
    print_json({{"role", o.name}, {"owner", true}});
  } else {
    fmt::print("database role '{}' is now an owner: it sees every studio's clients\n", o.name);
  }
}

CLI::App* leaf(CLI::App* parent, const char* name, const char* description,
               const std::shared_ptr<StudioOptions>& o) {
  CLI::App* cmd = parent->add_subcommand(name, description);
  add_db_option(cmd, o->db);
  cmd->add_flag("--json", o->json, "machine-readable output");
  return cmd;
}

}  // namespace

void register_studio_command(CLI::App& app) {
  auto o = std::make_shared<StudioOptions>();
  CLI::App* studio = app.add_subcommand(
      "studio", "Branches on a PostgreSQL store: add, member, owner (run as the database's owner)");
  studio->require_subcommand(1);

  CLI::App* add = leaf(studio, "add", "Add a studio (a branch)", o);
  add->add_option("NAME", o->name, "the studio's name")->required();
  add->callback([o] { run_add(*o); });

  CLI::App* member =
      leaf(studio, "member", "Make a practitioner's database role work for a studio", o);
  member->add_option("ROLE", o->name, "the database role (CREATE ROLE … LOGIN)")->required();
  member->add_option("STUDIO", o->studio, "the studio's name")->required();
  member->callback([o] { run_member(*o); });

  CLI::App* owner = leaf(studio, "owner", "Let a database role see every studio's clients", o);
  owner->add_option("ROLE", o->name, "the database role")->required();
  owner->callback([o] { run_owner(*o); });
}

}  // namespace pigmatch::cli
