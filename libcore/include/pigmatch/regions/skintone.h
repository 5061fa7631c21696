// pigmatch/regions/skintone.h — skin-tone descriptors of a measured skin colour: the Individual
// Typology Angle and its six classes, the nearest Monk Skin Tone, a Fitzpatrick estimate and the
// undertone.
//
// Every function takes CIELAB D50/2° (the ICC PCS, what a calibrated photo gives).
//
// ITA is defined on CIELAB under D65 for the 10° observer (Chardon et al. 1991; Del Bino et al.
// 2006), so pigmatch converts: Lab D50 → XYZ D50 (ICC white 0.9642, 1, 0.8249) → Bradford
// adaptation to the D65 white of the CIE 1964 10° observer (white_point(Illuminant::d65,
// Observer::cie1964_10deg), from spectrum.h) → Lab relative to that white. Without a spectrum
// the change of observer cannot be exact; adapting to the 10° white is the standard
// approximation (it moves b* by well under one unit for skin colours).
#pragma once

#include <array>
#include <string_view>

#include "pigmatch/colour/color.h"

namespace pigmatch {

/// Lab D50/2° → Lab D65/10° as described at the top of this file.
Lab lab_d65_10deg_from_d50(const Lab& lab_d50) noexcept;

/// ITA° = atan((L* − 50) / b*) · 180/π of Lab D65/10° values, computed as atan2(L* − 50, b*) so
/// that it stays continuous when b* ≤ 0 (then |ITA| ≥ 90°, which real skin never reaches).
double ita_degrees_d65_10(const Lab& lab_d65_10) noexcept;

/// ITA° of a Lab D50 colour (converted with lab_d65_10deg_from_d50()).
double ita_degrees(const Lab& lab_d50) noexcept;

/// The six ITA classes (Del Bino et al. 2006).
enum class ItaClass {
  very_light,    ///< ITA > 55°
  light,         ///< 41° < ITA ≤ 55°
  intermediate,  ///< 28° < ITA ≤ 41°
  tan,           ///< 10° < ITA ≤ 28°
  brown,         ///< −30° < ITA ≤ 10°
  dark,          ///< ITA ≤ −30°
};

/// "very light", "light", "intermediate", "tan", "brown", "dark".
std::string_view to_string(ItaClass ita_class) noexcept;

/// The class of an ITA value; a value on a boundary belongs to the darker class.
ItaClass classify_ita(double ita_degrees) noexcept;

/// One tone of the Monk Skin Tone scale (Ellis Monk / Google, skintone.google, CC BY 4.0).
struct MonkTone {
  int index = 0;              ///< 1 (lightest) … 10 (darkest)
  std::string_view hex;       ///< the published sRGB value, e.g. "#f6ede4"
  std::array<int, 3> srgb{};  ///< the same as 8-bit R, G, B
  Lab lab_d50;                ///< its CIELAB D50 (sRGB IEC 61966-2.1 with the ICC D50 adaptation)
};

/// The ten Monk Skin Tones, lightest first.
const std::array<MonkTone, 10>& monk_scale() noexcept;

struct MonkMatch {
  int index = 0;    ///< 1–10
  double de00 = 0;  ///< ΔE00 from the measured colour to that tone
};

/// The Monk tone nearest to `lab_d50` by CIEDE2000.
MonkMatch nearest_monk(const Lab& lab_d50) noexcept;

/// A Fitzpatrick phototype *estimate* from the ITA class, never a diagnosis: Fitzpatrick types
/// describe the skin's reaction to sun, which colour alone cannot measure. Mapping (after Del
/// Bino & Bernerd 2013's correspondence of ITA groups with phototypes): very light → I,
/// light → II, intermediate → III, tan → IV, brown → V, dark → VI. Returns e.g.
/// "III (estimate from ITA)".
std::string_view fitzpatrick_estimate(ItaClass ita_class) noexcept;

enum class Undertone { cool, neutral, warm };

/// "cool", "neutral", "warm".
std::string_view to_string(Undertone undertone) noexcept;

/// Undertone thresholds on the hue angle h_ab (degrees, Lab D50): lower hues are pinker (cool),
/// higher ones more yellow (warm). Measured skin spans about 38°–58° (the 16 skins of Vrhel et
/// al. 1994 under D50: median ≈ 47°); the cut-offs split that range in three. They are
/// pigmatch's documented choice, not a published standard.
namespace undertone_threshold {
inline constexpr double cool_below_deg = 45.0;  ///< h_ab < 45° (or > 180°): cool (pink, red)
inline constexpr double warm_above_deg = 55.0;  ///< 55° < h_ab ≤ 180°: warm (yellow, golden)
}  // namespace undertone_threshold

/// Undertone from h_ab of Lab D50 (see undertone_threshold); a colour with C*ab < 4 is too grey
/// to have one and is called neutral.
Undertone undertone(const Lab& lab_d50) noexcept;

/// Everything above for one skin colour.
struct SkinTone {
  double ita = 0;  ///< ITA°, D65/10°
  ItaClass ita_class = ItaClass::intermediate;
  MonkMatch monk;
  std::string_view fitzpatrick_estimate;  ///< e.g. "III (estimate from ITA)"
  Undertone undertone = Undertone::neutral;
  double hue_deg = 0;  ///< h_ab of the Lab D50 value
};

/// Describes the skin tone of `lab_d50`.
SkinTone assess_skin_tone(const Lab& lab_d50) noexcept;

}  // namespace pigmatch
