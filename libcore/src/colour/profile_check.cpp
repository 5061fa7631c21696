// Profiles that lie: see profile_check.h.
#include "colour/profile_check.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace pigmatch::detail {
namespace {

using Column = std::array<double, 3>;

// A display's colorant XYZ lies within about ±2. A camera's, fitted to a chart, maps the device
// values the chart's white gave to the white, so its colorants grow as the exposure falls and
// the white balance is off: a white patch at 25 % of full scale under tungsten light with
// daylight white balance gives a blue colorant near 6, and at 5 % with a strong cast, 40. A
// broken or hostile profile's are in the hundreds or thousands.
constexpr double max_colorant = 50.0;
// |det| relative to the product of the column lengths: 1 for orthogonal colorants, about 0.2
// for sRGB, 0 for colorants that are not independent (every colour maps onto a plane or line).
constexpr double min_independence = 1e-3;

constexpr double min_lightness = -50, max_lightness = 300, max_chroma_axis = 1000;

std::optional<std::string> implausible_matrix(cmsHPROFILE profile) {
  const std::array<std::pair<cmsTagSignature, const char*>, 3> tags = {
      {{cmsSigRedColorantTag, "red"},
       {cmsSigGreenColorantTag, "green"},
       {cmsSigBlueColorantTag, "blue"}}};
  std::array<Column, 3> columns{};
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const auto* xyz = static_cast<const cmsCIEXYZ*>(cmsReadTag(profile, tags[i].first));
    if (xyz == nullptr)
      return std::nullopt;  // not a matrix/shaper after all: the Lab probe below decides
    columns[i] = {xyz->X, xyz->Y, xyz->Z};
    for (const double v : columns[i]) {
      if (!std::isfinite(v) || std::abs(v) > max_colorant) {
        return fmt::format(
            "the ICC profile's colorant matrix holds an implausible value ({} "
            "colorant XYZ {:.4g}, {:.4g}, {:.4g}; a camera's or display's lies "
            "within ±{})",
            tags[i].second, columns[i][0], columns[i][1], columns[i][2], max_colorant);
      }
    }
  }
  const auto& [r, g, b] = columns;
  const double det = r[0] * (g[1] * b[2] - g[2] * b[1]) - g[0] * (r[1] * b[2] - r[2] * b[1]) +
                     b[0] * (r[1] * g[2] - r[2] * g[1]);
  const auto length = [](const Column& c) { return std::hypot(c[0], c[1], c[2]); };
  const double scale = length(r) * length(g) * length(b);
  if (!(scale > 0) || std::abs(det) < min_independence * scale) {
    return std::string(
        "the ICC profile's colorant matrix is singular (its red, green and blue colorants are "
        "not independent), so it maps different colours to the same Lab");
  }
  return std::nullopt;
}

// The device colours at 0, ½ and full scale of every channel, in the transform's input format.
std::vector<std::uint8_t> probe_pixels(PixelLayout layout, std::size_t& count) {
  const std::array<std::uint16_t, 3> levels16 = {0, 32768, 65535};
  const std::array<std::uint8_t, 3> levels8 = {0, 128, 255};
  count = layout.channels == 1 ? 3 : 27;
  const std::size_t sample_bytes = layout.bits == 16 ? 2 : 1;
  std::vector<std::uint8_t> pixels(count * static_cast<std::size_t>(layout.channels) *
                                   sample_bytes);
  std::size_t at = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t digits = i;
    for (int c = 0; c < layout.channels; ++c, digits /= 3) {
      if (sample_bytes == 2) {
        std::memcpy(pixels.data() + at, &levels16[digits % 3], 2);
      } else {
        pixels[at] = levels8[digits % 3];
      }
      at += sample_bytes;
    }
  }
  return pixels;
}

std::string describe_device(const std::vector<std::uint8_t>& pixels, std::size_t index,
                            PixelLayout layout) {
  std::string text;
  const std::size_t sample_bytes = layout.bits == 16 ? 2 : 1;
  for (int c = 0; c < layout.channels; ++c) {
    const std::size_t at =
        (index * static_cast<std::size_t>(layout.channels) + static_cast<std::size_t>(c)) *
        sample_bytes;
    std::uint16_t value = pixels[at];
    if (sample_bytes == 2)
      std::memcpy(&value, pixels.data() + at, 2);
    text += (c == 0 ? "" : ", ") + std::to_string(value);
  }
  return "(" + text + ")";
}

// Whether `lab` is a colour a real profile could give its probe. A matrix/shaper whose colorants
// passed implausible_matrix() is bounded in XYZ instead (three colorants of at most ±50 each):
// a real camera matrix fitted under warm light can send a full-scale primary to a slightly
// negative Z or Y, whose Lab lies far outside any real colour although no pixel of a real scene
// lands there.
bool plausible_probe(const cmsCIELab& lab, bool matrix_shaper) {
  if (!std::isfinite(lab.L) || !std::isfinite(lab.a) || !std::isfinite(lab.b))
    return false;
  if (!matrix_shaper) {
    return lab.L >= min_lightness && lab.L <= max_lightness && std::abs(lab.a) <= max_chroma_axis &&
           std::abs(lab.b) <= max_chroma_axis;
  }
  cmsCIEXYZ xyz{};
  cmsLab2XYZ(cmsD50_XYZ(), &xyz, &lab);
  const double bound = 3 * max_colorant;
  return std::abs(xyz.X) <= bound && std::abs(xyz.Y) <= bound && std::abs(xyz.Z) <= bound;
}

std::optional<std::string> implausible_lab(cmsHTRANSFORM to_lab, PixelLayout layout,
                                           bool matrix_shaper) {
  std::size_t count = 0;
  const std::vector<std::uint8_t> pixels = probe_pixels(layout, count);
  std::vector<float> lab(count * 3);
  cmsDoTransform(to_lab, pixels.data(), lab.data(), static_cast<cmsUInt32Number>(count));
  for (std::size_t i = 0; i < count; ++i) {
    const float L = lab[3 * i], a = lab[3 * i + 1], b = lab[3 * i + 2];
    const bool finite = std::isfinite(L) && std::isfinite(a) && std::isfinite(b);
    if (plausible_probe(cmsCIELab{L, a, b}, matrix_shaper))
      continue;
    const std::string device = describe_device(pixels, i, layout);
    if (!finite) {
      return fmt::format(
          "the ICC profile turns device colour {} into a Lab that is not a number "
          "(L* {}, a* {}, b* {}): it is damaged",
          device, L, a, b);
    }
    return fmt::format(
        "the ICC profile turns device colour {} into L* {:.1f}, a* {:.1f}, b* "
        "{:.1f}, which no real profile does: it is damaged or made up",
        device, L, a, b);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> implausible_input_profile(cmsHPROFILE profile, cmsHTRANSFORM to_lab,
                                                     PixelLayout layout) {
  bool matrix_shaper = false;
  if (layout.channels == 3 && cmsIsMatrixShaper(profile)) {
    if (auto problem = implausible_matrix(profile))
      return problem;
    matrix_shaper = true;
  }
  return implausible_lab(to_lab, layout, matrix_shaper);
}

}  // namespace pigmatch::detail
