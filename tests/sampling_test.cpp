#include "pigmatch/sampling.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "pigmatch/error.h"


TEST_CASE("summarize_lab gives mean, median and population standard deviation per channel") {
  // L: 10, 20, 30, 100 → mean 40, median 25, sd sqrt(((30²+20²+10²+60²)/4)) = sqrt(1250)
  const std::vector<float> lab = {10, 1, -4, 20, 2, -3, 30, 3, -2, 100, 4, -1};
  const auto stats = pigmatch::summarize_lab(lab);
  CHECK(stats.pixels == 4);
  CHECK(stats.mean.L == Approx(40));
  CHECK(stats.median.L == Approx(25));
  CHECK(stats.stddev.L == Approx(std::sqrt(1250.0)));
  CHECK(stats.mean.a == Approx(2.5));
  CHECK(stats.median.b == Approx(-2.5));
}

TEST_CASE("summarize_lab's median resists an outlier that drags the mean") {
  std::vector<float> lab;
  for (int i = 0; i < 99; ++i) lab.insert(lab.end(), {50.0F, 10.0F, 20.0F});
  lab.insert(lab.end(), {100.0F, 0.0F, 0.0F});  // one specular highlight
  const auto stats = pigmatch::summarize_lab(lab);
  CHECK(stats.median.L == Approx(50));
  CHECK(stats.mean.L == Approx(50.5));
  CHECK(stats.pixels == 100);
}

TEST_CASE("summarize_lab refuses empty or ragged input") {
  CHECK_THROWS_AS(pigmatch::summarize_lab({}), pigmatch::Error);
  const std::vector<float> ragged = {1, 2, 3, 4};
  CHECK_THROWS_AS(pigmatch::summarize_lab(ragged), pigmatch::Error);
}
