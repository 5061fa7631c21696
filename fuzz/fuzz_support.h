// Helpers shared by the fuzz targets: the few fixed inputs they convert once something parsed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "pigmatch/colour/transform.h"
#include "pigmatch/error.h"
#include "pigmatch/image/image.h"

namespace pigmatch::fuzz {

/// A small image of `layout` whose pixels cover black, white, mid-grey and a few primaries, so a
/// transform is exercised at its ends and in the middle.
inline Image probe_image(PixelLayout layout) {
  constexpr int kWidth = 8;
  Image image;
  image.width = kWidth;
  image.height = 1;
  image.channels = layout.channels;
  image.bits = layout.bits;
  image.pixels.resize(image.row_stride());
  const std::uint16_t levels[] = {0, 65535, 32768, 1, 65534, 12000, 50000, 255};
  const std::size_t samples = static_cast<std::size_t>(kWidth * layout.channels);
  for (std::size_t i = 0; i < samples; ++i) {
    const std::uint16_t level = levels[(i * 5 + i / 3) % std::size(levels)];
    if (layout.bits == 16) {
      std::memcpy(image.pixels.data() + 2 * i, &level, 2);
    } else {
      image.pixels[i] = static_cast<std::byte>(level >> 8);
    }
  }
  return image;
}

/// Converts at most a 4×4 corner of `image` on one thread (the fuzzer runs single-threaded, and
/// a whole decoded photo would make each input slow without reaching new code).
inline void convert_corner(const LabTransform& transform, const Image& image) {
  const Rect corner{0, 0, std::min(image.width, 4), std::min(image.height, 4)};
  const ApplyOptions one_thread{1};
  const LabImage fast = transform.apply(image, corner, one_thread);
  const LabImage reference = transform.apply_reference(image, corner, one_thread);
  // Reading the results keeps the conversions from being optimised away and lets MSan/ASan
  // see every value.
  volatile float sink = 0;
  for (std::size_t i = 0; i < fast.lab.size() && i < reference.lab.size(); ++i) {
    sink = sink + fast.lab[i] + reference.lab[i];
  }
}

/// Bytes the way `pigmatch measure` takes a photo: decode_image() from memory, then
/// LabTransform::for_image (the embedded profile, else sRGB) and a corner converted by the fast
/// path and by Little CMS. pigmatch::Error is the expected answer to a bad input.
inline void decode_and_convert(std::span<const std::uint8_t> bytes) {
  // The product's limits apart from the pixel count: 4 MP keeps every input to milliseconds
  // (a real photo is bigger, but decoding more rows reaches no new code); the size checks that
  // guard the product's 200 MP limit are the same code with a different number.
  DecodeLimits limits;
  limits.max_pixels = 4'000'000;
  try {
    const Image image = decode_image(bytes, "fuzz-input", limits);
    const LabTransform transform = LabTransform::for_image(image);
    convert_corner(transform, image);
  } catch (const Error&) {
  }
}

}  // namespace pigmatch::fuzz
