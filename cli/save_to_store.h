// `--client ID --save [--visit ID]` for measure and match: what they measured or formulated goes
// straight into the client's visit (the latest one, or --visit). The client and visit are
// checked before the work starts, so a typo fails at once, not after a minute of formulation.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pigmatch/regions/photo_measurement.h"
#include "pigmatch/store/measurement_records.h"
#include "pigmatch/store/store.h"

namespace pigmatch::cli {

/// The options as given.
struct SaveOptions {
  std::string client;
  std::string visit;
  std::string db;
  std::string kind;               ///< measure only: "skin" (default) or "healed"
  std::vector<std::string> lots;  ///< match only: CODE=LOT for the saved recipe's bottles
  bool save = false;
};

/// Adds --client, --save, --visit and --db to `command` (and --kind when `measurement`, else
/// --lot).
std::shared_ptr<SaveOptions> add_save_options(CLI::App* command, bool measurement);

/// The open store and the checked client and visit a save writes to.
struct SaveTarget {
  store::Store store;
  store::Id client = 0;
  store::Id visit = 0;
  std::vector<std::string> lots;  ///< --lot CODE=LOT
};

/// None when --save was not given. Otherwise opens the existing database and checks the client
/// and visit (--visit, else the client's latest; an Error naming what is missing).
std::optional<SaveTarget> prepare_save(const SaveOptions& options);

/// The visit a save writes to: `visit` when given (it must be the client's), else the client's
/// latest visit. Throws Error (not_found) saying how to add one.
store::Id resolve_visit(store::Store& store, store::Id client, std::optional<store::Id> visit);

/// Saves the measured `regions` of the photo `image` (as measure was given it) through libcore's
/// measurement_rows(): a plain region as `kind` (skin or healed); a stubble region's skin and
/// hair as skin and hair, or its hair dots as healed. The photo's path and SHA-256 are recorded.
/// Reports each row on stderr.
void save_measurements(SaveTarget& target, const std::string& image,
                       std::optional<double> calibration_de00,
                       std::span<const RegionMeasurement> regions, const std::string& kind);

/// Saves `formula` (match's best recipe, from pigmatch::recipe_formula: what the GUI saves too)
/// in the client's visit, with the --lot assignments. Reports the formula id on stderr.
void save_recipe(SaveTarget& target, store::Formula formula);

/// Records `image` (as measure was given it) in `m`: its absolute path and, when it can be
/// read, its SHA-256.
void record_photo(store::Measurement& m, const std::string& image);

}  // namespace pigmatch::cli
