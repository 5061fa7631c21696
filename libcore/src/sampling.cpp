#include "pigmatch/sampling.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "pigmatch/error.h"

namespace pigmatch {
namespace {

struct ChannelStatistics {
  double mean = 0, median = 0, stddev = 0;
};

ChannelStatistics summarize_channel(std::span<const float> triplets, std::size_t channel) {
  const std::size_t count = triplets.size() / 3;
  std::vector<float> values(count);
  double sum = 0;
  for (std::size_t i = 0; i < count; ++i) {
    values[i] = triplets[3 * i + channel];
    sum += values[i];
  }
  const double mean = sum / static_cast<double>(count);
  // Two-pass variance: numerically stable for the large, nearly constant regions we measure.
  double squares = 0;
  for (const float v : values) squares += (v - mean) * (v - mean);

  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(count / 2);
  std::nth_element(values.begin(), middle, values.end());
  double median = *middle;
  if (count % 2 == 0) {
    const float below = *std::max_element(values.begin(), middle);
    median = (median + below) / 2.0;
  }
  return {mean, median, std::sqrt(squares / static_cast<double>(count))};
}

}  // namespace

LabStatistics summarize_lab(std::span<const float> lab_triplets) {
  if (lab_triplets.empty() || lab_triplets.size() % 3 != 0) {
    throw Error(ErrorCode::invalid_argument,
                "Lab statistics need a non-empty list of L,a,b triplets; the region holds no pixels");
  }
  const ChannelStatistics L = summarize_channel(lab_triplets, 0);
  const ChannelStatistics a = summarize_channel(lab_triplets, 1);
  const ChannelStatistics b = summarize_channel(lab_triplets, 2);
  return {{L.mean, a.mean, b.mean},
          {L.median, a.median, b.median},
          {L.stddev, a.stddev, b.stddev},
          lab_triplets.size() / 3};
}

}  // namespace pigmatch
