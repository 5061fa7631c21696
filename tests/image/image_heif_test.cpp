// HEIF/HEIC: pigmatch's decoder on files written by pigmatch's encoder and by libheif's own
// heif-enc, described by ICC profiles or by nclx boxes, at 8 and 10 bits, turned by transform
// boxes; the profile built from an nclx box checked against one Little CMS makes from the
// published primaries and curves; and hostile files (truncated, damaged, bombs).
#include <lcms2.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "error_from.h"
#include "image/fixtures.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/error.h"
#include "pigmatch/image/image.h"
#include "rgb_profiles.h"

using pigmatch::DecodeLimits;
using pigmatch::ErrorCode;
using pigmatch::HeifWriteOptions;
using pigmatch::Image;
using pigmatch::NclxColour;
using namespace pigmatch::test;

namespace {

Image decode(const Bytes& bytes, const std::string& name, const DecodeLimits& limits = {}) {
  return pigmatch::decode_image(std::span<const std::uint8_t>(bytes), name, limits);
}

double sample(const Image& image, int x, int y, int c) {
  const std::size_t i = static_cast<std::size_t>(x) * image.channels + c;
  return image.bits == 16 ? image.row16(y)[i] / 65535.0 : image.row8(y)[i] / 255.0;
}

void set_sample(Image& image, int x, int y, int c, double v) {
  const std::size_t i = (static_cast<std::size_t>(y) * image.width + x) * 3 + c;
  if (image.bits == 16) {
    const auto code = static_cast<std::uint16_t>(std::lround(v * 65535));
    std::memcpy(image.pixels.data() + 2 * i, &code, 2);
  } else {
    image.pixels[i] = static_cast<std::byte>(std::lround(v * 255));
  }
}

// Smooth ramps in the top half (what a lossy codec keeps well) and four flat blocks below:
// black, white, a skin tone and a saturated green, each 16 px wide, whose means are compared.
constexpr int kBlockTop = 32;
const std::array<std::array<double, 3>, 4> kBlocks{
    {{0, 0, 0}, {1, 1, 1}, {0.78, 0.58, 0.48}, {0.15, 0.70, 0.25}}};

Image test_image(int bits) {
  Image image;
  image.width = 64;
  image.height = 48;
  image.bits = bits;
  image.source = "test image";
  image.pixels.resize(image.row_stride() * 48);
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) {
      const auto& block = kBlocks[static_cast<std::size_t>(x / 16)];
      const std::array<double, 3> ramp{x / 63.0, y / 47.0, 0.5 + 0.3 * std::sin(x * 0.1)};
      for (int c = 0; c < 3; ++c)
        set_sample(image, x, y, c, y < kBlockTop ? ramp[c] : block[c]);
    }
  }
  return image;
}

// The mean of channel c over the inside of block b (2 px from its edges).
double block_mean(const Image& image, int b, int c) {
  double sum = 0;
  int n = 0;
  for (int y = kBlockTop + 2; y < image.height - 2; ++y) {
    for (int x = 16 * b + 2; x < 16 * b + 14; ++x, ++n)
      sum += sample(image, x, y, c);
  }
  return sum / n;
}

double mean_abs_difference(const Image& a, const Image& b) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  double sum = 0;
  for (int y = 0; y < a.height; ++y) {
    for (int x = 0; x < a.width; ++x) {
      for (int c = 0; c < 3; ++c)
        sum += std::abs(sample(a, x, y, c) - sample(b, x, y, c));
    }
  }
  return sum / (3.0 * a.width * a.height);
}

const cmsCIExyYTRIPLE& kDisplayP3 = kDisplayP3Primaries;
const cmsCIExyYTRIPLE& kRec709 = kRec709Primaries;
const cmsCIExyYTRIPLE& kRec2020 = kRec2020Primaries;

