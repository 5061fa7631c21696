// Photos whose embedded ICC profile lies, through the real `pigmatch lab` and `pigmatch measure`:
// an "sRGB" profile whose colorant matrix is singular or absurd, a float D2B matrix with a NaN or
// with huge values, a tag table claiming more tags than the file holds, a tag pointing past the
// end of the file, a file ending inside its tag table. (Wrong colour spaces, device links,
// abstract and output-only profiles are refused by tests/colour/transform_test.cpp.) Profiles are
// made or edited with Little CMS and embedded in real JPEG files. Each must end in exit 1 with a
// message naming the photo and saying what to do — never a Lab value computed through a profile
// that cannot describe a camera.
#include <lcms2.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "icc_bytes.h"
#include "pigmatch/image/image.h"
#include "process.h"

namespace fs = std::filesystem;
using pigmatch::test::run_pigmatch;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes save(cmsHPROFILE profile) {
  return pigmatch::test::profile_bytes(profile);
}

// lcms's sRGB with its red, green and blue colorants (the matrix columns) replaced.
Bytes srgb_with_colorants(const cmsCIEXYZ& red, const cmsCIEXYZ& green, const cmsCIEXYZ& blue) {
  cmsHPROFILE profile = cmsCreate_sRGBProfile();
  REQUIRE(cmsWriteTag(profile, cmsSigRedColorantTag, &red));
  REQUIRE(cmsWriteTag(profile, cmsSigGreenColorantTag, &green));
  REQUIRE(cmsWriteTag(profile, cmsSigBlueColorantTag, &blue));
  return save(profile);
}

// lcms's sRGB plus float D2Bx (device → PCS) pipelines made of one 3×3 `matrix`. Little CMS
// prefers a D2Bx tag over the matrix/shaper tags; D2B1 is what the relative colorimetric intent
// reads, D2B0 (perceptual) is there for any other reader.
Bytes srgb_with_d2b(const std::array<double, 9>& matrix) {
  cmsHPROFILE profile = cmsCreate_sRGBProfile();
  cmsPipeline* pipeline = cmsPipelineAlloc(nullptr, 3, 3);
  REQUIRE(cmsPipelineInsertStage(pipeline, cmsAT_END,
                                 cmsStageAllocMatrix(nullptr, 3, 3, matrix.data(), nullptr)));
  REQUIRE(cmsWriteTag(profile, cmsSigDToB0Tag, pipeline));
  REQUIRE(cmsWriteTag(profile, cmsSigDToB1Tag, pipeline));
  cmsPipelineFree(pipeline);
  return save(profile);
}

std::uint32_t be32(const Bytes& b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
}
void put_be32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

Bytes srgb() {
  return save(cmsCreate_sRGBProfile());
}

// A 64×48 sRGB-ish photo of flat skin, written as a real JPEG carrying `icc`.
fs::path photo_with(const std::string& name, const Bytes& icc) {
  pigmatch::Image image;
  image.width = 64;
  image.height = 48;
  image.channels = 3;
  image.bits = 8;
  image.pixels.resize(64 * 48 * 3);
  for (std::size_t i = 0; i < image.pixels.size(); i += 3) {
    image.pixels[i] = std::byte{200};
    image.pixels[i + 1] = std::byte{150};
    image.pixels[i + 2] = std::byte{130};
  }
  image.icc_profile = icc;
  const fs::path path = fs::temp_directory_path() /
                        ("pigmatch-hostile-profile-" + std::to_string(::getpid()) + "-" + name);
  pigmatch::write_jpeg(image, path, {95, false});
  return path;
}

struct Lie {
  std::string name;
  Bytes icc;
  std::string says;
};

std::vector<Lie> lies() {
  const cmsCIEXYZ grey{0.3, 0.3, 0.3};
  Bytes tag_count = srgb();  // a tag table claiming 100 000 entries in a small file
  put_be32(tag_count, 128, 100000);
  Bytes tag_offset = srgb();  // the red colorant tag points far past the end of the file
  bool pointed = false;
  for (std::size_t i = 0; i < be32(tag_offset, 128); ++i) {
    const std::size_t entry = 128 + 4 + 12 * i;
    if (be32(tag_offset, entry) == cmsSigRedColorantTag) {
      put_be32(tag_offset, entry + 4, be32(tag_offset, 0) * 16);
      pointed = true;
    }
  }
  REQUIRE(pointed);
  Bytes table_cut = srgb();  // the file ends in the middle of its tag table
  table_cut.resize(128 + 4 + 12 * 2 + 6);
  put_be32(table_cut, 0, static_cast<std::uint32_t>(table_cut.size()));

  return {
      {"singular.jpg", srgb_with_colorants(grey, grey, grey), "singular"},
      {"absurd.jpg",
       srgb_with_colorants({3000.0, -2000.0, 10.0}, {-5000.0, 9000.0, 0.0}, {0.0, 0.0, 7000.0}),
       "matrix"},
      // Little CMS itself refuses a NaN in a float tag when it reads the profile.
      {"nan.jpg",
       srgb_with_d2b({0.43, 0.38, std::numeric_limits<double>::quiet_NaN(), 0.22, 0.72, 0.06, 0.01,
                      0.10, 0.71}),
       "Corrupted tag 'D2B1'"},
      {"huge-d2b.jpg", srgb_with_d2b({4e4, 0, 0, 0, 4e4, 0, 0, 0, 4e4}),
       "which no real profile does"},
      {"tag-count.jpg", tag_count, "profile"},
      {"tag-offset.jpg", tag_offset, "profile"},
      {"table-cut.jpg", table_cut, "profile"},
  };
}

}  // namespace

TEST_CASE("profiles that lie: pigmatch lab and measure refuse the photo, naming it",
          "[hostile][profile]") {
  for (const Lie& lie : lies()) {
    SECTION(lie.name) {
      const fs::path photo = photo_with(lie.name, lie.icc);
      for (const std::vector<std::string>& command :
           {std::vector<std::string>{"lab", photo.string(), "--json"},
            std::vector<std::string>{"measure", photo.string(), "--chart", "none", "--region",
                                     "skin=8,8,32,24", "--json"}}) {
        const auto r = run_pigmatch(command);
        INFO(lie.name << ": pigmatch " << command[0] << "\n" << r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains(photo.string()) && Catch::Contains(lie.says) &&
                              Catch::Contains("re-export the photo"));
        CHECK(r.out.empty());
      }
      fs::remove(photo);
    }
  }
}
