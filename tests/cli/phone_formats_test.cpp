// Phone and wide-gamut photos through the real `pigmatch` process: the same scene (a ColorChecker
// and skin of known Lab) encoded as a Display P3, Adobe RGB (1998) or Rec. 2020 JPEG with the
// profile Little CMS makes from the published primaries and curve, and as HEIC the way phones
// write it (Display P3 by an ICC profile or an nclx box, 8 or 10 bits).
#include <lcms2.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "../calibration/synthetic_chart.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/image/image.h"
#include "process.h"
#include "rgb_profiles.h"

namespace fs = std::filesystem;
using nlohmann::json;
using pigmatch::Lab;
using pigmatch::test::run_pigmatch;
using pigmatch::test::Vec3;

namespace {

const Lab skin_truth{58.0, 16.0, 19.0};
const pigmatch::ChartCorners corners{{{70, 50}, {560, 70}, {545, 400}, {60, 385}}};
constexpr int kSkinX = 640, kSkinY = 120, kSkinSize = 120;

struct Space {
  const char* name;
  cmsCIExyYTRIPLE primaries;
  cmsToneCurve* (*curve)();
};

const Space display_p3{"Display P3", pigmatch::test::kDisplayP3Primaries,
                       pigmatch::test::srgb_curve};
const Space adobe_rgb{"Adobe RGB (1998)", pigmatch::test::kAdobeRgbPrimaries,
                      pigmatch::test::adobe_rgb_curve};
const Space rec2020{"Rec. 2020", pigmatch::test::kRec2020Primaries, pigmatch::test::bt709_curve};

std::vector<std::uint8_t> profile_bytes(const Space& space) {
  return pigmatch::test::rgb_profile(space.primaries, space.curve());
}

// Device values in `space` of Lab D50 colours, by Little CMS (relative colorimetric).
class Encoder {
 public:
  explicit Encoder(const std::vector<std::uint8_t>& icc) {
    cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
    cmsHPROFILE rgb = cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size()));
    transform_ = cmsCreateTransform(lab, TYPE_Lab_DBL, rgb, TYPE_RGB_DBL,
                                    INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
    cmsCloseProfile(rgb);
    cmsCloseProfile(lab);
  }
  ~Encoder() { cmsDeleteTransform(transform_); }
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  Vec3 device(const Lab& lab) const {
    const cmsCIELab in{lab.L, lab.a, lab.b};
    double out[3];
    cmsDoTransform(transform_, &in, out, 1);
    return {std::clamp(out[0], 0.0, 1.0), std::clamp(out[1], 0.0, 1.0),
            std::clamp(out[2], 0.0, 1.0)};
  }

 private:
  cmsHTRANSFORM transform_ = nullptr;
};

// The chart and skin, exactly colorimetric in `space` up to the codes' rounding; with a sensor's
// noise for calibration (a noiseless photo has no pixel statistics to speak of).
pigmatch::Image scene(const Space& space, int bits, double noise) {
  const std::vector<std::uint8_t> icc = profile_bytes(space);
  const Encoder encoder(icc);
  const auto chart = pigmatch::builtin_chart();
  const auto& refs = chart.reference().lab_d50;
  pigmatch::test::SceneOptions options;
  options.width = 900;
  options.height = 480;
  options.bits = bits;
  options.noise = noise;
  options.background = encoder.device(skin_truth);
  options.frame = encoder.device(refs[23]);
  pigmatch::Image image = pigmatch::test::render_chart(
      chart, corners, [&](std::size_t i) { return encoder.device(refs[i]); }, options);
  image.icc_profile = icc;
  return image;
}

fs::path temp(const std::string& name) {
  return fs::temp_directory_path() /
         ("pigmatch-phone-test-" + std::to_string(::getpid()) + "-" + name);
}

Lab lab_of(const json& value) {
  return {value[0].get<double>(), value[1].get<double>(), value[2].get<double>()};
}

std::string region_argument(int x, int y, int w, int h) {
  return std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(w) + "," +
         std::to_string(h);
}

// What a flat region of the file holds: Little CMS's float transform, through the profile made
// from the published primaries and curve, of the codes a reference decoder gives at (x, y).
Lab held_colour(const pigmatch::Image& image, const std::vector<std::uint8_t>& icc, int x, int y) {
  cmsHPROFILE rgb = cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size()));
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM t = cmsCreateTransform(rgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL,
                                       INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  double device[3];
  for (int c = 0; c < 3; ++c) {
    const std::size_t i = (static_cast<std::size_t>(y) * image.width + x) * 3 + c;
    device[c] = image.bits == 16 ? image.row16(0)[i] / 65535.0 : image.row8(0)[i] / 255.0;
  }
  cmsCIELab out;
  cmsDoTransform(t, device, &out, 1);
  cmsDeleteTransform(t);
  cmsCloseProfile(lab);
  cmsCloseProfile(rgb);
  return {out.L, out.a, out.b};
}

