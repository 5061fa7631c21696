// Tests for pigmatch/image.h against real files written by libjpeg-turbo, libpng and libtiff,
// with real ICC profiles made by Little CMS (fixtures in tests/image/).
#include "pigmatch/image/image.h"

#include <lcms2.h>
#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <random>
#include <string>

#include "error_from.h"
#include "image/fixtures.h"
#include "pigmatch/error.h"

using pigmatch::DecodeLimits;
using pigmatch::ErrorCode;
using pigmatch::Image;
using pigmatch::ImageFormat;
using namespace pigmatch::test;

namespace {

Image decode(const Bytes& bytes, const std::string& name, const DecodeLimits& limits = {}) {
  return pigmatch::decode_image(std::span<const std::uint8_t>(bytes), name, limits);
}

std::uint16_t sample(const Image& image, int x, int y, int c) {
  const std::size_t i = static_cast<std::size_t>(x) * image.channels + c;
  return image.bits == 16 ? image.row16(y)[i] : image.row8(y)[i];
}

// The largest |decoded − expected| over all samples; requires equal shapes.
int max_difference(const Image& image, const Raster& expected) {
  REQUIRE(image.width == expected.width);
  REQUIRE(image.height == expected.height);
  REQUIRE(image.channels == expected.channels);
  REQUIRE(image.bits == expected.bits);
  REQUIRE(image.pixels.size() == image.row_stride() * static_cast<std::size_t>(image.height));
  int worst = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      for (int c = 0; c < image.channels; ++c) {
        worst = std::max(worst, std::abs(sample(image, x, y, c) - expected.at(x, y, c)));
      }
    }
  }
  return worst;
}

// The raster without its last `dropped` channels (alpha), as pigmatch should return it.
Raster without_alpha(const Raster& raster, int dropped) {
  Raster out{raster.width, raster.height, raster.channels - dropped, raster.bits, {}};
  for (int y = 0; y < raster.height; ++y) {
    for (int x = 0; x < raster.width; ++x) {
      for (int c = 0; c < out.channels; ++c)
        out.samples.push_back(raster.at(x, y, c));
    }
  }
  return out;
}

}  // namespace

// ---- JPEG -----------------------------------------------------------------------------------

TEST_CASE("JPEG RGB at quality 100 decodes close to the original and equal to libjpeg",
          "[image][jpeg]") {
  const bool progressive = GENERATE(false, true);
  const Raster original = smooth_raster(67, 45, 3, 8);  // not a multiple of the 8×8 block
  JpegOptions options;
  options.progressive = progressive;
  const Bytes jpeg = encode_jpeg(original, options);
  const Image image = decode(jpeg, "ramp.jpg");
  CHECK(image.format == ImageFormat::jpeg);
  CHECK(image.icc_profile.empty());
  CHECK(image.exif_orientation == 1);
  CHECK(image.source == "ramp.jpg");
  // Quality 100 with 4:4:4 chroma: only DCT and colour-conversion rounding is left
  // (measured max 3 for RGB, 0 for grey).
  CHECK(max_difference(image, original) <= 3);
  CHECK(max_difference(image, reference_decode_jpeg(jpeg)) == 0);
}

TEST_CASE("JPEG greyscale decodes to one channel", "[image][jpeg]") {
  const Raster original = smooth_raster(40, 24, 1, 8);
  const Bytes jpeg = encode_jpeg(original);
  const Image image = decode(jpeg, "grey.jpg");
  CHECK(image.channels == 1);
  CHECK(max_difference(image, original) <= 2);
  CHECK(max_difference(image, reference_decode_jpeg(jpeg)) == 0);
}

TEST_CASE("JPEG embedded ICC profiles come back byte for byte, across APP2 chunks",
          "[image][jpeg][icc]") {
  const bool big = GENERATE(false, true);
  const Bytes profile = big ? big_lut_profile() : srgb_profile();
  if (big)
    REQUIRE(profile.size() > 2 * 65519);  // needs at least three APP2 chunks
  JpegOptions options;
  options.icc = profile;
  const Image image = decode(encode_jpeg(smooth_raster(32, 16, 3, 8), options), "icc.jpg");
  REQUIRE(image.icc_profile == profile);
  cmsHPROFILE opened = cmsOpenProfileFromMem(
      image.icc_profile.data(), static_cast<cmsUInt32Number>(image.icc_profile.size()));
  REQUIRE(opened != nullptr);
  CHECK(cmsGetColorSpace(opened) == cmsSigRgbData);
  cmsCloseProfile(opened);
}

