#include "save_to_store.h"

#include <fmt/format.h>

#include "command.h"
#include "pigmatch/error.h"
#include "store_common.h"

namespace pigmatch::cli {

std::shared_ptr<SaveOptions> add_save_options(CLI::App* command, bool measurement) {
  auto options = std::make_shared<SaveOptions>();
  const std::string what = measurement ? "the measured colours" : "the best recipe";
  command->add_option("--client", options->client,
                      "with --save: the client (an id from 'pigmatch client list')");
  command->add_flag("--save", options->save,
                    fmt::format("save {} into the client's latest visit (or --visit)", what));
  command->add_option("--visit", options->visit,
                      "with --save: the visit to save into (default: the client's latest)");
  if (measurement) {
    command
        ->add_option("--kind", options->kind,
                     "with --save: skin (default: a plain region is skin, a stubble region "
                     "its skin and hair) or healed (a plain region, or a stubble region's "
                     "dots, is the healed result of earlier work)")
        ->check(CLI::IsMember({"skin", "healed"}));
  } else {
    command->add_option("--lot", options->lots,
                        "with --save: CODE=LOT, the lot of a pigment's bottle (repeatable)");
  }
  add_db_option(command, options->db);
  return options;
}

store::Id resolve_visit(store::Store& store, store::Id client, std::optional<store::Id> visit) {
  if (visit) {
    // The store would refuse another client's visit only at insert time; say it before the work.
    const store::ClientRecord record = store.client_record(client);
    for (const store::Visit& v : record.visits) {
      if (v.id == *visit)
        return v.id;
    }
    throw Error(ErrorCode::not_found,
                fmt::format("client {} has no visit {}; 'pigmatch client show {}' lists the "
                            "visits, 'pigmatch visit add {}' adds one",
                            client, *visit, client, client));
  }
  const std::optional<store::Visit> latest = store.latest_visit(client);
  if (!latest) {
    throw Error(ErrorCode::not_found,
                fmt::format("client {} has no visit to save into; add one with 'pigmatch visit "
                            "add {} --kind initial --date YYYY-MM-DD'",
                            client, client));
  }
  return latest->id;
}

std::optional<SaveTarget> prepare_save(const SaveOptions& o) {
  if (!o.save) {
    if (!o.client.empty() || !o.visit.empty() || !o.kind.empty() || !o.lots.empty()) {
      throw UsageError("--client, --visit, --kind and --lot say what --save writes; add --save");
    }
    return std::nullopt;
  }
  if (o.client.empty())
    throw UsageError("--save needs the client: --client ID (see 'pigmatch client list')");
  const store::Id client = parse_id(o.client, "--client");
  const std::optional<store::Id> visit =
      o.visit.empty() ? std::nullopt : std::optional<store::Id>(parse_id(o.visit, "--visit"));
  store::Store store = open_store(o.db, DbAccess::existing);
  (void)store.client(client);  // throws not_found with the way to list clients
  const store::Id visit_id = resolve_visit(store, client, visit);
  return SaveTarget{std::move(store), client, visit_id, o.lots};
}

void record_photo(store::Measurement& m, const std::string& image) {
  pigmatch::record_photo(m, image);
}

void save_measurements(SaveTarget& target, const std::string& image,
                       std::optional<double> calibration_de00,
                       std::span<const RegionMeasurement> regions, const std::string& kind) {
  std::vector<std::string> notes;
  const std::vector<store::Measurement> rows = measurement_rows(
      image, calibration_de00, regions, kind == "healed" ? SavedAs::healed : SavedAs::skin,
      target.client, target.visit, &notes);
  for (const std::string& note : notes)
    fmt::print(stderr, "pigmatch: warning: {}\n", note);
  const std::vector<store::SaveOutcome> saved = target.store.add_measurements_once(rows);
  for (std::size_t i = 0; i < saved.size(); ++i) {
    fmt::print(stderr, "pigmatch: {} measurement #{} ({} of {}, {}) for client {}, visit {}{}\n",
               saved[i].written ? "saved" : "already had", saved[i].id,
               store::to_string(rows[i].kind), rows[i].region, lab_text(rows[i].lab), target.client,
               target.visit, saved[i].written ? "" : " from this photo; nothing new was written");
  }
}

void save_recipe(SaveTarget& target, store::Formula formula) {
  formula.client_id = target.client;
  formula.visit_id = target.visit;
  for (const std::string& assignment : target.lots)
    apply_lot(formula, assignment);
  const store::SaveOutcome saved = target.store.save_formula_once(formula);
  if (saved.written) {
    fmt::print(stderr, "pigmatch: saved the best recipe as formula #{} for client {}, visit {}\n",
               saved.id, target.client, target.visit);
  } else {
    fmt::print(stderr,
               "pigmatch: the best recipe is already saved as formula #{} for client {}, visit "
               "{}; nothing new was written\n",
               saved.id, target.client, target.visit);
  }
}

}  // namespace pigmatch::cli
