// Parsing of the compound values the CLI accepts ("L,a,b", "x,y,w,h"). Each throws UsageError
// with a message naming the option and showing the expected form.
#pragma once

#include <string>
#include <string_view>

#include "pigmatch/colour/color.h"
#include "pigmatch/image/image.h"

namespace pigmatch::cli {

/// "L,a,b" with L in 0..100 and a, b finite, e.g. "52.3,-1.5,12".
Lab parse_lab(const std::string& text, std::string_view what);

/// "x,y,w,h" in pixels, x,y ≥ 0, w,h > 0.
Rect parse_rect(const std::string& text, std::string_view what);

}  // namespace pigmatch::cli
