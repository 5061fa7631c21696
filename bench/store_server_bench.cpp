// bench_store_server: the client records on a PostgreSQL server with 1 000 000 formulas, beside
// bench_store's SQLite figures (bench/RESULTS.md).
//
// Set-up: 100 000 clients and 1 000 000 formulas (10 per client, 2 components each, one of them
// with a lot) written by the server itself (INSERT … SELECT over generate_series: the store's
// triggers and checks run, only the client round trips are skipped); then 100 000 more formulas
// through Store::save_formulas, timed. Measured through the store: a client's history
// (formula_history, 20 000 random clients) and search_near (2 000 random targets), as
// `formula history` and `formula search --near` ask.
//
// Usage: bench_store_server. Uses $PIGMATCH_TEST_POSTGRES, else starts a throw-away server
// (scripts/pg_test_server.sh).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "pigmatch/store/store.h"
#include "store/postgres_server.h"

using namespace pigmatch;
using namespace pigmatch::store;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int clients = 100000;
constexpr int formulas_per_client = 10;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void print_percentiles(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double p) {
    return ms[static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1))];
  };
  fmt::print("{}: {} calls, p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms\n", what, ms.size(),
             at(0.5), at(0.99), ms.back());
}

}  // namespace

int main() {
  test::PostgresServer* server = test::PostgresServer::get();
  if (server == nullptr) {
    fmt::print(stderr, "bench_store_server: {}\n", test::PostgresServer::why_not());
    return 1;
  }
  const std::string location = server->new_database();
  { Store::open(location); }  // the schema
  {
    test::PgRaw raw(location);
    auto start = Clock::now();
    const bool ok = raw.exec(fmt::format(
        "BEGIN;"
        "INSERT INTO clients (id, name, created_at) SELECT g, 'client ' || g, "
        "'2020-01-01T00:00:00Z' FROM generate_series(1, {0}) g;"
        "INSERT INTO lots (vendor, code, lot) SELECT 'Vendor', 'BLK', 'L' || g "
        "FROM generate_series(0, 12) g;"
        "INSERT INTO formulas (id, client_id, region, target_L, target_a, target_b, model, "
        "catalog, predicted_L, predicted_a, predicted_b, delta_e00, created_at) "
        "SELECT g, 1 + (g - 1) / {1}, 'crown', 15 + random() * 60, -5 + random() * 30, "
        "-5 + random() * 40, 'km', 'demo', 50, 0, 0, 0.5, '2021-01-01T00:00:00Z' "
        "FROM generate_series(1, {2}) g;"
        "INSERT INTO formula_components (formula_id, position, vendor, code, lot, drops, ml) "
        "SELECT g, 0, 'Vendor', 'BLK', 'L' || (g % 13), 3, 0.15 "
        "FROM generate_series(1, {2}) g;"
        "INSERT INTO formula_components (formula_id, position, vendor, code, drops, ml) "
        "SELECT g, 1, 'Vendor', 'DIL', 7, 0.35 FROM generate_series(1, {2}) g;"
        "SELECT setval('clients_id_seq', {0}); SELECT setval('formulas_id_seq', {2});"
        "COMMIT; ANALYZE;",
        clients, formulas_per_client, clients * formulas_per_client));
    if (!ok) {
      fmt::print(stderr, "bench_store_server: set-up failed\n");
      return 1;
    }
    fmt::print("set-up: {} clients, {} formulas by the server in {:.1f} s\n", clients,
               clients * formulas_per_client, ms_since(start) / 1000);
  }

  Store store = Store::open(location);
  std::mt19937 random(42);
  {
    std::vector<Formula> batch;
    std::uniform_int_distribution<Id> client(1, clients);
    for (int i = 0; i < 100000; ++i) {
      Formula f;
      f.client_id = client(random);
      f.region = "crown";
      f.target = {40, 2, 6};
      f.predicted = {40.3, 2, 5.8};
      f.delta_e00 = 0.4;
      f.model = "km";
      f.catalog = "demo";
      f.components = {{"Vendor", "BLK", "L" + std::to_string(i % 13), 3, 0.15},
                      {"Vendor", "DIL", "", 7, 0.35}};
      batch.push_back(std::move(f));
    }
    const auto start = Clock::now();
    store.save_formulas(batch);
    const double seconds = ms_since(start) / 1000;
    fmt::print("bulk import through the store: 100 000 formulas in {:.1f} s ({:.0f}/s)\n", seconds,
               100000 / seconds);
  }
  {
    std::uniform_int_distribution<Id> client(1, clients);
    std::vector<double> ms;
    std::size_t read = 0;
    for (int i = 0; i < 20000; ++i) {
      const auto start = Clock::now();
      read += store.formula_history(client(random)).size();
      ms.push_back(ms_since(start));
    }
    print_percentiles("formula_history (a client's formulas with components)", ms);
    fmt::print("  {:.1f} formulas a client on average\n", static_cast<double>(read) / 20000);
  }
  {
    std::uniform_real_distribution<double> L(15, 75), a(-5, 25), b(-5, 35);
    std::vector<double> ms;
    for (int i = 0; i < 2000; ++i) {
      const Lab target{L(random), a(random), b(random)};
      const auto start = Clock::now();
      store.search_near(target, 5, 10);
      ms.push_back(ms_since(start));
    }
    print_percentiles("search_near (10 nearest within ΔE00 5)", ms);
  }
  return 0;
}
