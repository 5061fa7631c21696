// pigmatch/formulation/model_fit.h — learning the skin model from a studio's healed results: the
// model's parameters (pigment load, epidermis thickness) fitted to records of what was mixed, on
// which skin, and how it healed, by skin-tone class where there are enough records, with k-fold
// cross-validation saying how much better the fitted model predicts records it did not see.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/regions/skintone.h"

namespace pigmatch {

/// One healed result: the pigments of the formula (as the skin model uses them), their volume
/// fractions of the mix (the diluent's left out), the client's skin, and the healed colour.
struct HealedRecord {
  std::vector<Colorant> colorants;
  std::vector<double> concentrations;  ///< one per colorant, the mix's volume fraction
  Lab skin_d50{};                      ///< the client's skin where the pigment went
  Lab healed_d50{};                    ///< the healed colour measured at the touch-up
};

/// The skin model's parameters for one skin-tone class, or for all skins.
struct FittedParameters {
  std::optional<ItaClass> ita_class;  ///< none: every skin (the fallback)
  SkinParameters parameters;
  std::size_t records = 0;  ///< the records it was fitted to
};

struct ModelFitOptions {
  std::size_t folds = 5;                   ///< k of the k-fold cross-validation
  std::size_t min_records_per_class = 20;  ///< fewer: the class uses the all-skins fit
  SkinParameters defaults{};               ///< the starting point and the "before" of the report
};

/// What model fitting found.
struct ModelFit {
  FittedParameters all_skins;
  std::vector<FittedParameters> by_class;  ///< classes with enough records
  /// Mean ΔE00 between predicted and healed colour on held-out records: with the defaults and
  /// with parameters fitted to the other folds.
  double held_out_de00_before = 0;
  double held_out_de00_after = 0;
  std::size_t records = 0;
};

/// The parameters for a skin: its class's fit when there is one, else the all-skins fit.
SkinParameters parameters_for(const ModelFit& fit, const Lab& skin_d50);

/// The healed colour the skin model predicts for `record` with `parameters`.
Lab predict_healed(const HealedRecord& record, const SkinParameters& parameters);

/// Fits pigment load and epidermis thickness to `records` (least squares in ΔE00, a log grid
/// refined by a compass search: deterministic), by ITA class where a class has enough records.
/// Throws pigmatch::Error (invalid_argument) when there are fewer records than folds, saying
/// that the defaults stay in use until there are.
ModelFit fit_skin_model(const std::vector<HealedRecord>& records,
                        const ModelFitOptions& options = {});

/// The fit as a model profile (JSON, "format": "pigmatch-model-profile", version 1): what
/// `pigmatch model fit` saves and `match --model-profile` reads.
std::string model_profile_json(const ModelFit& fit, std::string_view name);

/// Reads a model profile. Throws pigmatch::Error (corrupt_data) naming `source` and the field
/// for anything that is not one (parameters out of the skin model's ranges included).
ModelFit read_model_profile(std::string_view text, std::string_view source);

/// Where saved profiles live: <user_data_directory()>/model-profiles (plugin_host.h); empty
/// when the user has no data folder (HOME unset).
std::filesystem::path model_profiles_directory();

/// The saved profiles (*.json of model_profiles_directory()), by name.
std::vector<std::filesystem::path> saved_model_profiles();

/// Reads the profile file `file` (at most 1 MiB). Throws pigmatch::Error (io, too_large, or as
/// read_model_profile()).
ModelFit read_model_profile_file(const std::filesystem::path& file);

}  // namespace pigmatch
