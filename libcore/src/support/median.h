// median.h — the median that robust estimates across libcore share (chart sampling, the chart's
// light, the patch-field search, stubble unmixing).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace pigmatch::detail {

/// The median of `values` (the upper of the two middle values for an even count, without
/// averaging: a value that occurs); 0 when there are none. Reorders `values` (nth_element), so
/// large samples are not copied.
inline double median_in_place(std::vector<double>& values) {
  if (values.empty())
    return 0;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

/// median_in_place() of a copy.
inline double median(std::vector<double> values) {
  return median_in_place(values);
}

}  // namespace pigmatch::detail
