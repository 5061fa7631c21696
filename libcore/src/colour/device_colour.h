// device_colour.h — a photo's device values ↔ XYZ D50 through its transform's profile, for the
// models that must work in the photo's own encoding (the stubble's chroma, which JPEG filters in
// that encoding). Private to libcore.
#pragma once

#include <array>
#include <optional>
#include <utility>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/transform.h"

namespace pigmatch::detail {

/// Device R, G, B scaled to 0–1 (an 8-bit 255 and a 16-bit 65535 are both 1).
using DeviceRgb = std::array<double, 3>;

/// XYZ D50 → sRGB's encoded values (Bradford to D65, then the sRGB curve, extended as an odd
/// function so that values slightly outside 0–1 stay ordered): how most cameras and phones encode
/// a colour, the stand-in when a photo's own encoding is not at hand.
DeviceRgb srgb_encoded(const Xyz& xyz);

/// Both directions between an RGB transform's device values and XYZ D50 (white Y = 1), through
/// Little CMS's float evaluation of the profile. Holds the transform, so it may outlive the
/// LabTransform it came from; safe to use from several threads.
class DeviceColour {
 public:
  Xyz to_xyz(const DeviceRgb& device) const;

  /// The device values whose colour is `target`: Newton's method from the colour's sRGB encoding.
  /// A colour the device cannot encode gets the nearest values inside 0–1.
  DeviceRgb to_device(const Xyz& target) const;

 private:
  friend struct LabTransformAccess;
  DeviceColour(LabTransform owner, void* device_to_xyz)
      : owner_(std::move(owner)), device_to_xyz_(device_to_xyz) {}
  LabTransform owner_;   // keeps the Little CMS transform alive
  void* device_to_xyz_;  // cmsHTRANSFORM: RGB double → XYZ double
};

struct LabTransformAccess {
  /// The device side of an RGB transform; nullopt for a grey one.
  static std::optional<DeviceColour> device_colour(const LabTransform& transform);
};

}  // namespace pigmatch::detail
