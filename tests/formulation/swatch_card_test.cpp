// The swatch card: the SVG a studio prints (rasterised by librsvg's rsvg-convert, not pigmatch,
// and checked where the geometry says its marks and boxes are), its layout read back, and a
// photo of it painted with pigments of known K and S beside a ColorChecker (rendered from
// spectra through a real camera's sensitivities, tests/formulation/swatch_photo.h) read into a
// catalog that gives back mixtures of those pigments.
#include "pigmatch/formulation/swatch_card.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "calibration/spectral_camera.h"
#include "calibration/synthetic_chart.h"
#include "error_from.h"
#include "formulation/independent_km.h"
#include "formulation/random_recipe.h"
#include "formulation/swatch_photo.h"
#include "formulation/synthetic_catalog.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog_build.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/regions/photo_measurement.h"
#include "shared_data.h"
#include "store/store_fixtures.h"

using namespace pigmatch;
namespace fs = std::filesystem;

namespace {

constexpr double px_per_mm = 4;

SwatchCardLayout eight_pigments() {
  return {{"P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7"}, {1, 0.5, 0.25, 0.1}, "test studio"};
}

// Linear light of the rasterised card at page millimetres (x, y): 1 paper, 0 ink.
double print_at(const Image& print, double x_mm, double y_mm) {
  const int x = static_cast<int>(x_mm * px_per_mm), y = static_cast<int>(y_mm * px_per_mm);
  return test::srgb_decode(print.row8(y)[x * print.channels] / 255.0);
}

}  // namespace

TEST_CASE("the printed card has its marks and boxes where the geometry says", "[swatch_card]") {
  const test::TempDir dir;
  const SwatchCardLayout layout = eight_pigments();
  const fs::path svg = dir.path() / "card.svg";
  std::ofstream(svg) << swatch_card_svg(layout);
  const auto print = test::rasterised_card(svg, dir.path() / "card.png", px_per_mm);
  PIGMATCH_REQUIRE_CARD_PRINT(print)
  const SwatchCardGeometry g = swatch_card_geometry(layout);
  CHECK(print->width == Approx(g.page_width_mm * px_per_mm).margin(2));
  CHECK(print->height == Approx(g.page_height_mm * px_per_mm).margin(2));
  // Each mark is ink; the top-left one has paper at its centre, the others ink.
  for (std::size_t i = 0; i < 4; ++i) {
    const Point c = g.marks_mm[i];
    INFO("mark " << i);
    CHECK(print_at(*print, c.x + 3.5, c.y + 3.5) < 0.1);
    CHECK(print_at(*print, c.x - 3.5, c.y - 3.5) < 0.1);
    CHECK(print_at(*print, c.x + 6.5, c.y) > 0.9);  // paper just outside the mark
    if (i == 0)
      CHECK(print_at(*print, c.x, c.y) > 0.9);
    else
      CHECK(print_at(*print, c.x, c.y) < 0.1);
  }
  // Boxes: bare paper inside (where the photo is read), a printed outline on their edge.
  REQUIRE(g.boxes.size() == 8 * 6);
  for (const SwatchBox& b : g.boxes) {
    INFO(b.code << " " << b.concentration << " at " << b.x_mm << "," << b.y_mm);
    double darkest_inside = 1;
    for (double fx = 0.2; fx <= 0.8; fx += 0.1)
      for (double fy = 0.2; fy <= 0.8; fy += 0.1)
        darkest_inside = std::min(
            darkest_inside, print_at(*print, b.x_mm + fx * b.width_mm, b.y_mm + fy * b.height_mm));
    CHECK(darkest_inside > 0.95);
    double darkest_edge = 1;
    for (double dx = -0.5; dx <= 0.5; dx += 0.25)
      darkest_edge =
          std::min(darkest_edge, print_at(*print, b.x_mm + dx, b.y_mm + b.height_mm / 2));
    CHECK(darkest_edge < 0.7);
  }
}

