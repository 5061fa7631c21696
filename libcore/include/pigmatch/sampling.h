// pigmatch/sampling.h — statistics of the Lab pixels of a region.
#pragma once

#include <cstddef>
#include <span>

#include "pigmatch/color.h"

namespace pigmatch {

/// Per-channel summary of a set of Lab pixels. The median is taken per channel (the marginal
/// median), which is robust to a minority of outliers such as specular highlights or hair.
struct LabStatistics {
  Lab mean;
  Lab median;
  Lab stddev;  ///< population standard deviation per channel
  std::size_t pixels = 0;
};

/// Summarises interleaved L,a,b float triplets (the layout pigmatch's Lab images use).
/// Throws Error(invalid_argument) when the span is empty or not a whole number of triplets.
LabStatistics summarize_lab(std::span<const float> lab_triplets);

}  // namespace pigmatch
