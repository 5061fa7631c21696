// pigmatch/formulation/touchup.h — the touch-up, 2–5 years after a session: how the healed colour
// compares with what the formula targeted and predicted, and a corrected recipe.
//
// The correction is colour-formulation software's batch correction: the mixing model missed by
// miss = healed − predicted (skin, healing and fading the model does not know), and the same
// miss is expected again, so the formula's own pigments are re-formulated to make the model
// predict aim = target − miss; that mix should then heal at the target. The corrected formula
// is a new version that replaces the old one (formulas are immutable, see store.h).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/model_fit.h"
#include "pigmatch/store/store.h"

namespace pigmatch {

/// A difference component from this size on (in CIELAB units; about one just-noticeable
/// difference for dark, low-chroma SMP colours) is put into words.
inline constexpr double shift_word_threshold = 1.0;

/// How a sample differs from a reference colour, in numbers and in plain words.
struct ColourShift {
  double dL = 0, da = 0, db = 0;  ///< sample − reference
  double dC = 0;                  ///< chroma C* of the sample − chroma of the reference
  double de00 = 0;                ///< CIEDE2000 between them
  /// In order: "lighter"/"darker" (ΔL*), "redder"/"greener" (Δa*), "yellower"/"bluer" (Δb*),
  /// "more saturated"/"greyer" (ΔC*), each only when its |Δ| ≥ shift_word_threshold.
  std::vector<std::string> words;
};

/// How `sample` differs from `reference` (see ColourShift).
ColourShift describe_shift(const Lab& reference, const Lab& sample);

/// For people: "2.1 darker, 1.4 bluer and 1.2 greyer (ΔE00 2.6)"; "no visible difference
/// (ΔE00 0.4)" when no component reaches the threshold.
std::string to_string(const ColourShift& shift);

/// The healed colour against what its formula targeted and predicted.
struct HealedComparison {
  Lab healed{};
  Lab target{};
  Lab predicted{};
  ColourShift vs_target;     ///< healed relative to the target
  ColourShift vs_predicted;  ///< healed relative to the prediction: the model's miss
};

/// Compares `healed` (CIELAB D50) with `formula`'s target and predicted colour.
HealedComparison compare_healed(const store::Formula& formula, const Lab& healed);

/// What a correction needs besides the formula and the healed colour.
struct CorrectionInputs {
  /// Catalogs holding the formula's pigments: each component is looked up by code in the
  /// formula's catalog first, then in any catalog whose vendor or id is the component's vendor.
  std::span<const Catalog> catalogs;
  /// The client's skin (CIELAB D50), needed when the formula's model is "skin".
  std::optional<Lab> skin_d50;
};

/// How much closer to the target (ΔE00) a correction must be expected to heal than the result
/// did to count as one: below this the difference is within what a touch-up can tell apart.
inline constexpr double correction_gain_threshold = 0.3;

/// A corrected recipe and the new formula version that records it.
struct TouchupCorrection {
  HealedComparison comparison;
  Lab aim{};  ///< target − (healed − predicted), L* kept in 0–100: what the model must predict
  Recipe recipe;  ///< the formula's pigments (and diluent) re-formulated for `aim`
  /// recipe's prediction + the miss: where the corrected mix should heal.
  Lab expected_healed{};
  double expected_de00 = 0;  ///< ΔE00 from expected_healed to the target
  std::string warning;       ///< when the aim is out of the pigments' reach; else empty
  /// False when the correction is no correction: the re-formulated mix has the formula's own
  /// drops, or it is not expected to heal closer to the target than the result did (by
  /// correction_gain_threshold). Then `advice` says what can move the result, and the caller
  /// should not store `formula` as a new version.
  bool improves = true;
  std::string advice;  ///< when !improves: what can (a second pass, another pigment); else empty
  /// The new version, ready for Store::save_touchup: same client, region, target, model and
  /// catalog; replaces = the old formula's id; predicted/ΔE00 are the model's for the new mix;
  /// no visit (the caller names the touch-up visit) and components without lots (the bottles
  /// of the new session are recorded when mixed).
  store::Formula formula;
};

/// The skin a formula of the skin model is seen on, as the store knows it: the client's latest
/// skin measurement of `region`, else of any region; none when the client has none.
std::optional<Lab> stored_skin(store::Store& store, store::Id client, std::string_view region);

/// The client's formulas that no later version corrects, oldest first: the ones a touch-up can
/// correct.
std::vector<store::Formula> current_formulas(store::Store& store, store::Id client);

/// The formula a touch-up of `region` corrects, and how it was chosen.
struct FormulaToCorrect {
  store::Formula formula;
  /// Empty when the formula is the region's own (or the one chosen); else why this one, e.g.
  /// "client 3 has no formula for region 'crown'; correcting its only current formula, #12 (no
  /// region)". The CLI prints it as a note, the GUI shows it.
  std::string note;
};

/// `chosen` when given: it must be the client's, and the current version (versions form a line;
/// one already corrected is refused, naming the version that corrected it). Else the client's
/// current formula for `region`; else the client's only current formula, when there is exactly
/// one (a formula saved without a region, e.g. from a target Lab, is still the one meant).
/// Throws Error: invalid_argument for another client's or an old version, not_found when the
/// client has no current formula for the region, naming the current ones to choose from.
FormulaToCorrect formula_to_correct(store::Store& store, store::Id client, std::string_view region,
                                    std::optional<store::Id> chosen = std::nullopt);

/// A stored formula's pigments bound to the formula's own built-in mixing model (under the
/// conditions `pigmatch match` predicted it with): the colour the same bottles give with other
/// drops, for the mixing-record editor. Immutable after construction; predict() may be called
/// from several threads.
class FormulaMixer {
 public:
  /// The colour of one mix of the formula's components.
  struct Prediction {
    Lab predicted_d50{};
    double de00 = 0;  ///< to the formula's target (CIEDE2000, D50)
  };

