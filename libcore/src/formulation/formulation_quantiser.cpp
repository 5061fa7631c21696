#include "formulation/formulation_quantiser.h"

#include <algorithm>
#include <cmath>

#include "support/small_matrix.h"

namespace pigmatch::formulation {

Quantiser::Quantiser(const FormulationRequest& request, const PigmentPool& pool,
                     const Scorer& scorer, const Mixer& mixer)
    : request_(request), pool_(pool), scorer_(scorer), mixer_(mixer) {
  // Metamerism needs the target's spectrum: the measured one, or the smooth reconstruction
  // from its Lab (then the index says how far the recipe departs from a smooth match).
  target_spectrum_ = request.target_reflectance ? *request.target_reflectance
                                                : reconstruct_reflectance(request.target_lab_d50);
}

DropRecipe Quantiser::round(const Candidate& c) const {
  DropRecipe recipe;
  double pigment_ml = 0;
  for (std::size_t i = 0; i < c.subset.size; ++i) {
    const std::size_t index = c.subset.pigments[i];
    const double ml = drop_ml(index);
    recipe.pool_index.push_back(index);
    recipe.drop_ml.push_back(ml);
    double share = c.x[i];
    if (!pool_.has_diluent) {
      double sum = 0;
      for (std::size_t j = 0; j < c.subset.size; ++j)
        sum += c.x[j];
      share /= sum;
    }
    const int drops = static_cast<int>(std::lround(share * request_.total_volume_ml / ml));
    recipe.drops.push_back(drops);
    pigment_ml += drops * ml;
  }
  if (pool_.has_diluent) {
    const std::size_t d = pool_.entries.size() - 1;
    const double ml = drop_ml(d);
    recipe.pool_index.push_back(d);
    recipe.drop_ml.push_back(ml);
    recipe.drops.push_back(
        std::max(0, static_cast<int>(std::lround((request_.total_volume_ml - pigment_ml) / ml))));
  }
  if (std::all_of(recipe.drops.begin(),
                  recipe.drops.begin() + static_cast<std::ptrdiff_t>(c.subset.size),
                  [](int d) { return d == 0; })) {
    // Too little of everything for one drop: give the strongest share one drop.
    const auto strongest =
        std::max_element(c.x.begin(), c.x.begin() + static_cast<std::ptrdiff_t>(c.subset.size));
    recipe.drops[static_cast<std::size_t>(strongest - c.x.begin())] = 1;
  }
  for (std::size_t i = 0; i < c.subset.size; ++i) {
    if (is_required(recipe.pool_index[i]))
      recipe.drops[i] = std::max(recipe.drops[i], 1);
  }
  return recipe;
}

DropRecipe Quantiser::best_drops(const Candidate& c) const {
  DropRecipe start = round(c);
  const std::size_t free = free_count(start);
  const Values centre = continuous_drops(c);
  // Rounding every pigment up can overfill the cup: take drops back where rounding added most.
  while (!fill_cup(start)) {
    std::size_t most = free;
    for (std::size_t i = 0; i < free; ++i) {
      if (start.drops[i] > 1 &&
          (most == free || start.drops[i] - centre[i] > start.drops[most] - centre[most]))
        most = i;
    }
    if (most == free)
      return start;
    --start.drops[most];
  }
  const std::array<Vec3, max_subset> jacobian = drop_jacobian(start, free);
  const double reach = 3 * norm(residual(start));
  detail::SquareMatrix<max_subset> h{};
  double trace = 0;
  for (std::size_t i = 0; i < free; ++i) {
    for (std::size_t j = 0; j < free; ++j)
      h[i][j] = dot(jacobian[i], jacobian[j]);
    trace += h[i][i];
  }
  // A slight ridge keeps the inverse finite along directions the colour does not see.
  const double ridge = 1e-9 * trace + 1e-12;
  for (std::size_t i = 0; i < free; ++i)
    h[i][i] += ridge;
  detail::SquareMatrix<max_subset> inverse{};
  if (!detail::invert_leading(h, free, inverse, 0.0))
    return start;
  std::array<int, max_subset> low{}, high{};
  for (std::size_t i = 0; i < free; ++i) {
    const double half_width = reach * std::sqrt(std::max(0.0, inverse[i][i]));
    low[i] = std::max(1, static_cast<int>(std::floor(centre[i] - half_width)));
    high[i] = std::min(max_drops(start, i), static_cast<int>(std::ceil(centre[i] + half_width)));
    // The rounded start is always inside.
    low[i] = std::min(low[i], start.drops[i]);
    high[i] = std::max(high[i], start.drops[i]);
  }
  DropRecipe best = start;
  double best_value = objective(start);
  DropRecipe trial = start;
  std::size_t scored = 0;
  const auto walk = [&](const auto& self, std::size_t k) -> void {
    if (scored >= max_scored)
      return;
    if (k == free) {
      if (!fill_cup(trial))
        return;
      ++scored;
      const double value = objective(trial);
      if (value < best_value - 1e-12) {
        best_value = value;
        best = trial;
      }
      return;
    }
    for (int n = low[k]; n <= high[k]; ++n) {
      trial.drops[k] = n;
      // The box holds the ellipsoid; the cup's volume prunes the rest.
      if (!fits_cup(trial, k + 1))
        break;
      self(self, k + 1);
    }
    trial.drops[k] = start.drops[k];
  };
  walk(walk, 0);
  return best;
}

void Quantiser::polish(DropRecipe& recipe) const {
  double best = objective(recipe);
  for (int round = 0; round < 200; ++round) {
    std::size_t from = 0, to = 0;
    double best_move = best;
    for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
      if (recipe.drops[i] == 0 || (recipe.drops[i] == 1 && is_required(recipe.pool_index[i])))
        continue;
      for (std::size_t j = 0; j < recipe.drops.size(); ++j) {
        if (i == j)
          continue;
        --recipe.drops[i], ++recipe.drops[j];
        const double value = has_pigment(recipe) ? objective(recipe) : best;
        ++recipe.drops[i], --recipe.drops[j];
        if (value < best_move - 1e-12)
          best_move = value, from = i, to = j;
      }
    }
    if (best_move >= best)
      break;
    --recipe.drops[from], ++recipe.drops[to];
    best = best_move;
  }
}

