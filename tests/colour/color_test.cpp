// Tests of pigmatch/color.h against published data (Sharma et al. 2005, colour-science's
// documented examples), Little CMS's own colorimetric functions, and CIE formulas written out
// here in their textbook form.
#include "pigmatch/colour/color.h"

#include <lcms2.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <random>
#include <vector>

#include "csv.h"
#include "shared_data.h"

using namespace pigmatch;

namespace {

constexpr double kPi = std::numbers::pi;

cmsCIELab to_cms(const Lab& lab) {
  return {lab.L, lab.a, lab.b};
}
cmsCIEXYZ to_cms(const Xyz& xyz) {
  return {xyz.X, xyz.Y, xyz.Z};
}

struct LabPair {
  Lab first, second;
};

// Random Lab pairs over the whole gamut, plus the cases where ΔE formulas go wrong: colours
// near or exactly on the neutral axis (hue undefined, a' stretch largest), nearly identical
// colours (cancellation), and one colour exactly neutral (C1'·C2' = 0).
std::vector<LabPair> random_lab_pairs(std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> lightness(0.0, 100.0);
  std::uniform_real_distribution<double> ab(-128.0, 128.0);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_real_distribution<double> decades(-7.0, 0.0);
  const auto random_lab = [&] { return Lab{lightness(rng), ab(rng), ab(rng)}; };
  const auto near_neutral = [&] {
    const double scale = std::pow(10.0, decades(rng) + 0.5);  // |a|, |b| up to ~3
    return Lab{lightness(rng), scale * unit(rng), scale * unit(rng)};
  };
  const auto nudged = [&](const Lab& lab) {
    const double scale = std::pow(10.0, decades(rng));  // 1e-7 .. 1
    return Lab{lab.L + scale * unit(rng), lab.a + scale * unit(rng), lab.b + scale * unit(rng)};
  };

  std::vector<LabPair> pairs;
  pairs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    switch (i % 10) {
      case 0:
        pairs.push_back({near_neutral(), near_neutral()});
        break;
      case 1:
        pairs.push_back({near_neutral(), random_lab()});
        break;
      case 2: {
        const Lab lab = random_lab();
        pairs.push_back({lab, nudged(lab)});
        break;
      }
      case 3: {
        const Lab lab = near_neutral();
        pairs.push_back({lab, nudged(lab)});
        break;
      }
      case 4:
        pairs.push_back(
            {Lab{lightness(rng), 0.0, 0.0}, i % 20 < 10 ? random_lab() : near_neutral()});
        break;
      default:
        pairs.push_back({random_lab(), random_lab()});
        break;
    }
  }
  return pairs;
}

// Hue angle in degrees as CIE 15 writes it; independent of pigmatch's helper.
double hue_angle(double a, double b) {
  const double h = std::atan2(b, a) * 180.0 / kPi;
  return h < 0 ? h + 360.0 : h;
}

// The smallest angle between two hues, in degrees.
double hue_distance(double h1, double h2) {
  const double d = std::fmod(std::abs(h1 - h2), 360.0);
  return std::min(d, 360.0 - d);
}

}  // namespace

// ---- CIEDE2000 -------------------------------------------------------------------------------

TEST_CASE("CIEDE2000 reproduces Sharma, Wu & Dalal's 34 test pairs, symmetrically") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  const auto table = test::read_csv(data / "ciede2000" / "sharma2005_ciede2000_testdata.csv");
  REQUIRE(table.rows.size() == 34);
  const auto col = [&](const char* name) { return table.column(name); };
  for (std::size_t row = 0; row < table.rows.size(); ++row) {
    const Lab lab1{table.number(row, col("L1")), table.number(row, col("a1")),
                   table.number(row, col("b1"))};
    const Lab lab2{table.number(row, col("L2")), table.number(row, col("a2")),
                   table.number(row, col("b2"))};
    const double published = table.number(row, col("dE00"));
    INFO("pair " << table.rows[row][col("pair")]);
    // Published rounded to 4 decimals, so a correct value is within 5e-5 of it (the issue
    // asks for 1e-4; the largest deviation measured is 4.95e-5).
    CHECK(delta_e2000(lab1, lab2) == Approx(published).margin(5e-5 + 1e-10));
    CHECK(delta_e2000(lab2, lab1) == Approx(delta_e2000(lab1, lab2)).margin(1e-12));
  }
}

