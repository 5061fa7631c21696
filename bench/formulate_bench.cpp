// bench_formulate: time of pigmatch::formulate (two-constant Kubelka–Munk, synthetic K/S
// catalogs, every subset of up to N pigments plus the diluent) against catalog size and N, next
// to a naive grid search (every subset, concentrations in 5 % steps, best ΔE00) on the same
// targets; and the screen's recall against the exhaustive optimiser. One thread. Figures and the
// commands are in RESULTS.md.
//
//   bench_formulate [--quick]        the table (--quick skips the naive grid for 100 × 3)
//   bench_formulate --row P N        one row: P pigments, N per recipe, CPU time per target
//   bench_formulate --once P         the hard target once, N = 3 (for valgrind --tool=callgrind)
//   bench_formulate --recall P N T [SEED]   T targets (half known recipes made with SEED, 7
//                                    unless given; the table's are 99): screened search vs every
//                                    subset optimised
//   bench_formulate --own P T        T random whole-drop recipes (1–3 pigments + diluent, 20
//                                    drops): how often their own colour gives a recipe within
//                                    ΔE00 0.02 (issue 15's floor: 99 %), and the CPU per target
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../tests/formulation/random_recipe.h"
#include "../tests/formulation/synthetic_catalog.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/mixing.h"