TEST_CASE("JPEG with a missing ICC chunk is an error, not a silent sRGB fallback",
          "[image][jpeg][icc]") {
  JpegOptions options;
  options.icc = big_lut_profile();
  Bytes jpeg = encode_jpeg(smooth_raster(16, 16, 3, 8), options);
  // Walk the segments and cut out the second APP2 ICC_PROFILE chunk.
  int icc_seen = 0;
  for (std::size_t at = 2; at + 4 < jpeg.size() && jpeg[at] == 0xFF;) {
    const std::size_t length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    if (jpeg[at + 1] == 0xE2 && std::memcmp(&jpeg[at + 4], "ICC_PROFILE", 11) == 0 &&
        ++icc_seen == 2) {
      jpeg.erase(jpeg.begin() + static_cast<std::ptrdiff_t>(at),
                 jpeg.begin() + static_cast<std::ptrdiff_t>(at + 2 + length));
      break;
    }
    at += 2 + length;
  }
  REQUIRE(icc_seen == 2);
  const auto error = error_from([&] { decode(jpeg, "chunk.jpg"); });
  CHECK(error.code() == ErrorCode::corrupt_data);
  CHECK_THAT(error.what(),
             Catch::Matchers::Contains("chunk.jpg") && Catch::Matchers::Contains("ICC profile"));
}

TEST_CASE("CMYK JPEG is unsupported", "[image][jpeg]") {
  JpegOptions options;
  options.cmyk = true;
  const Bytes jpeg = encode_jpeg(smooth_raster(16, 16, 4, 8), options);
  const auto error = error_from([&] { decode(jpeg, "print.jpg"); });
  CHECK(error.code() == ErrorCode::unsupported);
  CHECK_THAT(error.what(),
             Catch::Matchers::Contains("print.jpg") && Catch::Matchers::Contains("CMYK"));
}

// ---- PNG ------------------------------------------------------------------------------------

TEST_CASE("PNG pixels round-trip exactly, alpha dropped", "[image][png]") {
  const int channels = GENERATE(1, 2, 3, 4);
  const int bits = GENERATE(8, 16);
  const bool interlaced = GENERATE(false, true);
  const Raster original = random_raster(29, 17, channels, bits, 7);
  PngOptions options;
  options.interlaced = interlaced;
  const Image image = decode(encode_png(original, options), "exact.png");
  CHECK(image.format == ImageFormat::png);
  const int alpha = (channels == 2 || channels == 4) ? 1 : 0;
  CHECK(max_difference(image, without_alpha(original, alpha)) == 0);
}

TEST_CASE("16-bit PNG samples are stored native-endian", "[image][png]") {
  Raster original{2, 1, 3, 16, {0x1234, 0xABCD, 0x00FF, 0xFF00, 0x0001, 0x8000}};
  const Image image = decode(encode_png(original), "deep.png");
  REQUIRE(image.bits == 16);
  CHECK(image.row16(0)[0] == 0x1234);
  CHECK(image.row16(0)[1] == 0xABCD);
  CHECK(image.row16(0)[2] == 0x00FF);
  CHECK(image.row16(0)[3] == 0xFF00);
  CHECK(image.row16(0)[4] == 0x0001);
  CHECK(image.row16(0)[5] == 0x8000);
}

TEST_CASE("Palette PNG expands to RGB", "[image][png]") {
  const std::vector<std::uint8_t> palette = {255, 0, 0, 0, 128, 255, 12, 34, 56};
  const std::vector<std::uint8_t> indices = {0, 1, 2, 2, 1, 0};
  const Image image = decode(encode_png_palette(3, 2, indices, palette), "palette.png");
  REQUIRE(image.channels == 3);
  REQUIRE(image.bits == 8);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 3; ++x) {
      for (int c = 0; c < 3; ++c) {
        CHECK(sample(image, x, y, c) == palette[indices[y * 3 + x] * 3u + c]);
      }
    }
  }
}

TEST_CASE("PNG iCCP profiles come back byte for byte", "[image][png][icc]") {
  const bool big = GENERATE(false, true);
  PngOptions options;
  options.icc = big ? big_lut_profile() : srgb_profile();
  const Image image = decode(encode_png(random_raster(8, 8, 3, 8, 1), options), "icc.png");
  CHECK(image.icc_profile == options.icc);
}