TEST_CASE("CIEDE2000 agrees with Little CMS on 100 000 random pairs, including the hard cases") {
  // Little CMS's cmsCIE2000DeltaE is the same formula except at the hue discontinuity: it
  // takes |h1' − h2'| <= 180.000001 (not <= 180) as "no wrap" for the mean hue and wraps Δh'
  // only below −180.000001, so pairs of almost exactly opposite hues differ by a jump (the
  // mean hue moves by 180°; see the next test case, which covers that branch). Pairs within
  // 1e-5° of opposite hues are left out here (none of these 100 000 is). lcms does not
  // special-case C1'·C2' = 0, which is harmless: ΔH' is 0 there and the mean hue only weighs
  // ΔH'. Everywhere else both are the same double arithmetic in a different order: the largest
  // difference measured over these pairs (seed 20240601, values up to ~140) was 1.4e-13, so
  // 1e-9 leaves room for other compilers and libms yet is far below any real error (a wrong
  // branch or constant shows up at 1e-4 and above).
  const std::array<De2000Weights, 3> weight_sets{
      {{1.0, 1.0, 1.0}, {2.0, 1.0, 1.0}, {1.5, 0.7, 1.3}}};
  const auto pairs = random_lab_pairs(100000, 20240601u);
  double max_difference = 0.0;
  std::size_t compared = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& [lab1, lab2] = pairs[i];
    const auto& w = weight_sets[i % weight_sets.size()];
    // Opposite-hue test on the a'-stretched hues that CIEDE2000 uses (G is the same for both).
    const double c_mean = (std::hypot(lab1.a, lab1.b) + std::hypot(lab2.a, lab2.b)) / 2;
    const double g =
        0.5 * (1 - std::sqrt(std::pow(c_mean, 7) / (std::pow(c_mean, 7) + std::pow(25.0, 7))));
    const double dh =
        hue_distance(hue_angle((1 + g) * lab1.a, lab1.b), hue_angle((1 + g) * lab2.a, lab2.b));
    if (std::abs(dh - 180.0) < 1e-5)
      continue;
    const cmsCIELab c1 = to_cms(lab1), c2 = to_cms(lab2);
    const double expected = cmsCIE2000DeltaE(&c1, &c2, w.kL, w.kC, w.kH);
    const double actual = delta_e2000(lab1, lab2, w);
    max_difference = std::max(max_difference, std::abs(actual - expected));
    ++compared;
    if (std::abs(actual - expected) > 1e-9) {
      INFO("pair " << i << ": (" << lab1.L << ", " << lab1.a << ", " << lab1.b << ") vs (" << lab2.L
                   << ", " << lab2.a << ", " << lab2.b << ")");
      CHECK(actual == Approx(expected).margin(1e-9));
    }
  }
  INFO("compared " << compared << " pairs, max |pigmatch − lcms| = " << max_difference);
  CHECK(compared > 99000);
  CHECK(max_difference < 1e-9);
}

