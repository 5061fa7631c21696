// transform.cpp — LabTransform: profile checks, the Little CMS reference transform, and the
// dispatch between it and the matrix/shaper fast path.
#include "pigmatch/colour/transform.h"

#include <lcms2.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "colour/device_colour.h"
#include "colour/fast_lab.h"
#include "colour/profile_check.h"
#include "pigmatch/error.h"

namespace pigmatch {
namespace {

// ---- Little CMS handles -----------------------------------------------------------------------

// Every transform owns a context, so nothing is global: lcms's messages go to that context's
// log (read back into our exceptions) and never to stderr or another caller.
struct LcmsLog {
  std::mutex mutex;
  std::string text;
};

void log_lcms_error(cmsContext context, cmsUInt32Number /*code*/, const char* text) {
  auto* log = static_cast<LcmsLog*>(cmsGetContextUserData(context));
  if (log == nullptr || text == nullptr)
    return;
  const std::lock_guard lock(log->mutex);
  if (log->text.size() > 1000)
    return;  // a hostile file must not grow the log without bound
  if (!log->text.empty())
    log->text += "; ";
  log->text += text;
}

struct ContextDeleter {
  void operator()(cmsContext context) const noexcept { cmsDeleteContext(context); }
};
struct ProfileDeleter {
  void operator()(void* profile) const noexcept { cmsCloseProfile(profile); }
};
struct TransformDeleter {
  void operator()(void* transform) const noexcept { cmsDeleteTransform(transform); }
};
using ContextPtr = std::unique_ptr<std::remove_pointer_t<cmsContext>, ContextDeleter>;
using ProfilePtr = std::unique_ptr<void, ProfileDeleter>;
using TransformPtr = std::unique_ptr<void, TransformDeleter>;

std::string lcms_detail(LcmsLog& log) {
  const std::lock_guard lock(log.mutex);
  return log.text.empty() ? std::string() : " (Little CMS: " + log.text + ")";
}

// ---- checks ---------------------------------------------------------------------------------

void check_layout(PixelLayout layout) {
  if ((layout.channels != 1 && layout.channels != 3) || (layout.bits != 8 && layout.bits != 16)) {
    throw Error(ErrorCode::invalid_argument,
                "pixel layout of " + std::to_string(layout.channels) + " channel(s) at " +
                    std::to_string(layout.bits) +
                    " bits is not supported: convert the image to 8- or 16-bit grey or RGB");
  }
}

std::string layout_name(PixelLayout layout) {
  return std::string(layout.channels == 1 ? "grey" : "RGB") + " " + std::to_string(layout.bits) +
         "-bit";
}

// The ICC signature as its four characters, e.g. 'CMYK', 'GRAY', 'RGB'.
std::string signature_name(std::uint32_t signature) {
  std::string name;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>((signature >> shift) & 0xFF);
    name += (c >= 0x20 && c < 0x7F) ? c : '?';
  }
  while (!name.empty() && name.back() == ' ')
    name.pop_back();
  return name;
}

std::string advice(ProfileSource source, PixelLayout layout) {
  const bool grey = layout.channels == 1;
  if (source == ProfileSource::embedded) {
    return grey ? "re-export the photo with a grey input profile embedded, or strip the profile so "
                  "that the sRGB tone curve is assumed"
                : "re-export the photo with an RGB input profile (e.g. sRGB) embedded, or strip "
                  "the profile so that sRGB is assumed";
  }
  return std::string("supply an ICC input profile for ") + (grey ? "grey" : "RGB") + " images";
}

bool has_device_to_pcs(cmsHPROFILE profile) {
  const cmsTagSignature tags[] = {cmsSigAToB0Tag, cmsSigAToB1Tag, cmsSigAToB2Tag,
                                  cmsSigDToB0Tag, cmsSigDToB1Tag, cmsSigDToB2Tag};
  return cmsIsMatrixShaper(profile) ||
         std::any_of(std::begin(tags), std::end(tags),
                     [&](cmsTagSignature tag) { return cmsIsTag(profile, tag) != 0; });
}

void check_input_profile(cmsHPROFILE profile, PixelLayout layout, const std::string& name,
                         ProfileSource source) {
  const auto fail = [&](const std::string& problem) {
    throw Error(ErrorCode::color_management, name + ": " + problem + "; " + advice(source, layout));
  };
  // A profile header can hold any 32-bit value: signatures are kept as integers, since an
  // unknown value stored in lcms's enum types is undefined behaviour (found by fuzz_icc).
  switch (static_cast<std::uint32_t>(cmsGetDeviceClass(profile))) {
    case cmsSigLinkClass:
      fail("the ICC profile is a device link, not an input profile");
      break;
    case cmsSigAbstractClass:
      fail("the ICC profile is an abstract (Lab-to-Lab effect) profile, not an input profile");
      break;
    case cmsSigNamedColorClass:
      fail("the ICC profile is a named-colour profile, not an input profile");
      break;
    default:
      break;
  }
  const std::uint32_t space = cmsGetColorSpace(profile);
  const std::uint32_t expected = layout.channels == 1 ? cmsSigGrayData : cmsSigRgbData;
  if (space != expected) {
    fail("the ICC profile describes " + signature_name(space) + " data but the image is " +
         layout_name(layout));
  }
  const std::uint32_t pcs = cmsGetPCS(profile);
  if (pcs != cmsSigXYZData && pcs != cmsSigLabData) {
    fail("the ICC profile's connection space is " + signature_name(pcs) + ", not XYZ or Lab");
  }
  if (!has_device_to_pcs(profile)) {
    fail("the ICC profile has no device-to-PCS tags (an output-only or damaged profile)");
  }
}

std::string sanitised(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      c = '?';
  }
  if (text.size() > 200)
    text.resize(200);
  return text;
}

