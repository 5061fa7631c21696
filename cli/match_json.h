// Turning the output of `pigmatch match --json` into a formula to save (`formula save --from`).
#pragma once

#include <string>
#include <string_view>

#include "pigmatch/store/store.h"

namespace pigmatch::cli {

/// The recipe ranked `rank` (1 = best) of a `pigmatch match --json` output, as a formula without
/// client: target, model, catalog, predicted colour, ΔE00 and components in drops and ml.
/// Throws Error (corrupt_data) naming `source` and the missing field.
store::Formula formula_from_match_json(std::string_view text, std::string_view source, int rank);

}  // namespace pigmatch::cli
