// The Kubelka–Munk film the formulator evaluates in its inner loop, with analytic derivatives.
// Header-only: FilmModel::xyz must inline into its callers (see there).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include "formulation/formulation_types.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/mixing.h"

namespace pigmatch::formulation {

// Per band: the mix's K and S and the measured reflectance's derivatives by them.
struct BandSlopes {
  Spectrum::Values dk{}, ds{}, k{}, s{};
};

// A two-constant KM film over a substrate evaluated inline, with the analytic derivatives of its
// XYZ by concentration: the formulator's inner loop. Per band, K and S add up by concentration,
// Kubelka's layer (the same expression as km_layer_reflectance) and Saunderson give the
// measured reflectance, and the illuminant's weights sum it into XYZ; the chain rule through
// these replaces one finite-difference evaluation per pigment.
class FilmModel {
 public:
  FilmModel(const KmFilm& film, const WeightTable& weights) : film_(film), weights_(weights) {}

  // XYZ of the film with concentrations c[j] of pigments idx[j]; with `gradient`, also
  // ∂XYZ/∂c[j] for j < n; with `slopes`, the measured reflectance's derivatives by the mix's K
  // and S per band (what any further pigment's effect is computed from). Always inlined: GCC
  // otherwise stops inlining it into its three call shapes as this file grows, and the
  // specialised copies are 13 % fewer instructions per search (callgrind). Written as passes over
  // the bands with no calls or branches inside (but the one for exp), which the compiler
  // vectorises.
  [[gnu::always_inline]] Vec3 xyz(const std::size_t* idx, const double* c, std::size_t n,
                                  std::array<Vec3, max_subset>* gradient,
                                  BandSlopes* slopes = nullptr) const {
    constexpr std::size_t bands = Spectrum::band_count;
    const double k1 = film_.saunderson.k1, k2 = film_.saunderson.k2;
    const double gain = (1 - k1) * (1 - k2);
    BandSlopes local;
    BandSlopes& b = slopes != nullptr ? *slopes : local;
    b.k = {};
    b.s = {};
    for (std::size_t j = 0; j < n; ++j) {
      const Colorant& colorant = film_.colorants[idx[j]];
      for (std::size_t band = 0; band < bands; ++band) {
        b.k[band] += c[j] * colorant.k[band];
        b.s[band] += c[j] * colorant.s[band];
      }
    }
    Spectrum::Values beta{}, decay{}, measured{};
    for (std::size_t band = 0; band < bands; ++band)
      beta[band] = std::sqrt(b.k[band] * b.k[band] + 2 * b.k[band] * b.s[band]);
    // coth β from one exp (glibc's exp is several times faster than expm1 or tanh); below
    // β = 1e-3 a series replaces it, whose error (β⁴/45) is below 1e-13 there.
    for (std::size_t band = 0; band < bands; ++band)
      decay[band] = std::exp(-2 * std::max(beta[band], 1e-3));
    Spectrum::Values internal{}, den{}, h{};
    for (std::size_t band = 0; band < bands; ++band) {
      const double k = b.k[band], s = b.s[band], be = beta[band], rg = film_.background[band];
      // g = β·coth β; h = (dg/dβ)/β, so that ∂g/∂K = h·(K + S), ∂g/∂S = h·K. Both forms are
      // computed (the exact one at β ≥ 1e-3, where it is finite) and blended by a 0/1 weight:
      // no branch, so the loop vectorises.
      const double small = be < 1e-3 ? 1.0 : 0.0, bc = std::max(be, 1e-3);
      const double coth = (1 + decay[band]) / (1 - decay[band]);
      const double series_g = 1 + be * be * (1.0 / 3.0), exact_g = bc * coth;
      const double series_h = 2.0 / 3.0 - 2.0 / 15.0 * be * be;
      const double exact_h = (coth - bc * (coth * coth - 1)) / bc;
      const double g = exact_g + small * (series_g - exact_g);
      h[band] = exact_h + small * (series_h - exact_h);
      den[band] = s + k - rg * s + g;
      internal[band] = (s - rg * (s + k - g)) / den[band];
      measured[band] = k1 + gain * internal[band] / (1 - k2 * internal[band]);
    }
    if (gradient != nullptr || slopes != nullptr) {
      for (std::size_t band = 0; band < bands; ++band) {
        const double k = b.k[band], s = b.s[band], rg = film_.background[band];
        const double r = internal[band], denom = 1 - k2 * r;
        const double gk = h[band] * (k + s), gs = h[band] * k;
        const double dnum_dk = -rg * (1 - gk), dnum_ds = 1 - rg * (1 - gs);
        const double dden_dk = 1 + gk, dden_ds = 1 - rg + gs;
        const double dmeasured = gain / (denom * denom * den[band]);  // ∂measured/∂internal / den
        b.dk[band] = (dnum_dk - r * dden_dk) * dmeasured;
        b.ds[band] = (dnum_ds - r * dden_ds) * dmeasured;
      }
    }
    Vec3 out{};
    for (std::size_t band = 0; band < bands; ++band) {
      out[0] += weights_.x[band] * measured[band];
      out[1] += weights_.y[band] * measured[band];
      out[2] += weights_.z[band] * measured[band];
    }
    for (std::size_t j = 0; gradient != nullptr && j < n; ++j) {
      const Colorant& colorant = film_.colorants[idx[j]];
      Vec3 sum{};
      for (std::size_t band = 0; band < bands; ++band) {
        const double d = b.dk[band] * colorant.k[band] + b.ds[band] * colorant.s[band];
        sum[0] += weights_.x[band] * d;
        sum[1] += weights_.y[band] * d;
        sum[2] += weights_.z[band] * d;
      }
      (*gradient)[j] = sum;
    }
    return out;
  }

  const KmFilm& film() const { return film_; }

 private:
  const KmFilm& film_;
  const WeightTable& weights_;
};

}  // namespace pigmatch::formulation
