// pigmatch/formulation/formulate.h — the formulator: from a target colour to ranked recipes in
// drops.
//
// Method (docs/models.md, "Formulation"). The allowed pigments (filters below) and the diluent
// are bound to a mixing model (a Mixer: built in, or a plugin's model through
// make_plugin_mixer). Every subset of at most max_pigments pigments, plus the diluent, is
// searched level by level: single pigments are optimised fully; every larger subset is screened
// from each of its parents (the subset without one pigment) by one linearised, constrained
// Gauss–Newton step (for the KM film from per-band sensitivities, with no model evaluation).
// Subsets are optimised (projected Levenberg–Marquardt on concentrations, residual = Lab
// difference weighted like CIEDE2000): below the top level all of them, at the top level best
// screen first, the first 2 000 always and the rest while the screen is within a margin of the
// kept list. The screen is a heuristic, not a bound: its rule, what it can miss and its
// measured recall against `exhaustive` are in bench/RESULTS.md. The best continuous mixes are
// then quantised to whole drops (every whole-drop recipe of the subset's pigments near the
// continuous optimum, within the ellipsoid where the linearised error can beat the rounded one,
// is scored; then single drops are moved while the objective improves) and re-scored: CIEDE2000
// under the chosen illuminant, plus optional metamerism and cost terms. Deterministic: one thread,
// a fixed search order, no randomness.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/mixing.h"

