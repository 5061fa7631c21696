// tone_curves.h — a camera's tone curve per channel, read from the chart's neutral patches.
//
// A photo without a profile is not always sRGB: a machine-vision camera or a raw file developed
// without a curve stores linear values, and a camera's or phone's JPEG engine puts an S-shaped
// curve of its own on top of sRGB. The chart's neutral row says how each channel's device values
// grow with light: a grey patch of luminance Y gives device value dᶜ in channel c, so a monotone
// curve through the points (dᶜ, Y) linearises that channel, up to a gain the colour fit absorbs.
// This is how ICC input profiles are built (shaper + matrix).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pigmatch::detail {

/// A neutral patch as photographed: its device values (0–1) and the luminance Y (0–1) of its
/// reference.
struct NeutralSample {
  std::array<double, 3> device{};
  double luminance = 0;
};

/// Entries of each tabulated curve (as written to the ICC profile's TRC tags).
inline constexpr std::size_t tone_curve_entries = 4096;

/// Per channel, a table of `tone_curve_entries` 16-bit values: device value i/(entries − 1) →
/// linear value, 0 → 0 and 1 → 65535. Through the neutrals the curve is a monotone cubic
/// (Fritsch–Carlson) in log device against log luminance; beyond them it continues the end
/// segments' power law. nullopt when fewer than 4 neutrals are given, or in some channel the
/// device values do not rise strictly with the luminance (the neutrals are not where the chart
/// says, or the photo is not of a chart).
std::optional<std::array<std::vector<std::uint16_t>, 3>> fit_neutral_tone_curves(
    std::span<const NeutralSample> neutrals);

}  // namespace pigmatch::detail