using namespace pigmatch;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of this thread: what "one core" means on a loaded machine.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Targets: known 3-pigment recipes (35/15/10 % plus 40 % diluent), seeded.
std::vector<Lab> targets(const Mixer& mixer, std::size_t pigments, std::size_t count,
                         unsigned seed = 99) {
  std::mt19937 random(seed);
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

struct Setup {
  Catalog catalog;
  PigmentPool pool;
  std::unique_ptr<Mixer> mixer;
};

Setup setup(std::size_t pigments) {
  Setup s;
  s.catalog = test::synthetic_catalog(pigments, 5);
  s.pool = select_pigments(std::span(&s.catalog, 1), {});
  MixerConditions conditions;
  conditions.substrate = Spectrum::constant(0.88);
  s.mixer = make_builtin_mixer(BuiltinModel::km, s.pool.pigments(), conditions);
  return s;
}

FormulationRequest request_for(const Lab& target, std::size_t n, bool exhaustive = false) {
  FormulationRequest request;
  request.target_lab_d50 = target;
  request.max_pigments = n;
  request.exhaustive = exhaustive;
  return request;
}

int table(bool quick) {
  std::printf(
      "| pigments | N | subsets | optimised | formulate s, CPU (median of 5) | best ΔE00 (max) | "
      "naive 5 %% grid s, CPU | naive best ΔE00 | naive evaluations |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  struct Case {
    std::size_t pigments, n;
  };
  const std::vector<Case> cases{{25, 1},  {25, 2},  {25, 3},  {25, 4},  {50, 1},
                                {50, 2},  {50, 3},  {50, 4},  {100, 1}, {100, 2},
                                {100, 3}, {200, 1}, {200, 2}, {200, 3}};
  for (const Case& c : cases) {
    const Setup s = setup(c.pigments);
    const std::vector<Lab> goals = targets(*s.mixer, c.pigments, 5);
    std::vector<double> times;
    double worst = 0;
    FormulationResult last;
    for (const Lab& goal : goals) {
      const double start = cpu_seconds();
      last = formulate(request_for(goal, c.n), s.pool, *s.mixer);
      times.push_back(cpu_seconds() - start);
      worst = std::max(worst, last.recipes.front().de00);
    }
    std::sort(times.begin(), times.end());
    std::string naive = "—", naive_de = "—", naive_evals = "—";
    const bool run_naive = c.n <= 3 && !(quick && c.pigments * c.n >= 300) && c.pigments <= 100;
    if (run_naive) {
      std::size_t evaluations = 0;
      const double start = cpu_seconds();
      const double de = naive_grid(*s.mixer, c.pigments, c.n, goals.front(), evaluations);
      char text[32];
      std::snprintf(text, sizeof text, "%.3g", cpu_seconds() - start);
      naive = text;
      std::snprintf(text, sizeof text, "%.3f", de);
      naive_de = text;
      naive_evals = std::to_string(evaluations);
    }
    std::printf("| %zu | %zu | %zu | %zu | %.3f | %.3f | %s | %s | %s |\n", c.pigments, c.n,
                last.subsets_searched, last.subsets_optimised, times[times.size() / 2], worst,
                naive.c_str(), naive_de.c_str(), naive_evals.c_str());
    std::fflush(stdout);
  }
  return 0;
}

// A skin-like Lab no 3-pigment recipe of the catalog was made from.
constexpr Lab hard_target{48, 18, 12};

// The hard target formulated once: what callgrind counts.
int once(std::size_t pigments) {
  const Setup s = setup(pigments);
  const FormulationResult r = formulate(request_for(hard_target, 3), s.pool, *s.mixer);
  std::printf("best ΔE00 %.3f, %zu optimised\n", r.recipes.front().de00, r.subsets_optimised);
  return 0;
}

// The 5 table targets plus a hard one (a skin-like Lab no 3-pigment recipe of the catalog was
// made from), each timed alone.
int row(std::size_t pigments, std::size_t n) {
  const Setup s = setup(pigments);
  std::vector<Lab> goals = targets(*s.mixer, pigments, 5);
  goals.push_back(hard_target);
  for (const Lab& goal : goals) {
    const auto wall = Clock::now();
    const double start = cpu_seconds();
    const FormulationResult r = formulate(request_for(goal, n), s.pool, *s.mixer);
    const double cpu = cpu_seconds() - start;
    std::printf(
        "target (%.1f, %.1f, %.1f): %.3f s CPU, %.3f s wall, %zu subsets, %zu optimised, "
        "best ΔE00 %.3f\n",
        goal.L, goal.a, goal.b, cpu, seconds_since(wall), r.subsets_searched, r.subsets_optimised,
        r.recipes.front().de00);
  }
  return 0;
}

std::set<std::string> pigments_of(const Recipe& r) {
  std::set<std::string> out;
  for (const auto& c : r.components) {
    if (!c.is_diluent)
      out.insert(c.code);
  }
  return out;
}

// The screened search against the exhaustive one (every subset optimised) on `count` targets:
// known recipes (as in the table, other seeds) and random Lab colours a white card can carry.
int recall(std::size_t pigments, std::size_t n, std::size_t count, unsigned seed) {
  const Setup s = setup(pigments);
  std::vector<Lab> goals = targets(*s.mixer, pigments, count / 2, seed);
  std::mt19937 random(11);
  while (goals.size() < count) {
    goals.push_back({std::uniform_real_distribution<double>(25, 85)(random),
                     std::uniform_real_distribution<double>(-10, 30)(random),
                     std::uniform_real_distribution<double>(-10, 35)(random)});
  }
  std::size_t same_top1 = 0, top5_overlap = 0;
  double worst_loss = 0, sum_loss = 0, screened_cpu = 0, exhaustive_cpu = 0;
  for (const Lab& goal : goals) {
    double start = cpu_seconds();
    const FormulationResult fast = formulate(request_for(goal, n), s.pool, *s.mixer);
    screened_cpu += cpu_seconds() - start;
    start = cpu_seconds();
    const FormulationResult full = formulate(request_for(goal, n, true), s.pool, *s.mixer);
    exhaustive_cpu += cpu_seconds() - start;
    const Recipe &a = fast.recipes.front(), &b = full.recipes.front();
    const bool same = pigments_of(a) == pigments_of(b);
    same_top1 += same ? 1 : 0;
    const double loss = a.objective - b.objective;  // > 0: the screen lost something
    worst_loss = std::max(worst_loss, loss);
    sum_loss += std::max(0.0, loss);
    for (const Recipe& r : fast.recipes) {
      for (const Recipe& q : full.recipes) {
        if (pigments_of(r) == pigments_of(q)) {
          ++top5_overlap;
          break;
        }
      }
    }
    std::printf("target (%.1f, %.1f, %.1f): top-1 %s, ΔE00 %.3f vs %.3f, objective %+.4f\n", goal.L,
                goal.a, goal.b, same ? "same" : "differs", a.de00, b.de00, loss);
  }
  std::printf(
      "%zu pigments, N = %zu, %zu targets: top-1 pigments same in %zu; objective lost "
      "(screened − exhaustive): worst %.4f, mean %.4f; top-5 recipes shared %zu/%zu; "
      "CPU %.2f s screened, %.2f s exhaustive\n",
      pigments, n, goals.size(), same_top1, worst_loss, sum_loss / goals.size(), top5_overlap,
      5 * goals.size(), screened_cpu, exhaustive_cpu);
  return 0;
}

// Random whole-drop recipes of 1–3 pigments and the diluent in 20 drops; each one's own colour
// as the target. The drop lattice holds that colour exactly, so the best recipe in drops is at 0.
int own_colour(std::size_t pigments, std::size_t count) {
  const Setup s = setup(pigments);
  std::mt19937 random(515);
  std::size_t within = 0;
  double worst = 0, cpu = 0, slowest = 0;
  for (std::size_t trial = 0; trial < count; ++trial) {
    const int n = 1 + static_cast<int>(trial % 3);
    std::vector<std::size_t> idx;
    std::vector<double> conc;
    int left = 20;
    for (const auto& [p, drops] : test::random_recipe(random, n, pigments)) {
      idx.push_back(p);
      conc.push_back(drops / 20.0);
      left -= drops;
    }
    idx.push_back(pigments);  // the diluent
    conc.push_back(left / 20.0);
    const Lab goal = to_lab(*s.mixer->mix({idx, conc}).reflectance);
    const double start = cpu_seconds();
    const FormulationResult r = formulate(request_for(goal, 3), s.pool, *s.mixer);
    const double took = cpu_seconds() - start;
    cpu += took;
    slowest = std::max(slowest, took);
    const double de = r.recipes.front().de00;
    worst = std::max(worst, de);
    within += de <= 0.02 ? 1 : 0;
    if (de > 0.02 && std::getenv("OWN_DEBUG")) {
      std::printf("trial %zu: %d pigments asked, best answer %zu pigments at ΔE00 %.3f\n", trial, n,
                  pigments_of(r.recipes.front()).size(), de);
    }
  }
  std::printf(
      "%zu pigments, %zu recipes: own colour gives a recipe within ΔE00 0.02 in %zu (%.1f %%), "
      "worst %.3f; CPU %.3f s per target on average, slowest %.3f s\n",
      pigments, count, within, 100.0 * static_cast<double>(within) / static_cast<double>(count),
      worst, cpu / static_cast<double>(count), slowest);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto arg = [&](int i) { return static_cast<std::size_t>(std::atol(argv[i])); };
  if (argc == 4 && std::strcmp(argv[1], "--row") == 0)
    return row(arg(2), arg(3));
  if (argc == 3 && std::strcmp(argv[1], "--once") == 0)
    return once(arg(2));
  if ((argc == 5 || argc == 6) && std::strcmp(argv[1], "--recall") == 0)
    return recall(arg(2), arg(3), arg(4), argc == 6 ? static_cast<unsigned>(arg(5)) : 7);
  if (argc == 4 && std::strcmp(argv[1], "--own") == 0)
    return own_colour(arg(2), arg(3));
  return table(argc > 1 && std::strcmp(argv[1], "--quick") == 0);
}
