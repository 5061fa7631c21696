// Mixing models: Kubelka–Munk against formulas written out here, K/S derivation from synthetic
// dilution series, the Lab model, the skin model's limiting cases on published skin spectra
// (Vrhel 1994), and reflectance reconstruction from Lab.
#include "pigmatch/formulation/mixing.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "pigmatch/error.h"
#include "shared_data.h"
#include "vrhel.h"

using namespace pigmatch;

namespace {

// Kubelka (1948), hyperbolic form: a = 1 + K/S, b = √(a² − 1).
double kubelka(double k, double s, double rg) {
  const double a = 1 + k / s, b = std::sqrt(a * a - 1), coth = 1 / std::tanh(b * s);
  return (1 - rg * (a - b * coth)) / (a - rg + b * coth);
}

Pigment pigment_with_series(const Spectrum& k, const Spectrum& s, const Saunderson& sc,
                            double card) {
  Pigment p;
  p.code = "X";
  p.name = "X";
  const double rg = saunderson_to_internal(card, sc);
  for (const double c : {1.0, 0.5, 0.25, 0.1}) {
    Spectrum r;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i)
      r[i] = saunderson_to_measured(kubelka(c * k[i], c * s[i], rg), sc);
    p.measurements.push_back({c, "white card", r, std::nullopt});
  }
  return p;
}

std::vector<Spectrum> vrhel_skins() {
  const auto dir = test::shared_data_dir();
  if (!dir)
    return {};
  return test::read_vrhel_skins(*dir);
}

}  // namespace

TEST_CASE("Saunderson and Kubelka–Munk against the textbook formulas") {
  const Saunderson sc{};
  // Saunderson (1942): R = k1 + (1−k1)(1−k2)Ri / (1 − k2·Ri), written out.
  for (const double ri : {0.0, 0.1, 0.5, 0.9, 1.0}) {
    const double expected = 0.04 + 0.96 * 0.4 * ri / (1 - 0.6 * ri);
    CHECK(saunderson_to_measured(ri, sc) == Approx(expected).margin(1e-15));
    CHECK(saunderson_to_internal(saunderson_to_measured(ri, sc), sc) == Approx(ri).margin(1e-12));
  }
  CHECK(km_ratio(0.5) == Approx(0.25));
  CHECK(km_opaque_reflectance(0.25) == Approx(0.5));
  for (const double k : {0.01, 0.3, 2.0}) {
    for (const double s : {0.05, 1.0, 8.0}) {
      for (const double rg : {0.0, 0.5, 0.9}) {
        CHECK(km_layer_reflectance(k, s, rg) == Approx(kubelka(k, s, rg)).epsilon(1e-10));
      }
    }
  }
  // Limits: no colorant shows the background; a pure absorber is Beer–Lambert over two passes;
  // a thick layer is R∞.
  CHECK(km_layer_reflectance(0, 0, 0.7) == Approx(0.7));
  CHECK(km_layer_reflectance(0.4, 0, 0.7) == Approx(0.7 * std::exp(-0.8)));
  CHECK(km_layer_reflectance(0.4, 200, 0.1) ==
        Approx(km_opaque_reflectance(0.4 / 200)).epsilon(1e-9));
}

TEST_CASE("K and S are recovered from a dilution series over a white card") {
  Spectrum k, s;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    k[i] = 0.2 + 2.0 * std::exp(-0.5 * std::pow((Spectrum::wavelength(i) - 520) / 40, 2));
    s[i] = 0.8 * std::pow(Spectrum::wavelength(i) / 550, -1.2);
  }
  const KmOptions options{};
  const Colorant c = derive_colorant(pigment_with_series(k, s, options.saunderson, 0.88), options);
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    CHECK(c.k[i] == Approx(k[i]).epsilon(0.01));
    CHECK(c.s[i] == Approx(s[i]).epsilon(0.01));
  }
  Pigment one = pigment_with_series(k, s, options.saunderson, 0.88);
  one.measurements.resize(1);
  CHECK_THROWS_AS(derive_colorant(one, options), Error);
  KmOptions single = options;
  single.constants = KmConstants::single;
  CHECK_NOTHROW(derive_colorant(one, single));
  Pigment lab_only;
  lab_only.code = "L";
  lab_only.measurements.push_back({1.0, "", std::nullopt, Lab{50, 10, 10}});
  CHECK_THROWS_AS(derive_colorant(lab_only, options), Error);
}

TEST_CASE("derive_colorants on every core gives what derive_colorant gives, in order") {
  const KmOptions options{};
  std::vector<Pigment> pigments;
  for (int n = 0; n < 40; ++n) {
    Spectrum k, s;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      k[i] = 0.05 + 0.1 * n +
             0.5 * std::exp(-0.5 * std::pow((Spectrum::wavelength(i) - 450 - 5 * n) / 50, 2));
      s[i] = 0.3 + 0.02 * n;
    }
    pigments.push_back(pigment_with_series(k, s, options.saunderson, 0.88));
    pigments.back().code = "P" + std::to_string(n);
  }
  const std::vector<Colorant> all = derive_colorants(pigments, options);
  REQUIRE(all.size() == pigments.size());
  for (std::size_t n = 0; n < pigments.size(); ++n) {
    const Colorant one = derive_colorant(pigments[n], options);
    CHECK(all[n].code == pigments[n].code);
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      CHECK(all[n].k[i] == one.k[i]);  // the same fit, bit for bit
      CHECK(all[n].s[i] == one.s[i]);
    }
  }
  // Two pigments that cannot be derived: the first in order is named, whichever thread met it.
  pigments[30].measurements.resize(1);
  pigments[7].measurements.resize(1);
  try {
    (void)derive_colorants(pigments, options);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("'P7'") != std::string::npos);
  }
}