namespace pigmatch {

class MixingModel;
struct MixConditions;

/// What the target is, for SMP work: `follicle` the client's hair (from a stubble measurement)
/// seen on their skin, `camouflage` the client's surrounding skin (scars), `custom` any Lab.
enum class FormulationMode { follicle, camouflage, custom };

/// "follicle", "camouflage", "custom"; parse throws pigmatch::Error (invalid_argument).
std::string_view to_string(FormulationMode mode) noexcept;
FormulationMode parse_formulation_mode(std::string_view name);

/// Which pigments a recipe may use.
struct PigmentFilter {
  std::vector<std::string> vendors;   ///< allowed catalog vendors (case-insensitive); empty: all
  std::vector<std::string> lines;     ///< allowed product lines (case-insensitive); empty: all
  std::vector<std::string> required;  ///< pigment codes every recipe must contain
  bool compliant_only = false;        ///< only pigments with a compliance statement
  /// Only pigments (and a diluent) meant for this use (meant_for(): pigments that name no use
  /// pass); empty: every pigment. default_use() gives a mode's.
  std::string use;
};

/// The use a mode's pigments are meant for: "smp" for follicle, "camouflage" for camouflage,
/// none (every pigment) for custom.
std::string_view default_use(FormulationMode mode) noexcept;

/// A pigment the formulator may use, and the catalog it came from.
struct PoolPigment {
  std::string catalog_id;
  Pigment pigment;
};

/// The pigments of a formulation: the allowed ones, then the diluent (if any) last.
struct PigmentPool {
  std::vector<PoolPigment> entries;
  bool has_diluent = false;  ///< entries.back() is the diluent
  /// The pigments alone, in order (what a Mixer is bound to).
  std::vector<Pigment> pigments() const;
};

/// The allowed pigments of `catalogs` and the first catalog's diluent (or the first diluent
/// found). Throws pigmatch::Error (not_found) when no pigment passes the filter or a required
/// code is in no allowed pigment.
PigmentPool select_pigments(std::span<const Catalog> catalogs, const PigmentFilter& filter);

/// A formulation request.
struct FormulationRequest {
  Lab target_lab_d50{};                        ///< the target as CIELAB D50/2°
  std::optional<Spectrum> target_reflectance;  ///< when known: metamerism against it
  std::size_t max_pigments = 3;                ///< 1–4, besides the diluent
  std::vector<std::string> required;           ///< codes every recipe must contain
  double total_volume_ml = 1.0;
  double drop_volume_ml = 0.05;  ///< for pigments whose catalog gives no drop volume
  Illuminant illuminant = Illuminant::d50;
  /// Illuminants of the metamerism index (the largest ΔE00 under them); the primary is skipped.
  std::vector<Illuminant> metamerism_illuminants{Illuminant::d65, Illuminant::a, Illuminant::f11};
  double metamerism_weight = 0;  ///< objective += weight · metamerism index
  double cost_weight = 0;        ///< objective += weight · price per ml of mix
  /// objective += weight · (pigments − 1): an extra pigment must buy this much ΔE00 (and of
  /// many exact continuous matches, the simplest wins).
  double parsimony_weight = 0.05;
  /// The parametric factors of the ΔE00 recipes are ranked by (Recipe::de00 stays plain ΔE00).
  /// Follicle mode (match_request) judges the healed shade first: kC = kH = 2, so a dot's
  /// lightness counts twice its chroma and hue, which the skin over it mostly sets.
  De2000Weights judged_by{};
  /// Warn (out_of_gamut) only when the lightness term of ΔE00 is beyond gamut_warning_de00,
  /// not for chroma and hue (follicle mode).
  bool lightness_gamut = false;
  std::size_t top = 5;              ///< recipes returned
  double gamut_warning_de00 = 2.0;  ///< warn when the best continuous mix is farther than this
  /// Optimise every subset fully, with no screen: slow (seconds to minutes); the reference
  /// the screen's recall is measured against.
  bool exhaustive = false;
  /// When set, called on formulate()'s thread with the fraction of the work done: never
  /// decreasing, at most a few hundred times per search, and with 1 once before formulate()
  /// returns. Returning false stops the search: formulate() throws Error(ErrorCode::cancelled).
  std::function<bool(double done)> progress;
};

/// One line of a recipe.
struct RecipeComponent {
  std::string catalog_id;
  std::string code;
  std::string name;
  bool is_diluent = false;
  int drops = 0;
  double ml = 0;
  double fraction = 0;  ///< of the mix volume
};

/// A recipe in whole drops and its predicted colour.
struct Recipe {
  std::vector<RecipeComponent> components;  ///< pigments in pool order, the diluent last
  /// The mix's D50 colorimetry. Judged under D50 (the default), asking for this colour gives
  /// this recipe back at ΔE00 0; under another illuminant the target is adapted to it by
  /// Bradford, which the mix's own colour under that light departs from by its colour
  /// inconstancy (0.1–0.3 ΔE00 is common).
  Lab predicted_lab_d50{};
  Lab predicted_lab{};                     ///< under the request's illuminant
  double de00 = 0;                         ///< to the target under the request's illuminant
  std::optional<double> metamerism_index;  ///< none for Lab-only models
  double cost_per_ml = 0;
  double objective = 0;
  double total_ml = 0;
};

/// What formulate() returns.
struct FormulationResult {
  /// Best first. Equivalent mixes (the same predicted colour under every light looked at, e.g.
  /// 14 K50 + 6 diluent and 7 K100 + 13 diluent) appear once, as the one with fewest pigments.
  std::vector<Recipe> recipes;
  bool out_of_gamut = false;
  Lab nearest_reachable_d50{};        ///< rank 1's predicted colour: the nearest recipe in drops
  double nearest_reachable_de00 = 0;  ///< rank 1's ΔE00
  std::string warning;                ///< for the person at the keyboard; empty when in gamut
  std::size_t subsets_searched = 0;
  std::size_t subsets_optimised = 0;  ///< fully optimised after the screen
};

/// Throws what formulate() would for `request` and `pool` before any work is done: a value out
/// of range (invalid_argument), or a search too large to finish in minutes (too_large, naming
/// the --max-pigments, product line or catalog that would make it feasible). Call it before
/// preparing a mixing model for a large pool.
void check_formulation(const FormulationRequest& request, const PigmentPool& pool);

/// Ranked recipes for `request` from `pool`, with `mixer` bound to pool.pigments(). Throws
/// pigmatch::Error (invalid_argument) for a request out of range.
FormulationResult formulate(const FormulationRequest& request, const PigmentPool& pool,
                            const Mixer& mixer);

/// A Mixer driving a plugin's mixing model (plugin_host.h): prepares `model` for `pigments`
/// and predicts under `conditions`. Throws pigmatch::Error with the plugin's message.
std::unique_ptr<Mixer> make_plugin_mixer(MixingModel model, std::span<const Pigment> pigments,
                                         const MixConditions& conditions);

}  // namespace pigmatch