Recipe Quantiser::describe(const DropRecipe& recipe) const {
  Recipe out;
  const MixColour colour = mix(recipe);
  const double total = total_ml(recipe);
  for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
    if (recipe.drops[i] == 0)
      continue;
    const PoolPigment& entry = pool_.entries[recipe.pool_index[i]];
    RecipeComponent c;
    c.catalog_id = entry.catalog_id;
    c.code = entry.pigment.code;
    c.name = entry.pigment.name;
    c.is_diluent = entry.pigment.is_diluent;
    c.drops = recipe.drops[i];
    c.ml = recipe.drops[i] * recipe.drop_ml[i];
    c.fraction = c.ml / total;
    out.components.push_back(std::move(c));
  }
  out.predicted_lab_d50 = colour.reflectance ? to_lab(*colour.reflectance) : colour.lab_d50;
  out.predicted_lab = scorer_.lab_under_illuminant(colour);
  out.de00 = scorer_.de00(colour);
  if (colour.reflectance)
    out.metamerism_index = metamerism(*colour.reflectance);
  out.cost_per_ml = cost(recipe);
  out.objective =
      score(scorer_.judged(colour), out.metamerism_index, out.cost_per_ml, pigments(recipe));
  out.total_ml = total;
  return out;
}

std::vector<int> Quantiser::signature(const DropRecipe& recipe) const {
  std::vector<int> drops(pool_.entries.size(), 0);
  for (std::size_t i = 0; i < recipe.drops.size(); ++i)
    drops[recipe.pool_index[i]] = recipe.drops[i];
  return drops;
}

double Quantiser::drop_ml(std::size_t index) const {
  return pool_.entries[index].pigment.drop_volume_ml.value_or(request_.drop_volume_ml);
}

bool Quantiser::is_required(std::size_t index) const {
  return std::find(required.begin(), required.end(), index) != required.end();
}

std::size_t Quantiser::free_count(const DropRecipe& recipe) const {
  const std::size_t pigments = recipe.drops.size() - (pool_.has_diluent ? 1 : 0);
  return pool_.has_diluent ? pigments : pigments - 1;
}

bool Quantiser::fill_cup(DropRecipe& recipe) const {
  const std::size_t free = free_count(recipe);
  double ml = 0;
  for (std::size_t i = 0; i < free; ++i)
    ml += recipe.drops[i] * recipe.drop_ml[i];
  const std::size_t filler = recipe.drops.size() - 1;
  const double left = request_.total_volume_ml - ml;
  if (left < -1e-9)
    return false;
  const int drops = static_cast<int>(std::lround(left / recipe.drop_ml[filler]));
  const int least = pool_.has_diluent ? 0 : 1;
  if (drops < least)
    return false;
  recipe.drops[filler] = drops;
  return true;
}

bool Quantiser::fits_cup(const DropRecipe& recipe, std::size_t count) const {
  double ml = 0;
  for (std::size_t i = 0; i < free_count(recipe); ++i)
    ml += (i < count ? recipe.drops[i] : 1) * recipe.drop_ml[i];
  if (!pool_.has_diluent)
    ml += recipe.drop_ml.back();
  return ml <= request_.total_volume_ml + 1e-9;
}