// ---- TIFF -----------------------------------------------------------------------------------

TEST_CASE("TIFF pixels round-trip exactly in every layout", "[image][tiff]") {
  TempDir dir;
  const int channels = GENERATE(1, 3);
  const int bits = GENERATE(8, 16);
  const int alpha = GENERATE(0, 1);
  const int compression = GENERATE(1, 5, 8);  // none, LZW, Deflate
  const bool tiled = GENERATE(false, true);
  const bool planar = GENERATE(false, true);
  const Raster original = random_raster(37, 21, channels + alpha, bits, 11);
  TiffOptions options;
  options.compression = compression;
  options.tiled = tiled;
  options.planar = planar;
  options.alpha_channels = alpha;
  const Bytes tiff = encode_tiff(dir / "exact.tif", original, options);
  const Image image = decode(tiff, "exact.tif");
  CHECK(image.format == ImageFormat::tiff);
  CHECK(max_difference(image, without_alpha(original, alpha)) == 0);
}

TEST_CASE("TIFF reading from a path gives the same image as from memory", "[image][tiff]") {
  TempDir dir;
  const Raster original = random_raster(10, 9, 3, 16, 3);
  TiffOptions options;
  options.icc = srgb_profile();
  const Bytes tiff = encode_tiff(dir / "scan.tif", original, options);
  const Image from_path = pigmatch::decode_image(dir / "scan.tif");
  CHECK(from_path.source == (dir / "scan.tif").string());
  CHECK(max_difference(from_path, original) == 0);
  CHECK(from_path.icc_profile == options.icc);
  CHECK(from_path.pixels == decode(tiff, "scan.tif").pixels);
}

TEST_CASE("TIFF ICC profile tag comes back byte for byte", "[image][tiff][icc]") {
  TempDir dir;
  TiffOptions options;
  options.icc = big_lut_profile();
  const Image image =
      decode(encode_tiff(dir / "icc.tif", random_raster(8, 8, 3, 8, 2), options), "icc.tif");
  CHECK(image.icc_profile == options.icc);
}

TEST_CASE("TIFF whose ICC profile cannot be read is an error, not a silent sRGB fallback",
          "[image][tiff][icc]") {
  TempDir dir;
  TiffOptions options;
  options.icc = srgb_profile();
  Bytes tiff = encode_tiff(dir / "lost.tif", random_raster(8, 8, 3, 8, 2), options);
  // Little-endian TIFF from libtiff: point the ICC tag's data past the end of the file, which
  // libtiff only warns about.
  REQUIRE(tiff[0] == 'I');
  const std::uint32_t ifd = tiff[4] | tiff[5] << 8 | tiff[6] << 16 | tiff[7] << 24;
  const int entries = tiff[ifd] | tiff[ifd + 1] << 8;
  bool patched = false;
  for (int e = 0; e < entries; ++e) {
    std::uint8_t* entry = &tiff[ifd + 2 + 12 * e];
    if ((entry[0] | entry[1] << 8) != 34675)
      continue;
    const std::uint32_t beyond = 0x7FFFFF00;
    std::memcpy(entry + 8, &beyond, 4);  // little-endian host, little-endian file
    patched = true;
  }
  REQUIRE(patched);
  const auto error = error_from([&] { decode(tiff, "lost.tif"); });
  CHECK(error.code() == ErrorCode::corrupt_data);
  CHECK_THAT(error.what(),
             Catch::Matchers::Contains("lost.tif") && Catch::Matchers::Contains("ICC profile"));
}

TEST_CASE("TIFF that pigmatch cannot represent is unsupported", "[image][tiff]") {
  TempDir dir;
  SECTION("32-bit float samples") {
    const Bytes tiff = encode_float_tiff(dir / "float.tif", 8, 8);
    const auto error = error_from([&] { decode(tiff, "float.tif"); });
    CHECK(error.code() == ErrorCode::unsupported);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("float.tif"));
  }
  SECTION("CMYK") {
    TiffOptions options;
    options.photometric = 5;  // PHOTOMETRIC_SEPARATED
    const Bytes tiff = encode_tiff(dir / "cmyk.tif", random_raster(8, 8, 4, 8, 4), options);
    CHECK(error_from([&] { decode(tiff, "cmyk.tif"); }).code() == ErrorCode::unsupported);
  }
  SECTION("four colour channels that are not alpha") {
    TiffOptions options;
    options.photometric = 2;  // PHOTOMETRIC_RGB, but four samples and no ExtraSamples
    const Bytes tiff = encode_tiff(dir / "four.tif", random_raster(8, 8, 4, 8, 4), options);
    CHECK(error_from([&] { decode(tiff, "four.tif"); }).code() == ErrorCode::unsupported);
  }
  SECTION("white-is-zero grey") {
    TiffOptions options;
    options.photometric = 0;  // PHOTOMETRIC_MINISWHITE
    const Bytes tiff = encode_tiff(dir / "inverted.tif", random_raster(8, 8, 1, 8, 4), options);
    CHECK(error_from([&] { decode(tiff, "inverted.tif"); }).code() == ErrorCode::unsupported);
  }
}

