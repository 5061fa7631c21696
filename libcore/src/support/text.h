// ASCII case folding for codes, keywords and filter values read from catalogs and the command
// line (pigment codes compare without case: "K100" is "k100"). Private to libcore.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace pigmatch::detail {

inline char ascii_lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

inline std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace pigmatch::detail
