// Encoders for image_test.cpp. They use each library's default error handling (print and
// exit/abort): the inputs are fixed by the tests, so an encoder error is a bug in the test.
#include "fixtures.h"

#include <lcms2.h>
#include <png.h>
#include <tiffio.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

#include "icc_bytes.h"

// jpeglib.h needs FILE and size_t declared before it.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on

namespace pigmatch::test {

Raster smooth_raster(int width, int height, int channels, int bits) {
  Raster r{width, height, channels, bits, {}};
  r.samples.resize(static_cast<std::size_t>(width) * height * channels);
  const double max = bits == 16 ? 65535.0 : 255.0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double u = (x + 0.5) / width, v = (y + 0.5) / height;
      const double ramps[4] = {u, v, 0.5 + 0.4 * std::sin(3.0 * (u + v)), 1.0 - u * v};
      for (int c = 0; c < channels; ++c) {
        r.at(x, y, c) = static_cast<std::uint16_t>(std::lround((0.1 + 0.8 * ramps[c]) * max));
      }
    }
  }
  return r;
}

Raster random_raster(int width, int height, int channels, int bits, unsigned seed) {
  Raster r{width, height, channels, bits, {}};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(0, bits == 16 ? 65535 : 255);
  r.samples.resize(static_cast<std::size_t>(width) * height * channels);
  for (auto& s : r.samples)
    s = static_cast<std::uint16_t>(dist(rng));
  return r;
}

// ---- JPEG ---------------------------------------------------------------------------------

Bytes encode_jpeg(const Raster& raster, const JpegOptions& options) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(raster.width);
  cinfo.image_height = static_cast<JDIMENSION>(raster.height);
  cinfo.input_components = raster.channels;
  cinfo.in_color_space = options.cmyk ? JCS_CMYK : (raster.channels == 1 ? JCS_GRAYSCALE : JCS_RGB);
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, options.quality, TRUE);
  for (int c = 0; c < cinfo.num_components; ++c) {  // 4:4:4, no chroma subsampling
    cinfo.comp_info[c].h_samp_factor = 1;
    cinfo.comp_info[c].v_samp_factor = 1;
  }
  if (options.progressive)
    jpeg_simple_progression(&cinfo);
  cinfo.arith_code = options.arithmetic ? TRUE : FALSE;
  jpeg_start_compress(&cinfo, TRUE);
  if (!options.exif.empty()) {
    jpeg_write_marker(&cinfo, JPEG_APP0 + 1, options.exif.data(),
                      static_cast<unsigned>(options.exif.size()));
  }
  if (!options.icc.empty()) {
    jpeg_write_icc_profile(&cinfo, options.icc.data(), static_cast<unsigned>(options.icc.size()));
  }
  std::vector<JSAMPLE> row(static_cast<std::size_t>(raster.width) * raster.channels);
  for (int y = 0; y < raster.height; ++y) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      row[i] = static_cast<JSAMPLE>(raster.samples[static_cast<std::size_t>(y) * row.size() + i]);
    }
    JSAMPROW pointer = row.data();
    jpeg_write_scanlines(&cinfo, &pointer, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  Bytes bytes(buffer, buffer + size);
  std::free(buffer);
  return bytes;
}

Raster reference_decode_jpeg(const Bytes& jpeg) {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&cinfo, TRUE);
  jpeg_start_decompress(&cinfo);
  Raster r{static_cast<int>(cinfo.output_width),
           static_cast<int>(cinfo.output_height),
           cinfo.output_components,
           8,
           {}};
  r.samples.resize(static_cast<std::size_t>(r.width) * r.height * r.channels);
  std::vector<JSAMPLE> row(static_cast<std::size_t>(r.width) * r.channels);
  while (cinfo.output_scanline < cinfo.output_height) {
    const auto y = cinfo.output_scanline;
    JSAMPROW pointer = row.data();
    jpeg_read_scanlines(&cinfo, &pointer, 1);
    for (std::size_t i = 0; i < row.size(); ++i)
      r.samples[y * row.size() + i] = row[i];
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return r;
}

// ---- PNG ----------------------------------------------------------------------------------

