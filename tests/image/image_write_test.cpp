// Encoding (write_jpeg, write_tiff) checked by decoding back with pigmatch's decoder and with
// plain libjpeg, and by Little CMS opening the embedded profile.
#include <lcms2.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>
#include <vector>

#include "icc_bytes.h"
#include "pigmatch/error.h"
#include "pigmatch/image/image.h"

namespace {

using pigmatch::test::srgb_profile_bytes;

// A smooth gradient with seeded noise, 8 or 16 bits.
pigmatch::Image test_image(int width, int height, int channels, int bits) {
  pigmatch::Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.bits = bits;
  image.pixels.resize(image.row_stride() * static_cast<std::size_t>(height));
  std::mt19937 random(5);
  std::uniform_int_distribution<int> noise(-3, 3);
  const int full = bits == 16 ? 65535 : 255;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int base = (full * (x + 2 * y + 40 * c)) / (width + 2 * height + 80);
        const int v = std::clamp(base + noise(random) * (bits == 16 ? 97 : 1), 0, full);
        const std::size_t i = (static_cast<std::size_t>(y) * width + x) * channels + c;
        if (bits == 16) {
          const auto s = static_cast<std::uint16_t>(v);
          std::memcpy(image.pixels.data() + 2 * i, &s, 2);
        } else {
          image.pixels[i] = static_cast<std::byte>(v);
        }
      }
    }
  }
  return image;
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("pigmatch-write-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace

TEST_CASE("write_tiff round-trips 8- and 16-bit grey and RGB exactly, with the profile",
          "[image][write]") {
  for (const int bits : {8, 16}) {
    for (const int channels : {1, 3}) {
      pigmatch::Image image = test_image(37, 23, channels, bits);
      if (channels == 3)
        image.icc_profile = srgb_profile_bytes();
      const auto path = temp_path("rt.tif");
      pigmatch::write_tiff(image, path);
      const pigmatch::Image back = pigmatch::decode_image(path);
      std::filesystem::remove(path);
      INFO(bits << "-bit, " << channels << " channels");
      CHECK(back.format == pigmatch::ImageFormat::tiff);
      CHECK(back.width == 37);
      CHECK(back.height == 23);
      CHECK(back.bits == bits);
      CHECK(back.channels == channels);
      CHECK(back.pixels == image.pixels);
      CHECK(back.icc_profile == image.icc_profile);
    }
  }
}

TEST_CASE("encode_jpeg: decodable, close to the source, with an ICC profile Little CMS opens",
          "[image][write]") {
  pigmatch::Image image = test_image(64, 48, 3, 8);
  image.icc_profile = srgb_profile_bytes();
  for (const bool subsample : {false, true}) {
    pigmatch::JpegWriteOptions options;
    options.quality = 95;
    options.chroma_subsampling = subsample;
    const auto bytes = pigmatch::encode_jpeg(image, options);
    const pigmatch::Image back = pigmatch::decode_image(bytes, "encoded.jpg");
    CHECK(back.format == pigmatch::ImageFormat::jpeg);
    REQUIRE(back.width == 64);
    REQUIRE(back.height == 48);
    REQUIRE(back.pixels.size() == image.pixels.size());
    double error = 0;
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
      error +=
          std::abs(std::to_integer<int>(back.pixels[i]) - std::to_integer<int>(image.pixels[i]));
    }
    INFO("subsampling " << subsample);
    CHECK(error / static_cast<double>(image.pixels.size()) < 2.5);  // mean |Δ| in code values
    CHECK(back.icc_profile == image.icc_profile);
    cmsHPROFILE p = cmsOpenProfileFromMem(back.icc_profile.data(),
                                          static_cast<cmsUInt32Number>(back.icc_profile.size()));
    CHECK(p != nullptr);
    if (p != nullptr)
      cmsCloseProfile(p);
  }
  // A large profile spans several APP2 chunks (64 KB each) and still comes back whole.
  image.icc_profile.resize(150000, 7);
  const pigmatch::Image big = pigmatch::decode_image(pigmatch::encode_jpeg(image), "big.jpg");
  CHECK(big.icc_profile == image.icc_profile);
  // Grey JPEG without a profile.
  const pigmatch::Image grey = test_image(10, 10, 1, 8);
  const pigmatch::Image grey_back = pigmatch::decode_image(pigmatch::encode_jpeg(grey), "g.jpg");
  CHECK(grey_back.channels == 1);
  CHECK(grey_back.icc_profile.empty());
}

