// pigmatch/formulation/match.h — the decisions between a client's colours and formulate(): which
// colour a recipe must reach in each mode, which mixing model sees it under which conditions, which
// catalogs take part, and the formula a chosen recipe is recorded as. `pigmatch match` and the
// GUI's Match screen both decide here, so they find and save the same recipes.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "pigmatch/store/store.h"

namespace pigmatch {

/// The colours of one measured region (a region of `pigmatch measure`, or measurements of the
/// store), CIELAB D50.
struct RegionColours {
  std::string name;
  bool stubble = false;
  Lab lab_d50{};                ///< plain: the region; stubble: the skin between the hairs
  std::optional<Lab> hair_d50;  ///< stubble, when hair was told apart from the skin
  std::optional<double> uncertainty_de00;       ///< how well lab_d50 is known, when recorded
  std::optional<double> hair_uncertainty_de00;  ///< how well hair_d50 is known, when recorded
};

/// What a recipe must look like, and what it will be seen on.
struct MatchTarget {
  Lab lab_d50{};
  FormulationMode mode = FormulationMode::custom;
  std::optional<Lab> skin_d50;  ///< the client's skin, for the skin model
  std::string region;           ///< the measured region it came from, or empty
  /// How well the target colour is known (ΔE00), when it was measured with its uncertainty:
  /// recipes closer to each other than this are equally good as far as the photo can tell.
  std::optional<double> uncertainty_de00;
};

/// The target a measured region gives in `mode` (none: follicle for stubble, camouflage for a
/// plain region): camouflage the skin, follicle the hair seen on the region's skin. `source`
/// names where the region was read, for messages. Throws Error: invalid_argument for custom
/// mode (a typed colour) or follicle mode on a plain region, unsupported for a stubble region
/// whose hair was not told apart.
MatchTarget target_from_region(const RegionColours& region, std::optional<FormulationMode> mode,
                               std::string_view source);

/// How many of `result`'s recipes, from the first, come within the target's uncertainty of the
/// best one (ΔE00 to the target no more than the best's plus `uncertainty_de00`): recipes the
/// measurement cannot tell apart. 0 when there are no recipes.
std::size_t recipes_within_uncertainty(const FormulationResult& result, double uncertainty_de00);

/// The region colours the store holds for `measurement` of a client: a hair measurement with
/// the client's skin measurement of the same region (the latest; a stubble region), else the
/// plain colour. Throws Error from the store.
RegionColours stored_region_colours(store::Store& store, const store::Measurement& measurement);

/// The model a mode predicts with unless told otherwise: skin (the healed colour on the
/// client's skin) for follicle, km (a film on the catalog's card) otherwise.
BuiltinModel default_model(FormulationMode mode) noexcept;

/// The conditions `model` predicts under: km a film on the catalog's white card (so a pigment's
/// own masstone is reproduced), skin the pigment under target.skin_d50, lab and km1 nothing.
/// Throws Error (invalid_argument) for the skin model without a skin colour.
MixConditions match_conditions(BuiltinModel model, const MatchTarget& target);

/// The built-in model `model` as a plugin provides it (the built-in models plugin, or one
/// shadowing it). Throws Error (not_found) saying where the models come from.
MixingModel match_model(const PluginRegistry& registry, BuiltinModel model);

/// The request `pigmatch match` makes for `target` unless told otherwise: ΔE00 judged under
/// D50, the frame measured colours are given in, so target and predicted colour compare like
/// with like and a recipe's predicted colour asked for gives that recipe back (the metamerism
/// index shows daylight D65, tungsten A and fluorescent F11), 1 ml in drops of 0.05 ml, the best
/// 5 recipes of up to `max_pigments` pigments besides the diluent.
FormulationRequest match_request(const MatchTarget& target, std::size_t max_pigments = 3);

/// The catalogs a match uses: those named in `ids` (in that order, each once); with no ids,
/// the explicitly given catalog files when `explicit_files_only`, else every catalog loaded.
/// Throws Error (not_found) naming an unknown id with the ids loaded, or when none is left.
std::vector<Catalog> match_catalogs(const PluginRegistry& registry,
                                    std::span<const std::string> ids, bool explicit_files_only);

/// Error (corrupt_data) when one of `files` (explicitly given catalog files) was rejected by
/// `registry`: a catalog the user named must not be silently left out.
void check_explicit_catalogs(const PluginRegistry& registry,
                             std::span<const std::filesystem::path> files);

/// `recipe` (found for `target` with `model` from `catalogs`) as a formula without client or
/// visit: target, predicted colour, ΔE00, model, the catalog of its first pigment, and its
/// components in drops and ml under their catalog's vendor (else the catalog id), without lots.
store::Formula recipe_formula(const MatchTarget& target, BuiltinModel model,
                              std::span<const Catalog> catalogs, const Recipe& recipe);

}  // namespace pigmatch
