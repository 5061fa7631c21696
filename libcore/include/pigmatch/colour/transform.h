// pigmatch/colour/transform.h — device pixels → CIELAB D50 through Little CMS.
//
// A LabTransform is built once from an ICC profile and a pixel layout, then applied to any number
// of images (OpenColorIO's Processor pattern): it is immutable, cheap to copy (shared state) and
// safe to apply from several threads at once.
//
// The intent is always relative colorimetric: an input profile describes how device values
// relate to measured colour, and relative colorimetry keeps that measurement with the
// reference white mapped to the PCS white. Perceptual tables are a vendor's rendering choice
// (gamut compression, pleasing skin), which would bias a colour match.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/image/image.h"

namespace pigmatch {

namespace detail {
struct LabTransformAccess;  // libcore's own models that need the profile's device side
}

/// Where the profile of a transform came from (reports say "assumed sRGB" when it was guessed).
enum class ProfileSource {
  embedded,      ///< the profile embedded in the photo
  assumed_srgb,  ///< the photo had none: sRGB (or the sRGB tone curve, for grey) was assumed
  supplied,      ///< given by the caller (e.g. built by calibration)
};

/// A short stable name, e.g. "assumed_srgb" (used in JSON output).
std::string_view to_string(ProfileSource source) noexcept;

/// The pixel layout a transform reads: 1 (grey) or 3 (RGB) channels of 8 or 16 bits.
struct PixelLayout {
  int channels = 3;
  int bits = 8;
  friend bool operator==(const PixelLayout&, const PixelLayout&) = default;
};

/// CIELAB D50 (the ICC PCS) as float L*, a*, b* interleaved, row by row, no padding.
struct LabImage {
  int width = 0;
  int height = 0;
  std::vector<float> lab;

  /// The Lab value of pixel (x, y); no bounds check beyond the vector's.
  Lab at(int x, int y) const noexcept {
    const float* p =
        lab.data() + 3 * (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                          static_cast<std::size_t>(x));
    return Lab{p[0], p[1], p[2]};
  }
};

struct ApplyOptions {
  unsigned threads = 0;  ///< worker threads; 0 = std::thread::hardware_concurrency()
};

/// Device values → CIELAB D50 for one ICC input profile and one pixel layout.
class LabTransform {
 public:
  /// The transform for `image`: its embedded profile, or sRGB when none is embedded (the grey
  /// sRGB tone curve for grey images). Throws Error(color_management) when the embedded
  /// profile is invalid or does not describe the image's pixels; Error(invalid_argument) for an
  /// unsupported layout.
  static LabTransform for_image(const Image& image);

  /// The transform for an ICC profile given as bytes; `name` identifies it in messages. Throws
  /// Error(color_management) for a profile that is malformed, is not an input profile (device
  /// link, abstract, named colour, output-only) or whose colour space does not match `layout`.
  static LabTransform from_icc(std::span<const std::uint8_t> icc, PixelLayout layout,
                               std::string_view name,
                               ProfileSource source = ProfileSource::supplied);

  /// The built-in sRGB transform (grey: the sRGB tone curve with a D50 white).
  static LabTransform srgb(PixelLayout layout);

  /// Converts the whole image. Throws Error(invalid_argument) if its layout or pixel buffer does
  /// not match this transform.
  LabImage apply(const Image& image, const ApplyOptions& options = {}) const;

  /// Converts `region` of the image; throws Error(invalid_argument) when the region is empty or
  /// not inside the image.
  LabImage apply(const Image& image, const Rect& region, const ApplyOptions& options = {}) const;

  /// As above, into `out` (resized; its storage is reused when large enough).
  void apply(const Image& image, const Rect& region, LabImage& out,
             const ApplyOptions& options = {}) const;

  /// The reference result: Little CMS's float transform, whatever is_fast_path() says.
  LabImage apply_reference(const Image& image, const Rect& region,
                           const ApplyOptions& options = {}) const;

  /// True when apply() uses pigmatch's matrix/shaper path; false when it runs Little CMS's float
  /// transform (LUT-based profiles, grey profiles with a Lab PCS).
  bool is_fast_path() const noexcept;

  ProfileSource profile_source() const noexcept;
  /// The profile's description tag (e.g. "sRGB IEC61966-2.1"), or its name when it has none.
  const std::string& profile_description() const noexcept;
  PixelLayout layout() const noexcept;

 private:
  friend struct detail::LabTransformAccess;
  struct Impl;
  explicit LabTransform(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace pigmatch
