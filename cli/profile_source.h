// The JSON spelling of a profile source, shared by `lab` and `measure` output.
#pragma once

#include <string>

#include "pigmatch/colour/transform.h"

namespace pigmatch::cli {

/// "embedded", "assumed-srgb" or "supplied": libcore's name with hyphens, as the measurement
/// JSON spells it.
inline std::string profile_source_name(ProfileSource source) {
  std::string name(to_string(source));
  for (char& c : name) {
    if (c == '_')
      c = '-';
  }
  return name;
}

}  // namespace pigmatch::cli
