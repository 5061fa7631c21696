// pigmatch client add|list|show|export|import|erase|consent|share: the client records.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "command.h"
#include "pigmatch/error.h"
#include "pigmatch/store/store.h"
#include "store_common.h"

namespace pigmatch::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct ClientOptions {
  std::string db;
  std::string id;  // show/export/erase/consent CLIENT
  store::Client client;
  store::Consent consent;
  std::string search;
  std::string output;                            // export -o FILE
  std::string file;                              // import FILE
  std::string studio;                            // share --studio
  std::vector<std::string> backup_folders;       // erase --backups
  bool purge_backups = false;                    // erase --purge-backups
  store::Client edit;                            // edit: the new values of the options given
  std::vector<const CLI::Option*> edit_options;  // edit: --name, --birth-date, …, in that order
  bool renumber = false;
  bool yes = false;
  bool json = false;
};

void run_add(const ClientOptions& o) {
  store::Store db = open_store(o.db, DbAccess::create);
  const store::Id id = db.add_client(o.client);
  // As stored: the store drops blanks around the name.
  const store::Client added = db.client(id);
  if (o.json) {
    print_json(client_json(added));
  } else {
    fmt::print("client {} added: {}\n", id, added.name);
  }
}

void run_list(const ClientOptions& o) {
  store::Store db = open_store(o.db, DbAccess::read);
  const std::vector<store::Client> clients = db.clients(o.search);
  if (o.json) {
    ordered_json out = ordered_json::array();
    for (const store::Client& c : clients)
      out.push_back(client_json(c));
    print_json(out);
    return;
  }
  if (clients.empty()) {
    if (o.search.empty()) {
      fmt::print("No clients yet; add one with 'pigmatch client add NAME'.\n");
    } else {
      fmt::print("No client's name contains '{}'.\n", o.search);
    }
    return;
  }
  fmt::print("{:>6}  {:<32} {:<10}  {}\n", "ID", "NAME", "BORN", "ADDED");
  for (const store::Client& c : clients) {
    fmt::print("{:>6}  {:<32} {:<10}  {}\n", c.id, c.name, c.birth_date, c.created_at);
  }
}

void print_record(store::Store& db, const store::ClientRecord& r) {
  const store::Client& c = r.client;
  fmt::print("client {}: {}\n", c.id, c.name);
  if (!c.birth_date.empty())
    fmt::print("  born      {}\n", c.birth_date);
  if (!c.phone.empty())
    fmt::print("  phone     {}\n", c.phone);
  if (!c.email.empty())
    fmt::print("  email     {}\n", c.email);
  if (!c.notes.empty())
    fmt::print("  notes     {}\n", c.notes);
  fmt::print("\nvisits ({})\n", r.visits.size());
  for (const store::Visit& v : r.visits) {
    fmt::print("  #{} {} {:<10} {}{}{}\n", v.id, v.date, store::to_string(v.kind), v.area,
               v.practitioner.empty() ? "" : ", by " + v.practitioner,
               v.needle.empty() ? "" : ", needle " + v.needle);
  }
  fmt::print("\nconsents ({})\n", r.consents.size());
  for (const store::Consent& k : r.consents) {
    fmt::print("  {} {} signed by {}\n", k.date, k.kind, k.signed_by);
  }
  fmt::print("\nmeasurements ({})\n", r.measurements.size());
  for (const store::Measurement& m : r.measurements) {
    fmt::print(
        "  #{} {} {:<6} {:<12} {}{}\n", m.id, m.taken_at, store::to_string(m.kind), m.region,
        lab_text(m.lab),
        m.calibration_de00 ? fmt::format("  (calibration ΔE00 {:.2f})", *m.calibration_de00) : "");
  }
  fmt::print("\nformulas ({})\n", r.formulas.size());
  for (const store::Formula& f : r.formulas)
    print_formula(f, db.replaced_by(f.id));
}