TEST_CASE("KM mixing: the diluent neither absorbs nor scatters; dilution fades to the card") {
  Pigment black;
  black.code = "K";
  black.k = Spectrum::constant(3.0);
  black.s = Spectrum::constant(0.1);
  Pigment diluent;
  diluent.code = "D";
  diluent.is_diluent = true;
  const std::vector<Colorant> colorants{derive_colorant(black), derive_colorant(diluent)};
  CHECK(colorants[1].k == Spectrum{});
  const Spectrum card = Spectrum::constant(0.88);
  const std::vector<std::size_t> idx{0, 1};
  const Spectrum only_diluent = km_mix(colorants, {idx, std::vector<double>{0, 1}}, card);
  CHECK(only_diluent[10] == Approx(0.88).margin(1e-12));
  double previous = 1;
  for (const double c : {0.05, 0.1, 0.25, 0.5, 1.0}) {
    const double y = to_xyz(km_mix(colorants, {idx, std::vector<double>{c, 1 - c}}, card)).Y;
    CHECK(y < previous);
    previous = y;
  }
}

TEST_CASE("Lab model: the dilution steps are reproduced and mixing is linear between them") {
  Pigment p;
  p.code = "B";
  p.measurements = {{1.0, "", std::nullopt, Lab{30, 2, 3}}, {0.5, "", std::nullopt, Lab{50, 4, 5}}};
  const Lab card{95, 0, 2};
  const std::vector<LabColorant> colorants{derive_lab_colorant(p, card)};
  const std::vector<std::size_t> idx{0};
  const auto at = [&](double c) { return lab_mix(colorants, {idx, std::vector<double>{c}}, card); };
  CHECK(at(1.0).L == Approx(30));
  CHECK(at(0.5).L == Approx(50));
  CHECK(at(0.75).L == Approx(40));
  CHECK(at(0.25).L == Approx(72.5));
  CHECK(at(0.0).L == Approx(95));
}

TEST_CASE("skin model limiting cases on Vrhel's skin spectra") {
  PIGMATCH_REQUIRE_SHARED_DATA(dir);
  (void)dir;
  const std::vector<Spectrum> skins = vrhel_skins();
  REQUIRE(skins.size() == 16);
  Pigment carbon;
  carbon.code = "C";
  carbon.k = Spectrum::constant(3.0);
  carbon.s = Spectrum::constant(0.1);
  Pigment diluent;
  diluent.code = "D";
  diluent.is_diluent = true;
  const std::vector<Colorant> colorants{derive_colorant(carbon), derive_colorant(diluent)};
  const std::vector<std::size_t> idx{0, 1};

  for (const Spectrum& skin : skins) {
    const SkinOptics optics = skin_optics(skin);
    // No pigment gives the client's own skin.
    const Spectrum bare = skin_mix(colorants, {idx, std::vector<double>{0, 1}}, optics);
    for (std::size_t i = 0; i < Spectrum::band_count; ++i)
      CHECK(bare[i] == Approx(skin[i]).epsilon(1e-9));
    // More pigment darkens monotonically.
    double previous = to_lab(skin).L;
    for (const double c : {0.02, 0.1, 0.3, 0.6, 1.0}) {
      const double l = to_lab(skin_mix(colorants, {idx, std::vector<double>{c, 1 - c}}, optics)).L;
      CHECK(l < previous);
      previous = l;
    }
  }
  // The same mix is lighter on lighter skin: order the skins by L* and compare a 30 % mix.
  std::vector<std::pair<double, double>> bare_and_mixed;
  for (const Spectrum& skin : skins) {
    const Spectrum mixed =
        skin_mix(colorants, {idx, std::vector<double>{0.3, 0.7}}, skin_optics(skin));
    bare_and_mixed.emplace_back(to_lab(skin).L, to_lab(mixed).L);
  }
  std::sort(bare_and_mixed.begin(), bare_and_mixed.end());
  const auto& darkest = bare_and_mixed.front();
  const auto& lightest = bare_and_mixed.back();
  CHECK(lightest.second > darkest.second);
  // Melanin: the darkest skin (African American) gets more than the lightest.
  CHECK(skin_optics(skins[8]).melanin_fraction > skin_optics(skins[3]).melanin_fraction);
}

TEST_CASE("a reflectance reconstructed from Lab has that Lab, stays in 0–1 and is skin-like") {
  PIGMATCH_REQUIRE_SHARED_DATA(dir);
  (void)dir;
  double worst_a = 0;
  for (const Spectrum& skin : vrhel_skins()) {
    const Lab lab = to_lab(skin);
    const Spectrum r = reconstruct_reflectance(lab);
    const Lab back = to_lab(r);
    CHECK(delta_e2000(lab, back) < 1e-6);
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      CHECK(r[i] >= 0);
      CHECK(r[i] <= 1);
    }
    worst_a = std::max(worst_a, delta_e2000(to_lab(skin, Illuminant::a), to_lab(r, Illuminant::a)));
  }
  // Metamerism of the reconstruction against the real skin under incandescent light (A).
  CHECK(worst_a < 3.0);
  WARN("reconstructed skins under illuminant A: worst ΔE00 " << worst_a);
  CHECK_THROWS_AS(reconstruct_reflectance({std::nan(""), 0, 0}), Error);
  CHECK_THROWS_AS(reconstruct_reflectance({120, 0, 0}), Error);
}
