// Candidates to whole drops: the best drop counts near each continuous optimum, scored as the
// recipes a practitioner will mix.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "formulation/formulation_scorer.h"
#include "formulation/formulation_types.h"
#include "pigmatch/formulation/formulate.h"

namespace pigmatch::formulation {

struct DropRecipe {
  std::vector<std::size_t> pool_index;  // pigments of the subset, then the diluent
  std::vector<int> drops;
  std::vector<double> drop_ml;
};

class Quantiser {
 public:
  Quantiser(const FormulationRequest& request, const PigmentPool& pool, const Scorer& scorer,
            const Mixer& mixer);

  std::vector<std::size_t> required;  // pool indices that must keep at least one drop

  DropRecipe round(const Candidate& c) const;

  // The best whole-drop recipe of a candidate's pigments. Near the continuous optimum u the
  // residual is r(p) ≈ r* + J·(p − u), so a recipe p can beat the rounded start's residual e only
  // where ‖J·(p − u)‖ ≤ e + ‖r*‖ ≤ 2e. Every drop count in that ellipsoid, widened by half again
  // for the model's curvature, is scored; the best is kept. Directions the colour hardly depends
  // on (four pigments for three coordinates) leave the ellipsoid long: there the volume bounds
  // it. The drop counts stay on the lattice: each pigment at least one drop, the diluent (or,
  // without one, the last pigment) filling the cup to the request's volume.
  DropRecipe best_drops(const Candidate& c) const;

  // Moves single drops between components while the objective improves (steepest descent).
  void polish(DropRecipe& recipe) const;

  Recipe describe(const DropRecipe& recipe) const;

  std::vector<int> signature(const DropRecipe& recipe) const;

 private:
  double drop_ml(std::size_t index) const;
  bool is_required(std::size_t index) const;
  // At most this many recipes are scored per candidate (a 20-drop cup holds 1 140 recipes of
  // three pigments in all): a large cup in small drops with a long ellipsoid stops there.
  static constexpr std::size_t max_scored = 20'000;

  // Pigments the search sets freely: all of the subset's when a diluent fills the cup, else all
  // but the last, which fills it.
  std::size_t free_count(const DropRecipe& recipe) const;

  // Sets the filling component's drops so the cup holds the request's volume; false when the
  // free pigments alone overfill it (or, without a diluent, leave the last pigment no drop).
  bool fill_cup(DropRecipe& recipe) const;

  // Whether the first `count` free pigments leave room in the cup for one drop of each of the
  // rest.
  bool fits_cup(const DropRecipe& recipe, std::size_t count) const;

  int max_drops(const DropRecipe& recipe, std::size_t i) const;

  // The candidate's continuous optimum in drops of each free pigment.
  Values continuous_drops(const Candidate& c) const;

  Vec3 residual(const DropRecipe& recipe) const;

  // ∂r/∂(drops) of each free pigment, by secants one drop wide around `at` (one-sided at the
  // lattice's edges).
  std::array<Vec3, max_subset> drop_jacobian(const DropRecipe& at, std::size_t free) const;

  bool has_pigment(const DropRecipe& recipe) const;
  double total_ml(const DropRecipe& recipe) const;
  MixColour mix(const DropRecipe& recipe) const;
  double metamerism(const Spectrum& reflectance) const;
  double cost(const DropRecipe& recipe) const;
  double score(double de00, std::optional<double> mi, double cost_per_ml,
               std::size_t pigment_count) const;
  std::size_t pigments(const DropRecipe& recipe) const;
  double objective(const DropRecipe& recipe) const;

  const FormulationRequest& request_;
  const PigmentPool& pool_;
  const Scorer& scorer_;
  const Mixer& mixer_;
  Spectrum target_spectrum_;
};

}  // namespace pigmatch::formulation
