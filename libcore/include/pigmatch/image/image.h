// pigmatch/image/image.h — decoded photos: device pixels plus the ICC profile that describes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pigmatch {

/// A rectangle of pixels: top-left corner (x, y), width w and height h.
struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
};

/// A point in pixels of the upright photo (x right, y down; a pixel's centre is at +0.5), or in
/// a chart's normalised units where a chart's geometry says so.
struct Point {
  double x = 0, y = 0;
};

enum class ImageFormat { jpeg, png, tiff, heif };

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
  /// The EXIF orientation (1–8) that decoding applied. HEIF turns its images with its own
  /// transform boxes, which decoding applies too; for HEIF this stays 1.
  int exif_orientation = 1;
  std::string source;  ///< where it came from (a path), for messages

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

/// Decodes a JPEG, PNG, TIFF or HEIF/HEIC (recognised by content, not by name) with its
/// embedded ICC profile. A HEIF file that describes its colours by an nclx box instead (ITU-T
/// H.273 primaries and transfer, as phones write) gets an equivalent ICC profile built from it;
/// 10- and 12-bit HEIF decode to 16 bits per sample. Throws pigmatch::Error naming the file and
/// the problem: io (cannot read), corrupt_data (truncated, malformed), unsupported (e.g. CMYK,
/// palette TIFF, 32-bit float, HDR HEIF with a PQ or HLG transfer), too_large (over `limits`).
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

/// The colour description of a HEIF file written without an ICC profile: an nclx box with ITU-T
/// H.273 code points, as phones write.
struct NclxColour {
  int primaries = 12;      ///< 1 BT.709 (sRGB), 9 BT.2020, 12 Display P3 (SMPTE EG 432)
  int transfer = 13;       ///< 13 sRGB curve, 1 BT.709, 8 linear
  int matrix = 6;          ///< the YCbCr matrix: 6 BT.601, 1 BT.709
  bool full_range = true;  ///< full-range YCbCr, as still photos use
};

/// Options of encode_heif() / write_heif().
struct HeifWriteOptions {
  int quality = 90;  ///< 0–100, the HEVC encoder's lossy scale
  int bits = 8;      ///< bits per sample in the file: 8, or 10 as phones write for HDR-capable
  /// When set, the colours are described by this nclx box and `image.icc_profile` is not
  /// written; otherwise the profile is embedded (with an nclx box naming only the YCbCr matrix).
  std::optional<NclxColour> nclx;
  /// How a viewer must turn the stored pixels, as an EXIF orientation (1–8), written as HEIF
  /// transform boxes (irot/imir) the way a phone held sideways writes them.
  int orientation = 1;
};

/// Encodes an 8- or 16-bit RGB image as a HEIC file (HEVC, 4:2:0, through libheif and x265).
/// Throws Error(invalid_argument) for another layout, bits other than 8 or 10, a bad quality or
/// orientation,
/// and Error(unsupported) when this libheif has no HEVC encoder.
std::vector<std::uint8_t> encode_heif(const Image& image, const HeifWriteOptions& options = {});

/// encode_heif() into a file; Error(io) naming the path when it cannot be written.
void write_heif(const Image& image, const std::filesystem::path& path,
                const HeifWriteOptions& options = {});

}  // namespace pigmatch