// The largest ΔE00 between two profiles' Lab D50 (relative colorimetric, Little CMS float) over
// a 9³ grid of RGB values.
double profile_difference(const Bytes& a, const Bytes& b) {
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  const auto transform_of = [&](const Bytes& bytes) {
    cmsHPROFILE rgb =
        cmsOpenProfileFromMem(bytes.data(), static_cast<cmsUInt32Number>(bytes.size()));
    REQUIRE(rgb != nullptr);
    cmsHTRANSFORM t = cmsCreateTransform(rgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL,
                                         INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
    cmsCloseProfile(rgb);
    REQUIRE(t != nullptr);
    return t;
  };
  cmsHTRANSFORM ta = transform_of(a), tb = transform_of(b);
  double worst = 0;
  for (int r = 0; r <= 8; ++r) {
    for (int g = 0; g <= 8; ++g) {
      for (int bl = 0; bl <= 8; ++bl) {
        const double rgb[3] = {r / 8.0, g / 8.0, bl / 8.0};
        cmsCIELab la, lb;
        cmsDoTransform(ta, rgb, &la, 1);
        cmsDoTransform(tb, rgb, &lb, 1);
        worst = std::max(worst, pigmatch::delta_e2000({la.L, la.a, la.b}, {lb.L, lb.a, lb.b}));
      }
    }
  }
  cmsDeleteTransform(ta);
  cmsDeleteTransform(tb);
  cmsCloseProfile(lab);
  return worst;
}

// Every "ispe" (image spatial extent) box of the file declares width × height instead.
Bytes with_declared_size(Bytes heif, std::uint32_t width, std::uint32_t height) {
  int patched = 0;
  for (std::size_t i = 0; i + 16 <= heif.size(); ++i) {
    if (std::memcmp(&heif[i], "ispe", 4) != 0)
      continue;
    for (int k = 0; k < 4; ++k) {
      heif[i + 8 + k] = static_cast<std::uint8_t>(width >> (24 - 8 * k));
      heif[i + 12 + k] = static_cast<std::uint8_t>(height >> (24 - 8 * k));
    }
    ++patched;
  }
  REQUIRE(patched > 0);
  return heif;
}

// The grid wrapper libheif writes (one tile, its description in the 'idat' box) declares an
// output of width × height instead.
Bytes with_grid_size(Bytes heif, std::uint16_t width, std::uint16_t height) {
  const auto idat = std::search(heif.begin(), heif.end(), std::begin("idat"), std::end("idat") - 1);
  REQUIRE(idat != heif.end());
  const auto description = static_cast<std::size_t>(idat - heif.begin()) + 4;
  REQUIRE((heif[description + 1] & 1) == 0);  // 16-bit sizes
  heif[description + 4] = static_cast<std::uint8_t>(width >> 8);
  heif[description + 5] = static_cast<std::uint8_t>(width & 255);
  heif[description + 6] = static_cast<std::uint8_t>(height >> 8);
  heif[description + 7] = static_cast<std::uint8_t>(height & 255);
  return heif;
}

// Runs a shell command; true when it exits 0.
bool run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("HEIC with an ICC profile decodes to its pixels and its profile", "[image][heif]") {
  Image original = test_image(8);
  original.icc_profile = rgb_profile(kDisplayP3, srgb_curve());
  const Bytes heic = pigmatch::encode_heif(original);
  const Image back = decode(heic, "IMG_0001.HEIC");
  CHECK(back.format == pigmatch::ImageFormat::heif);
  CHECK(back.bits == 8);
  CHECK(back.channels == 3);
  CHECK(back.exif_orientation == 1);
  CHECK(back.icc_profile == original.icc_profile);
  CHECK(mean_abs_difference(back, original) < 1.5 / 255);
  for (int b = 0; b < 4; ++b) {
    for (int c = 0; c < 3; ++c)
      CHECK(block_mean(back, b, c) == Approx(kBlocks[b][c]).margin(2.0 / 255));
  }
}

TEST_CASE("10-bit HEIC decodes to 16 bits with full scale kept", "[image][heif]") {
  const Image original = test_image(16);
  HeifWriteOptions options;
  options.bits = 10;
  options.nclx = NclxColour{1, 13, 6, true};
  const Image back = decode(pigmatch::encode_heif(original, options), "deep.heic");
  REQUIRE(back.bits == 16);
  CHECK(mean_abs_difference(back, original) < 1.5 / 255);
  // Black is 0 and white 65535 exactly (10-bit codes widened by bit replication).
  int black = 0, white = 0;
  for (int y = kBlockTop + 2; y < back.height - 2; ++y) {
    black += back.row16(y)[3 * 8] == 0 ? 1 : 0;
    white += back.row16(y)[3 * 24] == 65535 ? 1 : 0;
  }
  CHECK(black == back.height - kBlockTop - 4);
  CHECK(white == back.height - kBlockTop - 4);
  // A 10-bit file resolves steps an 8-bit one cannot: the skin block's mean is within 1/1023.
  for (int c = 0; c < 3; ++c)
    CHECK(block_mean(back, 2, c) == Approx(kBlocks[2][c]).margin(1.5 / 1023));
}

TEST_CASE("an nclx colour description becomes the profile of its primaries and curve",
          "[image][heif]") {
  struct Case {
    const char* name;
    NclxColour nclx;
    Bytes reference;
  };
  const std::vector<Case> cases = {
      {"Display P3, sRGB curve (the iPhone's)",
       {12, 13, 6, true},
       rgb_profile(kDisplayP3, srgb_curve())},
      {"sRGB", {1, 13, 6, true}, rgb_profile(kRec709, srgb_curve())},
      {"Rec. 2020, BT.709 curve", {9, 14, 9, true}, rgb_profile(kRec2020, bt709_curve())},
      {"BT.709 linear", {1, 8, 1, true}, rgb_profile(kRec709, cmsBuildGamma(nullptr, 1.0))},
      {"unspecified: sRGB as browsers assume", {2, 2, 6, true}, rgb_profile(kRec709, srgb_curve())},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    HeifWriteOptions options;
    options.nclx = c.nclx;
    const Image back = decode(pigmatch::encode_heif(test_image(8), options), "nclx.heic");
    REQUIRE_FALSE(back.icc_profile.empty());
    CHECK(profile_difference(back.icc_profile, c.reference) < 0.01);
    // The profile built from the nclx box is not just any profile: it differs from sRGB's
    // wherever the primaries or the curve do.
    if (c.nclx.primaries == 12)
      CHECK(profile_difference(back.icc_profile, rgb_profile(kRec709, srgb_curve())) > 3);
  }
}

TEST_CASE("HDR HEIF (PQ or HLG) is refused with what to do", "[image][heif][hostile]") {
  for (const int transfer : {16, 18}) {
    HeifWriteOptions options;
    options.bits = 10;
    options.nclx = NclxColour{9, transfer, 9, true};
    const Bytes heic = pigmatch::encode_heif(test_image(16), options);
    const auto error = error_from([&] { decode(heic, "hdr.heic"); });
    CHECK(error.code() == ErrorCode::unsupported);
    CHECK_THAT(error.what(),
               Catch::Contains("hdr.heic") && Catch::Contains("HDR") && Catch::Contains("export"));
  }
}

TEST_CASE("a HEIC turned by transform boxes decodes upright", "[image][heif]") {
  const Image stored = test_image(8);
  HeifWriteOptions options;
  options.orientation = 6;  // shown turned 90° clockwise, as a phone held upright writes it
  options.quality = 100;
  const Image upright = decode(pigmatch::encode_heif(stored, options), "portrait.heic");
  REQUIRE(upright.width == stored.height);
  REQUIRE(upright.height == stored.width);
  // Upright (x, y) is stored (y, height − 1 − x): the stored bottom-left is the upright top-left.
  for (const auto& [x, y] : {std::pair{3, 3}, std::pair{40, 5}, std::pair{10, 50}}) {
    for (int c = 0; c < 3; ++c)
      CHECK(sample(upright, x, y, c) ==
            Approx(sample(stored, y, stored.height - 1 - x, c)).margin(6.0 / 255));
  }
}

TEST_CASE("a HEIC written by libheif's heif-enc from a P3 PNG decodes to the PNG's colours",
          "[image][heif]") {
  TempDir dir;
  const Bytes p3 = rgb_profile(kDisplayP3, srgb_curve());
  Raster raster{64, 48, 3, 8, {}};
  const Image image = test_image(8);
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 64; ++x)
      for (int c = 0; c < 3; ++c)
        raster.samples.push_back(
            static_cast<std::uint16_t>(std::lround(sample(image, x, y, c) * 255)));
  PngOptions png;
  png.icc = p3;
  write_file(dir / "in.png", encode_png(raster, png));
  const std::string heif_enc =
      "heif-enc -q 95 -o '" + (dir / "out.heic").string() + "' '" + (dir / "in.png").string() + "'";
  INFO("needs libheif-examples (scripts/setup.sh installs it): " << heif_enc);
  REQUIRE(run(heif_enc));
  const Image back = pigmatch::decode_image(dir / "out.heic");
  CHECK(back.format == pigmatch::ImageFormat::heif);
  CHECK(mean_abs_difference(back, image) < 1.5 / 255);
  CHECK(back.icc_profile == p3);
}

