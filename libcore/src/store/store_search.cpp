// The Lab box that holds every colour within a CIEDE2000 distance: what lets `formula search
// --near` read a few candidates from an index and compute exact ΔE00 only on those.
#include <cmath>

#include "pigmatch/error.h"
#include "pigmatch/store/store.h"

namespace pigmatch::store {

// Bounds from the CIEDE2000 formula (Sharma, Wu & Dalal 2005), for ΔE00(q, p) ≤ X:
//  - Lightness: ΔE00 ≥ |ΔL|/S_L and S_L = 1 + 0.015(L̄−50)²/√(20+(L̄−50)²) ≤ 1.747 for
//    0 ≤ L̄ ≤ 100, so |ΔL| ≤ 1.75·X.
//  - The rotation term: ΔE00² = x² + y² + R_T·x·y with x = ΔC'/S_C, y = ΔH'/S_H and
//    |R_T| = |sin(2Δθ)|·R_C ≤ sin 60°·2 = √3, so ΔE00² ≥ (1 − √3/2)(x² + y²) and
//    √(x² + y²) ≤ X/√0.134 < 2.74·X =: k; each of |ΔC'|/S_C and |ΔH'|/S_H is ≤ k.
//  - S_C = 1 + 0.045·C̄' and S_H = 1 + 0.015·C̄'·T with T ≤ 1.93 (its four cosine terms at
//    their worst), and C̄' ≤ C'_q + ΔC'/2 with C'_q ≤ 1.5·C*_q (a' = (1+G)a, G ≤ 0.5). Solving
//    ΔC' ≤ k(1 + 0.045(C'_q + ΔC'/2)) gives ΔC' ≤ k(1 + 0.045 C'_q)/(1 − 0.0225k), which needs
//    k < 44 (X < 16); then ΔH' ≤ k(1 + 0.029(C'_q + ΔC'/2)).
//  - The distance in the a'b' plane is √(ΔC'² + ΔH'²) (ΔH' is the chord), and a' = (1+G)a with
//    the same G for both colours, so |Δa| ≤ |Δa'| and |Δb| = |Δb'| are within it too.
LabBox lab_box_for_delta_e00(const Lab& center, double max_delta_e00) {
  if (!(max_delta_e00 > 0 && max_delta_e00 <= 10)) {
    throw Error(ErrorCode::invalid_argument, "the search radius must be a ΔE00 in (0, 10]");
  }
  const double k = 2.74 * max_delta_e00;
  const double chroma_q = 1.5 * std::hypot(center.a, center.b);
  const double delta_c = k * (1 + 0.045 * chroma_q) / (1 - 0.0225 * k);
  const double delta_h = k * (1 + 0.029 * (chroma_q + delta_c / 2));
  const double ab = std::hypot(delta_c, delta_h);
  const double dl = 1.75 * max_delta_e00;
  return {center.L - dl, center.L + dl, center.a - ab, center.a + ab, center.b - ab, center.b + ab};
}

}  // namespace pigmatch::store
