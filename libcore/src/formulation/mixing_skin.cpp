// The skin-layer model (epidermis over a dermal pigment layer over the dermis) and the smooth
// reconstruction of a reflectance from Lab (see docs/models.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "formulation/mixing_internal.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/mixing.h"

namespace pigmatch {

double melanin_absorption_per_cm(double wavelength_nm) noexcept {
  return 6.6e11 * std::pow(wavelength_nm, -3.33);
}

namespace {

constexpr double max_dermis_reflectance = 0.98;
constexpr double max_melanin_fraction = 0.5;

void check_skin_parameters(const SkinParameters& p) {
  const auto bad = [](const char* name, double value, const char* range) {
    return Error(ErrorCode::invalid_argument,
                 fmt::format("skin model parameter {} = {} is outside {}", name, value, range));
  };
  if (!(p.epidermis_thickness_um > 0 && p.epidermis_thickness_um <= 1000))
    throw bad("epidermis_thickness_um", p.epidermis_thickness_um, "(0, 1000] µm");
  if (!(p.pigment_load > 0 && p.pigment_load <= 100))
    throw bad("pigment_load", p.pigment_load, "(0, 100]");
  if (p.melanin_fraction && !(*p.melanin_fraction >= 0 && *p.melanin_fraction <= 1))
    throw bad("melanin_fraction", *p.melanin_fraction, "[0, 1]");
}

}  // namespace

SkinOptics skin_optics(const Spectrum& skin_reflectance, const SkinParameters& parameters) {
  check_skin_parameters(parameters);
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    const double r = skin_reflectance[i];
    if (!std::isfinite(r) || r <= 0 || r > 1) {
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("skin reflectance {} at {} nm is outside (0, 1]", r,
                              Spectrum::wavelength(i)));
    }
  }
  const double thickness_cm = parameters.epidermis_thickness_um * 1e-4;
  Spectrum internal, path;  // path: 2·d·μa(λ), the round trip per unit melanin fraction
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    internal[i] =
        std::max(saunderson_to_internal(skin_reflectance[i], parameters.saunderson), 1e-4);
    path[i] = 2 * thickness_cm * melanin_absorption_per_cm(Spectrum::wavelength(i));
  }
  double fraction = 0;
  if (parameters.melanin_fraction) {
    fraction = *parameters.melanin_fraction;
  } else {
    // −ln R = a + f·path over 620–720 nm, where blood absorbs little and melanin's slope shows
    // (the idea of Dawson's melanin index); a is the dermis, f the melanin fraction.
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      const double wl = Spectrum::wavelength(i);
      if (wl < 620 || wl > 720)
        continue;
      const double x = path[i], y = -std::log(internal[i]);
      sx += x, sy += y, sxx += x * x, sxy += x * y, n += 1;
    }
    fraction = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  }
  // No band's dermis may come out brighter than max_dermis_reflectance: that bounds f, and keeps
  // "no pigment gives the skin back" exact.
  double bound = max_melanin_fraction;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i)
    bound = std::min(bound, std::log(max_dermis_reflectance / internal[i]) / path[i]);
  fraction = std::clamp(fraction, 0.0, std::max(bound, 0.0));
  SkinOptics optics;
  optics.melanin_fraction = fraction;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    optics.epidermis_transmittance2[i] = std::exp(-fraction * path[i]);
    optics.dermis_reflectance[i] = std::min(internal[i] / optics.epidermis_transmittance2[i], 1.0);
  }
  return optics;
}

Spectrum skin_mix(std::span<const Colorant> colorants, MixSpan mix, const SkinOptics& optics,
                  const SkinParameters& parameters) {
  const auto [k, s] = detail::sum_mix_ks(colorants, mix, parameters.pigment_load);
  Spectrum out;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    const double below = km_layer_reflectance(k[i], s[i], optics.dermis_reflectance[i]);
    out[i] =
        saunderson_to_measured(optics.epidermis_transmittance2[i] * below, parameters.saunderson);
  }
  return out;
}

