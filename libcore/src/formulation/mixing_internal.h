// Pieces shared by the KM and skin mixing models (mixing.cpp, mixing_skin.cpp).
#pragma once

#include <span>

#include "pigmatch/formulation/mixing.h"

namespace pigmatch::detail {

/// Absorption and scattering of a mix, per band.
struct MixKs {
  Spectrum::Values k{};
  Spectrum::Values s{};
};

/// Σ scale·cᵢ·Kᵢ and Σ scale·cᵢ·Sᵢ over the pigments of `mix`; the diluent adds nothing.
/// `scale` is the layer's pigment load (1 for a catalog drawdown film).
inline MixKs sum_mix_ks(std::span<const Colorant> colorants, MixSpan mix,
                        double scale = 1.0) noexcept {
  MixKs sum;
  for (std::size_t j = 0; j < mix.pigments.size(); ++j) {
    const Colorant& colorant = colorants[mix.pigments[j]];
    const double c = mix.concentrations[j] * scale;
    if (colorant.is_diluent || c == 0)
      continue;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      sum.k[i] += c * colorant.k[i];
      sum.s[i] += c * colorant.s[i];
    }
  }
  return sum;
}

}  // namespace pigmatch::detail
