#include "pigmatch/regions/skintone.h"

#include <lcms2.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "csv.h"
#include "pigmatch/colour/spectrum.h"
#include "shared_data.h"

using pigmatch::ItaClass;
using pigmatch::Lab;

namespace {

// Little CMS's conversion, the independent reference for D50/2° → D65/10°: Lab → XYZ (D50),
// cmsAdaptToIlluminant (Bradford) to the 10° D65 white, XYZ → Lab against that white.
Lab lcms_d50_to_d65_10(const Lab& lab) {
  const pigmatch::Xyz w =
      pigmatch::white_point(pigmatch::Illuminant::d65, pigmatch::Observer::cie1964_10deg);
  const cmsCIEXYZ d50{0.9642, 1.0, 0.8249}, d65_10{w.X, w.Y, w.Z};
  const cmsCIELab in{lab.L, lab.a, lab.b};
  cmsCIEXYZ xyz, adapted;
  cmsLab2XYZ(&d50, &xyz, &in);
  cmsAdaptToIlluminant(&adapted, &d50, &d65_10, &xyz);
  cmsCIELab out;
  cmsXYZ2Lab(&d65_10, &out, &adapted);
  return {out.L, out.a, out.b};
}

Lab lcms_srgb8_to_lab(int r, int g, int b) {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM t = cmsCreateTransform(srgb, TYPE_RGB_8, lab, TYPE_Lab_DBL,
                                       INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  const std::uint8_t rgb[3] = {static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g),
                               static_cast<std::uint8_t>(b)};
  cmsCIELab out;
  cmsDoTransform(t, rgb, &out, 1);
  cmsDeleteTransform(t);
  cmsCloseProfile(srgb);
  cmsCloseProfile(lab);
  return {out.L, out.a, out.b};
}

}  // namespace

TEST_CASE("ITA from D65/10° values matches hand-computed angles", "[skintone][ita]") {
  // atan((L − 50)/b): (60, b 10) → atan(1) = 45°; (50, any b) → 0°; (40, 10) → −45°;
  // (50 + 10√3, 10) → atan(√3) = 60°; (70, 20·tan 20°) → 90 − 20 = 70°... computed as
  // atan(20 / (20·tan 20°)) = atan(cot 20°) = 70°.
  CHECK(pigmatch::ita_degrees_d65_10({60, 5, 10}) == Approx(45));
  CHECK(pigmatch::ita_degrees_d65_10({50, 5, 17}) == Approx(0).margin(1e-12));
  CHECK(pigmatch::ita_degrees_d65_10({40, 5, 10}) == Approx(-45));
  CHECK(pigmatch::ita_degrees_d65_10({50 + 10 * std::sqrt(3.0), 0, 10}) == Approx(60));
  CHECK(pigmatch::ita_degrees_d65_10({70, 0, 20 * std::tan(20 * M_PI / 180)}) == Approx(70));
  // b* ≤ 0 (never skin): continuous beyond ±90° rather than flipping sign.
  CHECK(pigmatch::ita_degrees_d65_10({60, 0, 0}) == Approx(90));
  CHECK(pigmatch::ita_degrees_d65_10({60, 0, -1}) > 90);
  CHECK(pigmatch::ita_degrees_d65_10({40, 0, -1}) < -90);
}

TEST_CASE("ITA classes at and around the six boundaries", "[skintone][ita]") {
  CHECK(pigmatch::classify_ita(80) == ItaClass::very_light);
  CHECK(pigmatch::classify_ita(55.001) == ItaClass::very_light);
  CHECK(pigmatch::classify_ita(55) == ItaClass::light);
  CHECK(pigmatch::classify_ita(41.001) == ItaClass::light);
  CHECK(pigmatch::classify_ita(41) == ItaClass::intermediate);
  CHECK(pigmatch::classify_ita(28.001) == ItaClass::intermediate);
  CHECK(pigmatch::classify_ita(28) == ItaClass::tan);
  CHECK(pigmatch::classify_ita(10.001) == ItaClass::tan);
  CHECK(pigmatch::classify_ita(10) == ItaClass::brown);
  CHECK(pigmatch::classify_ita(-29.999) == ItaClass::brown);
  CHECK(pigmatch::classify_ita(-30) == ItaClass::dark);
  CHECK(pigmatch::classify_ita(-80) == ItaClass::dark);
  CHECK(pigmatch::to_string(ItaClass::very_light) == "very light");
  CHECK(pigmatch::to_string(ItaClass::intermediate) == "intermediate");
  CHECK(pigmatch::to_string(ItaClass::dark) == "dark");
}