TEST_CASE("HEIF encoding refuses what it cannot write", "[image][heif]") {
  Image grey = test_image(8);
  grey.channels = 1;
  grey.pixels.resize(grey.row_stride() * 48);
  CHECK(error_from([&] { pigmatch::encode_heif(grey); }).code() == ErrorCode::invalid_argument);
  for (const auto& [bits, quality, orientation] :
       {std::tuple{12, 90, 1}, std::tuple{8, 101, 1}, std::tuple{8, 90, 9}}) {
    HeifWriteOptions options;
    options.bits = bits;
    options.quality = quality;
    options.orientation = orientation;
    CHECK(error_from([&] { pigmatch::encode_heif(test_image(8), options); }).code() ==
          ErrorCode::invalid_argument);
  }
  TempDir dir;
  const auto error =
      error_from([&] { pigmatch::write_heif(test_image(8), dir / "missing" / "x.heic"); });
  CHECK(error.code() == ErrorCode::io);
  CHECK_THAT(error.what(), Catch::Contains("x.heic"));
}

// ---- hostile files ------------------------------------------------------------------------

TEST_CASE("every truncation of a HEIC is an error naming the file", "[image][heif][hostile]") {
  const Bytes heic = pigmatch::encode_heif(test_image(8));
  for (std::size_t length = 8; length < heic.size(); length += 7) {
    CAPTURE(length);
    const Bytes cut(heic.begin(), heic.begin() + static_cast<std::ptrdiff_t>(length));
    const auto error = error_from([&] { decode(cut, "cut.heic"); });
    CHECK((error.code() == ErrorCode::corrupt_data || error.code() == ErrorCode::unsupported));
    CHECK_THAT(error.what(), Catch::Contains("cut.heic"));
  }
}

