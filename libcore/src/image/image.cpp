// decode_image(): reads the file, recognises the format by its first bytes, dispatches to the
// codec, and turns the result upright. Limits shared by all codecs live here.
#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <system_error>

#include "image/image_codecs.h"

namespace pigmatch {
namespace detail {

void fail(ErrorCode code, std::string_view name, std::string_view problem) {
  std::string message(name);
  message += ": ";
  message += problem;
  throw Error(code, message);
}

void check_dimensions(std::string_view name, std::string_view format, std::uint64_t width,
                      std::uint64_t height, const DecodeLimits& limits) {
  if (width == 0 || height == 0) {
    fail(ErrorCode::corrupt_data, name,
         std::string(format) + " header declares an empty image (" + std::to_string(width) + " × " +
             std::to_string(height) + " pixels) — the file is damaged; export it again");
  }
  const std::uint64_t pixels = width * height;  // both < 2^32: cannot overflow
  if (width > INT_MAX || height > INT_MAX || pixels > limits.max_pixels) {
    fail(ErrorCode::too_large, name,
         std::string(format) + " image is " + std::to_string(width) + " × " +
             std::to_string(height) + " pixels, over the limit of " +
             std::to_string(limits.max_pixels) +
             " pixels — resize the photo (or raise the limit if it is genuine)");
  }
}

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) noexcept {
  return (a != 0 && b > UINT64_MAX / a) ? UINT64_MAX : a * b;
}

void check_data_suffices(std::string_view name, std::string_view format, std::uint64_t width,
                         std::uint64_t height, std::uint64_t min_data_bytes,
                         std::uint64_t file_bytes) {
  if (min_data_bytes <= file_bytes)
    return;
  fail(ErrorCode::corrupt_data, name,
       std::string(format) + " header declares " + std::to_string(width) + " × " +
           std::to_string(height) + " pixels, which take at least " +
           std::to_string(min_data_bytes) +
           " bytes of image data even at the format's best compression, but the whole file is " +
           std::to_string(file_bytes) +
           " bytes — the file is damaged or crafted; export the photo again");
}

void check_icc_size(std::string_view name, std::uint64_t bytes, const DecodeLimits& limits) {
  if (bytes > limits.max_icc_bytes) {
    fail(ErrorCode::too_large, name,
         "embedded ICC profile is " + std::to_string(bytes) + " bytes, over the limit of " +
             std::to_string(limits.max_icc_bytes) +
             " bytes — re-export the photo with a "
             "standard profile such as sRGB");
  }
}

Image allocate_image(const std::string& name, ImageFormat format, int width, int height,
                     int channels, int bits) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.bits = bits;
  image.format = format;
  image.source = name;
  image.pixels.resize(image.row_stride() * static_cast<std::size_t>(height));
  return image;
}

}  // namespace detail

