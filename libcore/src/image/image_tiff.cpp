// TIFF decoding with libtiff: 8/16-bit unsigned grey or RGB, strips or tiles, chunky or planar,
// extra samples (alpha) dropped, the ICC profile tag and the Orientation tag. libtiff reports
// errors by return values, so no longjmp is involved; its messages go to this decoder's
// handlers (never to stderr) through per-handle TIFFOpenOptions, not global state.
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>

#include "image/image_codecs.h"

namespace pigmatch::detail {
namespace {

constexpr std::uint16_t kIccProfileTag = 34675;  // TIFFTAG_ICCPROFILE

struct TiffSource {
  std::span<const std::uint8_t> bytes;
  std::uint64_t position = 0;
  std::string first_error;  // the first error is the cause; later ones are consequences
};

TiffSource& source_of(thandle_t handle) {
  return *static_cast<TiffSource*>(handle);
}

tmsize_t on_read(thandle_t handle, void* out, tmsize_t size) {
  TiffSource& s = source_of(handle);
  if (size <= 0 || s.position >= s.bytes.size())
    return 0;
  const auto count =
      std::min<std::uint64_t>(static_cast<std::uint64_t>(size), s.bytes.size() - s.position);
  std::memcpy(out, s.bytes.data() + s.position, count);
  s.position += count;
  return static_cast<tmsize_t>(count);
}

tmsize_t on_write(thandle_t, void*, tmsize_t) {
  return 0;
}

toff_t on_seek(thandle_t handle, toff_t offset, int whence) {
  TiffSource& s = source_of(handle);
  std::uint64_t base = 0;
  if (whence == SEEK_CUR)
    base = s.position;
  if (whence == SEEK_END)
    base = s.bytes.size();
  if (offset > UINT64_MAX - base)
    return static_cast<toff_t>(-1);
  s.position = base + offset;  // past the end is allowed; reads there return nothing
  return s.position;
}

int on_close(thandle_t) {
  return 0;
}
toff_t on_size(thandle_t handle) {
  return source_of(handle).bytes.size();
}
int on_map(thandle_t, void**, toff_t*) {
  return 0;
}
void on_unmap(thandle_t, void*, toff_t) {}

// libtiff passes a printf format and its arguments; the attribute lets compilers check the
// vsnprintf below as such.
__attribute__((format(printf, 4, 0))) int on_error(TIFF*, void* user, const char* module,
                                                   const char* format, va_list args) {
  auto& s = *static_cast<TiffSource*>(user);
  if (s.first_error.empty()) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    s.first_error = (module != nullptr ? std::string(module) + ": " : std::string()) + text;
  }
  return 1;  // handled: libtiff must not print it
}

int on_warning(TIFF*, void*, const char*, const char*, va_list) {
  return 1;
}

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
struct OptionsFreer {
  void operator()(TIFFOpenOptions* options) const { TIFFOpenOptionsFree(options); }
};
using TiffPtr = std::unique_ptr<TIFF, TiffCloser>;

[[noreturn]] void fail_damaged(const TiffSource& s, const std::string& name) {
  const std::string detail = s.first_error.empty() ? "" : " (libtiff: " + s.first_error + ")";
  fail(ErrorCode::corrupt_data, name,
       "TIFF data is damaged or ends early" + detail + " — re-export or copy the file again");
}

TiffPtr open_tiff(TiffSource& source, const std::string& name, const DecodeLimits& limits) {
  const std::unique_ptr<TIFFOpenOptions, OptionsFreer> options(TIFFOpenOptionsAlloc());
  if (!options)
    fail(ErrorCode::too_large, name, "not enough memory to decode this TIFF");
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &source);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, &source);
  // No single buffer (a strip, a tile, a tag array) needs more than the file limit; this
  // stops a forged header from making libtiff allocate gigabytes.
  TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), static_cast<tmsize_t>(std::min<std::uint64_t>(
                                                         limits.max_file_bytes, INT64_MAX)));
  TiffPtr tif(TIFFClientOpenExt(name.c_str(), "r", &source, on_read, on_write, on_seek, on_close,
                                on_size, on_map, on_unmap, options.get()));
  if (!tif)
    fail_damaged(source, name);
  return tif;
}

// The layout of the samples in the file, checked to be one pigmatch can hold.
struct Layout {
  std::uint32_t width = 0, height = 0;
  int channels = 0;  // colour channels kept
  int samples = 0;   // samples per pixel in the file (colour + extra)
  int bits = 0;
  bool planar = false;  // one plane per sample instead of interleaved
  std::uint16_t compression = COMPRESSION_NONE;
};

template <class T>
T field_or(TIFF* tif, ttag_t tag, T fallback) {
  T value = fallback;
  return TIFFGetFieldDefaulted(tif, tag, &value) == 1 ? value : fallback;
}

