// Photos in the wrong colour space, as the user meets them through the real `pigmatch lab` and
// `pigmatch measure`: a CMYK JPEG, a CIELAB TIFF, an RGB photo carrying a grey profile, a grey
// photo carrying an RGB profile, a grey photo given to chart calibration. Files are written by
// the real encoders (tests/image/fixtures.h) with profiles made by Little CMS. Each ends in exit 1
// with one message that names the file and says what to export instead; nothing on stdout.
#include <lcms2.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "icc_bytes.h"
#include "image/fixtures.h"
#include "process.h"

namespace fs = std::filesystem;
using pigmatch::test::Bytes;
using pigmatch::test::run_pigmatch;

namespace {

Bytes grey_profile() {
  cmsToneCurve* gamma = cmsBuildGamma(nullptr, 2.2);
  cmsHPROFILE profile = cmsCreateGrayProfile(cmsD50_xyY(), gamma);
  cmsFreeToneCurve(gamma);
  return pigmatch::test::profile_bytes(profile);
}

struct WrongSpace {
  std::string file;
  Bytes bytes;
  std::vector<std::string> says;
};

std::vector<WrongSpace> photos(const pigmatch::test::TempDir& dir) {
  using pigmatch::test::encode_jpeg;
  using pigmatch::test::smooth_raster;
  pigmatch::test::JpegOptions cmyk;
  cmyk.cmyk = true;
  pigmatch::test::JpegOptions grey_on_rgb;
  grey_on_rgb.icc = grey_profile();
  pigmatch::test::JpegOptions rgb_on_grey;
  rgb_on_grey.icc = pigmatch::test::srgb_profile();
  pigmatch::test::TiffOptions lab;
  lab.photometric = 8;  // PHOTOMETRIC_CIELAB
  return {
      {"print.jpg", encode_jpeg(smooth_raster(64, 48, 4, 8), cmyk), {"CMYK", "export the photo"}},
      {"scan.tif",
       pigmatch::test::encode_tiff(dir / "scan-source.tif", smooth_raster(64, 48, 3, 8), lab),
       {"not supported", "Lab"}},
      {"grey-profile.jpg",
       encode_jpeg(smooth_raster(64, 48, 3, 8), grey_on_rgb),
       {"GRAY data but the image is RGB", "re-export the photo"}},
      {"rgb-profile.jpg",
       encode_jpeg(smooth_raster(64, 48, 1, 8), rgb_on_grey),
       {"RGB data but the image is grey", "re-export the photo"}},
  };
}

}  // namespace

TEST_CASE("wrong-colour-space photos: lab and measure exit 1 naming the file and the fix",
          "[hostile][photo]") {
  const pigmatch::test::TempDir dir;
  for (const WrongSpace& photo : photos(dir)) {
    SECTION(photo.file) {
      const fs::path path = dir / photo.file;
      pigmatch::test::write_file(path, photo.bytes);
      for (const std::vector<std::string>& command :
           {std::vector<std::string>{"lab", path.string()},
            std::vector<std::string>{"measure", path.string(), "--chart", "none", "--region",
                                     "skin=8,8,32,24"}}) {
        const auto r = run_pigmatch(command);
        INFO(photo.file << ": pigmatch " << command[0] << "\n" << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains(path.string()));
        for (const std::string& phrase : photo.says)
          CHECK_THAT(r.err, Catch::Contains(phrase));
        CHECK(r.out.empty());
      }
    }
  }
}

TEST_CASE("a grey photo measures through its profile but cannot calibrate with a colour chart",
          "[hostile][photo]") {
  const pigmatch::test::TempDir dir;
  const fs::path path = dir / "grey.jpg";
  pigmatch::test::write_file(
      path, pigmatch::test::encode_jpeg(pigmatch::test::smooth_raster(64, 48, 1, 8)));
  const auto plain = run_pigmatch({"lab", path.string(), "--json"});
  INFO(plain.err);
  CHECK(plain.exit_code == 0);
  const auto chart = run_pigmatch({"measure", path.string(), "--chart", "2,2,60,2,60,44,2,44"});
  INFO(chart.err);
  CHECK(chart.exit_code == 1);
  CHECK_THAT(chart.err, Catch::Contains(path.string()) && Catch::Contains("grey image") &&
                            Catch::Contains("needs an RGB photo"));
}