TEST_CASE("D50/2° → D65/10° agrees with Little CMS's Bradford adaptation", "[skintone][ita]") {
  for (const Lab lab : {Lab{100, 0, 0}, Lab{65, 12, 18}, Lab{40, 20, 25}, Lab{25, 8, 10},
                        Lab{80, -20, 40}, Lab{50, 30, -30}}) {
    const Lab got = pigmatch::lab_d65_10deg_from_d50(lab);
    const Lab want = lcms_d50_to_d65_10(lab);
    INFO(lab.L << " " << lab.a << " " << lab.b);
    CHECK(got.L == Approx(want.L).margin(1e-3));
    CHECK(got.a == Approx(want.a).margin(1e-3));
    CHECK(got.b == Approx(want.b).margin(1e-3));
  }
  // The perfect white stays white; a skin colour's b* changes by under a unit.
  const Lab white = pigmatch::lab_d65_10deg_from_d50({100, 0, 0});
  CHECK(white.a == Approx(0).margin(1e-6));
  CHECK(white.b == Approx(0).margin(1e-6));
  CHECK(std::abs(pigmatch::lab_d65_10deg_from_d50({65, 12, 18}).b - 18) < 1.0);
  // ita_degrees() is the D65/10° ITA of the converted value.
  const Lab skin{65, 12, 18};
  const Lab d65 = lcms_d50_to_d65_10(skin);
  CHECK(pigmatch::ita_degrees(skin) ==
        Approx(std::atan((d65.L - 50) / d65.b) * 180 / M_PI).margin(1e-3));
}

TEST_CASE("Monk tones: the published sRGB values, their Lab as Little CMS's sRGB gives it",
          "[skintone][monk]") {
  const auto& scale = pigmatch::monk_scale();
  for (std::size_t i = 0; i < scale.size(); ++i) {
    const auto& tone = scale[i];
    CHECK(tone.index == static_cast<int>(i) + 1);
    const Lab want = lcms_srgb8_to_lab(tone.srgb[0], tone.srgb[1], tone.srgb[2]);
    INFO("MST " << tone.index);
    CHECK(pigmatch::delta_e2000(tone.lab_d50, want) < 0.05);
    // Each tone is its own nearest tone.
    const auto match = pigmatch::nearest_monk(tone.lab_d50);
    CHECK(match.index == tone.index);
    CHECK(match.de00 == Approx(0).margin(1e-9));
  }
  // Lightness falls down the scale from MST 3 on (MST 3, #f7ead0, is published slightly lighter
  // than MST 2 but much yellower).
  for (std::size_t i = 3; i < scale.size(); ++i) {
    CHECK(scale[i].lab_d50.L < scale[i - 1].lab_d50.L);
  }
  CHECK(scale[2].lab_d50.b > scale[1].lab_d50.b + 5);
}

TEST_CASE("Monk tones embedded equal the published list", "[skintone][monk][shared]") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  const auto csv = pigmatch::test::read_csv(data / "monk" / "monk_skin_tone_hex.csv");
  REQUIRE(csv.rows.size() == 10);
  const auto& scale = pigmatch::monk_scale();
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const auto index = static_cast<std::size_t>(csv.number(r, csv.column("mst_index"))) - 1;
    CHECK(std::string(scale[index].hex) == csv.rows[r][csv.column("hex")]);
    CHECK(scale[index].srgb[0] == static_cast<int>(csv.number(r, csv.column("sR"))));
    CHECK(scale[index].srgb[1] == static_cast<int>(csv.number(r, csv.column("sG"))));
    CHECK(scale[index].srgb[2] == static_cast<int>(csv.number(r, csv.column("sB"))));
  }
}

TEST_CASE("nearest Monk tone is the minimum ΔE00 over the ten", "[skintone][monk]") {
  for (const Lab lab : {Lab{70, 10, 20}, Lab{45, 15, 22}, Lab{28, 10, 12}, Lab{88, 2, 12}}) {
    const auto match = pigmatch::nearest_monk(lab);
    for (const auto& tone : pigmatch::monk_scale()) {
      CHECK(pigmatch::delta_e2000(lab, tone.lab_d50) >= match.de00);
    }
    CHECK(pigmatch::delta_e2000(lab, pigmatch::monk_scale()[match.index - 1].lab_d50) ==
          Approx(match.de00));
  }
}

