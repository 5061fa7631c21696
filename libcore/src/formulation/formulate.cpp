// The formulator (formulate.h, docs/models.md): checks a request, runs the subset search
// (formulation_search), quantises its candidates to drops (formulation_quantiser) and lists the
// recipes, equivalent mixes once, with how near the best comes to the target.
#include "pigmatch/formulation/formulate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "formulation/formulation_progress.h"
#include "formulation/formulation_quantiser.h"
#include "formulation/formulation_scorer.h"
#include "formulation/formulation_search.h"
#include "pigmatch/error.h"
#include "support/text.h"

namespace pigmatch {

std::string_view to_string(FormulationMode mode) noexcept {
  switch (mode) {
    case FormulationMode::follicle:
      return "follicle";
    case FormulationMode::camouflage:
      return "camouflage";
    case FormulationMode::custom:
      return "custom";
  }
  return "?";
}

FormulationMode parse_formulation_mode(std::string_view name) {
  for (const auto m :
       {FormulationMode::follicle, FormulationMode::camouflage, FormulationMode::custom}) {
    if (to_string(m) == name)
      return m;
  }
  throw Error(ErrorCode::invalid_argument,
              fmt::format("unknown mode '{}': use follicle (hair on skin), camouflage (skin "
                          "around a scar) or custom (any Lab)",
                          name));
}

namespace {

using formulation::Candidate;
using formulation::DropRecipe;
using formulation::max_subset;
using formulation::Quantiser;
using formulation::Scorer;
using formulation::Search;
using formulation::WorkProgress;

// The subset count grows as C(P, N); beyond a few million the search takes minutes.
constexpr double max_subsets = 2e7;

double subset_count(std::size_t pigments, std::size_t max_pigments) {
  double subsets = 0, term = 1;
  for (std::size_t k = 1; k <= std::min(max_pigments, pigments); ++k) {
    term = term * static_cast<double>(pigments - k + 1) / static_cast<double>(k);
    subsets += term;
  }
  return subsets;
}

// What makes a search that is too large feasible: fewer pigments per recipe, or the pool
// narrowed to a product line or a catalog (the largest named, with their sizes).
std::string narrowing_advice(const FormulationRequest& r, const PigmentPool& pool) {
  const std::size_t pigments = pool.entries.size() - (pool.has_diluent ? 1 : 0);
  std::vector<std::string> ways;
  for (std::size_t n = r.max_pigments - 1; n >= 1; --n) {
    if (subset_count(pigments, n) <= max_subsets) {
      ways.push_back(
          fmt::format("--max-pigments {} ({:.3g} subsets)", n, subset_count(pigments, n)));
      break;
    }
  }
  const auto largest = [&](auto key, const char* option) {
    std::map<std::string, std::size_t> sizes;
    for (std::size_t i = 0; i < pigments; ++i)
      ++sizes[key(pool.entries[i])];
    if (sizes.size() < 2)
      return;
    std::vector<std::pair<std::string, std::size_t>> by_size(sizes.begin(), sizes.end());
    std::stable_sort(by_size.begin(), by_size.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> named;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, by_size.size()); ++i)
      named.push_back(fmt::format("'{}' ({})", by_size[i].first, by_size[i].second));
    ways.push_back(fmt::format("{} NAME to keep one of {} ({}{})", option, sizes.size(),
                               fmt::join(named, ", "), by_size.size() > 3 ? ", …" : ""));
  };
  largest([](const PoolPigment& p) { return p.pigment.line; }, "--line");
  largest([](const PoolPigment& p) { return p.catalog_id; }, "--catalog");
  if (ways.empty())
    return "lower --max-pigments or load fewer catalogs";
  return fmt::format("use {}", fmt::join(ways, ", or "));
}

void check_request(const FormulationRequest& r, const PigmentPool& pool) {
  const auto bad = [](const std::string& what) { return Error(ErrorCode::invalid_argument, what); };
  const Lab& t = r.target_lab_d50;
  if (!std::isfinite(t.L) || !std::isfinite(t.a) || !std::isfinite(t.b) || t.L < 0 || t.L > 100)
    throw bad(
        fmt::format("target Lab ({}, {}, {}) is not a colour: L must be 0–100", t.L, t.a, t.b));
  if (r.max_pigments < 1 || r.max_pigments > max_subset)
    throw bad(fmt::format("max pigments {} is outside 1–4", r.max_pigments));
  if (!(r.total_volume_ml > 0 && r.total_volume_ml <= 1000))
    throw bad(fmt::format("total volume {} ml is outside (0, 1000]", r.total_volume_ml));
  if (!(r.drop_volume_ml > 0 && r.drop_volume_ml <= r.total_volume_ml))
    throw bad(fmt::format("drop volume {} ml must be > 0 and at most the total volume",
                          r.drop_volume_ml));
  if (r.top < 1)
    throw bad("top must be at least 1");
  if (!(r.metamerism_weight >= 0) || !(r.cost_weight >= 0))
    throw bad("metamerism and cost weights must be >= 0");
  const std::size_t pigments = pool.entries.size() - (pool.has_diluent ? 1 : 0);
  if (pigments == 0)
    throw bad("no pigments to formulate with");
  const double subsets = subset_count(pigments, r.max_pigments);
  if (subsets > max_subsets) {
    throw Error(ErrorCode::too_large,
                fmt::format("{} pigments with up to {} per recipe make {:.3g} subsets, too many "
                            "to search: {}",
                            pigments, r.max_pigments, subsets, narrowing_advice(r, pool)));
  }
}

// The same mix written another way (14 K50 + 6 diluent = 7 K100 + 13 diluent): the same
// predicted colour, under every light the metamerism index looks at. Below what anyone can see.
bool equivalent(const Recipe& a, const Recipe& b) {
  constexpr double same = 0.02;  // ΔE00
  if (delta_e2000(a.predicted_lab_d50, b.predicted_lab_d50) > same)
    return false;
  if (a.metamerism_index.has_value() != b.metamerism_index.has_value())
    return false;
  return !a.metamerism_index || std::abs(*a.metamerism_index - *b.metamerism_index) <= same;
}

std::size_t pigment_count(const Recipe& r) {
  return static_cast<std::size_t>(std::count_if(r.components.begin(), r.components.end(),
                                                [](const auto& c) { return !c.is_diluent; }));
}

// Equivalent mixes are listed once, as the simplest of them (fewest pigments, then fewest drops
// of pigment), with its own score. True when `recipe` had an equivalent in `kept`.
bool replaces_equivalent(std::vector<Recipe>& kept, Recipe& recipe) {
  const auto same = std::find_if(kept.begin(), kept.end(),
                                 [&](const Recipe& k) { return equivalent(k, recipe); });
  if (same == kept.end())
    return false;
  const auto pigment_drops = [](const Recipe& r) {
    int drops = 0;
    for (const RecipeComponent& c : r.components)
      drops += c.is_diluent ? 0 : c.drops;
    return drops;
  };
  const auto simplicity = [&](const Recipe& r) {
    return std::pair(pigment_count(r), pigment_drops(r));
  };
  if (simplicity(recipe) < simplicity(*same))
    *same = std::move(recipe);
  return true;
}

// The lightness term of ΔE00 alone (chroma and hue weighted out).
double lightness_term(const Lab& a, const Lab& b) {
  constexpr double ignored = 1e9;
  return delta_e2000(a, b, De2000Weights{1.0, ignored, ignored});
}

// "Nearest reachable" is rank 1, the recipe the table shows first; out of gamut when it is
// farther than the request's limit (in follicle mode: its lightness alone).
void describe_reach(const FormulationRequest& request, const Lab& target,
                    FormulationResult& result) {
  if (result.recipes.empty())
    return;
  const Recipe& best = result.recipes.front();
  result.nearest_reachable_d50 = best.predicted_lab_d50;
  result.nearest_reachable_de00 = best.de00;
  const std::string with = request.max_pigments == 1
                               ? std::string("one pigment")
                               : fmt::format("up to {} pigments", request.max_pigments);
  const Lab& n = best.predicted_lab_d50;
  if (request.lightness_gamut) {
    const double shade = lightness_term(target, best.predicted_lab);
    if (shade > request.gamut_warning_de00) {
      result.out_of_gamut = true;
      result.warning = fmt::format(
          "the shade is outside what these pigments can reach with {}: the nearest recipe "
          "(rank 1) gives L* {:.1f} against the target's {:.1f} (ΔE00 lightness term {:.1f})",
          with, best.predicted_lab.L, target.L, shade);
    }
    return;
  }
  if (best.de00 > request.gamut_warning_de00) {
    result.out_of_gamut = true;
    result.warning = fmt::format(
        "the target is outside what these pigments can reach with {}: the nearest recipe "
        "(rank 1) gives Lab D50 ({:.1f}, {:.1f}, {:.1f}), ΔE00 {:.1f} away",
        with, n.L, n.a, n.b, best.de00);
  }
}

}  // namespace

