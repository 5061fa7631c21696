// A random recipe of whole drops for recovery tests: the formulator is asked for its colour and
// must give it back. Test support only.
#pragma once

#include <cstddef>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace pigmatch::test {

/// `n` distinct pigments of the first `pigments`, each at least one drop, `total` drops in all at
/// most (the rest diluent), as (pigment index, drops) in index order.
inline std::vector<std::pair<std::size_t, int>> random_recipe(std::mt19937& random, int n,
                                                              std::size_t pigments,
                                                              int total = 20) {
  std::set<std::size_t> chosen;
  while (static_cast<int>(chosen.size()) < n)
    chosen.insert(std::uniform_int_distribution<std::size_t>(0, pigments - 1)(random));
  std::vector<std::pair<std::size_t, int>> drops;
  int left = total;
  for (const std::size_t p : chosen) {
    const int others = n - static_cast<int>(drops.size()) - 1;
    const int d = std::uniform_int_distribution<int>(1, left - others - (others > 0))(random);
    drops.emplace_back(p, d);
    left -= d;
  }
  return drops;
}

}  // namespace pigmatch::test