namespace {

void append_to_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

void no_flush(png_structp) {}

int png_color_type(int channels) {
  switch (channels) {
    case 1:
      return PNG_COLOR_TYPE_GRAY;
    case 2:
      return PNG_COLOR_TYPE_GRAY_ALPHA;
    case 3:
      return PNG_COLOR_TYPE_RGB;
    default:
      return PNG_COLOR_TYPE_RGB_ALPHA;
  }
}

// Writes the rows already laid out as the PNG format wants them.
Bytes write_png(int width, int height, int bits, int color_type, bool interlaced,
                std::vector<Bytes>& rows, const std::vector<png_color>& palette,
                const PngOptions& options) {
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, append_to_bytes, no_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), bits,
               color_type, interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!palette.empty()) {
    png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
  }
  if (!options.icc.empty()) {
    png_set_iCCP(png, info, "test profile", PNG_COMPRESSION_TYPE_BASE, options.icc.data(),
                 static_cast<png_uint_32>(options.icc.size()));
  }
  if (!options.exif.empty()) {
    Bytes exif = options.exif;  // png_set_eXIf_1 takes a non-const pointer
    png_set_eXIf_1(png, info, static_cast<png_uint_32>(exif.size()), exif.data());
  }
  std::vector<png_bytep> pointers;
  for (auto& row : rows)
    pointers.push_back(row.data());
  png_set_rows(png, info, pointers.data());
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace

Bytes encode_png(const Raster& raster, const PngOptions& options) {
  const std::size_t row_samples = static_cast<std::size_t>(raster.width) * raster.channels;
  std::vector<Bytes> rows(static_cast<std::size_t>(raster.height));
  for (int y = 0; y < raster.height; ++y) {
    for (std::size_t i = 0; i < row_samples; ++i) {
      const std::uint16_t s = raster.samples[static_cast<std::size_t>(y) * row_samples + i];
      if (raster.bits == 16) {  // the PNG format stores 16-bit samples big-endian
        rows[y].push_back(static_cast<std::uint8_t>(s >> 8));
      }
      rows[y].push_back(static_cast<std::uint8_t>(s & 0xFF));
    }
  }
  return write_png(raster.width, raster.height, raster.bits, png_color_type(raster.channels),
                   options.interlaced, rows, {}, options);
}

Bytes encode_png_palette(int width, int height, const std::vector<std::uint8_t>& indices,
                         const std::vector<std::uint8_t>& palette) {
  std::vector<png_color> colors;
  for (std::size_t i = 0; i + 2 < palette.size(); i += 3) {
    colors.push_back(png_color{palette[i], palette[i + 1], palette[i + 2]});
  }
  std::vector<Bytes> rows(static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    rows[y].assign(indices.begin() + y * width, indices.begin() + (y + 1) * width);
  }
  return write_png(width, height, 8, PNG_COLOR_TYPE_PALETTE, false, rows, colors, {});
}

// ---- TIFF ---------------------------------------------------------------------------------

namespace {

struct TiffFile {
  TIFF* tif;
  explicit TiffFile(const std::filesystem::path& path, const char* mode)
      : tif(TIFFOpen(path.c_str(), mode)) {
    if (tif == nullptr)
      throw std::runtime_error("cannot write " + path.string());
  }
  ~TiffFile() {
    if (tif != nullptr)
      TIFFClose(tif);
  }
  void close() {
    TIFFClose(tif);
    tif = nullptr;
  }
};

// One row (or a tile's row) of samples in the file's layout: native-endian for 16 bits.
void put_sample(Bytes& out, std::uint16_t s, int bits) {
  if (bits == 16) {
    std::uint8_t b[2];
    std::memcpy(b, &s, 2);
    out.insert(out.end(), b, b + 2);
  } else {
    out.push_back(static_cast<std::uint8_t>(s));
  }
}

}  // namespace

