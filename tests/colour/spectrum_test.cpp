#include "pigmatch/colour/spectrum.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "csv.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/error.h"
#include "shared_data.h"

// References (independent of the library's generated tables):
// - the CIE's 1 nm CSVs in ../shared/data/cie, summed here at 1 nm;
// - CIE 15:2004, Table T.3 and T.8.2: white-point chromaticities x, y (5 decimals);
// - ASTM E308 white points for D65, D50 and A (the figures in every colour textbook);
// - ColorChecker Classic: X-Rite (2016) Lab files in ../shared, and BabelColor's own average
//   (D. Pascale, "ColorChecker RGB and spectra", 2012, ColorChecker_RGB_and_spectra.xls) as
//   xyY for D50/2°, quoted from colour-science/colour
//   colour/characterisation/datasets/colour_checkers/chromaticity_coordinates.py
//   (DATA_BABELCOLOR_AVERAGE; "Copyright (C) 2004-2012 Danny Pascale (www.babelcolor.com);
//   used by permission").

namespace {

using pigmatch::Illuminant;
using pigmatch::Lab;
using pigmatch::Observer;
using pigmatch::Spectrum;
using pigmatch::Xyz;
using pigmatch::test::read_csv;

constexpr std::array kIlluminants{Illuminant::d50, Illuminant::d65, Illuminant::a, Illuminant::f2,
                                  Illuminant::f11};
constexpr std::array kObservers{Observer::cie1931_2deg, Observer::cie1964_10deg};

// A table on integer wavelengths, read from a shared CSV.
using Table1nm = std::map<int, std::vector<double>>;

Table1nm read_table(const std::filesystem::path& path) {
  const auto csv = read_csv(path);
  Table1nm table;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    std::vector<double> values;
    for (std::size_t c = 1; c < csv.rows[r].size(); ++c)
      values.push_back(csv.number(r, c));
    table[static_cast<int>(std::lround(csv.number(r, 0)))] = values;
  }
  return table;
}

std::filesystem::path cmf_file(Observer observer) {
  return observer == Observer::cie1931_2deg ? "CIE_xyz_1931_2deg.csv" : "CIE_xyz_1964_10deg.csv";
}

std::filesystem::path illuminant_file(Illuminant illuminant) {
  switch (illuminant) {
    case Illuminant::d50:
      return "CIE_std_illum_D50.csv";
    case Illuminant::d65:
      return "CIE_std_illum_D65.csv";
    case Illuminant::a:
      return "CIE_std_illum_A_1nm.csv";
    case Illuminant::f2:
      return "colord_CIE-F2_5nm.csv";
    case Illuminant::f11:
      return "colord_CIE-F11_5nm.csv";
  }
  return {};
}

// The illuminant's SPD at every nm of 360–830. F2/F11 come at 5 nm over 380–780: the library's
// documented choice is linear interpolation and end values held beyond the data.
std::map<int, double> illuminant_1nm(const std::filesystem::path& cie, Illuminant illuminant) {
  const Table1nm table = read_table(cie / illuminant_file(illuminant));
  std::map<int, double> spd;
  for (int nm = 360; nm <= 830; ++nm) {
    if (nm <= table.begin()->first) {
      spd[nm] = table.begin()->second[0];
    } else if (nm >= table.rbegin()->first) {
      spd[nm] = table.rbegin()->second[0];
    } else {
      const auto hi = table.lower_bound(nm);
      const auto lo = std::prev(hi);
      const double t = static_cast<double>(nm - lo->first) / (hi->first - lo->first);
      spd[nm] = (1 - t) * lo->second[0] + t * hi->second[0];
    }
  }
  return spd;
}

// Σ S·cmf·R / Σ S·ȳ at 1 nm over 360–830 nm, for a reflectance given at every nm.
template <typename Reflectance>
Xyz tristimulus_1nm(const std::filesystem::path& cie, Illuminant illuminant, Observer observer,
                    Reflectance reflectance) {
  const Table1nm cmf = read_table(cie / cmf_file(observer));
  const auto spd = illuminant_1nm(cie, illuminant);
  double x = 0, y = 0, z = 0, norm = 0;
  for (int nm = 360; nm <= 830; ++nm) {
    const auto& c = cmf.at(nm);
    const double s = spd.at(nm);
    const double r = reflectance(nm);
    x += s * c[0] * r;
    y += s * c[1] * r;
    z += s * c[2] * r;
    norm += s * c[1];
  }
  return {x / norm, y / norm, z / norm};
}

