// PNG decoding with libpng: 8/16-bit grey or RGB (palette expanded, alpha dropped), the iCCP
// profile and the eXIf orientation.
//
// libpng reports fatal errors by calling an error function that must not return; it longjmps
// back to the setjmp in run_guarded(). The frames it skips (libpng's and the stage functions
// below) own no C++ object with a destructor; the C++ side then throws pigmatch::Error.
#include <png.h>

#include <algorithm>
#include <bit>
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "image/image_codecs.h"

namespace pigmatch::detail {
namespace {

// libpng's default bound on one ancillary chunk; a profile allowed by the limits must fit too.
constexpr png_alloc_size_t kDefaultChunkMax = 8'000'000;
constexpr std::size_t kMessageBytes = 256;

struct PngSession {
  png_structp png;
  png_infop info;
  const std::uint8_t* data;
  std::size_t size;
  std::size_t position;
  bool truncated;
  char error[kMessageBytes];
  char icc_warning[kMessageBytes];  // libpng drops a bad iCCP with only a warning
};

void copy_message(char (&to)[kMessageBytes], png_const_charp message) {
  std::snprintf(to, kMessageBytes, "%s", message != nullptr ? message : "unknown error");
}

PngSession& session_of(png_structp png) {
  return *static_cast<PngSession*>(png_get_error_ptr(png));
}

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
  copy_message(session_of(png).error, message);
  png_longjmp(png, 1);
}

void on_warning(png_structp png, png_const_charp message) {
  PngSession& s = session_of(png);
  if (message != nullptr && std::strncmp(message, "iCCP", 4) == 0 && s.icc_warning[0] == '\0') {
    copy_message(s.icc_warning, message);
  }
}

void on_read(png_structp png, png_bytep out, png_size_t length) {
  auto* s = static_cast<PngSession*>(png_get_io_ptr(png));
  if (s->size - s->position < length) {
    s->truncated = true;
    png_error(png, "unexpected end of file");
  }
  std::memcpy(out, s->data + s->position, length);
  s->position += length;
}

bool run_guarded(PngSession& s, void (*stage)(PngSession&, void*), void* arg) {
  if (setjmp(png_jmpbuf(s.png)) != 0)
    return false;
  stage(s, arg);
  return true;
}

void stage_read_info(PngSession& s, void* arg) {
  const auto* limits = static_cast<const DecodeLimits*>(arg);
  png_set_read_fn(s.png, &s, on_read);
  // libpng's own per-side bound: a side over it is over max_pixels too, so
  // fail_from_libpng() reports it as too_large.
  const auto side_limit =
      static_cast<png_uint_32>(std::min<std::uint64_t>(limits->max_pixels, PNG_UINT_31_MAX));
  png_set_user_limits(s.png, side_limit, side_limit);
  // Bounds every ancillary chunk (zTXt/iCCP bombs) without refusing a profile the limits allow.
  const std::uint64_t chunk_max = std::max<std::uint64_t>(kDefaultChunkMax, limits->max_icc_bytes);
  png_set_chunk_malloc_max(
      s.png, static_cast<png_alloc_size_t>(std::min<std::uint64_t>(chunk_max, PNG_SIZE_MAX)));
  png_read_info(s.png, s.info);
}

// Asks libpng for 1 or 3 channels of 8 or 16 bits in native byte order.
void stage_set_transforms(PngSession& s, void*) {
  const int color_type = png_get_color_type(s.png, s.info);
  const int depth = png_get_bit_depth(s.png, s.info);
  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb(s.png);
  if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8(s.png);
  if ((color_type & PNG_COLOR_MASK_ALPHA) != 0)
    png_set_strip_alpha(s.png);
  if (depth == 16 && std::endian::native == std::endian::little)
    png_set_swap(s.png);
  png_set_interlace_handling(s.png);
  png_read_update_info(s.png, s.info);
}

void stage_read_image(PngSession& s, void* arg) {
  png_read_image(s.png, static_cast<png_bytepp>(arg));
  png_read_end(s.png, s.info);  // checks the rest of the file, and reads a trailing eXIf
}

class SessionGuard {
 public:
  explicit SessionGuard(PngSession& s) : s_(s) {}
  ~SessionGuard() { png_destroy_read_struct(&s_.png, s_.info ? &s_.info : nullptr, nullptr); }
  SessionGuard(const SessionGuard&) = delete;
  SessionGuard& operator=(const SessionGuard&) = delete;

