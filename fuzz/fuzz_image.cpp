// fuzz_image: bytes → pigmatch::decode_image(), the in-memory entry point the file reader calls,
// which picks the JPEG, PNG or TIFF decoder by the data's own magic bytes (as for a photo on disk)
// and reads the embedded ICC profile and EXIF orientation. When the bytes decode, the photo goes
// the way `pigmatch measure` sends it: LabTransform::for_image (the embedded profile, else sRGB),
// then a corner of pixels converted by the fast path and by Little CMS.
//
// pigmatch::Error is the expected answer to a bad input; anything else — a crash, a sanitizer
// report, another exception, a leak, a hang or an allocation over -rss_limit_mb — is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.h"
#include "pigmatch/error.h"
#include "pigmatch/image.h"
#include "pigmatch/transform.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The product's limits apart from the pixel count: 4 MP keeps every input to milliseconds
  // (a real photo is bigger, but decoding more rows reaches no new code); the size checks that
  // guard the product's 200 MP limit are the same code with a different number.
  pigmatch::DecodeLimits limits;
  limits.max_pixels = 4'000'000;
  try {
    const pigmatch::Image image =
        pigmatch::decode_image(std::span<const std::uint8_t>(data, size), "fuzz-input", limits);
    const pigmatch::LabTransform transform = pigmatch::LabTransform::for_image(image);
    pigmatch::fuzz::convert_corner(transform, image);
  } catch (const pigmatch::Error&) {
  }
  return 0;
}
