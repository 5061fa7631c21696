// What the formulator measures a mix by: the residual to the target (ΔE00-like, in the
// request's weighting), its derivatives, and ΔE00 as reported.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "formulation/film_model.h"
#include "formulation/formulation_types.h"
#include "pigmatch/formulation/formulate.h"

namespace pigmatch::formulation {

// A subset's residual at x and how it changes: ∂r/∂ln(xᵢ) for its own pigments and, for the KM
// film, ∂r/∂K and ∂r/∂S per band, so that the column of any further pigment is two 36-term dot
// products per residual component instead of an evaluation of the model.
struct Linearisation {
  Subset subset;
  Values x{};
  Vec3 r{};
  std::array<Vec3, max_subset> jacobian{};
  double weight = 1;  // Σx: without a diluent, x of a pigment at concentration δ is δ·Σx/(1−δ)
  bool film = false;
  std::array<Spectrum::Values, 3> gk{}, gs{};  // ∂rₖ/∂K, ∂rₖ/∂S per band
  Vec3 own{};  // without a diluent: ∂r/∂δ of the subset's own mix, which δ displaces
  // The screen's share of the damped normal equations: (JᵀJ + μ·(diag + ε))⁻¹ and the step it
  // gives for the subset's own pigments (Search::prepare_screen).
  std::array<Values, max_subset> inverse{};
  Values own_step{};
};

// Everything about the target and the model that scoring needs.
class Scorer {
 public:
  Scorer(const FormulationRequest& request, const PigmentPool& pool, const Mixer& mixer);

  const Lab& target() const { return target_; }
  std::size_t diluent() const { return pool_.entries.size() - 1; }
  bool has_diluent() const { return pool_.has_diluent; }

  // The mix of a subset at x, as (indices, concentrations); false when x is not a mix.
  bool concentrations(const Subset& s, const Values& x, std::array<std::size_t, 5>& idx,
                      std::array<double, 5>& conc, std::size_t& count) const;

  MixColour mix(const Subset& s, const Values& x) const;

  Lab lab_under_illuminant(const MixColour& colour) const;

  Vec3 residual(const Lab& lab) const;

  Vec3 residual(const Subset& s, const Values& x) const;

  // The residual at x and, into `jacobian`, ∂r/∂ln(xᵢ); false when the model has no analytic
  // derivatives (the caller differentiates numerically).
  bool residual_and_jacobian(const Subset& s, const Values& x, Vec3& r,
                             std::array<Vec3, max_subset>& jacobian) const;

  // ΔE00 to the target, as reported.
  double de00(const MixColour& colour) const;
  // The difference recipes are ranked by: ΔE00 with the request's parametric factors.
  double judged(const MixColour& colour) const;

  // `at` for subset s at x: the residual and its Jacobian, and for the film the per-band
  // sensitivities (one evaluation with derivatives); for other models the Jacobian by finite
  // differences.
  void linearise(const Subset& s, const Values& x, Linearisation& at) const;

  // ∂r/∂δ at δ = 0 for each pigment p added to `at`'s subset at concentration δ (taken from
  // the diluent, or from the other pigments in proportion when there is none), into
  // columns[k·P + p] (component k, P pool entries). The film's come from the per-band
  // sensitivities in a loop along the pigments, which the compiler vectorises (a dot product
  // per pigment would be a sequential reduction); other models' are secants over δ = h.
  void new_columns(const Linearisation& at, std::vector<double>& columns, double h) const;

  Vec3 secant_column(const Linearisation& at, std::size_t pigment, double h) const;

 private:
  Lab adapt(const Lab& d50) const;

  // The film's residual; with_jacobian, also ∂r/∂ln(xᵢ) into `jacobian` by the chain rule
  // through XYZ and Lab (concentrations cᵢ = xᵢ beside a diluent, else xᵢ/Σx); with_slopes, the
  // per-band sensitivities into `at`. One instance per call shape, so that FilmModel::xyz is
  // compiled without the work a caller does not want (10 % of a search's instructions).
  template <bool with_jacobian, bool with_slopes>
  Vec3 film_residual(const Subset& s, const Values& x, std::array<Vec3, max_subset>* jacobian,
                     Linearisation* at) const;

  // ∂r/∂K and ∂r/∂S per band from the band slopes and ∂r/∂X, ∂r/∂Y, ∂r/∂Z.
  void lay_open(const BandSlopes& slopes, const Vec3& rx, const Vec3& ry, const Vec3& rz,
                Linearisation& at) const;

  const FormulationRequest& request_;
  const PigmentPool& pool_;
  const Mixer& mixer_;
  const WeightTable& weights_;
  Xyz white_;
  Lab target_;
  std::optional<FilmModel> film_;
  std::vector<double> k_by_band_, s_by_band_;
  double cos_ = 1, sin_ = 0, inv_sc_ = 1, inv_sh_ = 1, inv_kl_ = 1;
};

}  // namespace pigmatch::formulation
