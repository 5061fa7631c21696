#include "pigmatch/regions/skintone.h"

#include <cmath>
#include <numbers>

#include "pigmatch/colour/spectrum.h"

namespace pigmatch {
namespace {

constexpr double degrees_per_radian = 180.0 / std::numbers::pi;

// The sRGB (IEC 61966-2.1) decoding of one 8-bit channel to linear light.
double srgb_to_linear(int code) noexcept {
  const double v = code / 255.0;
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

// sRGB → XYZ D65 with the IEC 61966-2.1 matrix, then Bradford to D50: what an ICC sRGB profile
// (and Little CMS's built-in one) does under relative colorimetry.
Lab srgb8_to_lab_d50(const std::array<int, 3>& rgb) noexcept {
  const double r = srgb_to_linear(rgb[0]);
  const double g = srgb_to_linear(rgb[1]);
  const double b = srgb_to_linear(rgb[2]);
  const Xyz d65{0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
                0.0193 * r + 0.1192 * g + 0.9505 * b};
  return to_lab(adapt_bradford(d65, white::d65, white::d50), white::d50);
}

MonkTone make_tone(int index, std::string_view hex, std::array<int, 3> rgb) noexcept {
  return {index, hex, rgb, srgb8_to_lab_d50(rgb)};
}

}  // namespace

Lab lab_d65_10deg_from_d50(const Lab& lab_d50) noexcept {
  const Xyz white_d65_10 = white_point(Illuminant::d65, Observer::cie1964_10deg);
  const Xyz xyz_d50 = to_xyz(lab_d50, white::d50);
  return to_lab(adapt_bradford(xyz_d50, white::d50, white_d65_10), white_d65_10);
}

double ita_degrees_d65_10(const Lab& lab) noexcept {
  return std::atan2(lab.L - 50.0, lab.b) * degrees_per_radian;
}

double ita_degrees(const Lab& lab_d50) noexcept {
  return ita_degrees_d65_10(lab_d65_10deg_from_d50(lab_d50));
}

std::string_view to_string(ItaClass ita_class) noexcept {
  switch (ita_class) {
    case ItaClass::very_light:
      return "very light";
    case ItaClass::light:
      return "light";
    case ItaClass::intermediate:
      return "intermediate";
    case ItaClass::tan:
      return "tan";
    case ItaClass::brown:
      return "brown";
    case ItaClass::dark:
      return "dark";
  }
  return "unknown";
}

ItaClass classify_ita(double ita) noexcept {
  if (ita > 55.0)
    return ItaClass::very_light;
  if (ita > 41.0)
    return ItaClass::light;
  if (ita > 28.0)
    return ItaClass::intermediate;
  if (ita > 10.0)
    return ItaClass::tan;
  if (ita > -30.0)
    return ItaClass::brown;
  return ItaClass::dark;
}

const std::array<MonkTone, 10>& monk_scale() noexcept {
  // The Monk Skin Tone Scale, Dr. Ellis Monk / Google (skintone.google), CC BY 4.0: the ten
  // published sRGB values. The Lab values are derived from them, not published.
  static const std::array<MonkTone, 10> scale = {
      make_tone(1, "#f6ede4", {246, 237, 228}), make_tone(2, "#f3e7db", {243, 231, 219}),
      make_tone(3, "#f7ead0", {247, 234, 208}), make_tone(4, "#eadaba", {234, 218, 186}),
      make_tone(5, "#d7bd96", {215, 189, 150}), make_tone(6, "#a07e56", {160, 126, 86}),
      make_tone(7, "#825c43", {130, 92, 67}),   make_tone(8, "#604134", {96, 65, 52}),
      make_tone(9, "#3a312a", {58, 49, 42}),    make_tone(10, "#292420", {41, 36, 32}),
  };
  return scale;
}

MonkMatch nearest_monk(const Lab& lab_d50) noexcept {
  MonkMatch best{0, INFINITY};
  for (const MonkTone& tone : monk_scale()) {
    const double de = delta_e2000(lab_d50, tone.lab_d50);
    if (de < best.de00)
      best = {tone.index, de};
  }
  return best;
}

std::string_view fitzpatrick_estimate(ItaClass ita_class) noexcept {
  switch (ita_class) {
    case ItaClass::very_light:
      return "I (estimate from ITA)";
    case ItaClass::light:
      return "II (estimate from ITA)";
    case ItaClass::intermediate:
      return "III (estimate from ITA)";
    case ItaClass::tan:
      return "IV (estimate from ITA)";
    case ItaClass::brown:
      return "V (estimate from ITA)";
    case ItaClass::dark:
      return "VI (estimate from ITA)";
  }
  return "unknown";
}

std::string_view to_string(Undertone undertone) noexcept {
  switch (undertone) {
    case Undertone::cool:
      return "cool";
    case Undertone::neutral:
      return "neutral";
    case Undertone::warm:
      return "warm";
  }
  return "unknown";
}

Undertone undertone(const Lab& lab_d50) noexcept {
  const Lch lch = to_lch(lab_d50);
  if (lch.C < 4.0)
    return Undertone::neutral;
  // Hues past 180° (green-blue through purple-pink) are never yellow, so they count as cool.
  if (lch.h < undertone_threshold::cool_below_deg || lch.h > 180.0)
    return Undertone::cool;
  if (lch.h > undertone_threshold::warm_above_deg)
    return Undertone::warm;
  return Undertone::neutral;
}

SkinTone assess_skin_tone(const Lab& lab_d50) noexcept {
  SkinTone tone;
  tone.ita = ita_degrees(lab_d50);
  tone.ita_class = classify_ita(tone.ita);
  tone.monk = nearest_monk(lab_d50);
  tone.fitzpatrick_estimate = fitzpatrick_estimate(tone.ita_class);
  tone.undertone = undertone(lab_d50);
  tone.hue_deg = to_lch(lab_d50).h;
  return tone;
}

}  // namespace pigmatch
