// Whole drops: the recipe the formulator gives is the best the drop lattice allows, checked by
// self-consistency (a recipe's own predicted colour gives back that recipe) and against an
// exhaustive enumeration of every whole-drop recipe of the same pigments written in this test.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "formulation/random_recipe.h"
#include "formulation/synthetic_catalog.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/mixing.h"

using namespace pigmatch;

namespace {

constexpr int total_drops = 20;  // 1 ml in 0.05 ml drops, the request's defaults

struct Setup {
  Catalog catalog = test::synthetic_catalog(16, 7);
  PigmentPool pool = select_pigments(std::span(&catalog, 1), {});
  std::unique_ptr<Mixer> mixer;
  std::size_t diluent = 0;

  Setup() {
    MixerConditions conditions;
    conditions.substrate = Spectrum::constant(0.88);
    mixer = make_builtin_mixer(BuiltinModel::km, pool.pigments(), conditions);
    diluent = pool.entries.size() - 1;
  }

  // Lab D50 of `drops` (pool index, drops), the diluent filling the rest of the 20.
  Lab predicted(const std::vector<std::pair<std::size_t, int>>& drops) const {
    std::vector<std::size_t> index;
    std::vector<double> conc;
    int used = 0;
    for (const auto& [i, n] : drops) {
      index.push_back(i);
      conc.push_back(static_cast<double>(n) / total_drops);
      used += n;
    }
    if (used < total_drops) {
      index.push_back(diluent);
      conc.push_back(static_cast<double>(total_drops - used) / total_drops);
    }
    return to_lab(*mixer->mix({index, conc}).reflectance);
  }

  // The smallest ΔE00 to `target` of every recipe of exactly these pigments (each at least one
  // drop) with the diluent filling up to 20 drops: the lattice walked point by point.
  double best_on_lattice(const std::vector<std::size_t>& pigments, const Lab& target) const {
    double best = std::numeric_limits<double>::infinity();
    std::vector<std::pair<std::size_t, int>> drops;
    for (const std::size_t p : pigments)
      drops.emplace_back(p, 1);
    const auto walk = [&](const auto& self, std::size_t k, int left) -> void {
      if (k == drops.size()) {
        best = std::min(best, delta_e2000(predicted(drops), target));
        return;
      }
      const int others = static_cast<int>(drops.size() - k - 1);
      for (int n = 1; n <= left - others; ++n) {
        drops[k].second = n;
        self(self, k + 1, left - n);
      }
    };
    walk(walk, 0, total_drops);
    return best;
  }
};

std::vector<std::size_t> random_pigments(std::mt19937& random, int count) {
  std::set<std::size_t> chosen;
  while (static_cast<int>(chosen.size()) < count)
    chosen.insert(std::uniform_int_distribution<std::size_t>(0, 15)(random));
  return {chosen.begin(), chosen.end()};
}

}  // namespace

TEST_CASE("a whole-drop recipe's own predicted colour gives that recipe back",
          "[formulate][drops]") {
  // 200 random recipes of 1–3 pigments + diluent in 20 drops. The colour each predicts is on the
  // drop lattice, so the best recipe in drops matches it exactly (ΔE00 0); rounding a continuous
  // optimum to drops often missed it.
  const Setup s;
  std::mt19937 random(515);
  int exact = 0, same_recipe = 0;
  double worst = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + trial % 3;
    const auto recipe = test::random_recipe(random, n, 16, total_drops);
    FormulationRequest request;
    request.target_lab_d50 = s.predicted(recipe);
    request.max_pigments = 3;
    request.top = 3;
    const FormulationResult result = formulate(request, s.pool, *s.mixer);
    REQUIRE_FALSE(result.recipes.empty());
    const Recipe& best = result.recipes.front();
    worst = std::max(worst, best.de00);
    exact += best.de00 <= 0.02;
    bool same = true;
    for (const auto& [p, drops] : recipe) {
      same =
          same && std::any_of(best.components.begin(), best.components.end(), [&](const auto& c) {
            return c.code == s.pool.entries[p].pigment.code && c.drops == drops;
          });
    }
    same_recipe += same;
  }
  WARN("own colour: best recipe within ΔE00 0.02 in "
       << exact << "/200 (worst " << worst << "), the same recipe in " << same_recipe << "/200");
  CHECK(exact >= 198);
}

TEST_CASE("the recipe in drops is the best whole-drop recipe of its pigments",
          "[formulate][drops]") {
  // 200 reachable targets: continuous mixes of 1–3 random pigments at random concentrations, so
  // they fall between the lattice's points. The recipe's ΔE00 must be within 0.05 of the best
  // whole-drop recipe of the same pigments, found by walking the whole lattice.
  const Setup s;
  std::mt19937 random(616);
  int within = 0;
  double worst_gap = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + trial % 3;
    std::vector<std::size_t> index = random_pigments(random, n);
    std::vector<double> conc;
    double sum = 0;
    for (int k = 0; k < n; ++k) {
      conc.push_back(std::uniform_real_distribution<double>(0.06, 0.6)(random));
      sum += conc.back();
    }
    if (sum > 0.95) {
      for (double& c : conc)
        c *= 0.95 / sum;
      sum = 0.95;
    }
    index.push_back(s.diluent);
    conc.push_back(1 - sum);
    FormulationRequest request;
    request.target_lab_d50 = to_lab(*s.mixer->mix({index, conc}).reflectance);
    request.max_pigments = 3;
    request.top = 1;
    const FormulationResult result = formulate(request, s.pool, *s.mixer);
    REQUIRE_FALSE(result.recipes.empty());
    const Recipe& best = result.recipes.front();
    std::vector<std::size_t> pigments;
    for (const auto& c : best.components) {
      if (c.is_diluent)
        continue;
      for (std::size_t p = 0; p < s.pool.entries.size(); ++p) {
        if (s.pool.entries[p].pigment.code == c.code)
          pigments.push_back(p);
      }
    }
    const double lattice = s.best_on_lattice(pigments, request.target_lab_d50);
    std::string described;
    for (const auto& c : best.components)
      described += std::to_string(c.drops) + " " + c.code + " ";
    INFO(described);
    INFO("trial " << trial << ": recipe ΔE00 " << best.de00 << ", lattice best " << lattice);
    CHECK(best.de00 >= lattice - 1e-9);  // the walk covers every recipe of these pigments
    worst_gap = std::max(worst_gap, best.de00 - lattice);
    within += best.de00 <= lattice + 0.05;
  }
  WARN("recipe within 0.05 of the lattice's best in " << within << "/200 (largest gap " << worst_gap
                                                      << ")");
  CHECK(within == 200);
}
