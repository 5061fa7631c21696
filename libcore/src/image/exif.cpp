// A bounds-checked reader for the one thing pigmatch needs from EXIF: IFD0 entries (the
// Orientation tag). EXIF is a TIFF structure, so the same code also inspects TIFF files.
#include <optional>

#include "image/image_codecs.h"

namespace pigmatch::detail {
namespace {

constexpr std::uint16_t kOrientationTag = 0x0112;
constexpr std::uint16_t kTypeShort = 3;
constexpr std::size_t kIfdEntryBytes = 12;

// Reads integers in the block's declared byte order; every read is checked against the end
// because the block comes from the file as is.
class TiffBlock {
 public:
  explicit TiffBlock(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool read_byte_order() {
    if (bytes_.size() < 8)
      return false;
    if (bytes_[0] == 'I' && bytes_[1] == 'I') {
      little_endian_ = true;
    } else if (bytes_[0] == 'M' && bytes_[1] == 'M') {
      little_endian_ = false;
    } else {
      return false;
    }
    return u16(2) == std::optional<std::uint16_t>{42};
  }

  std::optional<std::uint16_t> u16(std::size_t offset) const {
    if (offset > bytes_.size() || bytes_.size() - offset < 2)
      return std::nullopt;
    const unsigned b0 = bytes_[offset], b1 = bytes_[offset + 1];
    return static_cast<std::uint16_t>(little_endian_ ? (b1 << 8) | b0 : (b0 << 8) | b1);
  }

  std::optional<std::uint32_t> u32(std::size_t offset) const {
    const auto lo = u16(offset + (little_endian_ ? 0 : 2));
    const auto hi = u16(offset + (little_endian_ ? 2 : 0));
    if (!lo || !hi)
      return std::nullopt;
    return (static_cast<std::uint32_t>(*hi) << 16) | *lo;
  }

  // The offset of IFD0's entry for `tag`, if any.
  std::optional<std::size_t> find_ifd0_entry(std::uint16_t tag) const {
    const auto ifd = u32(4);
    if (!ifd)
      return std::nullopt;
    const auto count = u16(*ifd);
    if (!count)
      return std::nullopt;
    for (std::size_t i = 0; i < *count; ++i) {
      const std::size_t entry = *ifd + 2 + i * kIfdEntryBytes;
      const auto entry_tag = u16(entry);
      if (!entry_tag)
        return std::nullopt;  // the directory runs past the end of the block
      if (*entry_tag == tag)
        return entry;
    }
    return std::nullopt;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  bool little_endian_ = true;
};

}  // namespace

int exif_orientation(std::span<const std::uint8_t> tiff_block) noexcept {
  TiffBlock block(tiff_block);
  if (!block.read_byte_order())
    return 1;
  const auto entry = block.find_ifd0_entry(kOrientationTag);
  if (!entry)
    return 1;
  const auto type = block.u16(*entry + 2);
  const auto count = block.u32(*entry + 4);
  // A SHORT with count 1 sits in the first two bytes of the value field.
  const auto value = block.u16(*entry + 8);
  if (type != std::optional<std::uint16_t>{kTypeShort} || !count || *count < 1 || !value)
    return 1;
  return (*value >= 1 && *value <= 8) ? *value : 1;
}

bool tiff_ifd0_has_tag(std::span<const std::uint8_t> tiff_block, std::uint16_t tag) noexcept {
  TiffBlock block(tiff_block);
  return block.read_byte_order() && block.find_ifd0_entry(tag).has_value();
}

}  // namespace pigmatch::detail