  /// Binds `formula`'s components (looked up as correct_formula() does). Throws Error as
  /// correct_formula() does for a component no catalog holds, a model that is not built in, or
  /// the skin model without a skin colour.
  FormulaMixer(const store::Formula& formula, const CorrectionInputs& inputs);
  ~FormulaMixer();
  FormulaMixer(FormulaMixer&&) noexcept;
  FormulaMixer& operator=(FormulaMixer&&) noexcept;

  /// The predicted colour with `drops[i]` drops of component i (the formula's order; each ≥ 0,
  /// a drop as large as in the formula). Throws Error (invalid_argument) for a wrong count, a
  /// negative or non-finite count, or no pigment at all.
  Prediction predict(std::span<const double> drops) const;

  /// The formula with these drops as a new version, ready for Store::save_formula: replaces =
  /// the formula's id; ml, predicted colour and ΔE00 recomputed; region, target, model,
  /// catalog, visit and lots kept (the same bottles); components with 0 drops left out.
  store::Formula new_version(std::span<const double> drops) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Re-formulates `formula` (a stored version, id set) for a client whose result healed at
/// `healed`. Uses the formula's own pigments, its diluent (or its catalog's, when it had none)
/// and its built-in mixing model. Throws Error: not_found naming a component no catalog holds,
/// unsupported for a model that is not built in, invalid_argument for the skin model without
/// a skin colour or for a non-finite colour.
TouchupCorrection correct_formula(const store::Formula& formula, const Lab& healed,
                                  const CorrectionInputs& inputs);

// ---- healed results for model fitting ----------------------------------------------------------

/// `formula`'s pigments as the skin model sees them (looked up as correct_formula() does; K and S
/// derived as the built-in models derive them), their volume fractions of the mix, the client's
/// skin and the healed colour: one record for fit_skin_model(). Throws Error as correct_formula().
HealedRecord healed_record(const store::Formula& formula, const Lab& skin_d50,
                           const Lab& healed_d50, std::span<const Catalog> catalogs);

/// The healed results a store holds, and those it could not use.
struct HealedRecords {
  std::vector<HealedRecord> records;
  std::vector<std::string> skipped;  ///< "client 3, crown: why", one per healed measurement
};

/// Every healed measurement whose touch-up saved a correction (the correction, saved with it in
/// the same visit and region, names the formula that healed), with the client's skin of that
/// region (stored_skin()). A healed measurement with no such formula, no skin measurement, or a
/// pigment in none of `catalogs` is skipped, saying why.
HealedRecords collect_healed_records(store::Store& store, std::span<const Catalog> catalogs);

}  // namespace pigmatch