void run_show(const ClientOptions& o) {
  store::Store db = open_store(o.db, DbAccess::read);
  const store::ClientRecord record = db.client_record(parse_id(o.id, "CLIENT"));
  if (o.json) {
    print_json(record_json(record));
  } else {
    print_record(db, record);
  }
}

void run_export(const ClientOptions& o) {
  store::Store db = open_store(o.db, DbAccess::read);
  const std::string text = store::to_json(db.client_record(parse_id(o.id, "CLIENT"))) + "\n";
  if (o.output.empty() || o.output == "-") {
    fmt::print("{}", text);
    return;
  }
  std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw Error(ErrorCode::io, fmt::format("{}: cannot write the export; check the folder and "
                                           "the free space",
                                           o.output));
  }
  if (!o.json)
    fmt::print(stderr, "pigmatch: client {} exported to {}\n", o.id, o.output);
}

void run_import(const ClientOptions& o) {
  const store::ClientRecord record =
      store::client_record_from_json(read_input(o.file), o.file == "-" ? "stdin" : o.file);
  store::Store db = open_store(o.db, DbAccess::create);
  const store::Id id = db.import_client(record, !o.renumber);
  std::set<std::string> lots;
  for (const store::Formula& f : record.formulas) {
    for (const store::Component& c : f.components) {
      if (!c.lot.empty())
        lots.insert(c.vendor + '\x1f' + c.code + '\x1f' + c.lot);
    }
  }
  if (o.json) {
    print_json({{"client", id},
                {"renumbered", o.renumber},
                {"visits", record.visits.size()},
                {"consents", record.consents.size()},
                {"measurements", record.measurements.size()},
                {"formulas", record.formulas.size()},
                {"lots", lots.size()}});
  } else {
    const auto count = [](std::size_t n, const char* one, const char* many) {
      return fmt::format("{} {}", n, n == 1 ? one : many);
    };
    fmt::print("client {} imported: {} ({}, {}, {}, {}; {})\n", id, record.client.name,
               count(record.visits.size(), "visit", "visits"),
               count(record.consents.size(), "consent", "consents"),
               count(record.measurements.size(), "measurement", "measurements"),
               count(record.formulas.size(), "formula", "formulas"),
               count(lots.size(), "pigment lot", "pigment lots"));
  }
}

// Where the client may still be after an erase: pigmatch database files beside the database
// (backups and the copies migrations keep) and in the folders named with --backups.
std::vector<std::filesystem::path> backup_folders(const store::Store& db, const ClientOptions& o) {
  std::vector<std::filesystem::path> folders;
  const std::string location = o.db.empty() ? store::default_database_path().string() : o.db;
  if (!store::is_server_location(location))
    folders.push_back(std::filesystem::absolute(db.path()).parent_path());
  for (const std::string& folder : o.backup_folders)
    folders.emplace_back(folder);
  return folders;
}