// The 1 nm reflectance rebuilt from 36 samples as ASTM E2022 does: Lagrange polynomial through
// the 4 nearest samples (3 in the first and last interval), samples held outside 380–730 nm.
double rebuild_1nm(const Spectrum& samples, int nm) {
  if (nm <= 380)
    return samples[0];
  if (nm >= 730)
    return samples[35];
  const int interval = (nm - 380) / 10;  // between samples `interval` and `interval + 1`
  const int first = interval == 0 ? 0 : (interval == 34 ? 33 : interval - 1);
  const int count = (interval == 0 || interval == 34) ? 3 : 4;
  double value = 0;
  for (int m = first; m < first + count; ++m) {
    double basis = 1;
    for (int n = first; n < first + count; ++n) {
      if (n != m)
        basis *= static_cast<double>(nm - (380 + 10 * n)) / (10.0 * (m - n));
    }
    value += basis * samples[static_cast<std::size_t>(m)];
  }
  return value;
}

double chromaticity_x(const Xyz& c) {
  return c.X / (c.X + c.Y + c.Z);
}
double chromaticity_y(const Xyz& c) {
  return c.Y / (c.X + c.Y + c.Z);
}

std::string pair_name(Illuminant illuminant, Observer observer) {
  return std::string(to_string(illuminant)) + "/" + std::string(to_string(observer));
}

}  // namespace

TEST_CASE("Spectrum: 36 bands, 380 to 730 nm at 10 nm") {
  STATIC_REQUIRE(Spectrum::band_count == 36);
  CHECK(Spectrum::wavelength(0) == 380.0);
  CHECK(Spectrum::wavelength(17) == 550.0);
  CHECK(Spectrum::wavelength(35) == 730.0);
  Spectrum::Values values{};
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = 0.01 * static_cast<double>(i);
  const Spectrum s(values);
  CHECK(s[0] == 0.0);
  CHECK(s[35] == Approx(0.35));
  CHECK(Spectrum::constant(0.5)[20] == 0.5);
  CHECK(Spectrum() == Spectrum::constant(0.0));
}

TEST_CASE("resample interpolates linearly onto the grid") {
  SECTION("1 nm data of a straight line is reproduced at the grid wavelengths") {
    std::vector<double> nm, value;
    for (int w = 360; w <= 780; ++w) {
      nm.push_back(w);
      value.push_back(0.2 + 0.001 * (w - 360));
    }
    const Spectrum s = pigmatch::resample(nm, value, "line");
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      CHECK(s[i] == Approx(0.2 + 0.001 * (Spectrum::wavelength(i) - 360)).margin(1e-12));
    }
  }
  SECTION("irregular samples: midway between two samples is their mean") {
    const std::vector<double> nm = {375, 385, 500, 735};
    const std::vector<double> value = {0.0, 1.0, 2.0, 3.0};
    const Spectrum s = pigmatch::resample(nm, value, "irregular");
    CHECK(s[0] == Approx(0.5));                                 // 380 nm
    CHECK(s[12] == Approx(2.0));                                // 500 nm, on a sample
    CHECK(s[35] == Approx(2.0 + 230.0 / 235.0).margin(1e-12));  // 730 nm
  }
  SECTION("allowed extrapolation holds the end values (data from 390 nm, like Vrhel's)") {
    const std::vector<double> nm = {390, 500, 720};
    const std::vector<double> value = {0.1, 0.4, 0.7};
    pigmatch::ResampleOptions options;
    options.max_extrapolation_nm = 10;
    const Spectrum s = pigmatch::resample(nm, value, "vrhel", options);
    CHECK(s[0] == Approx(0.1));
    CHECK(s[1] == Approx(0.1));
    CHECK(s[34] == Approx(0.7));
    CHECK(s[35] == Approx(0.7));
  }
}

