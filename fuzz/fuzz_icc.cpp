// fuzz_icc: bytes as an ICC profile → LabTransform::from_icc, the path of `pigmatch measure
// --profile FILE.icc` and `pigmatch lab --profile` (as "supplied") and of a photo's embedded
// profile (as "embedded"), for each pixel layout pigmatch reads (grey/RGB, 8/16 bits); each
// transform that builds converts a row of probe pixels (black, white, grey, primaries) through
// the fast path and through Little CMS.
//
// pigmatch::Error is the expected answer to a bad profile; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> icc(data, size);
  constexpr pigmatch::PixelLayout kLayouts[] = {{3, 8}, {3, 16}, {1, 8}, {1, 16}};
  constexpr pigmatch::ProfileSource kSources[] = {pigmatch::ProfileSource::supplied,
                                                  pigmatch::ProfileSource::embedded};
  // The first byte picks the source so both are reached without doubling every input's cost.
  const pigmatch::ProfileSource source = kSources[size > 0 ? data[0] % 2 : 0];
  for (const pigmatch::PixelLayout layout : kLayouts) {
    try {
      const auto transform = pigmatch::LabTransform::from_icc(icc, layout, "fuzz.icc", source);
      pigmatch::fuzz::convert_corner(transform, pigmatch::fuzz::probe_image(layout));
    } catch (const pigmatch::Error&) {
    }
  }
  return 0;
}