namespace {

// The sampling factors (H, V) of each component, read from the JPEG's start-of-frame marker.
std::vector<std::pair<int, int>> jpeg_sampling_factors(const std::vector<std::uint8_t>& jpeg) {
  for (std::size_t i = 2; i + 9 < jpeg.size();) {
    REQUIRE(jpeg[i] == 0xFF);
    const int marker = jpeg[i + 1];
    const std::size_t length = static_cast<std::size_t>(jpeg[i + 2]) * 256U + jpeg[i + 3];
    if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) {
      std::vector<std::pair<int, int>> factors;
      const std::size_t components = jpeg[i + 9];
      for (std::size_t c = 0; c < components; ++c) {
        const int hv = jpeg[i + 11 + 3 * c];
        factors.emplace_back(hv >> 4, hv & 15);
      }
      return factors;
    }
    i += 2 + length;
  }
  FAIL("no start-of-frame marker");
  return {};
}

}  // namespace

TEST_CASE("encode_jpeg: 4:4:4, 4:2:2 and 4:2:0 chroma as asked", "[image][write]") {
  const pigmatch::Image image = test_image(64, 48, 3, 8);
  pigmatch::JpegWriteOptions options;
  CHECK(jpeg_sampling_factors(pigmatch::encode_jpeg(image, options)) ==
        std::vector<std::pair<int, int>>{{1, 1}, {1, 1}, {1, 1}});
  options.chroma_subsampling = true;
  CHECK(jpeg_sampling_factors(pigmatch::encode_jpeg(image, options)) ==
        std::vector<std::pair<int, int>>{{2, 2}, {1, 1}, {1, 1}});
  options.vertical_subsampling = false;
  const auto bytes = pigmatch::encode_jpeg(image, options);
  CHECK(jpeg_sampling_factors(bytes) == std::vector<std::pair<int, int>>{{2, 1}, {1, 1}, {1, 1}});
  const pigmatch::Image back = pigmatch::decode_image(bytes, "422.jpg");
  CHECK(back.width == 64);
  CHECK(back.height == 48);
}

TEST_CASE("writers refuse layouts they cannot encode and unwritable paths",
          "[image][write][errors]") {
  const pigmatch::Image deep = test_image(4, 4, 3, 16);
  CHECK_THROWS_WITH(pigmatch::encode_jpeg(deep), Catch::Contains("8-bit"));
  pigmatch::Image ragged = test_image(4, 4, 3, 8);
  ragged.pixels.resize(10);
  CHECK_THROWS_AS(pigmatch::encode_jpeg(ragged), pigmatch::Error);
  CHECK_THROWS_AS(pigmatch::write_tiff(ragged, temp_path("r.tif")), pigmatch::Error);
  pigmatch::Image four = test_image(4, 4, 3, 8);
  four.channels = 4;
  CHECK_THROWS_AS(pigmatch::write_tiff(four, temp_path("f.tif")), pigmatch::Error);
  pigmatch::JpegWriteOptions bad;
  bad.quality = 0;
  CHECK_THROWS_AS(pigmatch::encode_jpeg(test_image(4, 4, 3, 8), bad), pigmatch::Error);
  const auto missing = std::filesystem::path("/nonexistent-dir-pigmatch/x");
  try {
    pigmatch::write_tiff(test_image(4, 4, 3, 8), missing.string() + ".tif");
    FAIL("no error");
  } catch (const pigmatch::Error& e) {
    CHECK(e.code() == pigmatch::ErrorCode::io);
    CHECK_THAT(e.what(), Catch::Contains("nonexistent-dir-pigmatch"));
  }
  CHECK_THROWS_AS(pigmatch::write_jpeg(test_image(4, 4, 3, 8), missing.string() + ".jpg"),
                  pigmatch::Error);
}
