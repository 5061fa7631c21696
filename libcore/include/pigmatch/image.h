// pigmatch/image.h — decoded photos: device pixels plus the ICC profile that describes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pigmatch {

/// A rectangle of pixels: top-left corner (x, y), width w and height h.
struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
};

enum class ImageFormat { jpeg, png, tiff };

/// A decoded image, upright (EXIF orientation already applied), alpha dropped.
///
/// Pixels are stored row by row, channels interleaved, with no padding between rows. For
/// 8-bit images each sample is one byte; for 16-bit images each sample is a native-endian
/// std::uint16_t (so `pixels` holds 2 bytes per sample). The values are device values, exactly
/// as encoded: they mean a colour only together with `icc_profile` (or sRGB when it is empty).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 3;  ///< 1 (grey) or 3 (RGB)
  int bits = 8;      ///< 8 or 16 bits per sample
  std::vector<std::byte> pixels;
  std::vector<std::uint8_t> icc_profile;  ///< embedded ICC profile; empty when none
  ImageFormat format = ImageFormat::jpeg;
  int exif_orientation = 1;  ///< the EXIF orientation (1–8) that decoding applied
  std::string source;        ///< where it came from (a path), for messages

  std::size_t bytes_per_sample() const noexcept { return bits == 16 ? 2 : 1; }
  std::size_t row_stride() const noexcept {
    return static_cast<std::size_t>(width) * static_cast<std::size_t>(channels) *
           bytes_per_sample();
  }
  const std::uint8_t* row8(int y) const noexcept {
    return reinterpret_cast<const std::uint8_t*>(pixels.data() +
                                                 static_cast<std::size_t>(y) * row_stride());
  }
  const std::uint16_t* row16(int y) const noexcept {
    return reinterpret_cast<const std::uint16_t*>(pixels.data() +
                                                  static_cast<std::size_t>(y) * row_stride());
  }
};

/// Safety limits that make a hostile file fail fast instead of exhausting memory.
struct DecodeLimits {
  std::uint64_t max_pixels = 200'000'000;        ///< width × height
  std::uint64_t max_file_bytes = 1024ull << 20;  ///< 1 GiB
  std::uint64_t max_icc_bytes = 16ull << 20;     ///< embedded profile size
};

/// Decodes a JPEG, PNG or TIFF (recognised by content, not by name) with its embedded ICC
/// profile. Throws pigmatch::Error naming the file and the problem: io (cannot read),
/// corrupt_data (truncated, malformed), unsupported (e.g. CMYK, palette TIFF, 32-bit float),
/// too_large (over `limits`).
Image decode_image(const std::filesystem::path& path, const DecodeLimits& limits = {});

/// The same from memory; `name` is used in messages in place of a path.
Image decode_image(std::span<const std::uint8_t> bytes, std::string_view name,
                   const DecodeLimits& limits = {});

/// Options of encode_jpeg() / write_jpeg().
struct JpegWriteOptions {
  int quality = 92;                 ///< 1–100, libjpeg's scale
  bool chroma_subsampling = false;  ///< 4:2:0 as most cameras write; false keeps 4:4:4
  /// With chroma_subsampling: halve chroma vertically too (4:2:0), or only horizontally (4:2:2,
  /// as some cameras and video-derived stills write).
  bool vertical_subsampling = true;
};

/// Encodes an 8-bit grey or RGB image as a baseline JPEG with `image.icc_profile` embedded (APP2
/// chunks) when it is not empty. Throws Error(invalid_argument) for a 16-bit image, a pixel
/// buffer that does not match the size, a size over JPEG's 65 500 pixels or a bad quality.
std::vector<std::uint8_t> encode_jpeg(const Image& image, const JpegWriteOptions& options = {});

/// encode_jpeg() into a file; Error(io) naming the path when it cannot be written.
void write_jpeg(const Image& image, const std::filesystem::path& path,
                const JpegWriteOptions& options = {});

/// Writes an 8- or 16-bit grey or RGB image as a Deflate-compressed TIFF with `image.icc_profile`
/// embedded when not empty. Throws Error(invalid_argument) for an unsupported layout and
/// Error(io) naming the path when it cannot be written.
void write_tiff(const Image& image, const std::filesystem::path& path);

}  // namespace pigmatch