// ---- EXIF orientation -----------------------------------------------------------------------

namespace {

// EXIF 2.3, tag 0x0112: the visual side on which the stored 0th row and 0th column appear.
enum class Side { top, bottom, left, right };
struct Placement {
  Side row0, col0;
};
constexpr Placement kPlacement[9] = {
    {Side::top, Side::left},  // (unused)
    {Side::top, Side::left},     {Side::top, Side::right},   {Side::bottom, Side::right},
    {Side::bottom, Side::left},  {Side::left, Side::top},    {Side::right, Side::top},
    {Side::right, Side::bottom}, {Side::left, Side::bottom},
};

// Where stored pixel (x, y) appears in the upright image of size out_w × out_h.
std::pair<int, int> displayed_at(int orientation, int x, int y, int out_w, int out_h) {
  int dx = 0, dy = 0;
  switch (kPlacement[orientation].row0) {  // stored row index y runs away from this side
    case Side::top:
      dy = y;
      break;
    case Side::bottom:
      dy = out_h - 1 - y;
      break;
    case Side::left:
      dx = y;
      break;
    case Side::right:
      dx = out_w - 1 - y;
      break;
  }
  switch (kPlacement[orientation].col0) {  // stored column index x runs away from this side
    case Side::left:
      dx = x;
      break;
    case Side::right:
      dx = out_w - 1 - x;
      break;
    case Side::top:
      dy = x;
      break;
    case Side::bottom:
      dy = out_h - 1 - x;
      break;
  }
  return {dx, dy};
}

// 3 × 2 blocks of 16 px, each a distinct flat colour, aligned with JPEG's 8 × 8 blocks so
// that lossy coding barely touches them.
Raster block_raster(int channels, int bits) {
  constexpr int kBlock = 16;
  Raster r{3 * kBlock, 2 * kBlock, channels, bits, {}};
  r.samples.resize(static_cast<std::size_t>(r.width) * r.height * channels);
  const int scale = bits == 16 ? 257 : 1;
  for (int y = 0; y < r.height; ++y) {
    for (int x = 0; x < r.width; ++x) {
      const int block = (y / kBlock) * 3 + x / kBlock;  // 0..5
      for (int c = 0; c < channels; ++c) {
        r.at(x, y, c) = static_cast<std::uint16_t>(((block * 41 + c * 97) % 216 + 20) * scale);
      }
    }
  }
  return r;
}

// Every stored pixel must show up where EXIF says (JPEG: within `tolerance`).
void check_oriented(const Image& image, const Raster& stored, int orientation, int tolerance) {
  REQUIRE(image.exif_orientation == orientation);
  const bool swapped = orientation >= 5;
  REQUIRE(image.width == (swapped ? stored.height : stored.width));
  REQUIRE(image.height == (swapped ? stored.width : stored.height));
  int worst = 0;
  for (int y = 0; y < stored.height; ++y) {
    for (int x = 0; x < stored.width; ++x) {
      const auto [dx, dy] = displayed_at(orientation, x, y, image.width, image.height);
      for (int c = 0; c < stored.channels; ++c) {
        worst = std::max(worst, std::abs(sample(image, dx, dy, c) - stored.at(x, y, c)));
      }
    }
  }
  CHECK(worst <= tolerance);
}

}  // namespace

TEST_CASE("JPEG EXIF orientation turns the image upright (both byte orders)", "[image][exif]") {
  const int orientation = GENERATE(range(1, 9));
  const bool little_endian = GENERATE(true, false);
  CAPTURE(orientation, little_endian);
  const Raster stored = block_raster(3, 8);
  JpegOptions options;
  options.exif = make_exif(orientation, little_endian, true);
  options.icc = srgb_profile();
  const Image image = decode(encode_jpeg(stored, options), "turned.jpg");
  check_oriented(image, stored, orientation, 2);  // flat 16-px blocks: measured max 1
}

