#include "colour/device_colour.h"

#include <lcms2.h>

#include <algorithm>
#include <cmath>

#include "support/small_matrix.h"

namespace pigmatch::detail {

DeviceRgb srgb_encoded(const Xyz& xyz) {
  constexpr std::array<std::array<double, 3>, 3> to_srgb = {{{3.1338561, -1.6168667, -0.4906146},
                                                             {-0.9787684, 1.9161415, 0.0334540},
                                                             {0.0719453, -0.2289914, 1.4052427}}};
  DeviceRgb out{};
  for (std::size_t c = 0; c < 3; ++c) {
    const double v = to_srgb[c][0] * xyz.X + to_srgb[c][1] * xyz.Y + to_srgb[c][2] * xyz.Z;
    const double a = std::abs(v);
    out[c] = std::copysign(a <= 0.0031308 ? 12.92 * a : 1.055 * std::pow(a, 1 / 2.4) - 0.055, v);
  }
  return out;
}

Xyz DeviceColour::to_xyz(const DeviceRgb& device) const {
  std::array<double, 3> xyz{};
  cmsDoTransform(static_cast<cmsHTRANSFORM>(device_to_xyz_), device.data(), xyz.data(), 1);
  return {xyz[0], xyz[1], xyz[2]};
}

DeviceRgb DeviceColour::to_device(const Xyz& target) const {
  // Newton starts from the sRGB encoding, inside the device's range.
  DeviceRgb device = srgb_encoded(target);
  for (double& v : device)
    v = std::clamp(v, 0.0, 1.0);
  constexpr double step = 1e-4;
  for (int iteration = 0; iteration < 12; ++iteration) {
    const Xyz at = to_xyz(device);
    const std::array<double, 3> miss{target.X - at.X, target.Y - at.Y, target.Z - at.Z};
    // The Jacobian by differences, stepping inwards at the range's ends.
    SquareMatrix<3> jacobian{};
    for (std::size_t c = 0; c < 3; ++c) {
      DeviceRgb moved = device;
      const double h = device[c] + step <= 1.0 ? step : -step;
      moved[c] += h;
      const Xyz next = to_xyz(moved);
      jacobian[0][c] = (next.X - at.X) / h;
      jacobian[1][c] = (next.Y - at.Y) / h;
      jacobian[2][c] = (next.Z - at.Z) / h;
    }
    SquareMatrix<3> inverse{};
    if (!invert_leading(jacobian, 3, inverse, 1e-9))
      break;
    double moved_by = 0;
    for (std::size_t r = 0; r < 3; ++r) {
      const double delta =
          inverse[r][0] * miss[0] + inverse[r][1] * miss[1] + inverse[r][2] * miss[2];
      const double next = std::clamp(device[r] + delta, 0.0, 1.0);
      moved_by = std::max(moved_by, std::abs(next - device[r]));
      device[r] = next;
    }
    if (moved_by < 1e-7)
      break;
  }
  return device;
}

}  // namespace pigmatch::detail