Bytes encode_tiff(const std::filesystem::path& path, const Raster& raster,
                  const TiffOptions& options) {
  {
    TiffFile file(path, "w");
    TIFF* tif = file.tif;
    const int colour = raster.channels - options.alpha_channels;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(raster.width));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(raster.height));
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(raster.bits));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, static_cast<std::uint16_t>(raster.channels));
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
                 static_cast<std::uint16_t>(options.photometric >= 0 ? options.photometric
                                            : colour == 1            ? PHOTOMETRIC_MINISBLACK
                                                                     : PHOTOMETRIC_RGB));
    TIFFSetField(
        tif, TIFFTAG_PLANARCONFIG,
        static_cast<std::uint16_t>(options.planar ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG));
    TIFFSetField(tif, TIFFTAG_COMPRESSION, static_cast<std::uint16_t>(options.compression));
    if (options.alpha_channels > 0) {
      std::vector<std::uint16_t> types(static_cast<std::size_t>(options.alpha_channels),
                                       EXTRASAMPLE_UNASSALPHA);
      TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, static_cast<std::uint16_t>(types.size()),
                   types.data());
    }
    if (options.orientation > 0) {
      TIFFSetField(tif, TIFFTAG_ORIENTATION, static_cast<std::uint16_t>(options.orientation));
    }
    if (!options.icc.empty()) {
      TIFFSetField(tif, TIFFTAG_ICCPROFILE, static_cast<std::uint32_t>(options.icc.size()),
                   options.icc.data());
    }
    const int planes = options.planar ? raster.channels : 1;
    const int per_pixel = options.planar ? 1 : raster.channels;
    auto row_of = [&](int y, int x0, int count, int plane) {
      Bytes row;
      for (int x = x0; x < x0 + count; ++x) {
        for (int c = 0; c < per_pixel; ++c) {
          const bool inside = x < raster.width && y < raster.height;
          put_sample(row, inside ? raster.at(x, y, options.planar ? plane : c) : 0, raster.bits);
        }
      }
      return row;
    };
    if (options.tiled) {
      constexpr int kTile = 16;
      TIFFSetField(tif, TIFFTAG_TILEWIDTH, static_cast<std::uint32_t>(kTile));
      TIFFSetField(tif, TIFFTAG_TILELENGTH, static_cast<std::uint32_t>(kTile));
      for (int plane = 0; plane < planes; ++plane) {
        for (int y0 = 0; y0 < raster.height; y0 += kTile) {
          for (int x0 = 0; x0 < raster.width; x0 += kTile) {
            Bytes tile;
            for (int r = 0; r < kTile; ++r) {
              const Bytes row = row_of(y0 + r, x0, kTile, plane);
              tile.insert(tile.end(), row.begin(), row.end());
            }
            TIFFWriteTile(tif, tile.data(), static_cast<std::uint32_t>(x0),
                          static_cast<std::uint32_t>(y0), 0, static_cast<std::uint16_t>(plane));
          }
        }
      }
    } else {
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, static_cast<std::uint32_t>(7));  // several strips
      for (int plane = 0; plane < planes; ++plane) {
        for (int y = 0; y < raster.height; ++y) {
          Bytes row = row_of(y, 0, raster.width, plane);
          TIFFWriteScanline(tif, row.data(), static_cast<std::uint32_t>(y),
                            static_cast<std::uint16_t>(plane));
        }
      }
    }
    file.close();
  }
  return read_file(path);
}

Bytes encode_float_tiff(const std::filesystem::path& path, int width, int height) {
  {
    TiffFile file(path, "w");
    TIFF* tif = file.tif;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(width));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(height));
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<std::uint16_t>(32));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, static_cast<std::uint16_t>(3));
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, static_cast<std::uint16_t>(SAMPLEFORMAT_IEEEFP));
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, static_cast<std::uint16_t>(PHOTOMETRIC_RGB));
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, static_cast<std::uint16_t>(PLANARCONFIG_CONTIG));
    std::vector<float> row(static_cast<std::size_t>(width) * 3, 0.5f);
    for (int y = 0; y < height; ++y) {
      TIFFWriteScanline(tif, row.data(), static_cast<std::uint32_t>(y), 0);
    }
    file.close();
  }
  return read_file(path);
}

// ---- EXIF ---------------------------------------------------------------------------------

