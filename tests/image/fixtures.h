// Real encoded test images, written with the real encoders (libjpeg-turbo, libpng, libtiff),
// and real ICC profiles made by Little CMS. Test support for image_test.cpp only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pigmatch::test {

/// Samples to encode: row by row, channels interleaved, each 0–255 (8-bit) or 0–65535.
struct Raster {
  int width = 0, height = 0, channels = 3, bits = 8;
  std::vector<std::uint16_t> samples;

  std::uint16_t at(int x, int y, int c) const {
    return samples[(static_cast<std::size_t>(y) * width + x) * channels + c];
  }
  std::uint16_t& at(int x, int y, int c) {
    return samples[(static_cast<std::size_t>(y) * width + x) * channels + c];
  }
};

/// Smooth ramps (JPEG-friendly) scaled to the bit depth.
Raster smooth_raster(int width, int height, int channels, int bits);
/// Uniformly random samples from a seeded generator (lossless formats).
Raster random_raster(int width, int height, int channels, int bits, unsigned seed);

using Bytes = std::vector<std::uint8_t>;

struct JpegOptions {
  int quality = 100;
  bool progressive = false;
  bool arithmetic = false;  ///< arithmetic coding instead of Huffman
  bool cmyk = false;        ///< the raster has 4 channels, written as Adobe CMYK
  Bytes icc;                ///< written with jpeg_write_icc_profile
  Bytes exif;               ///< APP1 payload, including the "Exif\0\0" header
};
/// 8-bit grey, RGB (4:4:4) or CMYK JPEG.
Bytes encode_jpeg(const Raster& raster, const JpegOptions& options = {});
/// Decodes with plain libjpeg defaults, as a reference for pixel comparisons.
Raster reference_decode_jpeg(const Bytes& jpeg);

struct PngOptions {
  bool interlaced = false;
  Bytes icc;
  Bytes exif;  ///< eXIf chunk body (a TIFF structure, no "Exif" header)
};
/// Grey, grey+alpha, RGB or RGBA by channel count; 8 or 16 bits (big-endian on disk).
Bytes encode_png(const Raster& raster, const PngOptions& options = {});
/// An 8-bit palette PNG: each pixel an index into `palette` (RGB triples).
Bytes encode_png_palette(int width, int height, const std::vector<std::uint8_t>& indices,
                         const std::vector<std::uint8_t>& palette);

struct TiffOptions {
  int compression = 1;  ///< COMPRESSION_NONE; 5 = LZW, 8 = Deflate
  bool tiled = false;
  bool planar = false;     ///< PLANARCONFIG_SEPARATE
  int orientation = 0;     ///< 0: no tag
  int alpha_channels = 0;  ///< the last n raster channels are ExtraSamples (alpha)
  int photometric = -1;    ///< -1: grey or RGB by channel count
  Bytes icc;
};
/// Writes with libtiff into `path` and returns the file's bytes.
Bytes encode_tiff(const std::filesystem::path& path, const Raster& raster,
                  const TiffOptions& options = {});
/// A 32-bit float RGB TIFF (unsupported by pigmatch).
Bytes encode_float_tiff(const std::filesystem::path& path, int width, int height);

/// A TIFF-structured EXIF block whose IFD0 holds Make, Orientation and XResolution, in the
/// given byte order; with `jpeg_header`, prefixed by "Exif\0\0" as in a JPEG APP1 segment.
Bytes make_exif(int orientation, bool little_endian, bool jpeg_header);

/// The sRGB profile from Little CMS, serialised.
Bytes srgb_profile();
/// An RGB → Lab input profile with a 33-point 16-bit CLUT (over 200 KB): spans several JPEG
/// APP2 chunks.
Bytes big_lut_profile();

Bytes read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const Bytes& bytes);

/// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace pigmatch::test
