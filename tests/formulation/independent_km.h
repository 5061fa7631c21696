// Two-constant Kubelka–Munk written out independently of libcore (Kubelka 1948's hyperbolic
// form with a = 1 + K/S, b = √(a² − 1); Saunderson 1942 with k1 = 0.04, k2 = 0.6): the forward
// model that makes test targets and readings.
#pragma once

#include <cmath>
#include <cstddef>

namespace pigmatch::test {

inline double independent_layer(double k, double s, double rg) {
  if (k == 0 && s == 0)
    return rg;
  if (s == 0)
    return rg * std::exp(-2 * k);
  const double a = 1 + k / s, b = std::sqrt(a * a - 1), coth = 1 / std::tanh(b * s);
  return (1 - rg * (a - b * coth)) / (a - rg + b * coth);
}

/// Measured reflectance of a film with absorption k and scattering s over a card whose measured
/// reflectance is `card`.
inline double independent_film(double k, double s, double card) {
  const double k1 = 0.04, k2 = 0.6;
  const double rg = (card - k1) / ((1 - k1) * (1 - k2) + k2 * (card - k1));
  const double r = independent_layer(k, s, rg);
  return k1 + (1 - k1) * (1 - k2) * r / (1 - k2 * r);
}

}  // namespace pigmatch::test
