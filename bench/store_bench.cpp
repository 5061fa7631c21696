// bench_store: the store's speed floor with 1 000 000 formulas (issue 6): a client's history
// under 1 ms at p99, `formula search --near` under 50 ms, bulk import ≥ 50 000 formulas/s.
//
// The 1M-formula database is built once per run in a temporary folder (100 000 clients × 10
// formulas, 2–3 components each, targets spread over SMP colours), through Store::save_formulas
// in 100 000-formula transactions; that build is itself reported as the bulk-import rate.
// Clients are inserted with plain SQL in one transaction (Store::add_client commits, and fsyncs,
// per client, which is right for people and wrong for a 100 000-row set-up).
//
// Run: build/<dir>/bench/bench_store [--benchmark_repetitions=3]
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pigmatch/store/store.h"

namespace fs = std::filesystem;
using namespace pigmatch;
using namespace pigmatch::store;

namespace {

constexpr int clients_count = 100000;
constexpr int formulas_per_client = 10;
constexpr std::size_t chunk = 100000;

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "pigmatch-bench-store-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    std::abort();
  return pattern;
}

// SMP targets: hair and skin colours, dark to medium, warm.
Lab random_target(std::mt19937& rng) {
  std::uniform_real_distribution<double> L(15, 75), a(-5, 25), b(-5, 35);
  return {L(rng), a(rng), b(rng)};
}

