// Synthetic pigment catalogs for formulation tests and benchmarks: pigments given by smooth
// absorption K(λ) and scattering S(λ) spectra drawn from a seeded generator (no file, no
// measurement: the catalog is the ground truth the formulator must find again).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/catalog.h"

namespace pigmatch::test {

/// `count` pigments plus a diluent. Each pigment absorbs through one or two bands (Gaussians of
/// random centre, width and depth) and/or a logistic edge over a weak flat floor, and scatters
/// with a power law S = s0·(λ/550)^(−p); a few are white-like scatterers or near-black.
inline Catalog synthetic_catalog(std::size_t count, std::uint32_t seed = 1) {
  std::mt19937 random(seed);
  const auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(random);
  };
  Catalog catalog;
  catalog.id = "synthetic";
  catalog.vendor = "Test";
  catalog.name = "Synthetic K/S catalog";
  catalog.source = "synthetic_catalog()";
  for (std::size_t n = 0; n < count; ++n) {
    Pigment p;
    p.code = "P" + std::to_string(n);
    p.name = "Synthetic " + std::to_string(n);
    p.line = n % 2 == 0 ? "Even" : "Odd";
    p.drop_volume_ml = 0.05;
    p.price = Price{10 + static_cast<double>(n % 7), "EUR", 10};
    if (n % 3 != 2)
      p.compliance = {"EU REACH 2020/2081"};
    const int kind = static_cast<int>(n % 10);
    const double floor = uniform(0.01, 0.08);
    const double c1 = uniform(400, 700), w1 = uniform(25, 80), d1 = uniform(0.5, 6);
    const double c2 = uniform(400, 700), w2 = uniform(25, 80), d2 = kind % 2 ? uniform(0.3, 3) : 0;
    const double edge = uniform(430, 650), edge_depth = kind % 3 == 0 ? uniform(1, 6) : 0;
    const double s0 = kind == 9 ? uniform(2, 6) : uniform(0.1, 1.5), power = uniform(0.5, 2);
    const double black = kind == 8 ? uniform(2, 8) : 0;
    Spectrum k, s;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      const double wl = Spectrum::wavelength(i);
      double value = floor + black;
      if (kind != 9) {
        value += d1 * std::exp(-0.5 * std::pow((wl - c1) / w1, 2)) +
                 d2 * std::exp(-0.5 * std::pow((wl - c2) / w2, 2)) +
                 edge_depth / (1 + std::exp((wl - edge) / 12));
      }
      k[i] = value;
      s[i] = s0 * std::pow(wl / 550, -power);
    }
    p.k = k;
    p.s = s;
    catalog.pigments.push_back(std::move(p));
  }
  Pigment diluent;
  diluent.code = "DIL";
  diluent.name = "Diluent";
  diluent.line = "Even";
  diluent.drop_volume_ml = 0.05;
  diluent.is_diluent = true;
  diluent.compliance = {"EU REACH 2020/2081"};
  catalog.pigments.push_back(std::move(diluent));
  return catalog;
}

}  // namespace pigmatch::test