namespace {

using detail::fail;

enum class Sniffed { jpeg, png, tiff, heif, unknown };

bool starts_with(std::span<const std::uint8_t> bytes, std::string_view magic) {
  return bytes.size() >= magic.size() &&
         std::equal(magic.begin(), magic.end(), bytes.begin(),
                    [](char m, std::uint8_t b) { return static_cast<std::uint8_t>(m) == b; });
}

Sniffed sniff(std::span<const std::uint8_t> bytes) {
  using namespace std::string_view_literals;
  if (starts_with(bytes, "\xFF\xD8\xFF"sv))
    return Sniffed::jpeg;
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n"sv))
    return Sniffed::png;
  if (starts_with(bytes, "II*\0"sv) || starts_with(bytes, "MM\0*"sv) ||
      starts_with(bytes, "II+\0"sv) || starts_with(bytes, "MM\0+"sv)) {
    return Sniffed::tiff;  // classic or BigTIFF, either byte order
  }
  if (detail::is_heif(bytes))
    return Sniffed::heif;
  return Sniffed::unknown;
}

// Formats people actually send (phones save HEIC) get named, so the advice is specific.
std::string describe_unknown_format(std::span<const std::uint8_t> bytes) {
  using namespace std::string_view_literals;
  if (bytes.size() >= 12 && starts_with(bytes.subspan(4), "ftyp"sv)) {
    return "this is an ISO media file (a video?) that is not a HEIF/HEIC still image";
  }
  if (starts_with(bytes, "RIFF"sv) && bytes.size() >= 12 &&
      starts_with(bytes.subspan(8), "WEBP"sv)) {
    return "this is a WebP image";
  }
  if (starts_with(bytes, "GIF8"sv)) {
    return "this is a GIF image";
  }
  if (starts_with(bytes, "BM"sv)) {
    return "this looks like a BMP image";
  }
  return "the content is not a JPEG, PNG, TIFF or HEIF image";
}

// Where the upright pixel (x, y) comes from in the stored image: at pixel index
// origin + y·per_row + x·per_column (the EXIF orientation table, written as a linear map).
struct SourceWalk {
  std::ptrdiff_t origin, per_row, per_column;
};

SourceWalk source_walk(int orientation, std::ptrdiff_t w, std::ptrdiff_t h) {
  const std::ptrdiff_t last_row = (h - 1) * w;
  switch (orientation) {
    case 2:
      return {w - 1, w, -1};  // mirrored left–right
    case 3:
      return {last_row + w - 1, -w, -1};  // turned 180°
    case 4:
      return {last_row, -w, 1};  // mirrored top–bottom
    case 5:
      return {0, 1, w};  // transposed
    case 6:
      return {last_row, 1, -w};  // stored turned 90° anticlockwise
    case 7:
      return {last_row + w - 1, -1, -w};  // transversed
    case 8:
      return {w - 1, -1, w};  // stored turned 90° clockwise
    default:
      return {0, w, 1};
  }
}

// Copies pixels so that the stored image appears upright. The pixel size N is a template
// argument so each copy compiles to a fixed-size move. Works in tiles so that the strided
// reads of a rotation reuse each cache line they load.
template <std::size_t N>
void orient_pixels(const Image& stored, int orientation, Image& upright) {
  constexpr std::ptrdiff_t kTile = 64;
  constexpr auto kN = static_cast<std::ptrdiff_t>(N);
  const SourceWalk walk = source_walk(orientation, stored.width, stored.height);
  const std::byte* src = stored.pixels.data();
  std::byte* dst = upright.pixels.data();
  const std::ptrdiff_t out_w = upright.width, out_h = upright.height;
  for (std::ptrdiff_t y0 = 0; y0 < out_h; y0 += kTile) {
    for (std::ptrdiff_t x0 = 0; x0 < out_w; x0 += kTile) {
      const std::ptrdiff_t y1 = std::min(y0 + kTile, out_h), x1 = std::min(x0 + kTile, out_w);
      for (std::ptrdiff_t y = y0; y < y1; ++y) {
        const std::ptrdiff_t row = walk.origin + y * walk.per_row;
        for (std::ptrdiff_t x = x0; x < x1; ++x) {
          std::memcpy(dst + (y * out_w + x) * kN, src + (row + x * walk.per_column) * kN, N);
        }
      }
    }
  }
}

void apply_orientation(Image& image) {
  const int orientation = image.exif_orientation;
  if (orientation <= 1 || orientation > 8)
    return;
  Image upright;
  upright.channels = image.channels;
  upright.bits = image.bits;
  const bool swaps_axes = orientation >= 5;
  upright.width = swaps_axes ? image.height : image.width;
  upright.height = swaps_axes ? image.width : image.height;
  upright.pixels.resize(image.pixels.size());
  switch (image.channels * image.bytes_per_sample()) {
    case 1:
      orient_pixels<1>(image, orientation, upright);
      break;
    case 2:
      orient_pixels<2>(image, orientation, upright);
      break;
    case 3:
      orient_pixels<3>(image, orientation, upright);
      break;
    case 6:
      orient_pixels<6>(image, orientation, upright);
      break;
    default:
      return;  // decoders only produce 1 or 3 channels of 8 or 16 bits
  }
  image.width = upright.width;
  image.height = upright.height;
  image.pixels = std::move(upright.pixels);
}

std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path,
                                          const DecodeLimits& limits) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    fail(ErrorCode::io, name, "cannot open the file: it does not exist — check the path");
  }
  if (std::filesystem::is_directory(status)) {
    fail(ErrorCode::io, name, "is a folder, not an image file — give the path of a photo");
  }
  if (!std::filesystem::is_regular_file(status)) {
    fail(ErrorCode::io, name, "is not a regular file — give the path of a photo");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec)
    fail(ErrorCode::io, name, "cannot read the file size: " + ec.message());
  if (size > limits.max_file_bytes) {
    fail(ErrorCode::too_large, name,
         "the file is " + std::to_string(size) + " bytes, over the limit of " +
             std::to_string(limits.max_file_bytes) + " bytes — resize or recompress the photo");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(ErrorCode::io, name, "cannot open the file — check that you may read it");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::uintmax_t>(in.gcount()) != size) {
    fail(ErrorCode::io, name, "could not read the whole file — copy it again");
  }
  return bytes;
}

Image decode_sniffed(std::span<const std::uint8_t> bytes, const std::string& name,
                     const DecodeLimits& limits) {
  switch (sniff(bytes)) {
    case Sniffed::jpeg:
      return detail::decode_jpeg(bytes, name, limits);
    case Sniffed::png:
      return detail::decode_png(bytes, name, limits);
    case Sniffed::tiff:
      return detail::decode_tiff(bytes, name, limits);
    case Sniffed::heif:
      return detail::decode_heif(bytes, name, limits);
    case Sniffed::unknown:
      break;
  }
  fail(ErrorCode::unsupported, name,
       describe_unknown_format(bytes) +
           "; pigmatch reads JPEG, PNG, TIFF and HEIF/HEIC — export the photo "
           "in one of those formats");
}

}  // namespace

Image decode_image(const std::filesystem::path& path, const DecodeLimits& limits) {
  const std::vector<std::uint8_t> bytes = read_whole_file(path, limits);
  return decode_image(bytes, path.string(), limits);
}

Image decode_image(std::span<const std::uint8_t> bytes, std::string_view name_view,
                   const DecodeLimits& limits) {
  const std::string name(name_view);
  // No image header is shorter than this; a prefix of one is a file cut short.
  constexpr std::size_t kShortestHeader = 8;
  if (bytes.empty()) {
    fail(ErrorCode::corrupt_data, name, "the file is empty (0 bytes) — copy the photo again");
  }
  if (bytes.size() < kShortestHeader) {
    fail(ErrorCode::corrupt_data, name,
         "the file is only " + std::to_string(bytes.size()) +
             " bytes, too short to be an image (truncated?) — copy the photo again");
  }
  if (bytes.size() > limits.max_file_bytes) {
    fail(ErrorCode::too_large, name,
         "the data is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
             std::to_string(limits.max_file_bytes) + " bytes — resize or recompress the photo");
  }
  try {
    Image image = decode_sniffed(bytes, name, limits);
    apply_orientation(image);
    image.source = name;
    return image;
  } catch (const std::bad_alloc&) {
    fail(ErrorCode::too_large, name,
         "not enough memory to decode this image — close other programs or resize the photo");
  }
}

}  // namespace pigmatch
