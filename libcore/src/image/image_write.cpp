// Encoding images: JPEG with libjpeg-turbo (ICC profile in APP2 chunks) and TIFF with libtiff
// (Deflate, ICC profile tag). Used by the photo renderer and by anyone exporting measured images.
//
// As in image_jpeg.cpp, libjpeg's fatal errors longjmp back to run_encoder(); the frames in
// between are libjpeg's and encode_stages(), which own no C++ object with a destructor.
#include <fmt/format.h>
#include <tiffio.h>

#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

// jpeglib.h needs FILE and size_t declared before it.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include "image/image_codecs.h"

namespace pigmatch {
namespace detail {

std::string name_of(const Image& image) {
  return image.source.empty() ? std::string("the image") : image.source;
}

void require_writable_layout(const Image& image, bool allow_16_bit, std::string_view format) {
  const bool layout_ok = (image.channels == 1 || image.channels == 3) &&
                         (image.bits == 8 || (allow_16_bit && image.bits == 16));
  if (!layout_ok) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: {} writing needs 8-bit{} grey or RGB, not {}-bit with {} "
                            "channels",
                            name_of(image), format, allow_16_bit ? " or 16-bit" : "", image.bits,
                            image.channels));
  }
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != image.row_stride() * static_cast<std::size_t>(image.height)) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: the pixel buffer ({} bytes) does not match {}×{}×{} at {} bits",
                            name_of(image), image.pixels.size(), image.width, image.height,
                            image.channels, image.bits));
  }
}

void fail_write(const std::filesystem::path& path, std::string_view detail) {
  throw Error(ErrorCode::io, fmt::format("{}: cannot write the image{}{} — check the folder "
                                         "exists, is writable and has space",
                                         path.string(), detail.empty() ? "" : ": ", detail));
}

void write_file_bytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out)
    fail_write(path, "");
}

}  // namespace detail

namespace {

using detail::fail_write;
using detail::name_of;
using detail::require_writable_layout;

// ---- JPEG ----------------------------------------------------------------------------------

struct JpegEncoder {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  unsigned char* buffer;  // owned by libjpeg's memory destination until freed with std::free
  unsigned long size;
};

[[noreturn]] void on_encode_error(j_common_ptr cinfo) {
  auto* encoder = static_cast<JpegEncoder*>(cinfo->client_data);
  (*cinfo->err->format_message)(cinfo, encoder->message);
  std::longjmp(encoder->jump, 1);
}

void on_encode_message(j_common_ptr, int) {}  // never print to stderr

void encode_stages(JpegEncoder& e, const Image& image, const JpegWriteOptions& options) {
  jpeg_create_compress(&e.cinfo);
  jpeg_mem_dest(&e.cinfo, &e.buffer, &e.size);
  e.cinfo.image_width = static_cast<JDIMENSION>(image.width);
  e.cinfo.image_height = static_cast<JDIMENSION>(image.height);
  e.cinfo.input_components = image.channels;
  e.cinfo.in_color_space = image.channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&e.cinfo);
  jpeg_set_quality(&e.cinfo, options.quality, TRUE);
  if (image.channels == 3 && !options.chroma_subsampling) {
    for (int c = 0; c < 3; ++c) {
      e.cinfo.comp_info[c].h_samp_factor = 1;
      e.cinfo.comp_info[c].v_samp_factor = 1;
    }
  } else if (image.channels == 3 && !options.vertical_subsampling) {
    e.cinfo.comp_info[0].v_samp_factor = 1;  // luma 2×1 against chroma 1×1: 4:2:2
  }
  e.cinfo.optimize_coding = TRUE;
  jpeg_start_compress(&e.cinfo, TRUE);
  if (!image.icc_profile.empty()) {
    jpeg_write_icc_profile(&e.cinfo, image.icc_profile.data(),
                           static_cast<unsigned int>(image.icc_profile.size()));
  }
  while (e.cinfo.next_scanline < e.cinfo.image_height) {
    // libjpeg's API takes non-const rows but only reads them.
    auto* row = const_cast<JSAMPLE*>(image.row8(static_cast<int>(e.cinfo.next_scanline)));
    jpeg_write_scanlines(&e.cinfo, &row, 1);
  }
  jpeg_finish_compress(&e.cinfo);
}