TEST_CASE("a card's SVG carries its layout; bad layouts are refused saying what to change",
          "[swatch_card]") {
  const SwatchCardLayout layout{{"K100", "brown-2", "W&B"}, {1, 0.5, 0.125}, "Room <2> \"A\""};
  CHECK(test::error_message([&] { (void)swatch_card_svg(layout); }).find("W&B") !=
        std::string::npos);
  SwatchCardLayout ok = layout;
  ok.pigments[2] = "WB+1";
  const SwatchCardLayout back = read_swatch_card_layout(swatch_card_svg(ok), "card.svg");
  CHECK(back.pigments == ok.pigments);
  CHECK(back.concentrations == ok.concentrations);
  CHECK(back.title == ok.title);

  SECTION("layouts") {
    SwatchCardLayout l = ok;
    l.pigments.assign(9, "X");
    for (std::size_t i = 0; i < 9; ++i)
      l.pigments[i] += std::to_string(i);
    CHECK(test::error_message([&] { check_swatch_card_layout(l); }).find("several cards") !=
          std::string::npos);
    l = ok;
    l.pigments[1] = "k100";
    CHECK(test::error_message([&] { check_swatch_card_layout(l); }).find("twice") !=
          std::string::npos);
    l = ok;
    l.concentrations = {0.5, 1};
    CHECK(test::error_message([&] { check_swatch_card_layout(l); }).find("strongest first") !=
          std::string::npos);
    l.concentrations = {1};
    CHECK(test::error_message([&] { check_swatch_card_layout(l); }).find("2–6") !=
          std::string::npos);
    l.concentrations = {1.5, 0.5};
    CHECK(test::error_message([&] { check_swatch_card_layout(l); }).find("(0, 1]") !=
          std::string::npos);
    l = ok;
    l.pigments.clear();
    CHECK(test::error_message([&] { check_swatch_card_layout(l); }).find("at least one") !=
          std::string::npos);
  }
  SECTION("hostile SVG files") {
    CHECK(test::error_message([] {
            (void)read_swatch_card_layout("<svg/>", "x.svg");
          }).find("holds no swatch-card layout") != std::string::npos);
    const std::string head = "<svg><metadata id=\"pigmatch-swatch-card\">";
    CHECK(test::error_message([&] {
            (void)read_swatch_card_layout(head + "{nope</metadata>", "x.svg");
          }).find("cannot be read") != std::string::npos);
    CHECK(test::error_message([&] {
            (void)read_swatch_card_layout(
                head + "{\"format\":\"pigmatch-swatch-card\",\"format_version\":2}</metadata>",
                "x.svg");
          }).find("version-1") != std::string::npos);
    CHECK(test::error_message([&] {
            (void)read_swatch_card_layout(
                head +
                    "{&quot;format&quot;:&quot;pigmatch-swatch-card&quot;,&quot;format_version&"
                    "quot;:1,&quot;title&quot;:&quot;&quot;,&quot;pigments&quot;:[&quot;a&lt;b&"
                    "quot;],&quot;concentrations&quot;:[1,0.5]}</metadata>",
                "x.svg");
          }).find("cannot go on a card") != std::string::npos);
    CHECK(test::error_message([&] {
            (void)read_swatch_card_layout(head, "x.svg");
          }).find("holds no swatch-card layout") != std::string::npos);
  }
}

namespace {

struct PhotoFixture {
  test::SpectralCamera camera;
  Catalog truth;
  SwatchCardLayout layout = eight_pigments();
  test::TempDir dir;
  std::optional<Image> print;

  explicit PhotoFixture(const fs::path& data, Catalog pigments = test::synthetic_catalog(8, 21),
                        const std::string& camera_name = "Canon_40D",
                        const std::string& light = "CIE_std_illum_D65.csv")
      : camera(test::load_spectral_camera(data, camera_name, light)), truth(std::move(pigments)) {
    const fs::path svg = dir.path() / "card.svg";
    std::ofstream(svg) << swatch_card_svg(layout);
    print = test::rasterised_card(svg, dir.path() / "card.png", px_per_mm);
  }

