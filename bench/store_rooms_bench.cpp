// bench_store_rooms: a chain's rooms writing to one PostgreSQL store at once (issue 16's floor).
//
// Two studios, four rooms each, every room its own database role and connection. For the given
// time each room saves formulas for its studio's clients (one transaction each), and every tenth
// write corrects the newest version of a formula all four rooms of its studio correct, so writes
// race for real. A write refused as busy (a serialization conflict or a lock wait past the
// timeout) is counted and tried again, as a practitioner would. Afterwards: every acknowledged
// formula is in the server, every correction chain is a single line, and each studio's roles see
// none of the other studio's clients. Prints write latency percentiles and the counts.
//
// Usage: bench_store_rooms [SECONDS] (default 60). Uses $PIGMATCH_TEST_POSTGRES, else starts a
// throw-away server (scripts/pg_test_server.sh). Exit 1 when a check fails.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pigmatch/store/store.h"
#include "store/postgres_server.h"

using namespace pigmatch;
using namespace pigmatch::store;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int rooms_per_studio = 4;
constexpr int clients_per_studio = 50;

Formula formula_for(Id client, long i, std::optional<Id> replaces) {
  Formula f;
  f.client_id = client;
  f.replaces = replaces;
  f.region = "crown";
  f.target = {20.0 + static_cast<double>(i % 50), static_cast<double>(i % 7) - 3.0,
              static_cast<double>(i % 11)};
  f.predicted = {f.target.L + 0.3, f.target.a, f.target.b - 0.2};
  f.delta_e00 = 0.4;
  f.model = "km";
  f.catalog = "demo-smp";
  f.components = {{"Vendor", "BLK", "L" + std::to_string(i % 13), 3, 0.15},
                  {"Vendor", "DIL", "", 7, 0.35}};
  return f;
}

struct RoomResult {
  std::vector<double> latency_ms;  // acknowledged writes
  std::vector<Id> acknowledged;
  long busy = 0;            // refused plain writes (a new formula of a client)
  long busy_contested = 0;  // refused corrections of the version every room corrects
  long other_errors = 0;
  std::string first_error;
};

struct Studio {
  std::string name;
  std::string role_prefix;
  std::vector<Id> clients;
  Id contested_client = 0;
};

void run_room(const std::string& location, const Studio& studio, int room, double seconds,
              RoomResult& out) {
  Store store = Store::open(location);
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  for (long i = 0; Clock::now() < end; ++i) {
    const bool contested = i % 10 == 0;
    const Id client =
        contested ? studio.contested_client
                  : studio.clients[static_cast<std::size_t>(i + room * 7) % studio.clients.size()];
    const auto start = Clock::now();
    try {
      std::optional<Id> replaces;
      if (contested)
        replaces = store.current_formula(client)->id;
      const Id id = store.save_formula(formula_for(client, i, replaces));
      out.latency_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      out.acknowledged.push_back(id);
    } catch (const BusyError&) {
      ++(contested ? out.busy_contested : out.busy);
    } catch (const Error& e) {
      // A correction of a version another room corrected a moment ago is refused by name.
      if (contested && std::string(e.what()).find("already corrected") != std::string::npos) {
        ++out.busy_contested;
        continue;
      }
      ++out.other_errors;
      if (out.first_error.empty())
        out.first_error = e.what();
    }
  }
}