// Returns false (with e.message set) when libjpeg failed.
bool run_encoder(JpegEncoder& e, const Image& image, const JpegWriteOptions& options) {
  e.cinfo.err = jpeg_std_error(&e.err);
  e.err.error_exit = on_encode_error;
  e.err.emit_message = on_encode_message;
  e.cinfo.client_data = &e;
  if (setjmp(e.jump) != 0) {
    jpeg_destroy_compress(&e.cinfo);
    return false;
  }
  encode_stages(e, image, options);
  jpeg_destroy_compress(&e.cinfo);
  return true;
}

// ---- TIFF ----------------------------------------------------------------------------------

struct TiffMessages {
  std::string first_error;
};

// libtiff passes a printf format and its arguments; the attribute lets compilers check the
// vsnprintf below as such.
__attribute__((format(printf, 4, 0))) int on_tiff_error(TIFF*, void* user, const char*,
                                                        const char* format, va_list args) {
  auto* messages = static_cast<TiffMessages*>(user);
  if (messages->first_error.empty()) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, args);
    messages->first_error = text;
  }
  return 1;
}

int on_tiff_warning(TIFF*, void*, const char*, const char*, va_list) {
  return 1;
}

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
struct OptionsFreer {
  void operator()(TIFFOpenOptions* options) const { TIFFOpenOptionsFree(options); }
};

}  // namespace

std::vector<std::uint8_t> encode_jpeg(const Image& image, const JpegWriteOptions& options) {
  require_writable_layout(image, false, "JPEG");
  if (image.width > JPEG_MAX_DIMENSION || image.height > JPEG_MAX_DIMENSION) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: {}×{} is larger than JPEG allows ({} pixels a side)",
                            name_of(image), image.width, image.height, JPEG_MAX_DIMENSION));
  }
  if (options.quality < 1 || options.quality > 100) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("JPEG quality must be 1–100, got {}", options.quality));
  }
  auto encoder = std::make_unique<JpegEncoder>();
  std::memset(encoder.get(), 0, sizeof(JpegEncoder));
  const bool ok = run_encoder(*encoder, image, options);
  std::vector<std::uint8_t> bytes;
  if (ok)
    bytes.assign(encoder->buffer, encoder->buffer + encoder->size);
  std::free(encoder->buffer);
  if (!ok) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: JPEG encoding failed: {}", name_of(image), encoder->message));
  }
  return bytes;
}

void write_jpeg(const Image& image, const std::filesystem::path& path,
                const JpegWriteOptions& options) {
  detail::write_file_bytes(path, encode_jpeg(image, options));
}

void write_tiff(const Image& image, const std::filesystem::path& path) {
  require_writable_layout(image, true, "TIFF");
  TiffMessages messages;
  const std::unique_ptr<TIFFOpenOptions, OptionsFreer> options(TIFFOpenOptionsAlloc());
  if (!options)
    fail_write(path, "out of memory");
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_tiff_error, &messages);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_tiff_warning, &messages);
  const std::unique_ptr<TIFF, TiffCloser> tif(TIFFOpenExt(path.c_str(), "w", options.get()));
  if (!tif)
    fail_write(path, messages.first_error);

  TIFF* t = tif.get();
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(image.width));
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(image.height));
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(image.bits));
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, static_cast<std::uint16_t>(image.channels));
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC,
               image.channels == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
  TIFFSetField(t, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);  // smaller files for photos
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(t, 0));
  if (!image.icc_profile.empty()) {
    TIFFSetField(t, TIFFTAG_ICCPROFILE, static_cast<std::uint32_t>(image.icc_profile.size()),
                 image.icc_profile.data());
  }
  // libtiff may modify the row it is given (the predictor works in place), so copy each one.
  std::vector<std::byte> row(image.row_stride());
  for (int y = 0; y < image.height; ++y) {
    const std::byte* source =
        image.pixels.data() + static_cast<std::size_t>(y) * image.row_stride();
    std::memcpy(row.data(), source, row.size());
    if (TIFFWriteScanline(t, row.data(), static_cast<std::uint32_t>(y), 0) != 1) {
      fail_write(path, messages.first_error);
    }
  }
  if (TIFFFlush(t) != 1)
    fail_write(path, messages.first_error);
}

}  // namespace pigmatch