  test::SwatchPhoto photo(bool upside_down = false, unsigned seed = 3,
                          const Catalog* painted = nullptr,
                          std::optional<std::array<Point, 4>> page = std::nullopt,
                          double exposure = 1.0) const {
    test::SwatchScene scene;
    scene.exposure = exposure;
    scene.page = page;
    scene.camera = &camera;
    scene.truth = painted ? painted : &truth;
    scene.layout = layout;
    scene.print = &*print;
    scene.print_px_per_mm = px_per_mm;
    scene.upside_down = upside_down;
    scene.seed = seed;
    return test::render_swatch_photo(scene);
  }
};

// The chart as rendered: the built-in layout with the D50 colorimetry of BabelColor's spectra as
// reference values (a real chart differs from its published values by about 1 ΔE00; that is
// the calibration's business, tested elsewhere, not the card's).
const ChartDefinition& rendered_chart(const test::SpectralCamera& camera) {
  static const ChartDefinition chart = [&] {
    ChartDefinition c = builtin_chart();
    ChartReference own{"rendered", "BabelColor average spectra", "test", {}};
    for (const Spectrum& patch : camera.chart)
      own.lab_d50.push_back(to_lab(patch, Illuminant::d50));
    c.references = {own};
    c.spectra = camera.chart;
    return c;
  }();
  return chart;
}

PhotoCalibration calibrated(const test::SwatchPhoto& p, const test::SpectralCamera& camera) {
  PhotoCalibrationRequest request;
  request.chart = rendered_chart(camera);
  request.options.skin_weight = 0;  // as catalog build --photo: pigments, not skin
  request.mode = ChartMode::corners;
  request.corners = p.chart;
  return calibrate_photo(p.image, "rendered", request);
}

}  // namespace