// Erases the client from one copy; the reason when it cannot.
std::string purge_copy(const std::filesystem::path& file, const store::Client& client) {
  try {
    store::OpenOptions options;
    options.create_if_missing = false;
    options.migrate = false;  // a migration would keep one more copy of the client
    store::Store copy = store::Store::open(file, options);
    copy.erase_client(client.id);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

void run_erase(const ClientOptions& o) {
  const store::Id id = parse_id(o.id, "CLIENT");
  if (!o.yes) {
    throw UsageError(
        fmt::format("erasing client {} deletes every record of them (visits, "
                    "consents, measurements, formulas) for good; export first "
                    "('pigmatch client export {} -o FILE'), then add --yes",
                    id, id));
  }
  store::Store db = open_store(o.db, DbAccess::existing);
  const store::Client client = db.client(id);
  const bool wal_cleared = db.erase_client(id);
  ordered_json copies = ordered_json::array();
  std::vector<std::string> lines;
  for (const store::ClientCopy& copy :
       store::find_client_copies(client, backup_folders(db, o), db.path())) {
    std::string state = !copy.unreadable.empty()   ? "unreadable"
                        : !copy.other_name.empty() ? "may hold"
                                                   : "holds";
    std::string why = copy.unreadable;
    if (state == "holds" && o.purge_backups) {
      why = purge_copy(copy.file, client);
      state = why.empty() ? "erased" : "not erased";
    }
    copies.push_back({{"file", copy.file.string()}, {"state", state}, {"message", why}});
    const std::string file = copy.file.string();
    if (state == "erased") {
      lines.push_back(fmt::format("erased from {} too", file));
    } else if (state == "holds") {
      lines.push_back(
          fmt::format("still in {}: erase it there too with --purge-backups, or "
                      "delete that file",
                      file));
    } else if (state == "may hold") {
      lines.push_back(
          fmt::format("{} holds a client {} made at the same moment but named '{}': "
                      "the client before a change of name? Check it, then delete that "
                      "file or erase the client there ('pigmatch client erase {} "
                      "--db {}')",
                      file, id, copy.other_name, id, file));
    } else if (state == "not erased") {
      lines.push_back(
          fmt::format("still in {}, which could not be changed ({}); delete that "
                      "file",
                      file, why));
    } else {
      lines.push_back(
          fmt::format("could not search {} ({}); it may still hold the client", file, why));
    }
  }
  if (o.json) {
    print_json({{"erased", id}, {"wal_cleared", wal_cleared}, {"copies", copies}});
  } else {
    fmt::print("client {} ({}) erased\n", id, client.name);
    for (const std::string& line : lines)
      fmt::print("  {}\n", line);
  }
  if (!wal_cleared) {
    fmt::print(stderr,
               "pigmatch: warning: another program is reading the database, so the "
               "write-ahead log still holds the erased data until it closes; run "
               "'pigmatch db check' afterwards\n");
  }
}

void run_edit(const ClientOptions& o) {
  const store::Id id = parse_id(o.id, "CLIENT");
  const bool any = std::any_of(o.edit_options.begin(), o.edit_options.end(),
                               [](const CLI::Option* opt) { return opt->count() > 0; });
  if (!any) {
    throw UsageError(
        "say what to correct: --name, --birth-date, --phone, --email or --notes (an empty "
        "value clears the last four)");
  }
  store::Store db = open_store(o.db, DbAccess::existing);
  store::Client client = db.client(id);
  std::string* fields[] = {&client.name, &client.birth_date, &client.phone, &client.email,
                           &client.notes};
  const std::string* values[] = {&o.edit.name, &o.edit.birth_date, &o.edit.phone, &o.edit.email,
                                 &o.edit.notes};
  for (std::size_t i = 0; i < o.edit_options.size(); ++i) {
    if (o.edit_options[i]->count() > 0)
      *fields[i] = *values[i];
  }
  db.update_client(client);
  const store::Client updated = db.client(id);
  if (o.json) {
    print_json(client_json(updated));
  } else {
    fmt::print("client {} updated: {}\n", id, updated.name);
  }
}

void run_consent(ClientOptions o) {
  store::Store db = open_store(o.db, DbAccess::existing);
  o.consent.client_id = parse_id(o.id, "CLIENT");
  const store::Id id = db.add_consent(o.consent);
  if (o.json) {
    print_json({{"id", id},
                {"client", o.consent.client_id},
                {"kind", o.consent.kind},
                {"date", o.consent.date},
                {"signed_by", o.consent.signed_by}});
  } else {
    fmt::print("consent {} recorded for client {}\n", id, o.consent.client_id);
  }
}

void run_share(const ClientOptions& o) {
  store::Store db = open_store(o.db, DbAccess::existing);
  const store::Id id = parse_id(o.id, "CLIENT");
  db.share_client(id, o.studio);
  if (o.json) {
    print_json({{"client", id}, {"shared_with", o.studio}});
  } else {
    fmt::print("client {} shared with studio '{}': its rooms now see and add to the records\n", id,
               o.studio);
  }
}

CLI::App* leaf(CLI::App* parent, const char* name, const char* description,
               const std::shared_ptr<ClientOptions>& o) {
  CLI::App* cmd = parent->add_subcommand(name, description);
  add_db_option(cmd, o->db);
  cmd->add_flag("--json", o->json, "machine-readable output");
  return cmd;
}

}  // namespace

void register_client_command(CLI::App& app) {
  auto o = std::make_shared<ClientOptions>();
  CLI::App* client = app.add_subcommand("client",
                                        "Client records: add, list, show, export, "
                                        "import, erase, consent, share");
  client->require_subcommand(1);

  CLI::App* add = leaf(client, "add", "Add a client", o);
  add->add_option("NAME", o->client.name, "full name")->required();
  add->add_option("--birth-date", o->client.birth_date, "YYYY-MM-DD");
  add->add_option("--phone", o->client.phone, "phone number");
  add->add_option("--email", o->client.email, "e-mail address");
  add->add_option("--notes", o->client.notes, "free text");
  add->callback([o] { run_add(*o); });

  CLI::App* edit = leaf(client, "edit", "Correct a client's details", o);
  edit->add_option("CLIENT", o->id, "client id")->required();
  o->edit_options = {
      edit->add_option("--name", o->edit.name, "full name"),
      edit->add_option("--birth-date", o->edit.birth_date, "YYYY-MM-DD, or '' to clear"),
      edit->add_option("--phone", o->edit.phone, "phone number, or '' to clear"),
      edit->add_option("--email", o->edit.email, "e-mail address, or '' to clear"),
      edit->add_option("--notes", o->edit.notes, "free text, or '' to clear")};
  edit->callback([o] { run_edit(*o); });

  CLI::App* list = leaf(client, "list", "List clients, by name", o);
  list->add_option("--search", o->search, "only names containing this text");
  list->callback([o] { run_list(*o); });

  CLI::App* show = leaf(client, "show", "Everything about a client", o);
  show->add_option("CLIENT", o->id, "client id")->required();
  show->callback([o] { run_show(*o); });

  CLI::App* exp = leaf(client, "export", "Write everything about a client as JSON", o);
  exp->add_option("CLIENT", o->id, "client id")->required();
  exp->add_option("-o,--output", o->output, "file to write (default: stdout)");
  exp->callback([o] { run_export(*o); });

  CLI::App* imp = leaf(client, "import", "Add a client from 'client export' JSON", o);
  imp->add_option("FILE", o->file, "the export ('-': stdin)")->required();
  imp->add_flag("--renumber", o->renumber,
                "give new ids (default: keep the exported ids, an error if any is taken)");
  imp->callback([o] { run_import(*o); });

  CLI::App* erase = leaf(client, "erase", "Delete every record of a client for good", o);
  erase->add_option("CLIENT", o->id, "client id")->required();
  erase->add_flag("--yes", o->yes, "confirm: the erase cannot be undone");
  erase->add_option("--backups", o->backup_folders,
                    "also look for copies of the database in this folder (repeatable; the "
                    "database's own folder is always searched)");
  erase->add_flag("--purge-backups", o->purge_backups,
                  "erase the client from the copies found too (backups, the copies migrations "
                  "keep)");
  erase->callback([o] { run_erase(*o); });

  CLI::App* consent = leaf(client, "consent", "Record a signed consent", o);
  consent->add_option("CLIENT", o->id, "client id")->required();
  consent->add_option("--kind", o->consent.kind, "e.g. treatment, photos")->required();
  consent->add_option("--date", o->consent.date, "YYYY-MM-DD")->required();
  consent->add_option("--signed-by", o->consent.signed_by, "who signed")->required();
  consent->callback([o] { run_consent(*o); });

  CLI::App* share = leaf(client, "share",
                         "Let another studio of a PostgreSQL store see and add to a client's "
                         "records",
                         o);
  share->add_option("CLIENT", o->id, "client id")->required();
  share->add_option("--studio", o->studio, "the studio to share with")->required();
  share->callback([o] { run_share(*o); });
}

}  // namespace pigmatch::cli
