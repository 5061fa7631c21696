#include "display_color.h"

#include <lcms2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iterator>
#include <vector>

#include "pigmatch/error.h"

namespace pigmatch::gui {
namespace {

struct ProfileCloser {
  void operator()(void* profile) const noexcept { cmsCloseProfile(profile); }
};
struct TransformDeleter {
  void operator()(void* transform) const noexcept { cmsDeleteTransform(transform); }
};
using Profile = std::unique_ptr<void, ProfileCloser>;
using Transform = std::unique_ptr<void, TransformDeleter>;

std::string description_of(cmsHPROFILE profile, const std::string& fallback) {
  std::array<char, 256> text{};
  const cmsUInt32Number n =
      cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", text.data(), text.size());
  return n > 1 ? std::string(text.data()) : fallback;
}

}  // namespace

struct DisplayColor::Impl {
  Impl(Profile display, const std::string& source);

  Transform to_display;  // Lab (double) → RGB (double)
  Transform to_lab;      // RGB (double) → Lab (double): what the display shows, back in Lab
  std::string name;
};

DisplayColor::Impl::Impl(Profile display, const std::string& source) {
  const Profile lab(cmsCreateLab4Profile(cmsD50_xyY()));
  if (!display || !lab) {
    throw Error(ErrorCode::color_management, source + ": Little CMS could not open the profile");
  }
  if (cmsGetColorSpace(display.get()) != cmsSigRgbData) {
    throw Error(ErrorCode::color_management,
                source + ": not an RGB profile; give the display's RGB ICC profile");
  }
  to_display.reset(cmsCreateTransform(lab.get(), TYPE_Lab_DBL, display.get(), TYPE_RGB_DBL,
                                      INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE));
  to_lab.reset(cmsCreateTransform(display.get(), TYPE_RGB_DBL, lab.get(), TYPE_Lab_DBL,
                                  INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE));
  if (!to_display || !to_lab) {
    throw Error(ErrorCode::color_management,
                source +
                    ": Little CMS cannot convert to and from this profile; give a display "
                    "(monitor) RGB profile");
  }
  name = description_of(display.get(), source);
}

namespace {

std::uint8_t to_8bit(double v) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
}

}  // namespace

DisplayColor DisplayColor::srgb() {
  return DisplayColor(std::make_unique<Impl>(Profile(cmsCreate_sRGBProfile()), "sRGB built-in"));
}

DisplayColor DisplayColor::from_icc_file(const std::filesystem::path& icc_file) {
  std::ifstream in(icc_file, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::io,
                icc_file.string() + ": cannot open the display profile; check the path");
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>()};
  Profile profile(cmsOpenProfileFromMem(bytes.data(), static_cast<cmsUInt32Number>(bytes.size())));
  if (!profile) {
    throw Error(ErrorCode::color_management,
                icc_file.string() + ": not an ICC profile; give the display's .icc/.icm file");
  }
  return DisplayColor(std::make_unique<Impl>(std::move(profile), icc_file.string()));
}

DisplayColor::DisplayColor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DisplayColor::DisplayColor(DisplayColor&&) noexcept = default;
DisplayColor& DisplayColor::operator=(DisplayColor&&) noexcept = default;
DisplayColor::~DisplayColor() = default;

DisplayRgb DisplayColor::convert(const Lab& lab) const {
  const std::array<double, 3> lab_in{lab.L, lab.a, lab.b};
  std::array<double, 3> rgb{};
  cmsDoTransform(impl_->to_display.get(), lab_in.data(), rgb.data(), 1);
  // Matrix/shaper float transforms are unbounded: clip as the display would before going back.
  for (double& v : rgb)
    v = std::clamp(v, 0.0, 1.0);
  std::array<double, 3> shown{};
  cmsDoTransform(impl_->to_lab.get(), rgb.data(), shown.data(), 1);
  DisplayRgb out;
  out.r = to_8bit(rgb[0]);
  out.g = to_8bit(rgb[1]);
  out.b = to_8bit(rgb[2]);
  out.clip_de00 = delta_e2000(lab, Lab{shown[0], shown[1], shown[2]});
  out.in_gamut = out.clip_de00 <= out_of_gamut_de00;
  return out;
}

const std::string& DisplayColor::profile_name() const noexcept {
  return impl_->name;
}

}  // namespace pigmatch::gui