double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[at];
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 60.0;
  test::PostgresServer* server = test::PostgresServer::get();
  if (server == nullptr) {
    fmt::print(stderr, "bench_store_rooms: {}\n", test::PostgresServer::why_not());
    return 1;
  }
  const std::string location = server->new_database();
  std::array<Studio, 2> studios{Studio{"North", "pigmatch_bench_north_", {}, 0},
                                Studio{"South", "pigmatch_bench_south_", {}, 0}};
  {
    test::PgRaw admin(location);
    Store owner = Store::open(location);
    for (Studio& s : studios) {
      owner.add_studio(s.name);
      for (int room = 0; room < rooms_per_studio; ++room) {
        const std::string role = s.role_prefix + std::to_string(room);
        admin.exec("CREATE ROLE " + role + " LOGIN");
        owner.add_studio_member(role, s.name);
      }
      Store first_room = Store::open(location + " user=" + s.role_prefix + "0");
      for (int c = 0; c < clients_per_studio; ++c) {
        const Id id =
            first_room.add_client({0, fmt::format("{} client {}", s.name, c), "", "", "", "", ""});
        s.clients.push_back(id);
        first_room.save_formula(formula_for(id, c, std::nullopt));
      }
      s.contested_client = s.clients.front();
    }
  }

  std::vector<RoomResult> results(studios.size() * rooms_per_studio);
  std::vector<std::thread> rooms;
  const auto started = Clock::now();
  for (std::size_t s = 0; s < studios.size(); ++s) {
    for (int room = 0; room < rooms_per_studio; ++room) {
      RoomResult& out = results[s * rooms_per_studio + static_cast<std::size_t>(room)];
      const std::string as_role =
          location + " user=" + studios[s].role_prefix + std::to_string(room);
      rooms.emplace_back([&, as_role, s, room] {
        try {
          run_room(as_role, studios[s], room, seconds, out);
        } catch (const std::exception& e) {
          ++out.other_errors;
          out.first_error = e.what();
        }
      });
    }
  }
  for (std::thread& t : rooms)
    t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  std::vector<double> latency;
  std::set<Id> acknowledged;
  long busy = 0, busy_contested = 0, errors = 0;
  for (const RoomResult& r : results) {
    latency.insert(latency.end(), r.latency_ms.begin(), r.latency_ms.end());
    acknowledged.insert(r.acknowledged.begin(), r.acknowledged.end());
    busy += r.busy;
    busy_contested += r.busy_contested;
    errors += r.other_errors;
    if (!r.first_error.empty())
      fmt::print(stderr, "bench_store_rooms: error: {}\n", r.first_error);
  }

  bool ok = errors == 0;
  test::PgRaw admin(location);
  std::set<Id> stored;
  for (const auto& row : admin.rows("SELECT id FROM formulas"))
    stored.insert(std::stoll(row[0]));
  long missing = 0;
  for (Id id : acknowledged)
    missing += stored.count(id) == 0 ? 1 : 0;
  ok = ok && missing == 0;
  // Each version is corrected at most once (the unique index), and every contested chain is
  // one line from its first version.
  const std::string forks = admin.scalar(
      "SELECT count(*) FROM (SELECT replaces FROM formulas WHERE replaces IS NOT NULL "
      "GROUP BY replaces HAVING count(*) > 1) f");
  ok = ok && forks == "0";
  long foreign_seen = 0;
  for (std::size_t s = 0; s < studios.size(); ++s) {
    const Studio& other = studios[1 - s];
    for (int room = 0; room < rooms_per_studio; ++room) {
      Store mine = Store::open(location + " user=" + studios[s].role_prefix + std::to_string(room));
      for (const Client& c : mine.clients()) {
        if (std::find(other.clients.begin(), other.clients.end(), c.id) != other.clients.end())
          ++foreign_seen;
      }
    }
  }
  ok = ok && foreign_seen == 0;

  fmt::print("rooms: {} ({} per studio, each its own role and connection), {:.1f} s\n",
             results.size(), rooms_per_studio, elapsed);
  fmt::print(
      "acknowledged writes: {} ({:.0f}/s); refused and tried again: {} new formulas, {} "
      "corrections of the contested version; other errors: {}\n",
      acknowledged.size(), static_cast<double>(acknowledged.size()) / elapsed, busy, busy_contested,
      errors);
  fmt::print("write latency ms: p50 {:.2f}, p90 {:.2f}, p99 {:.2f}, max {:.2f}\n",
             percentile(latency, 0.5), percentile(latency, 0.9), percentile(latency, 0.99),
             percentile(latency, 1.0));
  fmt::print(
      "acknowledged but missing: {}; versions corrected twice: {}; other studio's clients "
      "seen: {}\n",
      missing, forks, foreign_seen);
  fmt::print("{}\n", ok ? "all checks hold" : "CHECK FAILED");
  return ok ? 0 : 1;
}