TEST_CASE("PNG eXIf orientation turns the image upright", "[image][exif]") {
  const int orientation = GENERATE(range(1, 9));
  const int channels = GENERATE(1, 3);
  CAPTURE(orientation, channels);
  const Raster stored = block_raster(channels, 8);
  PngOptions options;
  options.exif = make_exif(orientation, orientation % 2 == 0, false);
  check_oriented(decode(encode_png(stored, options), "turned.png"), stored, orientation, 0);
}

TEST_CASE("TIFF Orientation tag turns the image upright", "[image][exif]") {
  TempDir dir;
  const int orientation = GENERATE(range(1, 9));
  const int channels = GENERATE(1, 3);
  CAPTURE(orientation, channels);
  const Raster stored = random_raster(48, 32, channels, 16, 5);
  TiffOptions options;
  options.orientation = orientation;
  const Image image = decode(encode_tiff(dir / "turned.tif", stored, options), "turned.tif");
  check_oriented(image, stored, orientation, 0);
}

TEST_CASE("Invalid or missing EXIF orientation leaves the image as stored", "[image][exif]") {
  const int value = GENERATE(0, 9, 0xFFFF);
  const Raster stored = block_raster(3, 8);
  PngOptions options;
  options.exif = make_exif(value, true, false);
  const Image image = decode(encode_png(stored, options), "odd.png");
  CHECK(image.exif_orientation == 1);
  CHECK(max_difference(image, stored) == 0);
}

// ---- hostile input --------------------------------------------------------------------------

namespace {

struct Sample {
  std::string name;
  Bytes bytes;
};

// One small real file of each format, with an ICC profile and an orientation.
std::vector<Sample> small_samples(const TempDir& dir) {
  const Bytes icc = srgb_profile();
  JpegOptions jpeg;
  jpeg.icc = icc;
  jpeg.exif = make_exif(6, true, true);
  PngOptions png;
  png.icc = icc;
  png.exif = make_exif(3, false, false);
  TiffOptions tiff;
  tiff.icc = icc;
  tiff.orientation = 8;
  tiff.compression = 5;
  return {
      {"small.jpg", encode_jpeg(smooth_raster(24, 16, 3, 8), jpeg)},
      {"small.png", encode_png(random_raster(24, 16, 3, 8, 9), png)},
      {"small.tif", encode_tiff(dir / "small.tif", random_raster(24, 16, 3, 16, 9), tiff)},
  };
}

}  // namespace

TEST_CASE("Every truncation of a JPEG, PNG and TIFF is a corrupt_data error naming the file",
          "[image][hostile]") {
  TempDir dir;
  for (const Sample& sample : small_samples(dir)) {
    REQUIRE_NOTHROW(decode(sample.bytes, sample.name));
    for (std::size_t length = 0; length < sample.bytes.size(); ++length) {
      const Bytes cut(sample.bytes.begin(),
                      sample.bytes.begin() + static_cast<std::ptrdiff_t>(length));
      const auto error = error_from([&] { decode(cut, sample.name); });
      if (error.code() != ErrorCode::corrupt_data ||
          std::string(error.what()).find(sample.name) == std::string::npos) {
        CAPTURE(sample.name, length, sample.bytes.size(), error.what());
        FAIL_CHECK("wrong error for a truncated file");
      }
    }
  }
}

TEST_CASE("Random byte flips never crash: decode or a pigmatch::Error", "[image][hostile]") {
  TempDir dir;
  std::mt19937 rng(20240607);
  for (const Sample& sample : small_samples(dir)) {
    int errors = 0;
    constexpr int kTrials = 1500;
    for (int trial = 0; trial < kTrials; ++trial) {
      Bytes damaged = sample.bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        damaged[rng() % damaged.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      }
      try {
        const Image image = decode(damaged, sample.name);
        REQUIRE(image.pixels.size() == image.row_stride() * static_cast<std::size_t>(image.height));
      } catch (const pigmatch::Error& e) {
        ++errors;
        REQUIRE_THAT(e.what(), Catch::Matchers::Contains(sample.name));
      }
    }
    CAPTURE(sample.name, errors);
    CHECK(errors > 0);  // the flips did reach the decoders
  }
}