TEST_CASE("a photo of the painted card is read box by box, whichever way it lies",
          "[swatch_card]") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  const PhotoFixture f(data, test::smp_like_catalog());
  PIGMATCH_REQUIRE_CARD_PRINT(f.print)
  const test::SwatchPhoto photo = f.photo();
  const PhotoCalibration calibration = calibrated(photo, f.camera);
  // The marks in a scrambled order, a pixel off where a person would click.
  const std::array<Point, 4> clicked{
      Point{photo.marks[2].x + 1, photo.marks[2].y}, Point{photo.marks[0].x, photo.marks[0].y - 1},
      Point{photo.marks[3].x - 1, photo.marks[3].y + 1}, photo.marks[1]};
  const SwatchCardReading reading =
      read_swatch_card(photo.image, calibration.transform, clicked, f.layout);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(reading.marks[i].x == Approx(photo.marks[i].x).margin(1.5));
    CHECK(reading.marks[i].y == Approx(photo.marks[i].y).margin(1.5));
  }
  // The light rose across the card by what the scene says; the bare boxes measured it.
  CHECK(reading.light_variation == Approx(photo.light_variation).margin(0.015));
  REQUIRE(reading.readings.size() == 8 * 6);
  std::vector<double> errors;
  for (const DrawdownReading& r : reading.readings) {
    if (r.code.empty())
      continue;
    const Lab truth = to_lab(test::painted_film(f.truth, r.code, r.concentration), Illuminant::d50);
    errors.push_back(delta_e2000(*r.lab_d50, truth));
    // The estimated reflectance has the measured colour.
    CHECK(delta_e2000(to_lab(r.reflectance, Illuminant::d50), *r.lab_d50) < 0.05);
  }
  std::sort(errors.begin(), errors.end());
  const double median = errors[errors.size() / 2];
  WARN("swatch colours against the truth: median ΔE00 " << median << ", max " << errors.back());
  CHECK(median < 0.8);
  CHECK(errors.back() < 2.5);
  // The white pigment on the white card is named as uncertain.
  CHECK(std::any_of(reading.warnings.begin(), reading.warnings.end(),
                    [](const std::string& w) { return w.rfind("P5 is within", 0) == 0; }));

  SECTION("the marks are found without help") {
    const auto found = find_swatch_card_marks(photo.image);
    REQUIRE(found);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK((*found)[i].x == Approx(photo.marks[i].x).margin(1.0));
      CHECK((*found)[i].y == Approx(photo.marks[i].y).margin(1.0));
    }
    const auto turned = find_swatch_card_marks(f.photo(true).image);
    REQUIRE(turned);
    const test::SwatchPhoto upside_down = f.photo(true);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK((*turned)[i].x == Approx(upside_down.marks[i].x).margin(1.0));
      CHECK((*turned)[i].y == Approx(upside_down.marks[i].y).margin(1.0));
    }
    // The card small in the frame (0.8 px a millimetre: marks 8 px across, the smallest found;
    // at 0.67 px/mm, 6.7 px, the hole blurs shut), and turned by 30°.
    const double turn = 30 * M_PI / 180;
    std::array<Point, 4> turned_page{};
    const Point corner_mm[4] = {{0, 0}, {297, 0}, {297, 210}, {0, 210}};
    for (std::size_t i = 0; i < 4; ++i) {
      const double x = corner_mm[i].x - 148.5, y = corner_mm[i].y - 105;
      turned_page[i] = {1000 + 1.4 * (x * std::cos(turn) - y * std::sin(turn)),
                        500 + 1.4 * (x * std::sin(turn) + y * std::cos(turn))};
    }
    for (const auto& page : {std::array<Point, 4>{Point{900, 600}, Point{1140, 600},
                                                  Point{1140, 770}, Point{900, 770}},
                             turned_page}) {
      const test::SwatchPhoto placed = f.photo(false, 7, nullptr, page);
      const auto marks = find_swatch_card_marks(placed.image);
      INFO("page at " << page[0].x << "," << page[0].y);
      REQUIRE(marks);
      for (std::size_t i = 0; i < 4; ++i) {
        CHECK((*marks)[i].x == Approx(placed.marks[i].x).margin(1.0));
        CHECK((*marks)[i].y == Approx(placed.marks[i].y).margin(1.0));
      }
    }
    // A 6 MP photo (the 1500 × 1000 one, each pixel doubled) is searched on a smaller copy.
    Image big = photo.image;
    big.width *= 2;
    big.height *= 2;
    big.pixels.assign(static_cast<std::size_t>(big.width) * big.height * 3, std::byte{0});
    for (int y = 0; y < big.height; ++y)
      for (int x = 0; x < big.width; ++x)
        for (int c = 0; c < 3; ++c)
          big.pixels[(static_cast<std::size_t>(y) * big.width + x) * 3 + c] =
              photo.image
                  .pixels[(static_cast<std::size_t>(y / 2) * photo.image.width + x / 2) * 3 + c];
    const auto in_big = find_swatch_card_marks(big);
    REQUIRE(in_big);
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK((*in_big)[i].x == Approx(2 * photo.marks[i].x).margin(2.0));
      CHECK((*in_big)[i].y == Approx(2 * photo.marks[i].y).margin(2.0));
    }
    // A photo of the chart alone (the card's region painted over) has no card.
    const Image no_card = test::without_card(photo.image);
    CHECK_FALSE(find_swatch_card_marks(no_card));
    // Nor has a blank grey photo, or a tiny one.
    Image grey = no_card;
    std::fill(grey.pixels.begin(), grey.pixels.end(), std::byte{90});
    CHECK_FALSE(find_swatch_card_marks(grey));
    grey.width = grey.height = 8;
    grey.pixels.resize(8 * 8 * 3);
    CHECK_FALSE(find_swatch_card_marks(grey));
  }
  SECTION("the card upside down gives the same boxes") {
    const test::SwatchPhoto turned = f.photo(true);
    const SwatchCardReading again = read_swatch_card(
        turned.image, calibrated(turned, f.camera).transform, turned.marks, f.layout);
    REQUIRE(again.readings.size() == reading.readings.size());
    for (std::size_t i = 0; i < reading.readings.size(); ++i) {
      INFO(reading.readings[i].sample_id);
      CHECK(again.readings[i].sample_id == reading.readings[i].sample_id);
      CHECK(delta_e2000(*again.readings[i].lab_d50, *reading.readings[i].lab_d50) < 1.0);
    }
  }
  SECTION("points that are not the marks, and a card not painted, are refused") {
    std::array<Point, 4> paper = photo.marks;
    for (Point& p : paper)
      p = {p.x + (p.x < 1000 ? 40 : -40), p.y + (p.y < 450 ? 40 : -40)};
    CHECK(test::error_message([&] {
            (void)read_swatch_card(photo.image, calibration.transform, paper, f.layout);
          }).find("cannot tell the card's top-left") != std::string::npos);
    std::array<Point, 4> outside = photo.marks;
    outside[1].x = 1e6;
    CHECK(test::error_message([&] {
            (void)read_swatch_card(photo.image, calibration.transform, outside, f.layout);
          }).find("outside the 1500×1000 photo") != std::string::npos);
    std::array<Point, 4> crossed = photo.marks;
    crossed[1] = crossed[0];
    CHECK(test::error_message([&] {
            (void)read_swatch_card(photo.image, calibration.transform, crossed, f.layout);
          }).find("convex") != std::string::npos);
    // A row left unpainted (its "pigment" is the paper itself).
    Catalog blank = f.truth;
    for (Pigment& p : blank.pigments) {
      if (p.code == "P3")
        p.k = p.s = Spectrum::constant(0.0);
    }
    const test::SwatchPhoto unpainted = f.photo(false, 5, &blank);
    CHECK(test::error_message([&] {
            (void)read_swatch_card(unpainted.image, calibrated(unpainted, f.camera).transform,
                                   unpainted.marks, f.layout);
          }).find("the boxes of P3 read as bare card") != std::string::npos);
  }
}