std::string description_of(cmsHPROFILE profile, const std::string& fallback) {
  const cmsUInt32Number size =
      cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", nullptr, 0);
  if (size <= 1)
    return fallback;
  std::string text(size, '\0');
  cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", text.data(), size);
  text.resize(text.find('\0') == std::string::npos ? text.size() : text.find('\0'));
  return text.empty() ? fallback : sanitised(std::move(text));
}

cmsUInt32Number lcms_format(PixelLayout layout) {
  if (layout.channels == 1)
    return layout.bits == 8 ? TYPE_GRAY_8 : TYPE_GRAY_16;
  return layout.bits == 8 ? TYPE_RGB_8 : TYPE_RGB_16;
}

void check_image(const Image& image, PixelLayout layout) {
  const std::string name = image.source.empty() ? std::string("image") : image.source;
  if (image.width <= 0 || image.height <= 0) {
    throw Error(ErrorCode::invalid_argument, name + ": image has no pixels (" +
                                                 std::to_string(image.width) + "x" +
                                                 std::to_string(image.height) + ")");
  }
  const PixelLayout actual{image.channels, image.bits};
  if (!(actual == layout)) {
    throw Error(ErrorCode::invalid_argument,
                name + ": image is " + std::to_string(image.channels) + " channel(s) at " +
                    std::to_string(image.bits) + " bits but the colour transform was built for " +
                    layout_name(layout) + "; build the transform with LabTransform::for_image");
  }
  const std::uint64_t expected =
      static_cast<std::uint64_t>(image.row_stride()) * static_cast<std::uint64_t>(image.height);
  if (image.pixels.size() != expected) {
    throw Error(ErrorCode::invalid_argument,
                name + ": pixel buffer holds " + std::to_string(image.pixels.size()) +
                    " bytes but " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " " + layout_name(layout) + " needs " +
                    std::to_string(expected));
  }
}