Layout read_layout(TIFF* tif, const std::string& name, const DecodeLimits& limits) {
  Layout layout;
  if (TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &layout.width) != 1 ||
      TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &layout.height) != 1) {
    fail(ErrorCode::corrupt_data, name, "TIFF has no image size — the file is damaged");
  }
  const auto bits = field_or<std::uint16_t>(tif, TIFFTAG_BITSPERSAMPLE, 1);
  const auto samples = field_or<std::uint16_t>(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  const auto format = field_or<std::uint16_t>(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
  const auto planar = field_or<std::uint16_t>(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  const auto compression = field_or<std::uint16_t>(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  std::uint16_t photometric = 0;
  if (TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric) != 1) {
    photometric = samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  }
  if (format != SAMPLEFORMAT_UINT) {
    fail(ErrorCode::unsupported, name,
         "TIFF with floating-point or signed samples is not supported — export 8- or 16-bit "
         "unsigned integer TIFF");
  }
  if (bits != 8 && bits != 16) {
    fail(ErrorCode::unsupported, name,
         "TIFF with " + std::to_string(bits) +
             "-bit samples is not supported — export 8- or "
             "16-bit TIFF");
  }
  if (photometric == PHOTOMETRIC_YCBCR && compression == COMPRESSION_JPEG) {
    // JPEG-in-TIFF: let libtiff's JPEG codec convert to RGB, as for a plain JPEG.
    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    photometric = PHOTOMETRIC_RGB;
  }
  if (photometric == PHOTOMETRIC_MINISBLACK) {
    layout.channels = 1;
  } else if (photometric == PHOTOMETRIC_RGB) {
    layout.channels = 3;
  } else {
    fail(ErrorCode::unsupported, name,
         "TIFF colour model " + std::to_string(photometric) +
             " is not supported (only grey and RGB; not palette, CMYK, Lab or YCbCr) — export "
             "the photo as RGB");
  }
  std::uint16_t extra_count = 0;
  std::uint16_t* extra_types = nullptr;
  TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra_types);
  if (samples != layout.channels + extra_count) {
    fail(ErrorCode::unsupported, name,
         "TIFF has " + std::to_string(samples - extra_count) + " colour channels for a " +
             (layout.channels == 1 ? "grey" : "RGB") +
             " image — export the photo as RGB or grey (alpha is fine)");
  }
  if (!TIFFIsCODECConfigured(compression)) {
    fail(ErrorCode::unsupported, name,
         "TIFF compression scheme " + std::to_string(compression) +
             " is not supported — save it uncompressed, LZW or Deflate");
  }
  check_dimensions(name, "TIFF", layout.width, layout.height, limits);
  layout.samples = samples;
  layout.bits = bits;
  layout.planar = planar == PLANARCONFIG_SEPARATE;
  layout.compression = compression;
  return layout;
}

// How many bytes of samples one stored byte can decode to, at most: PackBits repeats a byte up
// to 128 times for 2 bytes; an LZW code (9 bits or more) stands for at most 4096 bytes; deflate
// expands at most 1032-fold. For the rest (JPEG, LZMA, ZSTD, WebP…) a generous bound that still
// ties the image to the file's size.
std::uint64_t max_expansion(std::uint16_t compression) {
  switch (compression) {
    case COMPRESSION_NONE:
      return 1;
    case COMPRESSION_PACKBITS:
      return 64;
    case COMPRESSION_LZW:
      return 4096;
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
      return 1032;
    default:
      return 1u << 16;
  }
}

// Strips and tiles are read from the file, so the samples the header declares must fit in it at
// the compression's best ratio; checked before the image is allocated.
void check_sample_data_fits(const Layout& layout, const std::string& name, std::size_t file_bytes) {
  const std::uint64_t stored = saturating_multiply(
      saturating_multiply(layout.width, layout.height),
      static_cast<std::uint64_t>(layout.samples) * static_cast<std::uint64_t>(layout.bits / 8));
  const std::uint64_t ratio = max_expansion(layout.compression);
  check_data_suffices(name, "TIFF", layout.width, layout.height,
                      stored / ratio + (stored % ratio != 0), file_bytes);
}

// Copies `pixels` pixels' first `kept` samples from `src` (with `src_samples` per pixel) to
// `dst` (with `dst_samples` per pixel), `sample_bytes` each.
void copy_samples(const std::byte* src, int src_samples, std::byte* dst, int dst_samples,
                  std::size_t pixels, int kept, std::size_t sample_bytes) {
  if (src_samples == dst_samples && kept == dst_samples) {
    std::memcpy(dst, src, pixels * static_cast<std::size_t>(kept) * sample_bytes);
    return;
  }
  const std::size_t src_step = static_cast<std::size_t>(src_samples) * sample_bytes;
  const std::size_t dst_step = static_cast<std::size_t>(dst_samples) * sample_bytes;
  const std::size_t kept_bytes = static_cast<std::size_t>(kept) * sample_bytes;
  for (std::size_t i = 0; i < pixels; ++i) {
    std::memcpy(dst + i * dst_step, src + i * src_step, kept_bytes);
  }
}

// Reads strips row by row. Planar files are read a whole plane at a time because compressed
// strips can only be decoded in order.
void read_strips(TIFF* tif, const TiffSource& source, const Layout& layout, Image& image) {
  const std::size_t sample_bytes = image.bytes_per_sample();
  const int planes = layout.planar ? layout.channels : 1;
  const int src_samples = layout.planar ? 1 : layout.samples;
  const int kept = layout.planar ? 1 : layout.channels;
  const std::size_t row_bytes =
      static_cast<std::size_t>(layout.width) * static_cast<std::size_t>(src_samples) * sample_bytes;
  if (static_cast<std::uint64_t>(TIFFScanlineSize64(tif)) != row_bytes) {
    fail_damaged(source, image.source);
  }
  std::vector<std::byte> row(row_bytes);
  for (int plane = 0; plane < planes; ++plane) {
    for (std::uint32_t y = 0; y < layout.height; ++y) {
      if (TIFFReadScanline(tif, row.data(), y, static_cast<std::uint16_t>(plane)) < 0) {
        fail_damaged(source, image.source);
      }
      std::byte* out = image.pixels.data() + y * image.row_stride() +
                       static_cast<std::size_t>(plane) * sample_bytes;
      copy_samples(row.data(), src_samples, out, image.channels, layout.width, kept, sample_bytes);
    }
  }
}

void read_tiles(TIFF* tif, const TiffSource& source, const Layout& layout, Image& image) {
  std::uint32_t tile_w = 0, tile_h = 0;
  if (TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tile_w) != 1 ||
      TIFFGetField(tif, TIFFTAG_TILELENGTH, &tile_h) != 1 || tile_w == 0 || tile_h == 0) {
    fail_damaged(source, image.source);
  }
  const std::size_t sample_bytes = image.bytes_per_sample();
  const int planes = layout.planar ? layout.channels : 1;
  const int src_samples = layout.planar ? 1 : layout.samples;
  const int kept = layout.planar ? 1 : layout.channels;
  const std::size_t tile_row_bytes =
      static_cast<std::size_t>(tile_w) * static_cast<std::size_t>(src_samples) * sample_bytes;
  if (static_cast<std::uint64_t>(TIFFTileSize64(tif)) != tile_row_bytes * tile_h) {
    fail_damaged(source, image.source);
  }
  std::vector<std::byte> tile(tile_row_bytes * tile_h);
  for (int plane = 0; plane < planes; ++plane) {
    for (std::uint32_t y0 = 0; y0 < layout.height; y0 += tile_h) {
      for (std::uint32_t x0 = 0; x0 < layout.width; x0 += tile_w) {
        if (TIFFReadTile(tif, tile.data(), x0, y0, 0, static_cast<std::uint16_t>(plane)) < 0) {
          fail_damaged(source, image.source);
        }
        const std::uint32_t rows = std::min(tile_h, layout.height - y0);
        const std::uint32_t cols = std::min(tile_w, layout.width - x0);
        for (std::uint32_t r = 0; r < rows; ++r) {
          std::byte* out =
              image.pixels.data() + (y0 + r) * image.row_stride() +
              (static_cast<std::size_t>(x0) * static_cast<std::size_t>(image.channels) +
               static_cast<std::size_t>(plane)) *
                  sample_bytes;
          copy_samples(tile.data() + r * tile_row_bytes, src_samples, out, image.channels, cols,
                       kept, sample_bytes);
        }
      }
    }
  }
}

