// fuzz_heif: the HEIF/HEIC path of pigmatch::decode_image() — libheif reading the boxes, our
// checks of the declared size, bit depth, ICC profile and nclx box (an ICC profile built from it
// with Little CMS), libde265 decoding HEVC — then the photo converted as `measure` would
// (fuzz_support.h). fuzz_image reaches the same code by the data's magic, but mostly mutates
// its JPEG, PNG and TIFF seeds; this target starts from HEIC files only (make_seeds.cpp) and
// keeps every input an ISO media file, so its whole time goes to the HEIF path.
//
// pigmatch::Error is the expected answer to a bad input; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kFtypEnd = 12;
  if (size < kFtypEnd || std::memcmp(data + 4, "ftyp", 4) != 0)
    return -1;  // not ISO media: libFuzzer keeps it out of the corpus
  pigmatch::fuzz::decode_and_convert(std::span<const std::uint8_t>(data, size));
  return 0;
}