void check_formulation(const FormulationRequest& request, const PigmentPool& pool) {
  check_request(request, pool);
}

FormulationResult formulate(const FormulationRequest& request, const PigmentPool& pool,
                            const Mixer& mixer) {
  check_request(request, pool);
  const Scorer scorer(request, pool, mixer);
  const std::size_t pigments = pool.entries.size() - (pool.has_diluent ? 1 : 0);
  WorkProgress progress(request.progress);
  Search search(request, scorer, pigments, progress);
  // Quantising is planned as one unit per candidate the search may keep.
  const double search_work = search.planned_work();
  progress.plan(search_work + static_cast<double>(search.kept_capacity()));
  for (const std::string& code : request.required) {
    bool found = false;
    for (std::size_t i = 0; i < pigments; ++i) {
      if (detail::equals_ignoring_case(pool.entries[i].pigment.code, code)) {
        search.required_.push_back(i);
        found = true;
        break;
      }
    }
    if (!found)
      throw Error(ErrorCode::not_found,
                  fmt::format("required pigment '{}' is not in the pool", code));
  }
  for (std::size_t i = 0; i < pigments; ++i) {
    search.drop_fraction_.push_back(
        pool.entries[i].pigment.drop_volume_ml.value_or(request.drop_volume_ml) /
        request.total_volume_ml);
  }
  search.run();
  progress.reach(search_work);

  FormulationResult result;
  result.subsets_searched = search.searched();
  result.subsets_optimised = search.optimised();
  const auto& candidates = search.candidates();
  if (candidates.empty()) {
    throw Error(ErrorCode::not_found,
                "no recipe satisfies the constraints: a required pigment needs room in "
                "--max-pigments");
  }
  Quantiser quantiser(request, pool, scorer, mixer);
  quantiser.required = search.required_;
  std::vector<std::pair<std::vector<int>, Recipe>> recipes;
  for (const Candidate& c : candidates) {
    progress.advance();
    DropRecipe drops = quantiser.best_drops(c);
    quantiser.polish(drops);
    std::vector<int> signature = quantiser.signature(drops);
    if (std::any_of(recipes.begin(), recipes.end(),
                    [&](const auto& r) { return r.first == signature; }))
      continue;
    recipes.emplace_back(std::move(signature), quantiser.describe(drops));
  }
  std::stable_sort(recipes.begin(), recipes.end(), [](const auto& a, const auto& b) {
    return a.second.objective < b.second.objective;
  });
  for (auto& [signature, recipe] : recipes) {
    if (result.recipes.size() == request.top)
      break;
    if (!replaces_equivalent(result.recipes, recipe))
      result.recipes.push_back(std::move(recipe));
  }
  // A simpler equivalent scores within a few hundredths of the one it stands for: ranked again.
  std::stable_sort(result.recipes.begin(), result.recipes.end(),
                   [](const Recipe& a, const Recipe& b) { return a.objective < b.objective; });
  describe_reach(request, scorer.target(), result);
  progress.finish();
  return result;
}

}  // namespace pigmatch