void check_region(const Image& image, const Rect& region) {
  const std::int64_t right = std::int64_t{region.x} + region.w;
  const std::int64_t bottom = std::int64_t{region.y} + region.h;
  if (region.w <= 0 || region.h <= 0 || region.x < 0 || region.y < 0 || right > image.width ||
      bottom > image.height) {
    throw Error(ErrorCode::invalid_argument,
                (image.source.empty() ? std::string("image") : image.source) + ": region (x " +
                    std::to_string(region.x) + ", y " + std::to_string(region.y) + ", " +
                    std::to_string(region.w) + "x" + std::to_string(region.h) +
                    ") is empty or not inside the " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " image; choose a region within the image");
  }
}

// Splits rows [0, rows) into contiguous bands, one per thread; the caller's thread takes the
// first. Small jobs stay on one thread: starting a thread costs more than converting a patch.
template <typename BandFn>
void for_row_bands(int rows, std::size_t pixels_per_row, unsigned threads, const BandFn& band) {
  constexpr std::size_t kMinPixelsPerThread = 1 << 16;
  unsigned wanted = threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t total = static_cast<std::size_t>(rows) * pixels_per_row;
  wanted = static_cast<unsigned>(
      std::min<std::size_t>({wanted, static_cast<std::size_t>(rows),
                             std::max<std::size_t>(1, total / kMinPixelsPerThread)}));
  if (wanted <= 1) {
    band(0, rows);
    return;
  }
  const auto band_start = [&](unsigned i) {
    return static_cast<int>(static_cast<std::int64_t>(rows) * i / wanted);
  };
  std::vector<std::jthread> workers;
  workers.reserve(wanted - 1);
  for (unsigned i = 1; i < wanted; ++i)
    workers.emplace_back(band, band_start(i), band_start(i + 1));
  band(0, band_start(1));
}

// ---- profiles -------------------------------------------------------------------------------

using ProfileMaker = ProfilePtr (*)(cmsContext, std::span<const std::uint8_t>, PixelLayout);

ProfilePtr open_icc(cmsContext context, std::span<const std::uint8_t> icc, PixelLayout) {
  return ProfilePtr(
      cmsOpenProfileFromMemTHR(context, icc.data(), static_cast<cmsUInt32Number>(icc.size())));
}

ProfilePtr make_srgb(cmsContext context, std::span<const std::uint8_t>, PixelLayout layout) {
  if (layout.channels == 3)
    return ProfilePtr(cmsCreate_sRGBProfileTHR(context));
  // Grey without a profile: the sRGB tone curve (IEC 61966-2-1) with a D50 white, which is
  // what an sRGB image of neutral greys would give.
  const cmsFloat64Number srgb_params[] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
  cmsToneCurve* curve = cmsBuildParametricToneCurve(context, 4, srgb_params);
  if (curve == nullptr)
    return nullptr;
  ProfilePtr profile(cmsCreateGrayProfileTHR(context, cmsD50_xyY(), curve));
  cmsFreeToneCurve(curve);
  return profile;
}

// Converts `region` row by row with `convert_row(src, count, dst)`.
template <typename RowFn>
void convert_region(const Image& image, const Rect& region, LabImage& out, unsigned threads,
                    const RowFn& convert_row) {
  out.width = region.w;
  out.height = region.h;
  const std::size_t row_floats = 3 * static_cast<std::size_t>(region.w);
  out.lab.resize(row_floats * static_cast<std::size_t>(region.h));
  const std::size_t x_offset = static_cast<std::size_t>(region.x) *
                               static_cast<std::size_t>(image.channels) * image.bytes_per_sample();
  const auto band = [&](int begin, int end) {
    for (int row = begin; row < end; ++row) {
      const std::byte* src = image.pixels.data() +
                             static_cast<std::size_t>(region.y + row) * image.row_stride() +
                             x_offset;
      convert_row(src, static_cast<std::size_t>(region.w),
                  out.lab.data() + static_cast<std::size_t>(row) * row_floats);
    }
  };
  for_row_bands(region.h, static_cast<std::size_t>(region.w), threads, band);
}

}  // namespace

// ---- LabTransform ---------------------------------------------------------------------------

struct LabTransform::Impl {
  Impl(ProfileMaker make_profile, std::span<const std::uint8_t> icc, PixelLayout pixel_layout,
       const std::string& name, ProfileSource profile_source);

