// Where model profiles live and how a command finds one: `model fit` saves them, `match
// --model-profile` reads them. A profile is named (NAME → $XDG_DATA_HOME/pigmatch/
// model-profiles/NAME.json) or given as a file path.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "pigmatch/formulation/model_fit.h"

namespace pigmatch::cli {

/// Letters, digits, '.', '_', '-'; not empty, not starting with '.'.
bool valid_profile_name(std::string_view name);

/// $XDG_DATA_HOME/pigmatch/model-profiles/NAME.json (~/.local/share/… without XDG_DATA_HOME).
/// Throws Error (not_found) when neither XDG_DATA_HOME nor HOME is set.
std::filesystem::path model_profile_path(std::string_view name);

/// The profile `name_or_file` names: an existing file path, else a saved profile's name.
/// Throws Error (not_found) saying where it looked, or as read_model_profile().
ModelFit load_model_profile(const std::string& name_or_file);

}  // namespace pigmatch::cli