TEST_CASE("resample rejects bad input with a pigmatch::Error naming the source") {
  std::vector<double> nm, value;
  for (int w = 380; w <= 730; w += 5) {
    nm.push_back(w);
    value.push_back(0.5);
  }
  const auto expect_error = [](const std::vector<double>& w, const std::vector<double>& v,
                               const std::string& needle,
                               const pigmatch::ResampleOptions& options = {}) {
    try {
      (void)pigmatch::resample(w, v, "patch A1", options);
      FAIL("no exception for: " << needle);
    } catch (const pigmatch::Error& e) {
      CHECK(e.code() == pigmatch::ErrorCode::invalid_argument);
      const std::string message = e.what();
      CHECK_THAT(message, Catch::Contains("patch A1"));
      CHECK_THAT(message, Catch::Contains(needle));
    }
  };
  REQUIRE_NOTHROW(pigmatch::resample(nm, value, "patch A1"));

  SECTION("NaN or infinite values and wavelengths") {
    auto v = value;
    v[7] = std::numeric_limits<double>::quiet_NaN();
    expect_error(nm, v, "not a finite number");
    v[7] = std::numeric_limits<double>::infinity();
    expect_error(nm, v, "not a finite number");
    auto w = nm;
    w[3] = std::numeric_limits<double>::quiet_NaN();
    expect_error(w, value, "not a finite number");
  }
  SECTION("wavelengths that repeat or go backwards") {
    auto w = nm;
    w[10] = w[9];
    expect_error(w, value, "strictly increase");
    w = nm;
    std::swap(w[4], w[5]);
    expect_error(w, value, "strictly increase");
  }
  SECTION("data that does not cover 380-730 nm") {
    expect_error({390, 730}, {0.1, 0.2}, "380–730 nm is needed");
    expect_error({380, 720}, {0.1, 0.2}, "380–730 nm is needed");
    pigmatch::ResampleOptions options;
    options.max_extrapolation_nm = 5;
    expect_error({390, 730}, {0.1, 0.2}, "380–730 nm is needed", options);
    options.max_extrapolation_nm = -1;
    expect_error(nm, value, "max_extrapolation_nm", options);
  }
  SECTION("mismatched lengths and too few samples") {
    auto v = value;
    v.pop_back();
    expect_error(nm, v, "values");
    expect_error({380}, {0.1}, "at least 2");
    expect_error({}, {}, "at least 2");
  }
}

TEST_CASE("observer and illuminant names round-trip; unknown names are an Error") {
  for (const Illuminant i : kIlluminants)
    CHECK(pigmatch::parse_illuminant(to_string(i)) == i);
  for (const Observer o : kObservers)
    CHECK(pigmatch::parse_observer(to_string(o)) == o);
  CHECK(pigmatch::parse_illuminant("d65") == Illuminant::d65);
  CHECK(pigmatch::parse_observer("10") == Observer::cie1964_10deg);
  CHECK_THROWS_AS(pigmatch::parse_illuminant("D55"), pigmatch::Error);
  CHECK_THROWS_AS(pigmatch::parse_observer("5deg"), pigmatch::Error);
  CHECK_THROWS_WITH(pigmatch::parse_illuminant(""), Catch::Contains("D50, D65, A, F2, F11"));
}

TEST_CASE("the perfect diffuser gives each illuminant's white point") {
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const auto cie = shared / "cie";
  const Spectrum white = Spectrum::constant(1.0);
  for (const Observer o : kObservers) {
    for (const Illuminant i : kIlluminants) {
      INFO(pair_name(i, o));
      const Xyz reference = tristimulus_1nm(cie, i, o, [](int) { return 1.0; });
      const Xyz xyz = pigmatch::to_xyz(white, i, o);
      const Xyz wp = pigmatch::white_point(i, o);
      // The weights are a re-bracketing of the same 1 nm sum: equal to rounding.
      CHECK(xyz.X == Approx(reference.X).margin(1e-12));
      CHECK(xyz.Y == Approx(1.0).margin(1e-12));
      CHECK(xyz.Z == Approx(reference.Z).margin(1e-12));
      CHECK(wp.X == xyz.X);
      CHECK(wp.Y == xyz.Y);
      CHECK(wp.Z == xyz.Z);
      const Lab lab = pigmatch::to_lab(white, i, o);
      CHECK(lab.L == Approx(100.0).margin(1e-9));
      CHECK(lab.a == Approx(0.0).margin(1e-9));
      CHECK(lab.b == Approx(0.0).margin(1e-9));
    }
  }
}