TEST_CASE("Headers declaring huge images are rejected before allocating", "[image][hostile]") {
  TempDir dir;
  SECTION("PNG 100000 × 100000") {
    Bytes png = encode_png(random_raster(1, 1, 3, 8, 1));
    // IHDR: length at 8, type at 12, width at 16, height at 20, CRC (type + data) at 29.
    for (int offset : {16, 20}) {
      const std::uint32_t side = 100000;
      for (int i = 0; i < 4; ++i)
        png[offset + i] = static_cast<std::uint8_t>(side >> (24 - 8 * i));
    }
    const auto crc = static_cast<std::uint32_t>(crc32(0, &png[12], 17));
    for (int i = 0; i < 4; ++i)
      png[29 + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    const auto error = error_from([&] { decode(png, "bomb.png"); });
    CHECK(error.code() == ErrorCode::too_large);
    CHECK_THAT(error.what(),
               Catch::Matchers::Contains("bomb.png") && Catch::Matchers::Contains("100000"));
  }
  SECTION("JPEG 65500 × 65500 (libjpeg's maximum) and 65535 × 65535 (the format's)") {
    const std::uint8_t side = GENERATE(0xDC, 0xFF);  // low byte of 0xFFDC = 65500, 0xFFFF
    Bytes jpeg = encode_jpeg(smooth_raster(8, 8, 3, 8));
    const std::uint8_t sof0[] = {0xFF, 0xC0};
    const auto sof = std::search(jpeg.begin(), jpeg.end(), std::begin(sof0), std::end(sof0));
    REQUIRE(sof != jpeg.end());
    // Height and width, 16 bits big-endian each.
    const std::uint8_t size[] = {0xFF, side, 0xFF, side};
    std::copy(std::begin(size), std::end(size), sof + 5);
    const auto error = error_from([&] { decode(jpeg, "bomb.jpg"); });
    CHECK(error.code() == ErrorCode::too_large);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("bomb.jpg"));
  }
  SECTION("TIFF 100000 × 100000") {
    Bytes tiff = encode_tiff(dir / "bomb.tif", random_raster(1, 1, 1, 8, 1));
    // Classic little-endian TIFF written by libtiff: find IFD0 and patch the two size tags.
    REQUIRE(tiff[0] == 'I');
    const std::uint32_t ifd = tiff[4] | tiff[5] << 8 | tiff[6] << 16 | tiff[7] << 24;
    const int entries = tiff[ifd] | tiff[ifd + 1] << 8;
    int patched = 0;
    for (int e = 0; e < entries; ++e) {
      std::uint8_t* entry = &tiff[ifd + 2 + 12 * e];
      const int tag = entry[0] | entry[1] << 8;
      if (tag != 256 && tag != 257)
        continue;
      entry[2] = 4, entry[3] = 0;  // LONG
      const std::uint32_t side = 100000;
      std::memcpy(entry + 8, &side, 4);  // little-endian host, little-endian file
      ++patched;
    }
    REQUIRE(patched == 2);
    const auto error = error_from([&] { decode(tiff, "bomb.tif"); });
    CHECK(error.code() == ErrorCode::too_large);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("bomb.tif"));
  }
}

namespace {

void set_be32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i)
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}

// A PNG whose IHDR declares width × height (CRC fixed so that libpng reads on).
Bytes png_declaring(std::uint32_t width, std::uint32_t height) {
  Bytes png = encode_png(random_raster(1, 1, 3, 8, 1));
  // IHDR: length at 8, type at 12, width at 16, height at 20, CRC (type + data) at 29.
  set_be32(png, 16, width);
  set_be32(png, 20, height);
  set_be32(png, 29, static_cast<std::uint32_t>(crc32(0, &png[12], 17)));
  return png;
}

// A JPEG whose SOF declares width × height.
Bytes jpeg_declaring(std::uint16_t width, std::uint16_t height, const JpegOptions& options = {}) {
  Bytes jpeg = encode_jpeg(smooth_raster(8, 8, 3, 8), options);
  const auto is_sof = [](std::uint8_t m) {
    return m == 0xC0 || m == 0xC2 || m == 0xC9 || m == 0xCA;
  };
  for (std::size_t i = 2; i + 9 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && is_sof(jpeg[i + 1])) {
      // Height then width, 16 bits big-endian each, after length and precision.
      jpeg[i + 5] = static_cast<std::uint8_t>(height >> 8), jpeg[i + 6] = height & 0xFF;
      jpeg[i + 7] = static_cast<std::uint8_t>(width >> 8), jpeg[i + 8] = width & 0xFF;
      return jpeg;
    }
  }
  throw std::logic_error("jpeg_declaring: no SOF marker");
}

