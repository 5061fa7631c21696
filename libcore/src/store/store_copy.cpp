// Moving a store's records into another store (a studio's SQLite file into its server), proved
// by comparing every client's export on both sides.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "pigmatch/store/store.h"

namespace pigmatch::store {
namespace {

auto fields(const Lot& lot) {
  return std::tie(lot.vendor, lot.code, lot.lot, lot.expiry);
}

// Lots are compared as sets: an engine may list equal names in another order.
std::vector<Lot> sorted(std::vector<Lot> lots) {
  std::sort(lots.begin(), lots.end(),
            [](const Lot& x, const Lot& y) { return fields(x) < fields(y); });
  return lots;
}

bool same_lots(const std::vector<Lot>& x, const std::vector<Lot>& y) {
  return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                    [](const Lot& p, const Lot& q) { return fields(p) == fields(q); });
}

// The destination's export of client `id`, or empty when it has none.
std::string export_in(Store& store, Id id) {
  try {
    return to_json(store.client_record(id));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::not_found)
      return {};
    throw;
  }
}

}  // namespace

CopyReport copy_records(Store& from, Store& to, const CopyProgress& progress) {
  const std::vector<Client> clients = from.clients();
  CopyReport report;
  std::map<Id, std::string> exported;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const ClientRecord record = from.client_record(clients[i].id);
    const std::string text = to_json(record);
    const std::string there = export_in(to, record.client.id);
    if (there.empty()) {
      to.import_client(record, /*keep_ids=*/true);
      ++report.clients;
      report.formulas += static_cast<std::int64_t>(record.formulas.size());
    } else if (there == text) {
      ++report.already;
    } else {
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: already holds a different client {} ('{}'); copy into an empty "
                              "database, nothing else was changed there by this client",
                              to.path().string(), record.client.id, record.client.name));
    }
    exported.emplace(record.client.id, text);
    if (progress)
      progress(i + 1, clients.size());
  }
  const std::vector<Lot> source_lots = sorted(from.lots());
  for (const Lot& lot : source_lots)
    to.add_lot(lot);

  for (const auto& [id, text] : exported) {
    if (export_in(to, id) != text) {
      throw Error(ErrorCode::corrupt_data,
                  fmt::format("{}: client {} reads back differently from {}; the copy is not "
                              "faithful, keep using {} and report this",
                              to.path().string(), id, from.path().string(), from.path().string()));
    }
  }
  const std::vector<Lot> lots = sorted(to.lots());
  if (!same_lots(lots, source_lots)) {
    throw Error(
        ErrorCode::corrupt_data,
        fmt::format("{}: holds {} lots where {} holds {}; copy into an empty database",
                    to.path().string(), lots.size(), from.path().string(), source_lots.size()));
  }
  report.lots = static_cast<std::int64_t>(lots.size());
  return report;
}

}  // namespace pigmatch::store