TEST_CASE("CIEDE2000 at almost opposite hues takes Sharma's side of the discontinuity") {
  // With h1' and h2' 180° apart the mean hue h̄' jumps by 180° (Sharma et al. discuss this
  // discontinuity), so ΔE00 jumps there too. Sharma wraps h̄' as soon as |h1' − h2'| > 180;
  // Little CMS only beyond 180.000001. Measured on 100 000 pairs with hues 180° ± 10^(−9..−2)°
  // apart, 19% differ from lcms, by up to 97 ΔE00 units (half the value). So lcms is given the
  // second colour moved a further 1e-4° away from 180°, where it takes the same branch and
  // ΔE00 has moved ~1e-5 relative. Taking lcms's threshold instead fails ~97% of the pairs
  // outside 180° here (tried by mutating the implementation).
  std::mt19937 rng(41u);
  std::uniform_real_distribution<double> lightness(0, 100), chroma(0.5, 130), hue(0, 360);
  std::uniform_real_distribution<double> ratio(0.05, 3), decades(-9, -6), unit(-1, 1);
  const auto lab_at = [](double l, double c, double h_degrees) {
    const double h = h_degrees * kPi / 180;
    return Lab{l, c * std::cos(h), c * std::sin(h)};
  };
  for (int i = 0; i < 10000; ++i) {
    const double l1 = lightness(rng), l2 = lightness(rng), c1 = chroma(rng), h1 = hue(rng);
    const double c2 = c1 * ratio(rng);
    const double side = unit(rng) < 0 ? -1.0 : 1.0;  // inside or outside 180°
    const double offset = side * std::pow(10.0, decades(rng));
    const Lab lab1 = lab_at(l1, c1, h1);
    const Lab lab2 = lab_at(l2, c2, h1 + 180 + offset);
    const cmsCIELab cms1 = to_cms(lab1),
                    cms_moved = to_cms(lab_at(l2, c2, h1 + 180 + offset + side * 1e-4));
    const double expected = cmsCIE2000DeltaE(&cms1, &cms_moved, 1, 1, 1);
    INFO("pair " << i << ", hue offset " << offset << "°");
    CHECK(delta_e2000(lab1, lab2) == Approx(expected).epsilon(1e-4));
  }
}

TEST_CASE("CIEDE2000 is symmetric and zero for identical colours") {
  for (const auto& [lab1, lab2] : random_lab_pairs(10000, 7u)) {
    CHECK(delta_e2000(lab1, lab2) == Approx(delta_e2000(lab2, lab1)).margin(1e-12));
    CHECK(delta_e2000(lab1, lab1) == 0.0);
  }
}

TEST_CASE("CIEDE2000 weights divide their own term only") {
  // A pure lightness difference between two neutrals: ΔE00 = |ΔL| / (kL·SL), so doubling kL
  // halves it and kC, kH do nothing.
  const Lab lab1{50.0, 0.0, 0.0}, lab2{60.0, 0.0, 0.0};
  const double unit = delta_e2000(lab1, lab2);
  CHECK(delta_e2000(lab1, lab2, {2.0, 1.0, 1.0}) == Approx(unit / 2).epsilon(1e-14));
  CHECK(delta_e2000(lab1, lab2, {1.0, 3.0, 5.0}) == Approx(unit).epsilon(1e-14));
  // SL at L̄ = 55: 1 + 0.015·25/√45.
  CHECK(unit == Approx(10.0 / (1.0 + 0.015 * 25.0 / std::sqrt(45.0))).epsilon(1e-14));
}

// ---- ΔE*ab, ΔE*94, CMC -------------------------------------------------------------------------

TEST_CASE("ΔE*ab 1976 equals Little CMS's cmsDeltaE") {
  for (const auto& [lab1, lab2] : random_lab_pairs(20000, 11u)) {
    const cmsCIELab c1 = to_cms(lab1), c2 = to_cms(lab2);
    CHECK(delta_e76(lab1, lab2) == Approx(cmsDeltaE(&c1, &c2)).epsilon(1e-14).margin(1e-15));
  }
}

TEST_CASE("ΔE*94 matches colour-science's documented example values") {
  // colour-science, colour.difference.delta_E_CIE1994 docstring (printed as 83.7792255...,
  // 88.3355530...): a pair with equal L* far outside the usual gamut, stressing ΔC and ΔH.
  const Lab lab1{100.0, 21.57210357, 272.22819350};
  const Lab lab2{100.0, 426.67945353, 72.39590835};
  CHECK(delta_e94(lab1, lab2) == Approx(83.77922555).margin(1e-7));
  CHECK(delta_e94(lab1, lab2, De94Application::textiles) == Approx(88.33555305).margin(1e-7));
}

