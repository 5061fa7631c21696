// The few boxes of a HEIF file that pigmatch reads itself, before libheif does: the declared
// output size of every derived image (a 'grid' of tiles or an 'iovl' overlay). libheif 1.15
// allocates a derived image at the size its description declares, without comparing it with
// anything, so a few hundred bytes can ask for gigabytes; the decoder checks these sizes against
// its limits first.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pigmatch::detail {

struct HeifDerivedImage {
  char type[5] = {};  ///< "grid" or "iovl"
  std::uint64_t width = 0, height = 0;
};

/// Every grid and overlay item of the file's 'meta' box with the output size its description
/// declares; an empty list when there are none. std::nullopt when the boxes that locate and
/// describe such an item cannot be read (box sizes past their parent, an item whose data lies
/// outside the file, a description cut short).
std::optional<std::vector<HeifDerivedImage>> heif_derived_images(
    std::span<const std::uint8_t> file) noexcept;

}  // namespace pigmatch::detail