// A classic little-endian TIFF written by libtiff whose IFD0 declares width × height.
Bytes tiff_declaring(const std::filesystem::path& path, std::uint32_t width, std::uint32_t height,
                     const TiffOptions& options = {}) {
  Bytes tiff = encode_tiff(path, random_raster(1, 1, 1, 8, 1), options);
  const std::uint32_t ifd = tiff[4] | tiff[5] << 8 | tiff[6] << 16 | tiff[7] << 24;
  const int entries = tiff[ifd] | tiff[ifd + 1] << 8;
  for (int e = 0; e < entries; ++e) {
    std::uint8_t* entry = &tiff[ifd + 2 + 12 * e];
    const int tag = entry[0] | entry[1] << 8;
    if (tag != 256 && tag != 257)
      continue;
    entry[2] = 4, entry[3] = 0;  // LONG
    const std::uint32_t side = tag == 256 ? width : height;
    std::memcpy(entry + 8, &side, 4);  // little-endian host, little-endian file
  }
  return tiff;
}

// The message is the size check's, which every decoder runs before allocating the image.
void check_refused_as_too_small(const Bytes& bytes, const std::string& name) {
  const auto error = error_from([&] { decode(bytes, name); });
  INFO(error.what());
  CHECK(error.code() == ErrorCode::corrupt_data);
  CHECK_THAT(error.what(), Catch::Matchers::Contains(name) &&
                               Catch::Matchers::Contains("14000 × 14000") &&
                               Catch::Matchers::Contains("but the whole file is " +
                                                         std::to_string(bytes.size()) + " bytes"));
}

}  // namespace

TEST_CASE("Tiny files declaring huge images within the limits are refused before allocating",
          "[image][hostile]") {
  // 14000 × 14000 = 196 MP, under the 200 MP limit: only the file's size shows that the pixels
  // cannot be in it. Before the fix each decoder allocated the whole image first (a few hundred
  // bytes made pigmatch allocate 588 MB, or 1.2 GB for 16 bits).
  TempDir dir;
  SECTION("PNG") {
    check_refused_as_too_small(png_declaring(14000, 14000), "bomb.png");
  }
  SECTION("JPEG, baseline and progressive") {
    JpegOptions progressive;
    progressive.progressive = true;
    check_refused_as_too_small(jpeg_declaring(14000, 14000), "bomb.jpg");
    check_refused_as_too_small(jpeg_declaring(14000, 14000, progressive), "bomb-progressive.jpg");
  }
  SECTION("TIFF, uncompressed and Deflate") {
    TiffOptions deflate;
    deflate.compression = 8;
    check_refused_as_too_small(tiff_declaring(dir / "a.tif", 14000, 14000), "bomb.tif");
    check_refused_as_too_small(tiff_declaring(dir / "b.tif", 14000, 14000, deflate),
                               "bomb-deflate.tif");
  }
}

TEST_CASE("Flat images at their encoder's best compression still decode", "[image][hostile]") {
  // The size bound must never refuse a genuine file: one flat colour is the most compressible
  // content each encoder can be given.
  TempDir dir;
  Raster flat = smooth_raster(1024, 1024, 3, 8);
  std::fill(flat.samples.begin(), flat.samples.end(), std::uint16_t{0});
  Raster flat16 = smooth_raster(2048, 1024, 1, 16);
  std::fill(flat16.samples.begin(), flat16.samples.end(), std::uint16_t{0});
  TiffOptions deflate;
  deflate.compression = 8;
  TiffOptions lzw;
  lzw.compression = 5;
  JpegOptions baseline;
  baseline.quality = 50;
  JpegOptions progressive = baseline;
  progressive.progressive = true;
  const std::vector<Sample> samples = {
      {"flat.jpg", encode_jpeg(flat, baseline)},
      {"flat-progressive.jpg", encode_jpeg(flat, progressive)},
      {"flat.png", encode_png(flat)},
      {"flat16.png", encode_png(flat16)},
      {"flat-deflate.tif", encode_tiff(dir / "d.tif", flat16, deflate)},
      {"flat-lzw.tif", encode_tiff(dir / "l.tif", flat, lzw)},
  };
  for (const Sample& sample : samples) {
    CAPTURE(sample.name, sample.bytes.size());
    const Image image = decode(sample.bytes, sample.name);
    CHECK(static_cast<std::uint64_t>(image.width) * static_cast<std::uint64_t>(image.height) >=
          1024u * 1024u);
  }
}

