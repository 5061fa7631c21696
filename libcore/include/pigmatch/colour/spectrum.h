// pigmatch/colour/spectrum.h — spectra on the spectrophotometer grid (380–730 nm at 10 nm), the CIE
// standard observers and illuminants, and reflectance → XYZ → Lab.
//
// Method. Tristimulus values are weighted sums over the 36 bands, X = Σ_i W_x,i · R_i (same
// for Y, Z), with weighting factors in the style of ASTM E308 Table 5 / ASTM E2022 for
// bandpass-corrected 10 nm data:
//
//   W_i = k · Σ_λ S(λ) · cmf(λ) · L_i(λ),  λ = 360…830 nm at 1 nm,  k = 1 / Σ_λ S(λ) · ȳ(λ)
//
// where S is the illuminant, cmf a CIE colour-matching function, and L_i the kernel that
// rebuilds a 1 nm reflectance from the 10 nm samples (cubic Lagrange through the four nearest
// samples, quadratic in the first and last interval, end samples held constant outside
// 380–730 nm so the tails fold into the end bands). The weights come from the CIE's official
// 1 nm tables and are built into the library (src/spectrum_tables.cpp). A perfect diffuser
// gives Y = 1 and the illuminant's 1 nm white point.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "pigmatch/colour/color.h"

namespace pigmatch {

/// A spectral quantity (reflectance 0–1, or K/S, an SPD…) at 380, 390, …, 730 nm.
class Spectrum {
 public:
  static constexpr std::size_t band_count = 36;
  static constexpr double first_wavelength_nm = 380.0;
  static constexpr double last_wavelength_nm = 730.0;
  static constexpr double step_nm = 10.0;
  using Values = std::array<double, band_count>;

  /// All bands zero.
  constexpr Spectrum() noexcept = default;
  /// The bands in wavelength order, values[0] at 380 nm; not checked (see resample()).
  constexpr explicit Spectrum(const Values& values) noexcept : values_(values) {}
  /// Every band equal to `value` (1 is the perfect diffuser).
  static constexpr Spectrum constant(double value) noexcept {
    Values values{};
    values.fill(value);
    return Spectrum(values);
  }

  /// The wavelength in nm of band `index` (0 → 380 nm, 35 → 730 nm).
  static constexpr double wavelength(std::size_t index) noexcept {
    return first_wavelength_nm + step_nm * static_cast<double>(index);
  }

  constexpr const Values& values() const noexcept { return values_; }
  constexpr double operator[](std::size_t index) const noexcept { return values_[index]; }
  constexpr double& operator[](std::size_t index) noexcept { return values_[index]; }

  friend constexpr bool operator==(const Spectrum&, const Spectrum&) = default;

 private:
  Values values_{};
};

/// Options of resample().
struct ResampleOptions {
  /// How far (nm) the samples may fall short of 380 or 730 nm; the missing end bands then take
  /// the nearest sample's value (e.g. 10 for data that starts at 390 nm). 0: must cover.
  double max_extrapolation_nm = 0.0;
};

/// Resamples measured (wavelength nm, value) pairs onto the 10 nm grid by linear interpolation
/// (a spectrophotometer's values are point samples at their wavelengths). Throws pigmatch::Error
/// (invalid_argument) naming `source` when the lengths differ, there are fewer than 2 samples,
/// a number is NaN or infinite, the wavelengths do not strictly increase, or they do not cover
/// 380–730 nm (within options.max_extrapolation_nm).
Spectrum resample(std::span<const double> wavelengths_nm, std::span<const double> values,
                  std::string_view source = "spectrum", const ResampleOptions& options = {});

/// CIE standard colorimetric observers.
enum class Observer { cie1931_2deg, cie1964_10deg };

/// CIE illuminants: D50 (ICC PCS, graphic arts), D65 (daylight), A (incandescent), F2 (cool
/// white fluorescent), F11 (narrow-band tri-phosphor fluorescent, TL84-like).
enum class Illuminant { d50, d65, a, f2, f11 };

/// Short stable names: "2deg"/"10deg" and "D50", "D65", "A", "F2", "F11".
std::string_view to_string(Observer observer) noexcept;
std::string_view to_string(Illuminant illuminant) noexcept;
/// Parses the names above (case-insensitive; "2"/"10" also accepted for observers). Throws
/// pigmatch::Error (invalid_argument) listing the accepted names.
Observer parse_observer(std::string_view name);
Illuminant parse_illuminant(std::string_view name);

/// Tristimulus weighting factors for one illuminant/observer pair (see the top of this file);
/// x[i]·R[i] summed over the bands is X with Y = 1 for the perfect diffuser.
struct WeightTable {
  Spectrum::Values x{}, y{}, z{};
};

/// The built-in weighting table; a reference to static data, valid for the program's life.
const WeightTable& weighting_table(Illuminant illuminant, Observer observer) noexcept;

/// XYZ (Y = 1 for the perfect diffuser) of `reflectance` with precomputed weights: three dot
/// products, no allocation — the inner loop of formulation.
inline Xyz to_xyz(const Spectrum& reflectance, const WeightTable& weights) noexcept {
  Xyz xyz;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    xyz.X += weights.x[i] * reflectance[i];
    xyz.Y += weights.y[i] * reflectance[i];
    xyz.Z += weights.z[i] * reflectance[i];
  }
  return xyz;
}

/// XYZ of a reflectance under `illuminant` for `observer` (default D50/2°, the ICC PCS).
Xyz to_xyz(const Spectrum& reflectance, Illuminant illuminant = Illuminant::d50,
           Observer observer = Observer::cie1931_2deg) noexcept;

/// The white point (the perfect diffuser's XYZ, Y = 1) of `illuminant` for `observer`.
Xyz white_point(Illuminant illuminant, Observer observer = Observer::cie1931_2deg) noexcept;

/// CIELAB of a reflectance, relative to that illuminant/observer's own white_point().
Lab to_lab(const Spectrum& reflectance, Illuminant illuminant = Illuminant::d50,
           Observer observer = Observer::cie1931_2deg) noexcept;

}  // namespace pigmatch