TEST_CASE("white points agree with the published CIE and ASTM figures") {
  struct Published {
    Illuminant illuminant;
    Observer observer;
    double x, y;  // CIE 15:2004 Table T.3 (D, A) and T.8.2 (F), 5 decimals
  };
  const std::array<Published, 10> cie15{{
      {Illuminant::d50, Observer::cie1931_2deg, 0.34567, 0.35851},
      {Illuminant::d65, Observer::cie1931_2deg, 0.31272, 0.32903},
      {Illuminant::a, Observer::cie1931_2deg, 0.44757, 0.40745},
      {Illuminant::f2, Observer::cie1931_2deg, 0.37208, 0.37529},
      {Illuminant::f11, Observer::cie1931_2deg, 0.38052, 0.37713},
      {Illuminant::d50, Observer::cie1964_10deg, 0.34773, 0.35952},
      {Illuminant::d65, Observer::cie1964_10deg, 0.31382, 0.33100},
      {Illuminant::a, Observer::cie1964_10deg, 0.45117, 0.40594},
      {Illuminant::f2, Observer::cie1964_10deg, 0.37925, 0.36733},
      {Illuminant::f11, Observer::cie1964_10deg, 0.38541, 0.37123},
  }};
  for (const auto& p : cie15) {
    INFO(pair_name(p.illuminant, p.observer));
    const Xyz wp = pigmatch::white_point(p.illuminant, p.observer);
    // The published figures are rounded to 5 decimals; F2/F11 were computed from 5 nm data.
    CHECK(chromaticity_x(wp) == Approx(p.x).margin(5e-5));
    CHECK(chromaticity_y(wp) == Approx(p.y).margin(5e-5));
  }
  // ASTM E308 (1 nm) XYZ/100. D50's CIE 1 nm SPD gives Z 0.82513, 8e-5 off E308's figure, which
  // was computed from an earlier tabulation of D50: 1e-4 covers it.
  const auto d65 = pigmatch::white_point(Illuminant::d65, Observer::cie1931_2deg);
  CHECK(d65.X == Approx(0.95047).margin(1e-4));
  CHECK(d65.Z == Approx(1.08883).margin(1e-4));
  const auto d50 = pigmatch::white_point(Illuminant::d50, Observer::cie1931_2deg);
  CHECK(d50.X == Approx(0.96422).margin(1e-4));
  CHECK(d50.Z == Approx(0.82521).margin(1e-4));
  const auto a = pigmatch::white_point(Illuminant::a, Observer::cie1931_2deg);
  CHECK(a.X == Approx(1.09850).margin(1e-4));
  CHECK(a.Z == Approx(0.35585).margin(1e-4));
}

TEST_CASE("embedded 10 nm weights match a fresh computation from the CIE 1 nm tables") {
  // Guards against a stale spectrum_tables.cpp: W_i is the 1 nm tristimulus sum of the
  // reflectance that band i alone rebuilds (a unit sample in band i, zeros elsewhere).
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const auto cie = shared / "cie";
  for (const Observer o : kObservers) {
    for (const Illuminant i : kIlluminants) {
      INFO(pair_name(i, o));
      const auto& table = pigmatch::weighting_table(i, o);
      double worst = 0;
      for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
        Spectrum unit;
        unit[band] = 1.0;
        const Xyz w = tristimulus_1nm(cie, i, o, [&](int nm) { return rebuild_1nm(unit, nm); });
        worst = std::max({worst, std::abs(w.X - table.x[band]), std::abs(w.Y - table.y[band]),
                          std::abs(w.Z - table.z[band])});
      }
      CHECK(worst < 1e-13);
    }
  }
}