  void convert_reference(const Image& image, const Rect& region, LabImage& out,
                         unsigned threads) const {
    cmsHTRANSFORM transform = reference.get();
    convert_region(image, region, out, threads,
                   [&](const std::byte* src, std::size_t count, float* lab) {
                     cmsDoTransform(transform, src, lab, static_cast<cmsUInt32Number>(count));
                   });
  }

  std::unique_ptr<LcmsLog> log;  // outlives the context that points to it
  ContextPtr context;
  TransformPtr reference;  // lcms float transform; safe to apply from several threads (no cache)
  TransformPtr device_to_xyz;  // RGB only: double device values 0–1 → XYZ D50 (Y of white 1)
  std::optional<detail::ShaperMatrix> fast;
  PixelLayout layout;
  ProfileSource source;
  std::string description;
};

LabTransform::Impl::Impl(ProfileMaker make_profile, std::span<const std::uint8_t> icc,
                         PixelLayout pixel_layout, const std::string& name,
                         ProfileSource profile_source)
    : log(std::make_unique<LcmsLog>()),
      context(cmsCreateContext(nullptr, log.get())),
      layout(pixel_layout),
      source(profile_source) {
  if (!context)
    throw Error(ErrorCode::color_management, "Little CMS could not start");
  cmsSetLogErrorHandlerTHR(context.get(), log_lcms_error);

  const ProfilePtr profile = make_profile(context.get(), icc, layout);
  if (!profile) {
    throw Error(ErrorCode::color_management, name + ": not a readable ICC profile" +
                                                 lcms_detail(*log) + "; " + advice(source, layout));
  }
  check_input_profile(profile.get(), layout, name, source);

  const ProfilePtr lab(cmsCreateLab4ProfileTHR(context.get(), nullptr));
  // Float output makes lcms evaluate the profile's own pipeline in float, never a 16-bit
  // resampled one; NOOPTIMIZE|NOCACHE states that (measured: identical to flags 0).
  if (lab) {
    reference.reset(cmsCreateTransformTHR(context.get(), profile.get(), lcms_format(layout),
                                          lab.get(), TYPE_Lab_FLT, INTENT_RELATIVE_COLORIMETRIC,
                                          cmsFLAGS_NOOPTIMIZE | cmsFLAGS_NOCACHE));
  }
  if (!reference) {
    throw Error(ErrorCode::color_management, name + ": no colour transform could be built" +
                                                 lcms_detail(*log) + "; " + advice(source, layout));
  }
  // Little CMS accepts profiles that cannot describe a camera (a singular or absurd matrix, huge
  // values in a float pipeline): profile_check.h, "profiles that lie" in docs/robustness.md.
  if (const auto lie = detail::implausible_input_profile(profile.get(), reference.get(), layout))
    throw Error(ErrorCode::color_management, name + ": " + *lie + "; " + advice(source, layout));
  fast = detail::make_shaper_matrix(profile.get(), layout.channels, layout.bits);
  description = description_of(profile.get(), name);
  if (layout.channels == 3) {
    const ProfilePtr xyz(cmsCreateXYZProfileTHR(context.get()));
    if (xyz) {
      device_to_xyz.reset(cmsCreateTransformTHR(
          context.get(), profile.get(), TYPE_RGB_DBL, xyz.get(), TYPE_XYZ_DBL,
          INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOOPTIMIZE | cmsFLAGS_NOCACHE));
    }
  }
}

std::string_view to_string(ProfileSource source) noexcept {
  switch (source) {
    case ProfileSource::embedded:
      return "embedded";
    case ProfileSource::assumed_srgb:
      return "assumed_srgb";
    case ProfileSource::supplied:
      return "supplied";
  }
  return "unknown";
}

