// Private interface between image.cpp (sniffing, limits, orientation), the per-format decoders
// (image_jpeg.cpp, image_png.cpp, image_tiff.cpp, image_heif.cpp), the encoders
// (image_write.cpp, image_heif.cpp) and the EXIF reader (exif.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "pigmatch/error.h"
#include "pigmatch/image/image.h"

namespace pigmatch::detail {

// Each decoder returns the pixels as stored in the file (not yet turned upright) and sets
// `exif_orientation` to the orientation the file declares (1 when it declares none);
// decode_image() applies it. `name` names the file in messages.
Image decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& name,
                  const DecodeLimits& limits);
Image decode_png(std::span<const std::uint8_t> bytes, const std::string& name,
                 const DecodeLimits& limits);
Image decode_tiff(std::span<const std::uint8_t> bytes, const std::string& name,
                  const DecodeLimits& limits);
Image decode_heif(std::span<const std::uint8_t> bytes, const std::string& name,
                  const DecodeLimits& limits);

/// Whether `bytes` begin an ISO media file (an "ftyp" box) that libheif reads as a still image.
bool is_heif(std::span<const std::uint8_t> bytes) noexcept;

/// Throws Error(code, "<name>: <problem>").
[[noreturn]] void fail(ErrorCode code, std::string_view name, std::string_view problem);

/// Rejects a declared size that is empty or over `limits`; decoders call it before allocating.
void check_dimensions(std::string_view name, std::string_view format, std::uint64_t width,
                      std::uint64_t height, const DecodeLimits& limits);

/// Rejects a header whose declared image cannot be in the file: its pixel data take at least
/// `min_data_bytes` even at the format's best compression, and the whole file (`file_bytes`)
/// is smaller. Decoders call it after check_dimensions() and before allocating anything of the
/// image's size, so that a file of a few hundred bytes declaring a 200 MP image (within the
/// limits) is refused at once instead of costing gigabytes of memory.
void check_data_suffices(std::string_view name, std::string_view format, std::uint64_t width,
                         std::uint64_t height, std::uint64_t min_data_bytes,
                         std::uint64_t file_bytes);

/// a × b, or UINT64_MAX when that overflows (sizes computed from hostile headers).
std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) noexcept;

/// Rejects an embedded ICC profile bigger than `limits.max_icc_bytes`.
void check_icc_size(std::string_view name, std::uint64_t bytes, const DecodeLimits& limits);

/// An image of the given shape with zeroed pixels (call check_dimensions first).
Image allocate_image(const std::string& name, ImageFormat format, int width, int height,
                     int channels, int bits);

/// How an image is named in an encoder's messages: its source, else "the image".
std::string name_of(const Image& image);

/// Encoders' check of what they are given: 1 or 3 channels of 8 bits (or 16 when
/// `allow_16_bit`) and a pixel buffer that matches the size; Error(invalid_argument) otherwise.
void require_writable_layout(const Image& image, bool allow_16_bit, std::string_view format);

/// Error(io) naming `path`, with `detail` when not empty, and what to check.
[[noreturn]] void fail_write(const std::filesystem::path& path, std::string_view detail);

/// Writes `bytes` as the whole of `path`; fail_write() when that does not succeed.
void write_file_bytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

/// The EXIF orientation (1–8) in a TIFF-structured block (a JPEG APP1 payload after
/// "Exif\0\0", or a PNG eXIf chunk); 1 when absent or invalid, as EXIF readers do.
int exif_orientation(std::span<const std::uint8_t> tiff_block) noexcept;

/// Whether the first IFD of a TIFF-structured block has an entry for `tag`.
bool tiff_ifd0_has_tag(std::span<const std::uint8_t> tiff_block, std::uint16_t tag) noexcept;

}  // namespace pigmatch::detail
