// Private: the generated weighting tables (spectrum_tables.cpp, from tools/gen_spectrum_tables.py).
#pragma once

#include <array>
#include <cstddef>

#include "pigmatch/colour/spectrum.h"

namespace pigmatch::detail {

inline constexpr std::size_t kIlluminantCount = 5;  // Illuminant::d50 … f11
inline constexpr std::size_t kObserverCount = 2;    // Observer::cie1931_2deg, cie1964_10deg

/// kWeightTables[observer][illuminant], indexed by the enums' values.
extern const std::array<std::array<WeightTable, kIlluminantCount>, kObserverCount> kWeightTables;

}  // namespace pigmatch::detail