TEST_CASE("random byte flips in a HEIC never crash: decode or a pigmatch::Error",
          "[image][heif][hostile]") {
  const Bytes heic = pigmatch::encode_heif(test_image(8));
  std::mt19937 rng(20261206);
  int errors = 0;
  constexpr int kTrials = 600;
  for (int trial = 0; trial < kTrials; ++trial) {
    Bytes damaged = heic;
    for (int f = 0, flips = 1 + static_cast<int>(rng() % 4); f < flips; ++f)
      damaged[rng() % damaged.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    try {
      const Image image = decode(damaged, "flipped.heic");
      REQUIRE(image.pixels.size() == image.row_stride() * static_cast<std::size_t>(image.height));
    } catch (const pigmatch::Error& e) {
      ++errors;
      REQUIRE_THAT(e.what(), Catch::Contains("flipped.heic"));
    }
  }
  CHECK(errors > 0);
}

TEST_CASE("HEIF headers declaring huge images are refused before decoding",
          "[image][heif][hostile]") {
  const Bytes heic = pigmatch::encode_heif(test_image(8));
  SECTION("over the pixel limit") {
    const auto error =
        error_from([&] { decode(with_declared_size(heic, 20000, 20000), "bomb.heic"); });
    CHECK(error.code() == ErrorCode::too_large);
    CHECK_THAT(error.what(), Catch::Contains("bomb.heic") && Catch::Contains("20000"));
  }
  SECTION("within the limit but far more than the file can hold") {
    const auto error =
        error_from([&] { decode(with_declared_size(heic, 14000, 14000), "small.heic"); });
    CHECK(error.code() == ErrorCode::corrupt_data);
    CHECK_THAT(error.what(), Catch::Contains("small.heic") && Catch::Contains("at least"));
  }
  // Found by fuzz_heif: libheif allocates a grid at the size its description declares.
  SECTION("a grid declaring 26725 × 26995 pixels made of one 64 × 48 tile") {
    const auto error = error_from([&] { decode(with_grid_size(heic, 26725, 26995), "grid.heic"); });
    CHECK(error.code() == ErrorCode::too_large);
    CHECK_THAT(error.what(),
               Catch::Contains("grid.heic") && Catch::Contains("grid") && Catch::Contains("26725"));
  }
  SECTION("a grid within the limit but far more than the file can hold") {
    const auto error = error_from([&] { decode(with_grid_size(heic, 12000, 12000), "grid.heic"); });
    CHECK(error.code() == ErrorCode::corrupt_data);
    CHECK_THAT(error.what(), Catch::Contains("grid") && Catch::Contains("at least"));
  }
  SECTION("a profile over the limit") {
    Image image = test_image(8);
    image.icc_profile = rgb_profile(kDisplayP3, srgb_curve());
    DecodeLimits limits;
    limits.max_icc_bytes = 100;
    const auto error =
        error_from([&] { decode(pigmatch::encode_heif(image), "profile.heic", limits); });
    CHECK(error.code() == ErrorCode::too_large);
    CHECK_THAT(error.what(), Catch::Contains("ICC profile"));
  }
}

TEST_CASE("ISO media that is not a HEIF image is named as such", "[image][heif][hostile]") {
  SECTION("a HEIC header with nothing after it") {
    const Bytes heic = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0};
    const auto error = error_from([&] { decode(heic, "IMG_0001.HEIC"); });
    CHECK(error.code() == ErrorCode::corrupt_data);
    CHECK_THAT(error.what(), Catch::Contains("IMG_0001.HEIC") && Catch::Contains("HEIF"));
  }
  SECTION("an MP4 video") {
    const Bytes mp4 = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
                       0, 0, 2, 0,  'i', 's', 'o', 'm', 'm', 'p', '4', '1'};
    const auto error = error_from([&] { decode(mp4, "clip.mp4"); });
    CHECK(error.code() == ErrorCode::unsupported);
    CHECK_THAT(error.what(), Catch::Contains("clip.mp4") && Catch::Contains("video"));
  }
}