int Quantiser::max_drops(const DropRecipe& recipe, std::size_t i) const {
  return std::max(
      1, static_cast<int>(std::floor(request_.total_volume_ml / recipe.drop_ml[i] + 1e-9)));
}

Values Quantiser::continuous_drops(const Candidate& c) const {
  double sum = 0;
  for (std::size_t i = 0; i < c.subset.size; ++i)
    sum += c.x[i];
  Values drops{};
  for (std::size_t i = 0; i < c.subset.size; ++i) {
    const double share = pool_.has_diluent || !(sum > 0) ? c.x[i] : c.x[i] / sum;
    drops[i] = share * request_.total_volume_ml / drop_ml(c.subset.pigments[i]);
  }
  return drops;
}

Vec3 Quantiser::residual(const DropRecipe& recipe) const {
  return scorer_.residual(scorer_.lab_under_illuminant(mix(recipe)));
}

std::array<Vec3, max_subset> Quantiser::drop_jacobian(const DropRecipe& at,
                                                      std::size_t free) const {
  std::array<Vec3, max_subset> jacobian{};
  for (std::size_t i = 0; i < free; ++i) {
    DropRecipe up = at, down = at;
    ++up.drops[i];
    down.drops[i] = std::max(1, down.drops[i] - 1);
    const bool up_ok = fill_cup(up), down_ok = down.drops[i] < at.drops[i] && fill_cup(down);
    const DropRecipe& a = up_ok ? up : at;
    const DropRecipe& b = down_ok ? down : at;
    const int step = a.drops[i] - b.drops[i];
    if (step == 0)
      continue;
    const Vec3 ra = residual(a), rb = residual(b);
    for (std::size_t k = 0; k < 3; ++k)
      jacobian[i][k] = (ra[k] - rb[k]) / step;
  }
  return jacobian;
}

bool Quantiser::has_pigment(const DropRecipe& recipe) const {
  for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
    if (recipe.drops[i] > 0 && !pool_.entries[recipe.pool_index[i]].pigment.is_diluent)
      return true;
  }
  return false;
}

double Quantiser::total_ml(const DropRecipe& recipe) const {
  double total = 0;
  for (std::size_t i = 0; i < recipe.drops.size(); ++i)
    total += recipe.drops[i] * recipe.drop_ml[i];
  return total;
}

MixColour Quantiser::mix(const DropRecipe& recipe) const {
  const double total = total_ml(recipe);
  std::array<double, 5> conc{};
  for (std::size_t i = 0; i < recipe.drops.size(); ++i)
    conc[i] = recipe.drops[i] * recipe.drop_ml[i] / total;
  return mixer_.mix({recipe.pool_index, {conc.data(), recipe.drops.size()}});
}

double Quantiser::metamerism(const Spectrum& reflectance) const {
  double worst = 0;
  for (const Illuminant illuminant : request_.metamerism_illuminants) {
    if (illuminant == request_.illuminant)
      continue;
    worst = std::max(
        worst, delta_e2000(to_lab(target_spectrum_, illuminant), to_lab(reflectance, illuminant)));
  }
  return worst;
}

double Quantiser::cost(const DropRecipe& recipe) const {
  const double total = total_ml(recipe);
  double sum = 0;
  for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
    const auto& price = pool_.entries[recipe.pool_index[i]].pigment.price;
    if (price && price->volume_ml > 0)
      sum += recipe.drops[i] * recipe.drop_ml[i] / total * price->amount / price->volume_ml;
  }
  return sum;
}

double Quantiser::score(double de00, std::optional<double> mi, double cost_per_ml,
                        std::size_t pigment_count) const {
  return de00 + request_.metamerism_weight * mi.value_or(0) + request_.cost_weight * cost_per_ml +
         request_.parsimony_weight *
             static_cast<double>(std::max<std::size_t>(pigment_count, 1) - 1);
}

std::size_t Quantiser::pigments(const DropRecipe& recipe) const {
  std::size_t count = 0;
  for (std::size_t i = 0; i < recipe.drops.size(); ++i) {
    if (recipe.drops[i] > 0 && !pool_.entries[recipe.pool_index[i]].pigment.is_diluent)
      ++count;
  }
  return count;
}

double Quantiser::objective(const DropRecipe& recipe) const {
  const MixColour colour = mix(recipe);
  const double de = scorer_.judged(colour);
  std::optional<double> mi;
  if (request_.metamerism_weight > 0 && colour.reflectance)
    mi = metamerism(*colour.reflectance);
  const double c = request_.cost_weight > 0 ? cost(recipe) : 0;
  return score(de, mi, c, pigments(recipe));
}

}  // namespace pigmatch::formulation
