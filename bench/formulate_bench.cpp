// bench_formulate: time of pigmatch::formulate (two-constant Kubelka–Munk, synthetic K/S
// catalogs, every subset of up to N pigments plus the diluent) against catalog size and N, next
// to a naive grid search (every subset, concentrations in 5 % steps, best ΔE00) on the same
// targets. One thread. Figures and the command are in RESULTS.md.
//
//   bench_formulate [--quick]   (--quick skips the naive grid for 100 pigments × 3, ~minutes)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../tests/formulate/synthetic_catalog.h"
#include "pigmatch/formulate.h"
#include "pigmatch/mixing.h"

using namespace pigmatch;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Targets: known 3-pigment drop recipes (20 drops), as in the correctness test.
std::vector<Lab> targets(const Mixer& mixer, std::size_t pigments, std::size_t count) {
  std::mt19937 random(99);
  std::vector<Lab> out;
  for (std::size_t t = 0; t < count; ++t) {
    std::vector<std::size_t> idx;
    while (idx.size() < 3) {
      const std::size_t i = std::uniform_int_distribution<std::size_t>(0, pigments - 1)(random);
      if (std::find(idx.begin(), idx.end(), i) == idx.end())
        idx.push_back(i);
    }
    idx.push_back(pigments);  // the diluent
    const std::vector<double> conc{0.35, 0.15, 0.1, 0.4};
    out.push_back(to_lab(*mixer.mix({idx, conc}).reflectance));
  }
  return out;
}

// Every subset of up to n pigments; concentrations on a 5 % grid (each pigment 5–100 %, the
// diluent the rest); the best ΔE00 under D50.
double naive_grid(const Mixer& mixer, std::size_t pigments, std::size_t n, const Lab& target,
                  std::size_t& evaluations) {
  double best = 1e9;
  std::vector<std::size_t> subset(n);
  const auto search = [&](auto&& self, std::size_t depth, std::size_t first) -> void {
    if (depth > 0) {
      // enumerate the grid for subset[0..depth)
      std::vector<int> steps(depth, 1);
      std::vector<std::size_t> idx(subset.begin(), subset.begin() + static_cast<long>(depth));
      idx.push_back(pigments);
      std::vector<double> conc(depth + 1);
      while (true) {
        int sum = 0;
        for (std::size_t i = 0; i < depth; ++i)
          sum += steps[i];
        if (sum <= 20) {
          for (std::size_t i = 0; i < depth; ++i)
            conc[i] = steps[i] * 0.05;
          conc[depth] = 1 - sum * 0.05;
          const MixColour c = mixer.mix({idx, conc});
          best = std::min(best, delta_e2000(target, to_lab(*c.reflectance)));
          ++evaluations;
        }
        std::size_t i = 0;
        while (i < depth && ++steps[i] > 20)
          steps[i++] = 1;
        if (i == depth)
          break;
      }
    }
    if (depth == n)
      return;
    for (std::size_t p = first; p < pigments; ++p) {
      subset[depth] = p;
      self(self, depth + 1, p + 1);
    }
  };
  search(search, 0, 0);
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  MixerConditions conditions;
  conditions.substrate = Spectrum::constant(0.88);
  std::printf(
      "| pigments | N | subsets | optimised | formulate s (median of 5) | best ΔE00 (max) | "
      "naive 5 %% grid s | naive best ΔE00 | naive evaluations |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  struct Case {
    std::size_t pigments, n;
  };
  const std::vector<Case> cases{{25, 1}, {25, 2},  {25, 3},  {25, 4},  {50, 1}, {50, 2},
                                {50, 3}, {100, 1}, {100, 2}, {100, 3}, {200, 3}};
  for (const Case& c : cases) {
    const Catalog catalog = test::synthetic_catalog(c.pigments, 5);
    const PigmentPool pool = select_pigments(std::span(&catalog, 1), {});
    const std::vector<Pigment> pigments = pool.pigments();
    const auto mixer = make_builtin_mixer(BuiltinModel::km, pigments, conditions);
    const std::vector<Lab> goals = targets(*mixer, c.pigments, 5);
    std::vector<double> times;
    double worst = 0;
    FormulationResult last;
    for (const Lab& goal : goals) {
      FormulationRequest request;
      request.target_lab_d50 = goal;
      request.max_pigments = c.n;
      const auto start = Clock::now();
      last = formulate(request, pool, *mixer);
      times.push_back(seconds_since(start));
      worst = std::max(worst, last.recipes.front().de00);
    }
    std::sort(times.begin(), times.end());
    std::string naive = "—", naive_de = "—", naive_evals = "—";
    const bool run_naive = c.n <= 3 && !(quick && c.pigments * c.n >= 300) && c.pigments <= 100;
    if (run_naive) {
      std::size_t evaluations = 0;
      const auto start = Clock::now();
      const double de = naive_grid(*mixer, c.pigments, c.n, goals.front(), evaluations);
      naive = std::to_string(seconds_since(start));
      naive_de = std::to_string(de);
      naive_evals = std::to_string(evaluations);
    }
    std::printf("| %zu | %zu | %zu | %zu | %.3f | %.3f | %s | %s | %s |\n", c.pigments, c.n,
                last.subsets_searched, last.subsets_optimised, times[times.size() / 2], worst,
                naive.c_str(), naive_de.c_str(), naive_evals.c_str());
    std::fflush(stdout);
  }
}