TEST_CASE("ΔE*94 weights chroma by the reference, as CIE 116 specifies") {
  // Same hue and lightness, so ΔE94 = |ΔC*| / (1 + K1·C*ref): 40 / 3.25 from the C* = 50
  // reference, 40 / 1.45 from the C* = 10 one (textiles: K1 = 0.048).
  const Lab saturated{50, 30, 40}, dull{50, 6, 8};
  CHECK(delta_e94(saturated, dull) == Approx(40 / 3.25).epsilon(1e-14));
  CHECK(delta_e94(dull, saturated) == Approx(40 / 1.45).epsilon(1e-14));
  CHECK(delta_e94(saturated, dull, De94Application::textiles) == Approx(40 / 3.4).epsilon(1e-14));
  // kL = 2 for textiles halves a pure lightness difference between neutrals.
  CHECK(delta_e94(Lab{40, 0, 0}, Lab{50, 0, 0}, De94Application::textiles) == Approx(5.0));
  CHECK(delta_e94(Lab{40, 0, 0}, Lab{50, 0, 0}) == Approx(10.0));
}

TEST_CASE("ΔE*94 agrees with Little CMS where Little CMS's variant and CIE 116 coincide") {
  // cmsCIE94DeltaE is not CIE 116 graphic arts: it weights with the geometric mean chroma
  // √(C1·C2) and uses K1 = 0.048, K2 = 0.014 (the textile constants) with kL = 1. For pairs of
  // equal L* and equal C* that is exactly CIE 116 textiles (kL drops out with ΔL = 0, and the
  // geometric mean is the reference chroma), which checks our ΔH*ab and SH against lcms.
  std::mt19937 rng(17u);
  std::uniform_real_distribution<double> lightness(0, 100), chroma(0, 150), hue(0, 2 * kPi);
  std::uniform_real_distribution<double> small_angle(-1e-3, 1e-3);
  for (int i = 0; i < 20000; ++i) {
    const double l = lightness(rng), c = chroma(rng), h1 = hue(rng);
    const double h2 = i % 2 ? hue(rng) : h1 + small_angle(rng);
    const Lab lab1{l, c * std::cos(h1), c * std::sin(h1)};
    const Lab lab2{l, c * std::cos(h2), c * std::sin(h2)};
    const cmsCIELab c1 = to_cms(lab1), c2 = to_cms(lab2);
    CHECK(delta_e94(lab1, lab2, De94Application::textiles) ==
          Approx(cmsCIE94DeltaE(&c1, &c2)).epsilon(1e-9).margin(1e-6));
  }
}

TEST_CASE("ΔE CMC(l:c) equals Little CMS's cmsCMCdeltaE") {
  // lcms returns 0 when both L* are exactly 0 whatever a*, b* are; random L* never hits that.
  for (const auto& [lab1, lab2] : random_lab_pairs(20000, 19u)) {
    const cmsCIELab c1 = to_cms(lab1), c2 = to_cms(lab2);
    CHECK(delta_e_cmc(lab1, lab2) ==
          Approx(cmsCMCdeltaE(&c1, &c2, 2, 1)).epsilon(1e-10).margin(1e-6));
    CHECK(delta_e_cmc(lab1, lab2, 1, 1) ==
          Approx(cmsCMCdeltaE(&c1, &c2, 1, 1)).epsilon(1e-10).margin(1e-6));
  }
}

// ---- conversions -----------------------------------------------------------------------------

TEST_CASE("the D50 white is Little CMS's, with Y = 1 as in cmsXYZ2Lab") {
  const cmsCIEXYZ* d50 = cmsD50_XYZ();
  CHECK(white::d50.X == d50->X);
  CHECK(white::d50.Y == d50->Y);
  CHECK(white::d50.Z == d50->Z);
  // lcms scales XYZ so that the white has Y = 1: the white itself is L* = 100.
  cmsCIELab lab;
  cmsXYZ2Lab(nullptr, &lab, d50);
  CHECK(lab.L == Approx(100.0).epsilon(1e-15));
  CHECK(to_lab(white::d50).L == Approx(100.0).epsilon(1e-15));
}

