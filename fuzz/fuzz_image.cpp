// fuzz_image: bytes → pigmatch::decode_image(), the in-memory entry point the file reader calls,
// which picks the JPEG, PNG, TIFF or HEIF decoder by the data's own magic bytes (as for a photo
// on disk) and reads the embedded ICC profile and EXIF orientation. When the bytes decode, the
// photo goes the way `pigmatch measure` sends it (fuzz_support.h): LabTransform::for_image (the
// embedded profile, else sRGB), then a corner of pixels converted by the fast path and by Little
// CMS. fuzz_heif starts from HEIC seeds.
//
// pigmatch::Error is the expected answer to a bad input; anything else — a crash, a sanitizer
// report, another exception, a leak, a hang or an allocation over -rss_limit_mb — is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pigmatch::fuzz::decode_and_convert(std::span<const std::uint8_t>(data, size));
  return 0;
}
