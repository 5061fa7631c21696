// The text half of read_drawdowns() (catalog_build.h), for the fuzzer. Private to libcore.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/formulation/catalog_build.h"

namespace pigmatch::detail {

/// read_drawdowns() on texts already read: `text` the CGATS readings (named `measurements` in
/// messages), `layout_text` the layout's CSV (named `layout_file`). Throws as read_drawdowns().
std::vector<DrawdownReading> parse_drawdowns(
    std::string_view text, const std::filesystem::path& measurements,
    const std::optional<std::string>& layout_text,
    const std::optional<std::filesystem::path>& layout_file);

}  // namespace pigmatch::detail