namespace {

// The film of `drops` (pigment index in the truth, drops of 20) on the paper, through the
// independent Kubelka–Munk.
Spectrum true_mix(const Catalog& truth, const std::vector<std::pair<std::size_t, int>>& drops) {
  Spectrum::Values v{};
  for (std::size_t b = 0; b < Spectrum::band_count; ++b) {
    double k = 0, s = 0;
    for (const auto& [p, d] : drops) {
      k += d / 20.0 * (*truth.pigments[p].k)[b];
      s += d / 20.0 * (*truth.pigments[p].s)[b];
    }
    v[b] = test::independent_film(k, s, test::paper_at(b));
  }
  return Spectrum(v);
}

}  // namespace

TEST_CASE("a catalog built from the photo gives recipes that mix to the target", "[swatch_card]") {
  // What a practitioner gets: a target colour, the recipe the photo's catalog proposes, and that
  // recipe mixed from the real bottles (the true pigments, independent KM). A camera sees three
  // numbers per box, not a spectrum, so the recipe need not be the target's own drops; it must
  // mix to the target's colour.
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  // Pigments as an SMP studio has them (broad absorption edges), and pigments with narrow
  // absorption bands, whose colours a camera confuses more; floors from bench/RESULTS.md.
  const bool realistic = GENERATE(true, false);
  const PhotoFixture f(data, realistic ? test::smp_like_catalog() : test::synthetic_catalog(8, 21));
  PIGMATCH_REQUIRE_CARD_PRINT(f.print)
  const test::SwatchPhoto photo = f.photo();
  const SwatchCardReading reading =
      read_swatch_card(photo.image, calibrated(photo, f.camera).transform, photo.marks, f.layout);
  const BuiltCatalog built = build_catalog(reading.readings, {"studio-photo", "Studio", "Ours"});
  CHECK(validate(built.catalog).empty());
  for (const PigmentFit& fit : built.fits) {
    INFO(fit.code);
    // The refinement gives every step its measured colour back, where the camera's colours of
    // a series are consistent with one film (narrow bands' are less: P0 keeps 1.2).
    CHECK(fit.max_de00 < (realistic ? 0.5 : 1.5));
  }
  const PigmentPool pool = select_pigments(std::span(&built.catalog, 1), {});
  MixerConditions conditions;
  conditions.substrate = built.card;
  {
    const auto mixer = make_builtin_mixer(BuiltinModel::km, pool.pigments(), conditions);
    std::mt19937 random(31);
    int same_pigments = 0, within_two = 0;
    std::vector<double> mixed_de;
    for (int trial = 0; trial < 100; ++trial) {
      const int n = 1 + trial % 3;
      const auto drops = test::random_recipe(random, n, 8);
      const Lab target = to_lab(true_mix(f.truth, drops));
      FormulationRequest request;
      request.target_lab_d50 = target;
      request.top = 1;
      const FormulationResult result = formulate(request, pool, *mixer);
      REQUIRE_FALSE(result.recipes.empty());
      std::vector<std::pair<std::size_t, int>> proposed;
      bool same = true, close = true;
      for (const auto& c : result.recipes.front().components) {
        if (c.is_diluent)
          continue;
        const std::size_t index = static_cast<std::size_t>(std::stoi(c.code.substr(1)));
        proposed.emplace_back(index, c.drops);
        const auto match = std::find_if(drops.begin(), drops.end(),
                                        [&](const auto& d) { return d.first == index; });
        same = same && match != drops.end();
        close = close && match != drops.end() && std::abs(match->second - c.drops) <= 2;
      }
      same = same && proposed.size() == drops.size();
      same_pigments += same;
      within_two += same && close;
      mixed_de.push_back(delta_e2000(to_lab(true_mix(f.truth, proposed)), target));
    }
    std::sort(mixed_de.begin(), mixed_de.end());
    WARN((realistic ? "SMP-like" : "narrow-band")
         << " pigments: recipe mixed from the true pigments against the target, ΔE00 median "
         << mixed_de[50] << ", p90 " << mixed_de[90] << "; same pigments " << same_pigments
         << "/100, and drops within ±2 " << within_two << "/100");
    CHECK(mixed_de[50] < (realistic ? 1.2 : 2.0));
    CHECK(mixed_de[90] < (realistic ? 6.5 : 6.0));
  }
}