Formula random_formula(std::mt19937& rng, Id client, int index) {
  Formula f;
  f.client_id = client;
  f.region = index % 2 == 0 ? "crown" : "hairline";
  f.target = random_target(rng);
  f.predicted = {f.target.L + 0.3, f.target.a - 0.2, f.target.b + 0.1};
  f.delta_e00 = 0.4;
  f.model = "km";
  f.catalog = "demo-smp";
  f.components = {{"Acme Pigments", "SMP-1", "A" + std::to_string(rng() % 500), 3, 0.15},
                  {"Acme Pigments", "SMP-WARM", "W" + std::to_string(rng() % 500), 1, 0.05}};
  if (index % 3 == 0)
    f.components.push_back({"Acme Pigments", "DIL", "", 8, 0.4});
  f.created_at = "2024-01-01T00:00:00Z";
  return f;
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Bytes this process has caused to be written to storage (Linux /proc/self/io), -1 if unknown.
long bytes_written() {
  std::FILE* io = std::fopen("/proc/self/io", "r");
  if (io == nullptr)
    return -1;
  char key[64];
  long value = 0, written = -1;
  while (std::fscanf(io, "%63s %ld", key, &value) == 2) {
    if (std::string(key) == "write_bytes:")
      written = value;
  }
  std::fclose(io);
  return written;
}

void insert_clients(const fs::path& db, int first, int count) {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(raw, "INSERT INTO clients (id, name, created_at) VALUES (?, ?, ?)", -1,
                     &insert, nullptr);
  for (int i = first; i < first + count; ++i) {
    const std::string name = "Client " + std::to_string(i);
    sqlite3_bind_int64(insert, 1, i);
    sqlite3_bind_text(insert, 2, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, "2024-01-01T00:00:00Z", -1, SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
}

struct Million {
  fs::path dir = make_temp_dir();
  fs::path db = dir / "million.db";
  double build_seconds = 0;
  double formulas_per_second = 0;

  Million() {
    { Store::open(db); }
    insert_clients(db, 1, clients_count);
    Store store = Store::open(db);
    std::mt19937 rng(1);
    std::vector<Formula> batch;
    batch.reserve(chunk);
    const auto start = std::chrono::steady_clock::now();
    for (Id client = 1; client <= clients_count; ++client) {
      for (int i = 0; i < formulas_per_client; ++i)
        batch.push_back(random_formula(rng, client, i));
      if (batch.size() >= chunk) {
        const auto t0 = std::chrono::steady_clock::now();
        const double cpu0 = cpu_seconds();
        const long written0 = bytes_written();
        store.save_formulas(batch);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr,
                     "bench_store: formulas %zu–%zu: %.0f formulas/s (%.2f s, CPU %.2f s, %.0f MB "
                     "written)\n",
                     static_cast<std::size_t>(client) * formulas_per_client - batch.size(),
                     static_cast<std::size_t>(client) * formulas_per_client, batch.size() / s, s,
                     cpu_seconds() - cpu0, static_cast<double>(bytes_written() - written0) / 1e6);
        batch.clear();
      }
    }
    if (!batch.empty())
      store.save_formulas(batch);
    build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    formulas_per_second = clients_count * formulas_per_client / build_seconds;
    std::fprintf(stderr,
                 "bench_store: 1M formulas saved in %.1f s (%.0f formulas/s), file %.0f MB\n",
                 build_seconds, formulas_per_second, static_cast<double>(fs::file_size(db)) / 1e6);
  }
  ~Million() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Million& million() {
  static Million m;
  return m;
}

// Per-call latencies → p50/p99 counters (Google Benchmark reports means only).
void report_percentiles(benchmark::State& state, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * micros.size()))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = micros.back();
}

void BM_BulkImport1M(benchmark::State& state) {
  Million& m = million();
  for (auto _ : state) {
    state.SetIterationTime(m.build_seconds);  // measured once, in the set-up
  }
  state.counters["formulas_per_s"] = m.formulas_per_second;
}
BENCHMARK(BM_BulkImport1M)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

// 100 000 formulas into a fresh database, one save_formulas call (one transaction).
void BM_BulkImportFresh(benchmark::State& state) {
  const fs::path dir = make_temp_dir();
  std::mt19937 rng(2);
  std::vector<Formula> formulas;
  for (int i = 0; i < 100000; ++i)
    formulas.push_back(random_formula(rng, 1 + i / 10, i % 10));
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path db = dir / ("fresh" + std::to_string(run++) + ".db");
    { Store::open(db); }
    insert_clients(db, 1, 10000);
    Store store = Store::open(db);
    state.ResumeTiming();
    benchmark::DoNotOptimize(store.save_formulas(formulas));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(formulas.size()));
  std::error_code ec;
  fs::remove_all(dir, ec);
}
BENCHMARK(BM_BulkImportFresh)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_ClientHistory(benchmark::State& state) {
  Store store = Store::open(million().db);
  std::mt19937 rng(3);
  std::uniform_int_distribution<Id> client(1, clients_count);
  std::vector<double> micros;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<Formula> history = store.formula_history(client(rng));
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (history.size() != formulas_per_client)
      state.SkipWithError("wrong history size");
  }
  report_percentiles(state, micros);
}
BENCHMARK(BM_ClientHistory)->Unit(benchmark::kMicrosecond)->Iterations(20000)->UseRealTime();

// What `formula search --near L,a,b` asks by default: the 10 nearest within ΔE00 5.
void BM_SearchNear(benchmark::State& state) {
  Store store = Store::open(million().db);
  std::mt19937 rng(4);
  const double radius = static_cast<double>(state.range(0));
  std::vector<double> micros;
  for (auto _ : state) {
    const Lab q = random_target(rng);
    const auto t0 = std::chrono::steady_clock::now();
    const auto found = store.search_near(q, radius, 10);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    benchmark::DoNotOptimize(found.data());
  }
  report_percentiles(state, micros);
}
BENCHMARK(BM_SearchNear)->Arg(5)->Unit(benchmark::kMillisecond)->Iterations(2000)->UseRealTime();

// Opening the 1M file as the CLI does for each command: with and without PRAGMA quick_check.
void BM_Open(benchmark::State& state) {
  OpenOptions options;
  options.quick_check = state.range(0) != 0;
  for (auto _ : state) {
    Store store = Store::open(million().db, options);
    benchmark::DoNotOptimize(&store);
  }
}
BENCHMARK(BM_Open)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