LabTransform LabTransform::from_icc(std::span<const std::uint8_t> icc, PixelLayout layout,
                                    std::string_view name, ProfileSource source) {
  check_layout(layout);
  const std::string label(name.empty() ? "ICC profile" : name);
  if (icc.empty()) {
    throw Error(ErrorCode::color_management,
                label + ": the ICC profile is empty; " + advice(source, layout));
  }
  // lcms silently drops tags that lie beyond the bytes it is given; say "truncated" instead of
  // reporting whichever tag turns out to be missing. (Without the 'acsp' magic it is no profile
  // at all, and lcms says so.)
  const bool has_magic =
      icc.size() >= 40 && icc[36] == 'a' && icc[37] == 'c' && icc[38] == 's' && icc[39] == 'p';
  const std::uint64_t declared = has_magic
                                     ? (std::uint64_t{icc[0]} << 24 | std::uint64_t{icc[1]} << 16 |
                                        std::uint64_t{icc[2]} << 8 | std::uint64_t{icc[3]})
                                     : 0;
  if (declared > icc.size()) {
    throw Error(ErrorCode::color_management,
                label + ": the ICC profile is truncated (" + std::to_string(icc.size()) + " of " +
                    std::to_string(declared) + " bytes); " + advice(source, layout));
  }
  if (icc.size() > std::numeric_limits<cmsUInt32Number>::max()) {
    throw Error(ErrorCode::too_large, label +
                                          ": the ICC profile is larger than 4 GiB, which ICC "
                                          "cannot describe; " +
                                          advice(source, layout));
  }
  return LabTransform(std::make_shared<const Impl>(open_icc, icc, layout, label, source));
}

LabTransform LabTransform::srgb(PixelLayout layout) {
  check_layout(layout);
  return LabTransform(std::make_shared<const Impl>(make_srgb, std::span<const std::uint8_t>{},
                                                   layout, "built-in sRGB",
                                                   ProfileSource::assumed_srgb));
}

LabTransform LabTransform::for_image(const Image& image) {
  const PixelLayout layout{image.channels, image.bits};
  if (image.icc_profile.empty())
    return srgb(layout);
  const std::string name =
      (image.source.empty() ? std::string("image") : image.source) + " (embedded ICC profile)";
  return from_icc(image.icc_profile, layout, name, ProfileSource::embedded);
}

LabImage LabTransform::apply(const Image& image, const ApplyOptions& options) const {
  check_image(image, impl_->layout);
  return apply(image, Rect{0, 0, image.width, image.height}, options);
}

LabImage LabTransform::apply(const Image& image, const Rect& region,
                             const ApplyOptions& options) const {
  LabImage out;
  apply(image, region, out, options);
  return out;
}

void LabTransform::apply(const Image& image, const Rect& region, LabImage& out,
                         const ApplyOptions& options) const {
  check_image(image, impl_->layout);
  check_region(image, region);
  if (!impl_->fast) {
    impl_->convert_reference(image, region, out, options.threads);
    return;
  }
  const detail::ShaperMatrix& model = *impl_->fast;
  convert_region(image, region, out, options.threads,
                 [&](const std::byte* src, std::size_t count, float* lab) {
                   detail::shaper_matrix_to_lab(model, src, count, lab);
                 });
}

LabImage LabTransform::apply_reference(const Image& image, const Rect& region,
                                       const ApplyOptions& options) const {
  check_image(image, impl_->layout);
  check_region(image, region);
  LabImage out;
  impl_->convert_reference(image, region, out, options.threads);
  return out;
}

bool LabTransform::is_fast_path() const noexcept {
  return impl_->fast.has_value();
}
ProfileSource LabTransform::profile_source() const noexcept {
  return impl_->source;
}
const std::string& LabTransform::profile_description() const noexcept {
  return impl_->description;
}
PixelLayout LabTransform::layout() const noexcept {
  return impl_->layout;
}

}  // namespace pigmatch

namespace pigmatch::detail {

std::optional<DeviceColour> LabTransformAccess::device_colour(const LabTransform& transform) {
  if (!transform.impl_->device_to_xyz)
    return std::nullopt;
  return DeviceColour(transform, transform.impl_->device_to_xyz.get());
}

}  // namespace pigmatch::detail