TEST_CASE("other cameras, lights and exposures read the boxes as well", "[swatch_card]") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  const auto [camera, light, exposure] = GENERATE(table<std::string, std::string, double>(
      {{"Nikon_D700", "CIE_std_illum_A_1nm.csv", 1.0},
       {"Point_Grey_Grasshopper2_14S5C", "colord_CIE-F11_5nm.csv", 1.0},
       {"Hasselblad_H2", "CIE_std_illum_D50.csv", 1.0},
       {"Nikon_D5100", "colord_CIE-F2_5nm.csv", 1.0},
       {"Canon_40D", "CIE_std_illum_D65.csv", 0.3},
       {"Canon_40D", "CIE_std_illum_D65.csv", 1.15}}));
  const PhotoFixture f(data, test::smp_like_catalog(), camera, light);
  PIGMATCH_REQUIRE_CARD_PRINT(f.print)
  const test::SwatchPhoto photo = f.photo(false, 3, nullptr, std::nullopt, exposure);
  const auto marks = find_swatch_card_marks(photo.image);
  REQUIRE(marks);
  const SwatchCardReading reading =
      read_swatch_card(photo.image, calibrated(photo, f.camera).transform, *marks, f.layout);
  std::vector<double> errors;
  for (const DrawdownReading& r : reading.readings) {
    if (!r.code.empty())
      errors.push_back(
          delta_e2000(*r.lab_d50, to_lab(test::painted_film(f.truth, r.code, r.concentration))));
  }
  std::sort(errors.begin(), errors.end());
  WARN(camera << " under " << light << ", exposure " << exposure
              << ": swatch colours against the truth, median ΔE00 " << errors[errors.size() / 2]
              << ", max " << errors.back());
  CHECK(errors[errors.size() / 2] < 1.2);
  CHECK(errors.back() < 5.0);
}

TEST_CASE("an over-exposed card is refused, saying so", "[swatch_card]") {
  PIGMATCH_REQUIRE_SHARED_DATA(data);
  const PhotoFixture f(data, test::smp_like_catalog());
  PIGMATCH_REQUIRE_CARD_PRINT(f.print)
  // The paper at 1.4 × the usual exposure is past full scale.
  const test::SwatchPhoto photo = f.photo(false, 3, nullptr, std::nullopt, 1.4);
  const std::string message = test::error_message([&] {
    (void)read_swatch_card(photo.image, calibrated(photo, f.camera).transform, photo.marks,
                           f.layout);
  });
  INFO(message);
  CHECK(message.find("the bare-card box of row 6 is clipped") != std::string::npos);  // most light
  CHECK(message.find("over-exposed") != std::string::npos);
}
