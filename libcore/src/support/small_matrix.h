// Small dense matrices (a handful of unknowns): inversion by Gauss–Jordan elimination with
// partial pivoting. Private to libcore.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

namespace pigmatch::detail {

template <std::size_t N>
using SquareMatrix = std::array<std::array<double, N>, N>;

/// Inverts the leading n×n block of `a` (n ≤ N) into `inverse`; false when a pivot falls under
/// `tiny` (the block is singular to working precision).
template <std::size_t N>
bool invert_leading(SquareMatrix<N> a, std::size_t n, SquareMatrix<N>& inverse,
                    double tiny = 1e-12) {
  inverse = {};
  for (std::size_t i = 0; i < n; ++i)
    inverse[i][i] = 1;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r) {
      if (std::abs(a[r][col]) > std::abs(a[pivot][col]))
        pivot = r;
    }
    if (std::abs(a[pivot][col]) < tiny)
      return false;
    std::swap(a[pivot], a[col]);
    std::swap(inverse[pivot], inverse[col]);
    const double p = a[col][col];
    for (std::size_t k = 0; k < n; ++k) {
      a[col][k] /= p;
      inverse[col][k] /= p;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (r == col)
        continue;
      const double f = a[r][col];
      for (std::size_t k = 0; k < n; ++k) {
        a[r][k] -= f * a[col][k];
        inverse[r][k] -= f * inverse[col][k];
      }
    }
  }
  return true;
}

}  // namespace pigmatch::detail