Bytes make_exif(int orientation, bool little_endian, bool jpeg_header) {
  Bytes out;
  if (jpeg_header)
    out = {'E', 'x', 'i', 'f', 0, 0};
  const std::size_t base = out.size();
  auto u16 = [&](unsigned v) {
    const std::uint8_t lo = v & 0xFF, hi = (v >> 8) & 0xFF;
    if (little_endian) {
      out.insert(out.end(), {lo, hi});
    } else {
      out.insert(out.end(), {hi, lo});
    }
  };
  auto u32 = [&](std::uint32_t v) {
    if (little_endian) {
      u16(v & 0xFFFF);
      u16(v >> 16);
    } else {
      u16(v >> 16);
      u16(v & 0xFFFF);
    }
  };
  // TIFF header, then IFD0 at offset 8 with three entries sorted by tag; out-of-line values
  // (Make's text, XResolution's rational) follow the IFD at offsets 50 and 56.
  out.insert(out.end(), little_endian ? std::initializer_list<std::uint8_t>{'I', 'I'}
                                      : std::initializer_list<std::uint8_t>{'M', 'M'});
  u16(42);
  u32(8);
  u16(3);
  u16(0x010F), u16(2), u32(6), u32(50);  // Make, ASCII[6], at 50
  u16(0x0112), u16(3), u32(1), u16(static_cast<unsigned>(orientation)), u16(0);  // Orientation
  u16(0x011A), u16(5), u32(1), u32(56);  // XResolution, RATIONAL, at 56
  u32(0);                                // no IFD1
  for (char c : std::string("Canon"))
    out.push_back(static_cast<std::uint8_t>(c));
  out.push_back(0);
  u32(72), u32(1);
  if (out.size() - base != 64)
    throw std::logic_error("make_exif: layout arithmetic is off");
  return out;
}

// ---- ICC profiles (Little CMS) --------------------------------------------------------------

namespace {

Bytes save_profile(cmsHPROFILE profile) {
  return pigmatch::test::profile_bytes(profile);
}

int sample_transform(const cmsUInt16Number in[], cmsUInt16Number out[], void* transform) {
  cmsDoTransform(static_cast<cmsHTRANSFORM>(transform), in, out, 1);
  return TRUE;
}

}  // namespace

Bytes srgb_profile() {
  return save_profile(cmsCreate_sRGBProfile());
}

Bytes big_lut_profile() {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM to_lab =
      cmsCreateTransform(srgb, TYPE_RGB_16, lab, TYPE_Lab_16, INTENT_PERCEPTUAL, cmsFLAGS_NOCACHE);
  cmsHPROFILE profile = cmsCreateProfilePlaceholder(nullptr);
  cmsSetProfileVersion(profile, 4.3);
  cmsSetDeviceClass(profile, cmsSigInputClass);
  cmsSetColorSpace(profile, cmsSigRgbData);
  cmsSetPCS(profile, cmsSigLabData);
  cmsPipeline* pipeline = cmsPipelineAlloc(nullptr, 3, 3);
  cmsStage* clut = cmsStageAllocCLut16bit(nullptr, 33, 3, 3, nullptr);
  cmsStageSampleCLut16bit(clut, sample_transform, to_lab, 0);
  // lutAtoBType needs curves around the CLUT (identity here).
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsPipelineInsertStage(pipeline, cmsAT_END, clut);
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsWriteTag(profile, cmsSigAToB0Tag, pipeline);
  cmsWriteTag(profile, cmsSigMediaWhitePointTag, cmsD50_XYZ());
  cmsMLU* description = cmsMLUalloc(nullptr, 1);
  cmsMLUsetASCII(description, "en", "US", "pigmatch test: sRGB sampled into a 33-point CLUT");
  cmsWriteTag(profile, cmsSigProfileDescriptionTag, description);
  cmsMLUfree(description);
  cmsPipelineFree(pipeline);
  cmsDeleteTransform(to_lab);
  cmsCloseProfile(lab);
  cmsCloseProfile(srgb);
  return save_profile(profile);
}

// ---- files --------------------------------------------------------------------------------

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path.string());
}

TempDir::TempDir() {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    path_ = std::filesystem::temp_directory_path() /
            ("pigmatch-image-test-" + std::to_string(random()));
    if (std::filesystem::create_directory(path_))
      return;
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace pigmatch::test