TEST_CASE("Lab <-> XYZ equal Little CMS's cmsXYZ2Lab and cmsLab2XYZ, and round-trip") {
  std::mt19937 rng(23u);
  std::uniform_real_distribution<double> tristimulus(0.0, 1.1);
  std::uniform_real_distribution<double> dark(0.0, 0.02);  // across the 0.008856 breakpoint
  for (const Xyz* white : {&white::d50, &white::d65}) {
    const cmsCIEXYZ cms_white = to_cms(*white);
    for (int i = 0; i < 20000; ++i) {
      auto& d = i % 4 == 0 ? dark : tristimulus;
      const Xyz xyz{d(rng), d(rng), d(rng)};
      const cmsCIEXYZ cms_xyz = to_cms(xyz);
      cmsCIELab expected;
      cmsXYZ2Lab(&cms_white, &expected, &cms_xyz);
      const Lab lab = to_lab(xyz, *white);
      CHECK(lab.L == Approx(expected.L).margin(1e-11));
      CHECK(lab.a == Approx(expected.a).margin(1e-11));
      CHECK(lab.b == Approx(expected.b).margin(1e-11));

      cmsCIEXYZ expected_xyz;
      cmsLab2XYZ(&cms_white, &expected_xyz, &expected);
      const Xyz back = to_xyz(lab, *white);
      CHECK(back.X == Approx(expected_xyz.X).margin(1e-13));
      CHECK(back.Y == Approx(expected_xyz.Y).margin(1e-13));
      CHECK(back.Z == Approx(expected_xyz.Z).margin(1e-13));
      CHECK(back.X == Approx(xyz.X).margin(1e-13));
      CHECK(back.Y == Approx(xyz.Y).margin(1e-13));
      CHECK(back.Z == Approx(xyz.Z).margin(1e-13));
    }
  }
}

TEST_CASE("Lab is continuous at the CIE breakpoint") {
  // With the exact 216/24389 and 24389/27 both branches meet; the rounded 0.008856 / 903.3
  // leave a step of ~1e-4 in L*.
  const double epsilon = 216.0 / 24389.0;
  const double below = to_lab(Xyz{0, std::nextafter(epsilon, 0.0), 0}, Xyz{1, 1, 1}).L;
  const double above = to_lab(Xyz{0, std::nextafter(epsilon, 1.0), 0}, Xyz{1, 1, 1}).L;
  CHECK(above - below == Approx(0.0).margin(1e-12));
  CHECK(below == Approx(8.0).margin(1e-12));
}

TEST_CASE("LCh equals Little CMS's cmsLab2LCh and round-trips") {
  for (const auto& pair : random_lab_pairs(20000, 29u)) {
    const Lab& lab = pair.first;
    const cmsCIELab c = to_cms(lab);
    cmsCIELCh expected;
    cmsLab2LCh(&expected, &c);
    const Lch lch = to_lch(lab);
    CHECK(lch.L == lab.L);
    CHECK(lch.C == Approx(expected.C).epsilon(1e-14).margin(1e-15));
    CHECK(lch.h >= 0.0);
    CHECK(lch.h < 360.0);
    // lcms may return 360 for a hue a hair below 0; compare on the circle.
    CHECK(hue_distance(lch.h, expected.h) < 1e-10);
    const Lab back = to_lab(lch);
    CHECK(back.a == Approx(lab.a).margin(1e-12));
    CHECK(back.b == Approx(lab.b).margin(1e-12));
  }
  CHECK(to_lch(Lab{50, 0, 0}).h == 0.0);
  CHECK(to_lch(Lab{50, 1, -1e-300}).h == 0.0);  // would wrap to 360.0 in double
  CHECK(to_lch(Lab{50, 0, -2}).h == Approx(270.0).epsilon(1e-15));
}