TEST_CASE("to_xyz is exact for reflectances the 10 nm samples fully describe") {
  // A quadratic on 380–730 nm, constant beyond: the E2022 rebuild reproduces it exactly, so the
  // 36-band result must equal the 1 nm CIE sum of the curve itself.
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const auto cie = shared / "cie";
  const auto curve = [](int nm) {
    const double t = (std::clamp(nm, 380, 730) - 555.0) / 175.0;  // -1 … 1
    return 0.45 + 0.2 * t - 0.15 * t * t;
  };
  Spectrum sampled;
  for (std::size_t b = 0; b < Spectrum::band_count; ++b) {
    sampled[b] = curve(static_cast<int>(Spectrum::wavelength(b)));
  }
  for (const Observer o : kObservers) {
    for (const Illuminant i : kIlluminants) {
      INFO(pair_name(i, o));
      const Xyz reference = tristimulus_1nm(cie, i, o, curve);
      const Xyz xyz = pigmatch::to_xyz(sampled, i, o);
      CHECK(xyz.X == Approx(reference.X).margin(1e-12));
      CHECK(xyz.Y == Approx(reference.Y).margin(1e-12));
      CHECK(xyz.Z == Approx(reference.Z).margin(1e-12));
      const Xyz via_table = pigmatch::to_xyz(sampled, pigmatch::weighting_table(i, o));
      CHECK(via_table.X == xyz.X);
      CHECK(via_table.Z == xyz.Z);
    }
  }
}

TEST_CASE("to_lab is CIELAB relative to the illuminant's own white") {
  const Spectrum grey = Spectrum::constant(0.18);
  for (const Observer o : kObservers) {
    for (const Illuminant i : kIlluminants) {
      INFO(pair_name(i, o));
      const Lab lab = pigmatch::to_lab(grey, i, o);
      // Y = 0.18 → L* = 116·0.18^(1/3) − 16, a neutral under any illuminant.
      CHECK(lab.L == Approx(116.0 * std::cbrt(0.18) - 16.0).margin(1e-9));
      CHECK(lab.a == Approx(0.0).margin(1e-9));
      CHECK(lab.b == Approx(0.0).margin(1e-9));
    }
  }
  // Under A, a spectrally flat grey is neutral, but the D50 Lab of its A-lit XYZ is orange.
  const Xyz under_a = pigmatch::to_xyz(grey, Illuminant::a, Observer::cie1931_2deg);
  CHECK(pigmatch::to_lab(under_a).b > 20.0);  // about 27.6
}