TEST_CASE("Arithmetic-coded JPEG is unsupported: its size cannot be bounded by the file's",
          "[image][hostile]") {
  JpegOptions arithmetic;
  arithmetic.arithmetic = true;
  const auto error =
      error_from([&] { decode(encode_jpeg(smooth_raster(16, 16, 3, 8), arithmetic), "a.jpg"); });
  CHECK(error.code() == ErrorCode::unsupported);
  CHECK_THAT(error.what(),
             Catch::Matchers::Contains("a.jpg") && Catch::Matchers::Contains("arithmetic"));
}

TEST_CASE("DecodeLimits are enforced for every format", "[image][hostile]") {
  TempDir dir;
  for (const Sample& sample : small_samples(dir)) {
    CAPTURE(sample.name);
    DecodeLimits pixels;
    pixels.max_pixels = 24 * 16 - 1;
    CHECK(error_from([&] { decode(sample.bytes, sample.name, pixels); }).code() ==
          ErrorCode::too_large);
    DecodeLimits exact;
    exact.max_pixels = 24 * 16;
    CHECK_NOTHROW(decode(sample.bytes, sample.name, exact));
    DecodeLimits icc;
    icc.max_icc_bytes = srgb_profile().size() - 1;
    CHECK(error_from([&] { decode(sample.bytes, sample.name, icc); }).code() ==
          ErrorCode::too_large);
    DecodeLimits file;
    file.max_file_bytes = sample.bytes.size() - 1;
    CHECK(error_from([&] { decode(sample.bytes, sample.name, file); }).code() ==
          ErrorCode::too_large);
    write_file(dir / sample.name, sample.bytes);
    CHECK(error_from([&] { pigmatch::decode_image(dir / sample.name, file); }).code() ==
          ErrorCode::too_large);
  }
}

TEST_CASE("Files that are not images get a clear error naming them", "[image][hostile]") {
  TempDir dir;
  SECTION("zero-byte file") {
    write_file(dir / "empty.jpg", {});
    const auto error = error_from([&] { pigmatch::decode_image(dir / "empty.jpg"); });
    CHECK(error.code() == ErrorCode::corrupt_data);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("empty.jpg"));
  }
  SECTION("a text file named .jpg") {
    const std::string text = "Client notes: patch test on Tuesday, shade 3.\n";
    write_file(dir / "notes.jpg", Bytes(text.begin(), text.end()));
    const auto error = error_from([&] { pigmatch::decode_image(dir / "notes.jpg"); });
    CHECK(error.code() == ErrorCode::unsupported);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("notes.jpg"));
  }
  SECTION("a missing file") {
    const auto error = error_from([&] { pigmatch::decode_image(dir / "missing.png"); });
    CHECK(error.code() == ErrorCode::io);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("missing.png"));
  }
  SECTION("a directory") {
    std::filesystem::create_directory(dir / "photos.tif");
    const auto error = error_from([&] { pigmatch::decode_image(dir / "photos.tif"); });
    CHECK(error.code() == ErrorCode::io);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("photos.tif"));
  }
}

// Not run by default: `test_image "[.speed]"` reports the time to decode a 24 MP JPEG, upright
// and with EXIF orientation 6 (a portrait photo from a phone: one extra rotated copy).
TEST_CASE("Decoding a 24 MP JPEG", "[.speed]") {
  const int orientation = GENERATE(1, 6);
  JpegOptions options;
  options.quality = 90;
  options.exif = make_exif(orientation, true, true);
  const Bytes jpeg = encode_jpeg(smooth_raster(6000, 4000, 3, 8), options);
  const auto start = std::chrono::steady_clock::now();
  const Image image = decode(jpeg, "big.jpg");
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  CHECK(image.width == (orientation == 6 ? 4000 : 6000));
  WARN("24 MP JPEG (" << jpeg.size() / 1024 << " KiB), orientation " << orientation
                      << ", decoded in " << seconds.count() << " s");
}