std::vector<std::uint8_t> read_icc_profile(TIFF* tif, const TiffSource& source,
                                           const std::string& name, const DecodeLimits& limits) {
  std::uint32_t length = 0;
  const void* data = nullptr;
  if (TIFFGetField(tif, TIFFTAG_ICCPROFILE, &length, &data) != 1 || data == nullptr) {
    // libtiff skips an unreadable tag with only a warning; falling back to sRGB would then
    // silently measure wrong colours.
    if (tiff_ifd0_has_tag(source.bytes, kIccProfileTag)) {
      fail(ErrorCode::corrupt_data, name,
           "the embedded ICC profile could not be read (the file is damaged or ends early) — "
           "re-export or copy the file again");
    }
    return {};
  }
  check_icc_size(name, length, limits);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  return std::vector<std::uint8_t>(bytes, bytes + length);
}

}  // namespace

Image decode_tiff(std::span<const std::uint8_t> bytes, const std::string& name,
                  const DecodeLimits& limits) {
  TiffSource source;
  source.bytes = bytes;
  const TiffPtr tif = open_tiff(source, name, limits);
  const Layout layout = read_layout(tif.get(), name, limits);
  check_sample_data_fits(layout, name, bytes.size());
  std::vector<std::uint8_t> icc = read_icc_profile(tif.get(), source, name, limits);
  const auto orientation = field_or<std::uint16_t>(tif.get(), TIFFTAG_ORIENTATION, 1);

  Image image = allocate_image(name, ImageFormat::tiff, static_cast<int>(layout.width),
                               static_cast<int>(layout.height), layout.channels, layout.bits);
  if (TIFFIsTiled(tif.get())) {
    read_tiles(tif.get(), source, layout, image);
  } else {
    read_strips(tif.get(), source, layout, image);
  }
  image.icc_profile = std::move(icc);
  image.exif_orientation = (orientation >= 1 && orientation <= 8) ? orientation : 1;
  return image;
}

}  // namespace pigmatch::detail
