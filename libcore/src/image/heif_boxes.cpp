// ISO/IEC 14496-12 boxes and ISO/IEC 23008-12 derived image items, read only as far as finding
// each grid's and overlay's declared output size. Every read is bounds-checked: the file is
// hostile.
#include "image/heif_boxes.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace pigmatch::detail {
namespace {

constexpr std::uint32_t fourcc(const char (&code)[5]) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(code[0])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(code[1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(code[2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(code[3]));
}

// Big-endian fields from a span; once a read runs past the end, every later read gives 0 and
// ok() is false.
class FieldReader {
 public:
  explicit FieldReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::uint64_t read(std::size_t size) {
    if (!ok_ || size > bytes_.size() - position_) {
      ok_ = false;
      return 0;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i)
      value = (value << 8) | bytes_[position_ + i];
    position_ += size;
    return value;
  }
  std::uint32_t u8() { return static_cast<std::uint32_t>(read(1)); }
  std::uint32_t u16() { return static_cast<std::uint32_t>(read(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(read(4)); }
  std::span<const std::uint8_t> rest() const {
    return ok_ ? bytes_.subspan(position_) : std::span<const std::uint8_t>{};
  }
  bool ok() const { return ok_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
  bool ok_ = true;
};

struct Box {
  std::uint32_t type = 0;
  std::span<const std::uint8_t> payload;
};

// The boxes that fill `bytes` one after another; nullopt when one claims more than is left.
std::optional<std::vector<Box>> boxes_in(std::span<const std::uint8_t> bytes) {
  std::vector<Box> boxes;
  while (!bytes.empty()) {
    FieldReader r(bytes);
    std::uint64_t size = r.u32();
    const std::uint32_t type = r.u32();
    std::uint64_t header = 8;
    if (size == 1) {
      size = r.read(8);
      header = 16;
    } else if (size == 0) {
      size = bytes.size();  // the box runs to the end of its parent
    }
    if (!r.ok() || size < header || size > bytes.size())
      return std::nullopt;
    boxes.push_back({type, bytes.subspan(header, size - header)});
    bytes = bytes.subspan(size);
  }
  return boxes;
}

const Box* find(const std::vector<Box>& boxes, std::uint32_t type) {
  for (const Box& box : boxes)
    if (box.type == type)
      return &box;
  return nullptr;
}

// item ID → item type, from the 'infe' entries (version 2 and 3) of an 'iinf' box.
std::optional<std::map<std::uint32_t, std::uint32_t>> item_types(const Box& iinf) {
  FieldReader r(iinf.payload);
  const std::uint32_t version = r.u8();
  r.read(3);                     // flags
  r.read(version == 0 ? 2 : 4);  // entry count: the boxes that follow say it again
  const auto entries = boxes_in(r.rest());
  if (!r.ok() || !entries)
    return std::nullopt;
  std::map<std::uint32_t, std::uint32_t> types;
  for (const Box& infe : *entries) {
    FieldReader e(infe.payload);
    const std::uint32_t infe_version = e.u8();
    e.read(3);
    if (infe.type != fourcc("infe") || infe_version < 2)
      continue;  // versions 0 and 1 have no item type: not an image item
    const std::uint32_t id = infe_version == 2 ? e.u16() : e.u32();
    e.u16();  // protection index
    const std::uint32_t type = e.u32();
    if (!e.ok())
      return std::nullopt;
    types[id] = type;
  }
  return types;
}

struct ItemLocation {
  std::uint32_t construction_method = 0;                         // 0 file, 1 idat, 2 another item
  std::vector<std::pair<std::uint64_t, std::uint64_t>> extents;  // offset (base added), length
};

bool valid_field_size(std::uint32_t size) {
  return size == 0 || size == 4 || size == 8;
}

std::optional<std::map<std::uint32_t, ItemLocation>> item_locations(const Box& iloc) {
  FieldReader r(iloc.payload);
  const std::uint32_t version = r.u8();
  r.read(3);
  const std::uint32_t sizes = r.u8(), more_sizes = r.u8();
  const std::uint32_t offset_size = sizes >> 4, length_size = sizes & 15;
  const std::uint32_t base_offset_size = more_sizes >> 4;
  const std::uint32_t index_size = (version == 1 || version == 2) ? (more_sizes & 15) : 0;
  if (version > 2 || !valid_field_size(offset_size) || !valid_field_size(length_size) ||
      !valid_field_size(base_offset_size) || !valid_field_size(index_size)) {
    return std::nullopt;
  }
  const std::uint32_t count = version < 2 ? r.u16() : r.u32();
  std::map<std::uint32_t, ItemLocation> locations;
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    const std::uint32_t id = version < 2 ? r.u16() : r.u32();
    ItemLocation location;
    if (version == 1 || version == 2)
      location.construction_method = r.u16() & 15;
    r.u16();  // data reference index
    const std::uint64_t base = r.read(base_offset_size);
    const std::uint32_t extents = r.u16();
    for (std::uint32_t e = 0; e < extents && r.ok(); ++e) {
      r.read(index_size);
      const std::uint64_t offset = r.read(offset_size);
      const std::uint64_t length = r.read(length_size);
      if (offset > UINT64_MAX - base)
        return std::nullopt;
      location.extents.emplace_back(base + offset, length);
    }
    locations[id] = std::move(location);
  }
  if (!r.ok())
    return std::nullopt;
  return locations;
}

// A description is at most 4 + 8 + 2 × 4 bytes; more is never read.
constexpr std::size_t kLongestDescription = 32;

// The first bytes of the item's data, its extents joined; nullopt when an extent lies outside
// its source.
std::optional<std::vector<std::uint8_t>> item_data(const ItemLocation& location,
                                                   std::span<const std::uint8_t> file,
                                                   std::span<const std::uint8_t> idat) {
  if (location.construction_method > 1)
    return std::nullopt;
  const std::span<const std::uint8_t> source = location.construction_method == 0 ? file : idat;
  std::vector<std::uint8_t> data;
  for (const auto& [offset, declared_length] : location.extents) {
    if (offset > source.size())
      return std::nullopt;
    const std::uint64_t length = declared_length == 0 ? source.size() - offset : declared_length;
    if (length > source.size() - offset)
      return std::nullopt;
    const auto extent = source.subspan(offset, std::min(length, kLongestDescription));
    data.insert(data.end(), extent.begin(), extent.end());
    if (data.size() >= kLongestDescription)
      break;
  }
  return data;
}

// A grid's or overlay's description: version, flags (bit 0: 32-bit sizes), then for a grid
// rows − 1 and columns − 1, for an overlay four 16-bit fill values; then the output size.
std::optional<HeifDerivedImage> describe(std::uint32_t type, std::span<const std::uint8_t> data) {
  FieldReader r(data);
  r.u8();  // version
  const std::uint32_t flags = r.u8();
  HeifDerivedImage image;
  if (type == fourcc("grid")) {
    std::memcpy(image.type, "grid", 4);
    r.read(2);  // rows − 1, columns − 1
  } else {
    std::memcpy(image.type, "iovl", 4);
    r.read(8);
  }
  const std::size_t size_field = (flags & 1) != 0 ? 4 : 2;
  image.width = r.read(size_field);
  image.height = r.read(size_field);
  if (!r.ok())
    return std::nullopt;
  return image;
}

}  // namespace

std::optional<std::vector<HeifDerivedImage>> heif_derived_images(
    std::span<const std::uint8_t> file) noexcept {
  try {
    const auto top = boxes_in(file);
    if (!top)
      return std::nullopt;
    const Box* meta = find(*top, fourcc("meta"));
    if (meta == nullptr)
      return std::vector<HeifDerivedImage>{};
    if (meta->payload.size() < 4)
      return std::nullopt;
    const auto children = boxes_in(meta->payload.subspan(4));  // after version and flags
    if (!children)
      return std::nullopt;
    const Box* iinf = find(*children, fourcc("iinf"));
    if (iinf == nullptr)
      return std::vector<HeifDerivedImage>{};
    const auto types = item_types(*iinf);
    if (!types)
      return std::nullopt;
    const Box* iloc = find(*children, fourcc("iloc"));
    const Box* idat = find(*children, fourcc("idat"));
    std::vector<HeifDerivedImage> derived;
    std::optional<std::map<std::uint32_t, ItemLocation>> locations;
    for (const auto& [id, type] : *types) {
      if (type != fourcc("grid") && type != fourcc("iovl"))
        continue;
      if (!locations)
        locations = iloc != nullptr ? item_locations(*iloc) : std::nullopt;
      if (!locations || !locations->contains(id))
        return std::nullopt;
      const auto data =
          item_data(locations->at(id), file,
                    idat != nullptr ? idat->payload : std::span<const std::uint8_t>{});
      const auto image = data ? describe(type, *data) : std::nullopt;
      if (!image)
        return std::nullopt;
      derived.push_back(*image);
    }
    return derived;
  } catch (...) {  // std::bad_alloc from a vector: treat as unreadable
    return std::nullopt;
  }
}

}  // namespace pigmatch::detail
