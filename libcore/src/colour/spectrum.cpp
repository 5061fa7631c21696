#include "pigmatch/colour/spectrum.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <string>

#include "colour/spectrum_tables.h"
#include "pigmatch/error.h"
#include "support/text.h"

namespace pigmatch {
namespace {

// libcore does not link {fmt} and GCC 12 has no std::format, so a stream prints the numbers.
std::string str(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

[[noreturn]] void throw_bad_spectrum(std::string_view source, const std::string& problem) {
  throw Error(ErrorCode::invalid_argument, "spectrum '" + std::string(source) + "': " + problem);
}

void check_samples(std::span<const double> wavelengths, std::span<const double> values,
                   std::string_view source, const ResampleOptions& options) {
  if (wavelengths.size() != values.size()) {
    throw_bad_spectrum(source, std::to_string(wavelengths.size()) + " wavelengths but " +
                                   std::to_string(values.size()) +
                                   " values; give one value per wavelength");
  }
  if (wavelengths.size() < 2) {
    throw_bad_spectrum(source, std::to_string(wavelengths.size()) +
                                   " sample(s); at least 2 are needed to cover 380–730 nm");
  }
  for (std::size_t i = 0; i < wavelengths.size(); ++i) {
    if (!std::isfinite(wavelengths[i]) || !std::isfinite(values[i])) {
      throw_bad_spectrum(source, "sample " + std::to_string(i + 1) + " (" + str(wavelengths[i]) +
                                     " nm = " + str(values[i]) +
                                     ") is not a finite number; check the data for NaN or "
                                     "empty fields");
    }
    if (i > 0 && !(wavelengths[i] > wavelengths[i - 1])) {
      throw_bad_spectrum(source, "wavelength " + str(wavelengths[i]) + " nm (sample " +
                                     std::to_string(i + 1) + ") does not follow " +
                                     str(wavelengths[i - 1]) +
                                     " nm; wavelengths must strictly increase");
    }
  }
  if (!std::isfinite(options.max_extrapolation_nm) || options.max_extrapolation_nm < 0) {
    throw_bad_spectrum(source, "max_extrapolation_nm = " + str(options.max_extrapolation_nm) +
                                   " must be a finite number >= 0");
  }
  const double first = wavelengths.front();
  const double last = wavelengths.back();
  if (first > Spectrum::first_wavelength_nm + options.max_extrapolation_nm ||
      last < Spectrum::last_wavelength_nm - options.max_extrapolation_nm) {
    throw_bad_spectrum(source, "the data covers " + str(first) + "–" + str(last) +
                                   " nm but 380–730 nm is needed (allowed shortfall " +
                                   str(options.max_extrapolation_nm) +
                                   " nm at each end); measure the full range");
  }
}

// Linear interpolation at `nm`; ends held (the caller has bounded how far).
double interpolate(std::span<const double> wavelengths, std::span<const double> values,
                   double nm) noexcept {
  if (nm <= wavelengths.front())
    return values.front();
  if (nm >= wavelengths.back())
    return values.back();
  const auto upper = std::upper_bound(wavelengths.begin(), wavelengths.end(), nm);
  const auto hi = static_cast<std::size_t>(upper - wavelengths.begin());
  const std::size_t lo = hi - 1;
  const double t = (nm - wavelengths[lo]) / (wavelengths[hi] - wavelengths[lo]);
  return values[lo] + t * (values[hi] - values[lo]);
}

constexpr std::array kIlluminants{Illuminant::d50, Illuminant::d65, Illuminant::a, Illuminant::f2,
                                  Illuminant::f11};
constexpr std::array kObservers{Observer::cie1931_2deg, Observer::cie1964_10deg};

}  // namespace

Spectrum resample(std::span<const double> wavelengths_nm, std::span<const double> values,
                  std::string_view source, const ResampleOptions& options) {
  check_samples(wavelengths_nm, values, source, options);
  Spectrum out;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    out[i] = interpolate(wavelengths_nm, values, Spectrum::wavelength(i));
  }
  return out;
}

std::string_view to_string(Observer observer) noexcept {
  switch (observer) {
    case Observer::cie1931_2deg:
      return "2deg";
    case Observer::cie1964_10deg:
      return "10deg";
  }
  return "unknown";
}

std::string_view to_string(Illuminant illuminant) noexcept {
  switch (illuminant) {
    case Illuminant::d50:
      return "D50";
    case Illuminant::d65:
      return "D65";
    case Illuminant::a:
      return "A";
    case Illuminant::f2:
      return "F2";
    case Illuminant::f11:
      return "F11";
  }
  return "unknown";
}

Observer parse_observer(std::string_view name) {
  const std::string key = detail::lowercase(name);
  if (key == "2" || key == "2deg")
    return Observer::cie1931_2deg;
  if (key == "10" || key == "10deg")
    return Observer::cie1964_10deg;
  throw Error(ErrorCode::invalid_argument, "unknown observer '" + std::string(name) +
                                               "'; use 2deg (CIE 1931) or 10deg (CIE 1964)");
}

Illuminant parse_illuminant(std::string_view name) {
  const std::string key = detail::lowercase(name);
  for (const Illuminant illuminant : kIlluminants) {
    if (key == detail::lowercase(to_string(illuminant)))
      return illuminant;
  }
  throw Error(ErrorCode::invalid_argument,
              "unknown illuminant '" + std::string(name) + "'; use one of D50, D65, A, F2, F11");
}

const WeightTable& weighting_table(Illuminant illuminant, Observer observer) noexcept {
  return detail::kWeightTables[static_cast<std::size_t>(observer)]
                              [static_cast<std::size_t>(illuminant)];
}

Xyz to_xyz(const Spectrum& reflectance, Illuminant illuminant, Observer observer) noexcept {
  return to_xyz(reflectance, weighting_table(illuminant, observer));
}

Xyz white_point(Illuminant illuminant, Observer observer) noexcept {
  // Summed from the same weights as to_xyz(), so the perfect diffuser is exactly L* = 100,
  // a* = b* = 0; computed once, immutable afterwards.
  static const auto whites = [] {
    std::array<std::array<Xyz, detail::kIlluminantCount>, detail::kObserverCount> out{};
    for (const Observer o : kObservers) {
      for (const Illuminant i : kIlluminants) {
        out[static_cast<std::size_t>(o)][static_cast<std::size_t>(i)] =
            to_xyz(Spectrum::constant(1.0), weighting_table(i, o));
      }
    }
    return out;
  }();
  return whites[static_cast<std::size_t>(observer)][static_cast<std::size_t>(illuminant)];
}

Lab to_lab(const Spectrum& reflectance, Illuminant illuminant, Observer observer) noexcept {
  return to_lab(to_xyz(reflectance, illuminant, observer), white_point(illuminant, observer));
}

}  // namespace pigmatch
