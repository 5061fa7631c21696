// The subset search: which pigments, at which concentrations, come closest to the target
// (formulate.h, docs/models.md). Its candidates go to the quantiser.
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include "formulation/formulation_progress.h"
#include "formulation/formulation_scorer.h"
#include "formulation/formulation_types.h"

namespace pigmatch::formulation {

// A subset's solution: concentrations x of its pigments (the diluent takes the rest), the
// residual there and its Jacobian (columns per pigment). `exact`: r was computed, not
// extrapolated by the screen.
struct Solution {
  Values x{};
  Vec3 r{};
  std::array<Vec3, max_subset> jacobian{};
  double error = std::numeric_limits<double>::infinity();
  bool exact = false;
  bool differentiated = false;  // jacobian is at x
};

// The screen's linearised estimate for a subset: its residual after one constrained
// Gauss–Newton step from a parent, and the step (log steps of the parent's pigments in its
// order, then the added pigment's concentration).
struct Estimate {
  double error = 0;
  Values step{};
};

class Search {
 public:
  Search(const FormulationRequest& request, const Scorer& scorer, std::size_t pigment_count,
         WorkProgress& progress)
      : request_(request),
        scorer_(scorer),
        pigments_(pigment_count),
        progress_(progress),
        keep_(std::max<std::size_t>(6 * request.top, 24)),
        // Every pigment of a subset is in it with at least one drop: the optimiser works on
        // log concentrations above this floor, so sub-drop "solutions" (which exist: three
        // pigments at 1 % can match a pale target exactly) never crowd out real recipes.
        floor_(std::min(request.drop_volume_ml / request.total_volume_ml,
                        0.5 / static_cast<double>(request.max_pigments))) {}

  void run();

  // The units of work run() plans for its progress (WorkProgress).
  double planned_work() const;

  const std::vector<Candidate>& candidates() const { return kept_; }
  std::size_t kept_capacity() const { return keep_; }
  std::size_t searched() const { return searched_; }
  std::size_t optimised() const { return optimised_; }

 private:
  // Every subset optimised from several starts (the reference the screen is measured against).
  void run_exhaustive();

  // The screened search (formulate.h). Level by level: every subset is screened from each of
  // its parents (the subset without one pigment) by a linearised step that costs no model
  // evaluation. Below the top level every subset is then optimised (its solution is where its
  // children's screens start: a poor one hid the best triple of a 100-pigment target); at the
  // top level subsets are optimised best screen first, until the next screen is worse than the
  // kept list's worst by more than `screen_margin`.
  void run_screened();

  // The best-screened subsets of the top level optimised whatever their screen: small catalogs
  // are then searched exhaustively in effect (16 pigments × 3: 560 subsets), where the margin
  // alone lost two known recipes to the screen (bench_formulate --recall 16 3 40).
  static constexpr std::size_t screen_minimum = 2000;
  // How far a screened subset may be from the kept list's worst and still be optimised: the
  // linearisation's error on subsets that enter the list (measured: bench_formulate --recall).
  static constexpr double screen_margin = 1.0;
  // The largest change of a parent's log concentration (a factor e) that the screen's
  // linearisation is trusted with; the added pigment is capped at the whole mix.
  static constexpr double screen_trust = 1.0;

  // A run still above this after three accepted steps is abandoned: LM's error falls fast on
  // subsets that enter the kept list (measured: bench_formulate --recall; after two steps, a
  // 25-pigment known recipe was lost).
  double give_up() const;

  double cutoff() const;

  // One damped Gauss–Newton step from the parent `at` with a pigment (its column ∂r/∂δ) added
  // at concentration δ ≥ one drop (fixed at one drop when the step wants less: the pigment
  // does not help to first order), steps limited to the trusted range; the linearised residual
  // there. δ comes from the Schur complement of the added column against the parent's
  // prepared normal equations: the same step as damped_step() on all columns.
  Estimate estimate(const Linearisation& at, const Vec3& column) const;

  // The concentrations an estimate's step leads to from the parent's `x` (n pigments), in the
  // subset's order (the added pigment at `position`).
  Values estimated_x(const Values& x, std::size_t n, const Values& step,
                     std::size_t position) const;

  static constexpr double screen_damping = 1e-4;

  // Fills at.inverse and at.own_step (see Linearisation) by Gauss–Jordan elimination; the damped
  // matrix is symmetric positive definite.
  static void prepare_screen(Linearisation& at);

  bool next_combination(Subset& s) const;

  std::array<Vec3, max_subset> jacobian(const Subset& s, const Values& x, const Vec3& r) const;

  // ∂r/∂ln(xᵢ): the optimiser works on log concentrations, because a pigment's effect on
  // colour grows roughly with the logarithm of its concentration (one strong and one weak
  // pigment then have comparable scales, and the Lab residual is far less curved).
  Vec3 column(const Subset& s, const Values& x, const Vec3& r, std::size_t i) const;

  // x·e^step, kept a mix.
  Values apply(const Values& x, const Values& step, std::size_t n) const;

  Solution evaluate(const Subset& s, const Values& x) const;

  // evaluate(), with the Jacobian when the model gives it analytically (one pass for both).
  Solution evaluate_differentiated(const Subset& s, const Values& x) const;

  // Projected Levenberg–Marquardt from `start` (exact); returns the solution with its Jacobian.
  // `give_up`: a run still above it after three accepted steps stops there (the screened search's
  // early exit, see run_screened()).
  Solution levenberg_marquardt(const Subset& s, Solution current,
                               double give_up = std::numeric_limits<double>::infinity());

  Solution optimise_single(const Subset& s);

  // Each parent (the subset without one pigment) is extended by the missing pigment at 0, and
  // one linearised, damped Gauss–Newton step from there says how close this subset can come.
  // Subsets whose best screen could enter the kept list are optimised fully, from every
  // parent's start and then from starts where each pigment dominates in turn (the Lab
  // residual is not convex: a parent's basin is not always this subset's).
  Solution screen_and_optimise(const Subset& s,
                               const std::unordered_map<std::uint64_t, Solution>& parents);

  // A coarse grid of starts (each concentration 0.5 %, 5 % or 40 %); the best two that begin
  // below `best` are refined, and replace it when they end lower.
  void refine_from_grid(const Subset& s, Solution& best);

  // Screened subsets at or below this are optimised: the kept list's worst plus a wide margin,
  // because one linearised step from a parent's solution often misjudges a subset whose
  // solution lies far away (tighter margins lost 10 % of known recipes in the 200-case test).
  double threshold() const;

  double parsimony(std::size_t pigments) const;

  bool contains_required(const Subset& s) const;

  // Ranks a continuous solution by the error of its nearest whole-drop recipe (many subsets
  // match exactly in continuous concentrations; which of them survive rounding is what counts)
  // plus the parsimony term.
  void consider(const Subset& s, const Solution& solution);

 public:
  std::vector<std::size_t> required_;

 private:
  const FormulationRequest& request_;
  const Scorer& scorer_;
  std::size_t pigments_;
  WorkProgress& progress_;
  std::size_t keep_;
  double floor_;
  std::vector<Candidate> kept_;

 public:
  std::vector<double> drop_fraction_;  // one drop of each pigment as a fraction of the volume

 private:
  std::size_t searched_ = 0, optimised_ = 0;
};

}  // namespace pigmatch::formulation