// `pigmatch lab` of a region: the mean Lab D50.
Lab lab_of_region(const fs::path& photo, const std::string& region) {
  const auto r = run_pigmatch({"lab", photo.string(), "--region", region, "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json out = json::parse(r.out);
  CHECK(out.at("profile").at("source") == "embedded");
  return lab_of(out.at("lab_d50").at("mean"));
}

// The centre of chart patch i in the image (the scene's corners, the chart's own layout).
pigmatch::Point patch_centre(std::size_t i) {
  const auto chart = pigmatch::builtin_chart();
  return pigmatch::test::TestHomography(corners).to_image(chart.patches[i].center);
}

std::string patch_region(std::size_t i) {
  const pigmatch::Point centre = patch_centre(i);
  return region_argument(static_cast<int>(centre.x) - 8, static_cast<int>(centre.y) - 8, 16, 16);
}

struct Photo {
  std::string name;
  fs::path path;
  std::vector<std::uint8_t> profile;  // the space's profile as Little CMS makes it
};

// The photo's pixels by a decoder other than pigmatch's HEIF path: libheif's own heif-convert
// (to a PNG) for HEIC; for JPEG pigmatch's libjpeg-turbo decoder, which image_test.cpp checks
// against djpeg.
pigmatch::Image reference_decode(const fs::path& photo) {
  if (photo.extension() != ".heic")
    return pigmatch::decode_image(photo);
  const fs::path png = fs::path(photo).replace_extension(".png");
  const std::string command =
      "heif-convert --quiet '" + photo.string() + "' '" + png.string() + "' >/dev/null 2>&1";
  INFO("needs libheif-examples (scripts/setup.sh installs it): " << command);
  REQUIRE(std::system(command.c_str()) == 0);
  pigmatch::Image decoded = pigmatch::decode_image(png);
  fs::remove(png);
  return decoded;
}

}  // namespace

TEST_CASE("wide-gamut JPEGs and phone HEICs read as the colours they hold", "[cli][heif][phone]") {
  const std::string skin = region_argument(kSkinX, kSkinY, kSkinSize, kSkinSize);
  std::vector<Photo> photos;
  for (const Space* space : {&display_p3, &adobe_rgb, &rec2020}) {
    const fs::path path = temp(std::string(space->name).substr(0, 5) + ".jpg");
    photos.push_back({std::string(space->name) + " JPEG", path, profile_bytes(*space)});
    pigmatch::write_jpeg(scene(*space, 8, 0), path, {95, false});
  }
  const auto add_heic = [&](const std::string& name, int bits, pigmatch::HeifWriteOptions o) {
    photos.push_back(
        {name, temp(std::to_string(photos.size()) + ".heic"), profile_bytes(display_p3)});
    pigmatch::write_heif(scene(display_p3, bits, 0), photos.back().path, o);
  };
  add_heic("Display P3 HEIC, ICC profile", 8, {});
  pigmatch::HeifWriteOptions nclx;
  nclx.nclx = pigmatch::NclxColour{12, 13, 6, true};  // the iPhone's Display P3
  add_heic("Display P3 HEIC, nclx", 8, nclx);
  nclx.bits = 10;
  add_heic("Display P3 HEIC, nclx, 10-bit", 16, nclx);

  const auto chart = pigmatch::builtin_chart();
  for (const Photo& photo : photos) {
    CAPTURE(photo.name);
    // What the file holds, read by others; and the true colour, which 8-bit codes (rounded once
    // more by the codec's YCbCr) hold to a few tenths.
    const pigmatch::Image decoded = reference_decode(photo.path);
    const Lab skin_read = lab_of_region(photo.path, skin);
    CHECK(pigmatch::delta_e2000(skin_read, held_colour(decoded, photo.profile, kSkinX, kSkinY)) <
          0.1);
    CHECK(pigmatch::delta_e2000(skin_read, skin_truth) < 1.0);
    double worst_held = 0, worst_true = 0;
    for (std::size_t i = 0; i < chart.patches.size(); ++i) {
      const Lab patch = lab_of_region(photo.path, patch_region(i));
      const pigmatch::Point centre = patch_centre(i);
      const Lab held = held_colour(decoded, photo.profile, static_cast<int>(centre.x),
                                   static_cast<int>(centre.y));
      worst_held = std::max(worst_held, pigmatch::delta_e2000(patch, held));
      worst_true = std::max(worst_true, pigmatch::delta_e2000(patch, chart.reference().lab_d50[i]));
    }
    // heif-convert widens 10-bit codes to 16 by a shift, pigmatch by bit replication (so that
    // 1023 is 65535): up to 0.1 % apart.
    CHECK(worst_held < 0.1);
    CHECK(worst_true < 2.0);
    WARN(photo.name << ": worst chart patch ΔE00 " << worst_held << " against what the file holds, "
                    << worst_true << " against the chart's reference");
  }
  for (const Photo& photo : photos)
    fs::remove(photo.path);
}

TEST_CASE("measure: a HEIC and the same photo as a P3 JPEG calibrate and measure the same skin",
          "[cli][heif][phone]") {
  const fs::path jpeg = temp("measure-p3.jpg"), heic = temp("measure-p3.heic");
  const pigmatch::Image photo = scene(display_p3, 8, 0.8 / 255);
  pigmatch::write_jpeg(photo, jpeg, {92, true});  // 4:2:0, as phones write
  pigmatch::HeifWriteOptions nclx;
  nclx.nclx = pigmatch::NclxColour{12, 13, 6, true};
  pigmatch::write_heif(photo, heic, nclx);
  const std::string skin = "skin=" + region_argument(kSkinX, kSkinY, kSkinSize, kSkinSize);
  std::vector<Lab> measured;
  for (const fs::path& path : {jpeg, heic}) {
    CAPTURE(path);
    const auto r = run_pigmatch(
        {"measure", path.string(), "--chart", "auto", "-r", skin, "--no-skin-training", "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json out = json::parse(r.out);
    CHECK(out["calibration"]["source"] == "chart");
    CHECK(out["calibration"]["loo_mean_de00"].get<double>() < 1.5);
    const json& region = out["regions"][0];
    measured.push_back(lab_of(region["lab_d50"]));
    CHECK(pigmatch::delta_e2000(measured.back(), skin_truth) < 1.0);
  }
  CHECK(pigmatch::delta_e2000(measured[0], measured[1]) < 0.3);
  WARN("skin, P3 JPEG vs P3 HEIC: ΔE00 " << pigmatch::delta_e2000(measured[0], measured[1]));
  fs::remove(jpeg);
  fs::remove(heic);
}
