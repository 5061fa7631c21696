// The formulator's private vocabulary, shared by its parts (formulate.cpp, formulation_*.cpp):
// a subset of the pigment pool, concentrations, a residual, a candidate for quantising.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace pigmatch::formulation {

constexpr std::size_t max_subset = 4;
using Vec3 = std::array<double, 3>;
using Values = std::array<double, max_subset>;

inline double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

inline double norm(const Vec3& r) {
  return std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
}

// Pigments of the pool (indices, ascending).
struct Subset {
  std::array<std::size_t, max_subset> pigments{};
  std::size_t size = 0;
};

// A subset's continuous optimum, handed from the search to the quantiser.
struct Candidate {
  Subset subset;
  Values x{};
  double error = 0;
};

}  // namespace pigmatch::formulation