TEST_CASE("undertone thresholds on the hue angle", "[skintone][undertone]") {
  using pigmatch::Undertone;
  const auto at_hue = [](double h, double C = 20) {
    return pigmatch::undertone(pigmatch::to_lab(pigmatch::Lch{60, C, h}));
  };
  CHECK(at_hue(40) == Undertone::cool);
  CHECK(at_hue(44.9) == Undertone::cool);
  CHECK(at_hue(45.1) == Undertone::neutral);
  CHECK(at_hue(54.9) == Undertone::neutral);
  CHECK(at_hue(55.1) == Undertone::warm);
  CHECK(at_hue(80) == Undertone::warm);
  CHECK(at_hue(350) == Undertone::cool);         // pink-purple: never yellow
  CHECK(at_hue(80, 3.9) == Undertone::neutral);  // too grey to have an undertone
  CHECK(pigmatch::to_string(Undertone::warm) == "warm");
}

TEST_CASE("Fitzpatrick is labelled an estimate and follows the ITA class", "[skintone]") {
  CHECK(std::string(pigmatch::fitzpatrick_estimate(ItaClass::very_light)) ==
        "I (estimate from ITA)");
  CHECK(std::string(pigmatch::fitzpatrick_estimate(ItaClass::intermediate)) ==
        "III (estimate from ITA)");
  CHECK(std::string(pigmatch::fitzpatrick_estimate(ItaClass::dark)) == "VI (estimate from ITA)");
  const auto tone = pigmatch::assess_skin_tone({65, 12, 18});
  CHECK(tone.ita == Approx(pigmatch::ita_degrees({65, 12, 18})));
  CHECK(tone.ita_class == pigmatch::classify_ita(tone.ita));
  CHECK(std::string(tone.fitzpatrick_estimate).find("estimate") != std::string::npos);
  CHECK(tone.monk.index == pigmatch::nearest_monk({65, 12, 18}).index);
  CHECK(tone.hue_deg == Approx(pigmatch::to_lch({65, 12, 18}).h));
}

TEST_CASE("measured skins (Vrhel 1994) fall in plausible ITA classes and undertones",
          "[skintone][shared]") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  const auto csv =
      pigmatch::test::read_csv(data / "skin-hair" / "vrhel1994_skin_hair_390-730_2nm.csv");
  std::vector<double> wavelengths;
  for (std::size_t r = 0; r < csv.rows.size(); ++r)
    wavelengths.push_back(csv.number(r, 0));
  std::map<std::string, double> ita;
  for (std::size_t c = 1; c < csv.header.size(); ++c) {
    if (csv.header[c].find("skin") == std::string::npos &&
        csv.header[c].find("Skin") == std::string::npos) {
      continue;
    }
    std::vector<double> values;
    for (std::size_t r = 0; r < csv.rows.size(); ++r)
      values.push_back(csv.number(r, c));
    pigmatch::ResampleOptions extend;
    extend.max_extrapolation_nm = 10;
    const auto spectrum = pigmatch::resample(wavelengths, values, csv.header[c], extend);
    const Lab lab = pigmatch::to_lab(spectrum);
    ita[csv.header[c]] = pigmatch::ita_degrees(lab);
    // Every real skin has a hue in the band the undertone thresholds split.
    const double h = pigmatch::to_lch(lab).h;
    INFO(csv.header[c] << " h_ab " << h);
    CHECK(h > 35);
    CHECK(h < 60);
  }
  REQUIRE(ita.size() == 16);
  // The darkest samples are "dark", the light Caucasian ones no darker than intermediate.
  CHECK(pigmatch::classify_ita(ita.at("100: skin -- African American")) == ItaClass::dark);
  CHECK(pigmatch::classify_ita(ita.at("110: skin -- African American")) == ItaClass::dark);
  CHECK(pigmatch::classify_ita(ita.at("88: skin -- caucasian (light)")) <= ItaClass::intermediate);
  CHECK(pigmatch::classify_ita(ita.at("106: skin -- caucasian (light)")) <= ItaClass::intermediate);
  CHECK(ita.at("82: skin -- East indian (dark)") < ita.at("84: skin -- East indian (light)"));
}