// ---- reflectance from Lab -------------------------------------------------------------------

namespace {

// Solves the square system a·x = b in place (Gaussian elimination, partial pivoting); false
// when singular.
bool solve(std::vector<double>& a, std::vector<double>& b, std::size_t n) {
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r) {
      if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col]))
        pivot = r;
    }
    if (std::abs(a[pivot * n + col]) < 1e-14)
      return false;
    if (pivot != col) {
      for (std::size_t c = 0; c < n; ++c)
        std::swap(a[pivot * n + c], a[col * n + c]);
      std::swap(b[pivot], b[col]);
    }
    for (std::size_t r = col + 1; r < n; ++r) {
      const double f = a[r * n + col] / a[col * n + col];
      if (f == 0)
        continue;
      for (std::size_t c = col; c < n; ++c)
        a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  for (std::size_t r = n; r-- > 0;) {
    double sum = b[r];
    for (std::size_t c = r + 1; c < n; ++c)
      sum -= a[r * n + c] * b[c];
    b[r] = sum / a[r * n + r];
  }
  return true;
}

}  // namespace

Spectrum reconstruct_reflectance(const Lab& lab_d50) {
  if (!std::isfinite(lab_d50.L) || !std::isfinite(lab_d50.a) || !std::isfinite(lab_d50.b) ||
      lab_d50.L < 0 || lab_d50.L > 100) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("cannot build a reflectance for Lab ({}, {}, {}): L must be 0–100 and "
                            "all values finite",
                            lab_d50.L, lab_d50.a, lab_d50.b));
  }
  constexpr std::size_t n = Spectrum::band_count;
  const WeightTable& w = weighting_table(Illuminant::d50, Observer::cie1931_2deg);
  const Xyz target = to_xyz(lab_d50, white_point(Illuminant::d50));
  // minimise Σ (R[i+1] − R[i])² + ε·Σ R[i]²  subject to  W·R = XYZ and R[i] = bound for the
  // bands pinned so far (a simple active set: pin the worst violation, solve again).
  constexpr double epsilon = 1e-6;
  std::vector<std::pair<std::size_t, double>> pinned;
  Spectrum result;
  for (std::size_t round = 0; round <= n; ++round) {
    const std::size_t m = 3 + pinned.size(), size = n + m;
    std::vector<double> a(size * size, 0.0), b(size, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      a[i * size + i] += 2 * epsilon;
      if (i + 1 < n) {
        a[i * size + i] += 2;
        a[(i + 1) * size + i + 1] += 2;
        a[i * size + i + 1] -= 2;
        a[(i + 1) * size + i] -= 2;
      }
    }
    const auto constrain = [&](std::size_t row, std::size_t band, double coefficient) {
      a[(n + row) * size + band] = coefficient;
      a[band * size + n + row] = coefficient;
    };
    for (std::size_t i = 0; i < n; ++i) {
      constrain(0, i, w.x[i]);
      constrain(1, i, w.y[i]);
      constrain(2, i, w.z[i]);
    }
    b[n] = target.X, b[n + 1] = target.Y, b[n + 2] = target.Z;
    for (std::size_t p = 0; p < pinned.size(); ++p) {
      constrain(3 + p, pinned[p].first, 1.0);
      b[n + 3 + p] = pinned[p].second;
    }
    if (!solve(a, b, size))
      break;  // over-constrained (an unreachable colour): keep the last, clamped
    std::size_t worst = n;
    double worst_excess = 1e-12;
    for (std::size_t i = 0; i < n; ++i) {
      result[i] = b[i];
      const double excess = std::max(-b[i], b[i] - 1.0);
      if (excess > worst_excess)
        worst = i, worst_excess = excess;
    }
    if (worst == n)
      break;
    pinned.emplace_back(worst, result[worst] < 0 ? 0.0 : 1.0);
  }
  for (std::size_t i = 0; i < n; ++i)
    result[i] = std::clamp(result[i], 0.0, 1.0);
  return result;
}

}  // namespace pigmatch