 private:
  PngSession& s_;
};

bool contains(const char* text, const char* part) {
  return std::strstr(text, part) != nullptr;
}

[[noreturn]] void fail_from_libpng(const PngSession& s, const std::string& name) {
  if (s.truncated) {
    fail(ErrorCode::corrupt_data, name,
         "PNG data ends early (truncated file?) — re-export or copy the file again");
  }
  const std::string detail = std::string(" (libpng: ") + s.error + ")";
  // libpng words its limit errors this way ("exceeds user limit", "chunk data is too large").
  if (contains(s.error, "user limit") || contains(s.error, "too large")) {
    fail(ErrorCode::too_large, name,
         "PNG is over the size limits" + detail + " — resize the photo");
  }
  fail(ErrorCode::corrupt_data, name,
       "PNG data is damaged" + detail + " — re-export or copy the file again");
}

std::vector<std::uint8_t> read_icc_profile(const PngSession& s, const std::string& name,
                                           const DecodeLimits& limits) {
  png_charp profile_name = nullptr;
  int compression = 0;
  png_bytep profile = nullptr;
  png_uint_32 length = 0;
  if (png_get_iCCP(s.png, s.info, &profile_name, &compression, &profile, &length) == 0) {
    if (s.icc_warning[0] != '\0') {
      // Falling back to sRGB here would silently measure wrong colours.
      fail(contains(s.icc_warning, "exceeds application limits") ? ErrorCode::too_large
                                                                 : ErrorCode::corrupt_data,
           name,
           std::string("the embedded ICC profile was rejected (libpng: ") + s.icc_warning +
               ") — re-export the photo with a standard profile such as sRGB");
    }
    return {};
  }
  check_icc_size(name, length, limits);
  return std::vector<std::uint8_t>(profile, profile + length);
}

// All pixels come inflated out of IDAT chunks, and deflate expands at most 1032-fold (a run
// of 258 bytes from one 2-bit code): the rows as stored, filter bytes aside, need at least
// 1/1032 of their size in the file.
void check_pixel_data_fits(const PngSession& s, const std::string& name, std::size_t file_bytes) {
  constexpr std::uint64_t kMaxDeflateRatio = 1032;
  const std::uint64_t width = png_get_image_width(s.png, s.info);
  const std::uint64_t height = png_get_image_height(s.png, s.info);
  const std::uint64_t bits_per_pixel = static_cast<std::uint64_t>(png_get_channels(s.png, s.info)) *
                                       png_get_bit_depth(s.png, s.info);
  const std::uint64_t row_bytes = (saturating_multiply(width, bits_per_pixel) + 7) / 8;
  const std::uint64_t stored = saturating_multiply(row_bytes, height);
  check_data_suffices(name, "PNG", width, height,
                      stored / kMaxDeflateRatio + (stored % kMaxDeflateRatio != 0), file_bytes);
}

int read_orientation(const PngSession& s) {
  png_uint_32 length = 0;
  png_bytep exif = nullptr;
  if (png_get_eXIf_1(s.png, s.info, &length, &exif) == 0 || exif == nullptr)
    return 1;
  return exif_orientation(std::span<const std::uint8_t>(exif, length));
}

}  // namespace

Image decode_png(std::span<const std::uint8_t> bytes, const std::string& name,
                 const DecodeLimits& limits) {
  PngSession s{};
  s.data = bytes.data();
  s.size = bytes.size();
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
  if (s.png == nullptr)
    fail(ErrorCode::too_large, name, "not enough memory to decode this PNG");
  SessionGuard guard(s);
  s.info = png_create_info_struct(s.png);
  if (s.info == nullptr)
    fail(ErrorCode::too_large, name, "not enough memory to decode this PNG");

  DecodeLimits stage_limits = limits;
  if (!run_guarded(s, stage_read_info, &stage_limits))
    fail_from_libpng(s, name);
  check_dimensions(name, "PNG", png_get_image_width(s.png, s.info),
                   png_get_image_height(s.png, s.info), limits);
  check_pixel_data_fits(s, name, bytes.size());
  std::vector<std::uint8_t> icc = read_icc_profile(s, name, limits);

  if (!run_guarded(s, stage_set_transforms, nullptr))
    fail_from_libpng(s, name);
  const int channels = png_get_channels(s.png, s.info);
  const int bits = png_get_bit_depth(s.png, s.info);
  if ((channels != 1 && channels != 3) || (bits != 8 && bits != 16)) {
    fail(ErrorCode::unsupported, name, "PNG colour layout is not supported");
  }
  Image image =
      allocate_image(name, ImageFormat::png, static_cast<int>(png_get_image_width(s.png, s.info)),
                     static_cast<int>(png_get_image_height(s.png, s.info)), channels, bits);
  if (png_get_rowbytes(s.png, s.info) != image.row_stride()) {
    fail(ErrorCode::unsupported, name, "PNG row layout is not supported");
  }
  std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
  for (std::size_t y = 0; y < rows.size(); ++y) {
    rows[y] = reinterpret_cast<png_bytep>(image.pixels.data() + y * image.row_stride());
  }
  if (!run_guarded(s, stage_read_image, rows.data()))
    fail_from_libpng(s, name);

  image.icc_profile = std::move(icc);
  image.exif_orientation = read_orientation(s);
  return image;
}

}  // namespace pigmatch::detail