TEST_CASE("xyY of the D65 white is (0.3127, 0.3290), and xyY equals Little CMS's and round-trips") {
  const Xyy d65 = to_xyy(white::d65);
  CHECK(d65.x == Approx(0.3127).margin(5e-5));
  CHECK(d65.y == Approx(0.3290).margin(5e-5));
  CHECK(d65.Y == 1.0);
  // Black takes the chromaticity of the white it is given.
  const Xyy black = to_xyy(Xyz{}, white::d65);
  CHECK(black.x == d65.x);
  CHECK(black.y == d65.y);
  CHECK(black.Y == 0.0);
  CHECK(to_xyy(Xyz{}).x == Approx(cmsD50_xyY()->x).epsilon(1e-12));

  std::mt19937 rng(31u);
  std::uniform_real_distribution<double> tristimulus(1e-6, 1.1);
  for (int i = 0; i < 10000; ++i) {
    const Xyz xyz{tristimulus(rng), tristimulus(rng), tristimulus(rng)};
    const cmsCIEXYZ c = to_cms(xyz);
    cmsCIExyY expected;
    cmsXYZ2xyY(&expected, &c);
    const Xyy xyy = to_xyy(xyz);
    CHECK(xyy.x == Approx(expected.x).epsilon(1e-14));
    CHECK(xyy.y == Approx(expected.y).epsilon(1e-14));
    CHECK(xyy.Y == expected.Y);
    const Xyz back = to_xyz(xyy);
    CHECK(back.X == Approx(xyz.X).epsilon(1e-13));
    CHECK(back.Y == xyz.Y);
    CHECK(back.Z == Approx(xyz.Z).epsilon(1e-13).margin(1e-14));  // 1 - x - y cancels
  }
}

// ---- Bradford --------------------------------------------------------------------------------

TEST_CASE("Bradford adapts the D65 white to the D50 white exactly, and back") {
  const Xyz d50 = adapt_bradford(white::d65, white::d65, white::d50);
  CHECK(d50.X == Approx(white::d50.X).epsilon(1e-14));
  CHECK(d50.Y == Approx(white::d50.Y).epsilon(1e-14));
  CHECK(d50.Z == Approx(white::d50.Z).epsilon(1e-14));
  const Xyz d65 = adapt_bradford(white::d50, white::d50, white::d65);
  CHECK(d65.X == Approx(white::d65.X).epsilon(1e-14));
  CHECK(d65.Y == Approx(white::d65.Y).epsilon(1e-14));
  CHECK(d65.Z == Approx(white::d65.Z).epsilon(1e-14));
}

TEST_CASE("Bradford equals Little CMS's cmsAdaptToIlluminant and round-trips") {
  std::mt19937 rng(37u);
  std::uniform_real_distribution<double> tristimulus(0.0, 1.1);
  const cmsCIEXYZ d65 = to_cms(white::d65), d50 = to_cms(white::d50);
  // Illuminant A (CIE 15, 2°), a larger adaptation than D65 -> D50.
  const Xyz a_white{1.09850, 1.0, 0.35585};
  const cmsCIEXYZ cms_a = to_cms(a_white);
  for (int i = 0; i < 10000; ++i) {
    const Xyz xyz{tristimulus(rng), tristimulus(rng), tristimulus(rng)};
    const cmsCIEXYZ c = to_cms(xyz);
    cmsCIEXYZ expected;
    REQUIRE(cmsAdaptToIlluminant(&expected, &d65, &d50, &c));
    const Xyz adapted = adapt_bradford(xyz, white::d65, white::d50);
    CHECK(adapted.X == Approx(expected.X).margin(1e-12));
    CHECK(adapted.Y == Approx(expected.Y).margin(1e-12));
    CHECK(adapted.Z == Approx(expected.Z).margin(1e-12));

    REQUIRE(cmsAdaptToIlluminant(&expected, &cms_a, &d65, &c));
    const Xyz from_a = adapt_bradford(xyz, a_white, white::d65);
    CHECK(from_a.X == Approx(expected.X).margin(1e-12));
    CHECK(from_a.Y == Approx(expected.Y).margin(1e-12));
    CHECK(from_a.Z == Approx(expected.Z).margin(1e-12));

    const Xyz back = adapt_bradford(adapted, white::d50, white::d65);
    CHECK(back.X == Approx(xyz.X).margin(1e-13));
    CHECK(back.Y == Approx(xyz.Y).margin(1e-13));
    CHECK(back.Z == Approx(xyz.Z).margin(1e-13));
  }
}