TEST_CASE("ColorChecker Classic spectra give their published Lab (D50, 2°)") {
  PIGMATCH_REQUIRE_SHARED_DATA(shared);
  const auto spectra =
      read_csv(shared / "colorchecker/babelcolor_average_spectral_380-730_10nm.csv");
  REQUIRE(spectra.rows.size() == Spectrum::band_count);
  std::vector<Lab> computed;
  std::vector<Xyz> computed_xyz;
  for (int patch = 1; patch <= 24; ++patch) {
    const std::size_t col = spectra.column(std::to_string(patch));
    std::vector<double> nm, value;
    for (std::size_t r = 0; r < spectra.rows.size(); ++r) {
      nm.push_back(spectra.number(r, 0));
      value.push_back(spectra.number(r, col));
    }
    const Spectrum s = pigmatch::resample(nm, value, "ColorChecker patch " + std::to_string(patch));
    computed.push_back(pigmatch::to_lab(s, Illuminant::d50, Observer::cie1931_2deg));
    computed_xyz.push_back(pigmatch::to_xyz(s, Illuminant::d50, Observer::cie1931_2deg));
  }

  struct Stats {
    double mean = 0, max = 0;
    int worst = 0;
  };
  const auto compare = [&](const std::vector<Lab>& reference) {
    Stats stats;
    for (std::size_t p = 0; p < 24; ++p) {
      const double de = pigmatch::delta_e2000(reference[p], computed[p]);
      stats.mean += de / 24.0;
      if (de > stats.max) {
        stats.max = de;
        stats.worst = static_cast<int>(p) + 1;
      }
    }
    return stats;
  };
  const auto read_xrite = [&](const char* file) {
    const auto csv = read_csv(shared / "colorchecker" / file);
    std::vector<Lab> labs;
    for (std::size_t r = 0; r < csv.rows.size(); ++r) {
      labs.push_back({csv.number(r, csv.column("L")), csv.number(r, csv.column("a")),
                      csv.number(r, csv.column("b"))});
    }
    REQUIRE(labs.size() == 24);
    return labs;
  };

  // BabelColor's published average, xyY (D50, 2°), 4 decimals.
  const std::array<std::array<double, 3>, 24> babelcolor_xyy{{
      {0.4325, 0.3788, 0.1034}, {0.4191, 0.3748, 0.3525}, {0.2761, 0.3004, 0.1847},
      {0.3700, 0.4501, 0.1335}, {0.3020, 0.2877, 0.2324}, {0.2856, 0.3910, 0.4174},
      {0.5291, 0.4075, 0.3117}, {0.2339, 0.2155, 0.1140}, {0.5008, 0.3293, 0.1979},
      {0.3326, 0.2556, 0.0644}, {0.3989, 0.4998, 0.4435}, {0.4962, 0.4428, 0.4358},
      {0.2040, 0.1696, 0.0579}, {0.3270, 0.5033, 0.2307}, {0.5709, 0.3298, 0.1268},
      {0.4694, 0.4732, 0.6081}, {0.4177, 0.2704, 0.2007}, {0.2151, 0.3037, 0.1903},
      {0.3488, 0.3628, 0.9129}, {0.3451, 0.3596, 0.5885}, {0.3446, 0.3590, 0.3595},
      {0.3438, 0.3589, 0.1912}, {0.3423, 0.3576, 0.0893}, {0.3439, 0.3565, 0.0320},
  }};
  // Lab relative to the E308 D50/2° white, the frame BabelColor's sheet uses.
  const Xyz d50_e308{0.96422, 1.0, 0.82521};
  std::vector<Lab> babelcolor;
  for (std::size_t p = 0; p < 24; ++p) {
    const auto& [x, y, Y] = babelcolor_xyy[p];
    const Xyz xyz{x * Y / y, Y, (1 - x - y) * Y / y};
    babelcolor.push_back(pigmatch::to_lab(xyz, d50_e308));
    INFO("patch " << p + 1);
    // xyY is the direct output of the summation. The chromaticity of a dark patch is sensitive
    // to small differences of weighting method (black 2 is 8e-4 off in x), hence 1e-3.
    CHECK(chromaticity_x(computed_xyz[p]) == Approx(x).margin(1e-3));
    CHECK(chromaticity_y(computed_xyz[p]) == Approx(y).margin(1e-3));
    CHECK(computed_xyz[p].Y == Approx(Y).margin(5e-4));
  }

  const Stats vs_babel = compare(babelcolor);
  const Stats vs_before =
      compare(read_xrite("xrite2016_colorchecker24_before_nov2014_Lab_D50_2deg.csv"));
  const Stats vs_after =
      compare(read_xrite("xrite2016_colorchecker24_after_nov2014_Lab_D50_2deg.csv"));
  std::printf(
      "ColorChecker (BabelColor average spectra, D50/2°) ΔE00 mean/max (worst patch):\n"
      "  BabelColor published average: %.3f / %.3f (%d)\n"
      "  X-Rite before Nov 2014:       %.3f / %.3f (%d)\n"
      "  X-Rite after Nov 2014:        %.3f / %.3f (%d)\n",
      vs_babel.mean, vs_babel.max, vs_babel.worst, vs_before.mean, vs_before.max, vs_before.worst,
      vs_after.mean, vs_after.max, vs_after.worst);
  // The spectra are BabelColor's 30-chart average, so BabelColor's own Lab is their reference
  // (measured: mean 0.04, max 0.17 at patch 24, black 2).
  CHECK(vs_babel.max < 0.5);
  CHECK(vs_babel.mean < 0.1);
  // X-Rite's figures describe other charts (before Nov 2014: mean 0.49, max 1.14; after: mean
  // 0.80, max 1.49): the same design, not the same batch. Bound them loosely to catch a gross
  // error (measured: the 10° observer gives a mean of 2.3 against either, D65 XYZ taken
  // as D50 Lab over 6).
  CHECK(vs_before.mean < 1.0);
  CHECK(vs_after.mean < 1.5);
}
