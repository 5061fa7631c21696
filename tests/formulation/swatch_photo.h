// A photo of a painted swatch card beside a ColorChecker, rendered from spectra: the card as
// librsvg prints pigmatch's SVG (rsvg-convert, not pigmatch, rasterises it: paper where it is
// white, black ink where it is dark), each pigment box painted a little over its outline with a
// Kubelka–Munk film of a pigment with known K and S (tests/formulation/independent_km.h) on that
// paper, the chart from BabelColor's measured spectra, all seen by a real camera's measured
// sensitivities (tests/calibration/spectral_camera.h) under a light that grows down the frame,
// with sensor noise, in 8-bit sRGB with the sRGB profile. Test support only.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "../calibration/spectral_camera.h"
#include "../calibration/synthetic_chart.h"
#include "independent_km.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/swatch_card.h"
#include "pigmatch/image/image.h"

namespace pigmatch::test {

/// The card paper: a bright card a little warmer at the red end, as real card stock is.
inline double paper_at(std::size_t band) {
  return 0.84 + 0.06 * static_cast<double>(band) / (Spectrum::band_count - 1);
}
inline constexpr double ink_reflectance = 0.035;

/// Eight pigments an SMP or camouflage studio owns, with K and S per unit concentration modelled
/// as tools/gen_demo_catalogs.py models its demo catalogs (broad absorption edges, no narrow
/// bands): carbon black full and pre-diluted to 25 %, red, yellow and black iron oxide, titanium
/// dioxide, and two premixed shades (a warm brown, a cool grey). Codes P0–P7.
inline Catalog smp_like_catalog() {
  const auto logistic = [](double wl, double edge, double width, double low, double high) {
    return low + (high - low) / (1.0 + std::exp(-(wl - edge) / width));
  };
  struct Part {
    double carbon, red, yellow, black, white;
  };
  const Part parts[8] = {{1, 0, 0, 0, 0},       {0.25, 0, 0, 0, 0},  {0, 1, 0, 0, 0},
                         {0, 0, 1, 0, 0},       {0, 0, 0, 1, 0},     {0, 0, 0, 0, 1},
                         {0.1, 0.5, 0.3, 0, 0}, {0.15, 0, 0, 0, 0.6}};
  Catalog c;
  c.id = "smp-like";
  c.vendor = "Test";
  c.name = "SMP-like pigments";
  for (std::size_t n = 0; n < 8; ++n) {
    Pigment p;
    p.code = "P" + std::to_string(n);
    p.name = p.code;
    p.drop_volume_ml = 0.05;
    Spectrum::Values k{}, s{};
    for (std::size_t b = 0; b < Spectrum::band_count; ++b) {
      const double wl = Spectrum::wavelength(b);
      const Part& q = parts[n];
      k[b] = q.carbon * 3.0 * std::pow(560.0 / wl, 0.05) + q.red * logistic(wl, 590, 14, 22, 0.35) +
             q.yellow * logistic(wl, 505, 15, 18, 0.6) + q.black * 20 * std::pow(560.0 / wl, 0.2) +
             q.white * logistic(wl, 398, 6, 6, 0.02);
      s[b] = q.carbon * 0.08 * (560.0 / wl) + q.red * (1.6 + 0.6 * (560.0 / wl)) +
             q.yellow * (1.8 + 0.7 * (560.0 / wl)) + q.black * 1.2 +
             q.white * 6 * std::pow(560.0 / wl, 1.2);
    }
    p.k = Spectrum(k);
    p.s = Spectrum(s);
    c.pigments.push_back(std::move(p));
  }
  Pigment diluent;
  diluent.code = "DIL";
  diluent.name = "Diluent";
  diluent.is_diluent = true;
  diluent.k = diluent.s = Spectrum::constant(0.0);
  c.pigments.push_back(std::move(diluent));
  return c;
}

/// The card as librsvg rasterises it at `px_per_mm`, or nothing when rsvg-convert is missing.
inline std::optional<Image> rasterised_card(const std::filesystem::path& svg,
                                            const std::filesystem::path& png, double px_per_mm) {
  const std::string command = "rsvg-convert --dpi-x " + std::to_string(px_per_mm * 25.4) +
                              " --dpi-y " + std::to_string(px_per_mm * 25.4) +
                              " --background-color white -o '" + png.string() + "' '" +
                              svg.string() + "' 2>/dev/null";
  if (std::system(command.c_str()) != 0)
    return std::nullopt;
  return decode_image(png);
}

/// Whether the card could be rasterised; when not, says why the test is skipped.
#define PIGMATCH_REQUIRE_CARD_PRINT(print)                                                      \
  if (!(print)) {                                                                               \
    WARN("skipped: rsvg-convert (librsvg2-bin, installed by scripts/setup.sh) is not on PATH"); \
    return;                                                                                     \
  }

/// `photo` with everything right of x = 580 (the card, not the chart) painted flat grey: a photo
/// of the chart alone.
inline Image without_card(const Image& photo) {
  Image out = photo;
  for (int y = 0; y < out.height; ++y)
    for (int x = 580; x < out.width; ++x)
      for (int c = 0; c < 3; ++c)
        out.pixels[(static_cast<std::size_t>(y) * out.width + x) * 3 + c] = std::byte{128};
  return out;
}

struct SwatchScene {
  const SpectralCamera* camera = nullptr;
  const Catalog* truth = nullptr;  ///< pigments with K and S, by the layout's codes
  SwatchCardLayout layout;
  const Image* print = nullptr;  ///< rasterised_card()
  double print_px_per_mm = 4;
  bool upside_down = false;  ///< the card turned 180° in the frame
  /// Where the page's corners (top-left, top-right, bottom-right, bottom-left as printed) are in
  /// the 1500 × 1000 frame; empty: filling the right of the frame in a slight perspective.
  std::optional<std::array<Point, 4>> page;
  /// Light 1 + g·(y/height − ½) down the frame (a lamp above): the chart beside the card is in
  /// the light of the card's middle, the card's top and bottom rows in more and less.
  double light_gradient = 0.1;
  double noise = 0.003;   ///< sensor noise, linear units of full scale
  double exposure = 1.0;  ///< scales the light (the camera's white is at 80 % of full scale)
  unsigned seed = 1;
};

struct SwatchPhoto {
  Image image;
  std::array<Point, 4> marks{};  ///< the corner marks' centres, top-left (hollow) first
  ChartCorners chart{};
  /// The light at the lowest box centre over the highest, minus 1 (what the card's bare boxes
  /// should report as its variation across the card).
  double light_variation = 0;
};

/// The K and S of pigment `code` in `truth` times the concentration, on the paper.
inline Spectrum painted_film(const Catalog& truth, const std::string& code, double c) {
  for (const Pigment& p : truth.pigments) {
    if (p.code != code)
      continue;
    Spectrum::Values v{};
    for (std::size_t b = 0; b < Spectrum::band_count; ++b)
      v[b] = independent_film(c * (*p.k)[b], c * (*p.s)[b], paper_at(b));
    return Spectrum(v);
  }
  return Spectrum::constant(0.0);
}

inline SwatchPhoto render_swatch_photo(const SwatchScene& scene) {
  constexpr int width = 1500, height = 1000;
  const SwatchCardGeometry g = swatch_card_geometry(scene.layout);
  // The page's corners in the frame (a slight perspective), in page order TL, TR, BR, BL.
  std::array<Point, 4> page = scene.page.value_or(
      std::array<Point, 4>{Point{600, 140}, Point{1440, 170}, Point{1425, 760}, Point{615, 790}});
  if (scene.upside_down)
    page = {page[2], page[3], page[0], page[1]};
  const TestHomography page_map(page);
  const ChartCorners chart{Point{50, 330}, Point{540, 320}, Point{545, 652}, Point{55, 660}};
  const TestHomography chart_map(chart);
  const ChartDefinition& layout = builtin_chart();

  const SpectralCamera& cam = *scene.camera;
  const Vec3 paper = cam.rgb([] {
    Spectrum::Values v{};
    for (std::size_t b = 0; b < Spectrum::band_count; ++b)
      v[b] = paper_at(b);
    return Spectrum(v);
  }());
  const Vec3 ink = cam.rgb(Spectrum::constant(ink_reflectance));
  const Vec3 frame = cam.rgb(Spectrum::constant(0.03));
  const Vec3 table = cam.rgb(Spectrum::constant(0.25));
  std::vector<Vec3> patches;
  for (const Spectrum& s : cam.chart)
    patches.push_back(cam.rgb(s));
  std::vector<Vec3> boxes;
  for (const SwatchBox& box : g.boxes)
    boxes.push_back(box.code.empty()
                        ? Vec3{}
                        : cam.rgb(painted_film(*scene.truth, box.code, box.concentration)));

  const auto surface = [&](double x, double y) -> Vec3 {
    const Point uv = page_map.to_chart({x, y});
    if (uv.x >= 0 && uv.x <= 1 && uv.y >= 0 && uv.y <= 1) {
      const double x_mm = uv.x * g.page_width_mm, y_mm = uv.y * g.page_height_mm;
      for (std::size_t i = 0; i < g.boxes.size(); ++i) {
        const SwatchBox& b = g.boxes[i];
        constexpr double over = 0.6;  // painted a little over the outline
        if (!b.code.empty() && x_mm >= b.x_mm - over && x_mm <= b.x_mm + b.width_mm + over &&
            y_mm >= b.y_mm - over && y_mm <= b.y_mm + b.height_mm + over)
          return boxes[i];
      }
      const Image& print = *scene.print;
      const int px = std::clamp(static_cast<int>(x_mm * scene.print_px_per_mm), 0, print.width - 1);
      const int py =
          std::clamp(static_cast<int>(y_mm * scene.print_px_per_mm), 0, print.height - 1);
      const double grey = srgb_decode(print.row8(py)[px * print.channels] / 255.0);
      Vec3 out{};
      for (std::size_t c = 0; c < 3; ++c)
        out[c] = grey * paper[c] + (1 - grey) * ink[c];
      return out;
    }
    const Point cv = chart_map.to_chart({x, y});
    if (cv.x >= 0 && cv.x <= 1 && cv.y >= 0 && cv.y <= 1) {
      for (std::size_t i = 0; i < layout.patches.size(); ++i) {
        const auto& p = layout.patches[i];
        if (std::abs(cv.x - p.center.x) <= p.width / 2 &&
            std::abs(cv.y - p.center.y) <= p.height / 2)
          return patches[i];
      }
      return frame;
    }
    return table;
  };

  SwatchPhoto out;
  Image& image = out.image;
  image.width = width;
  image.height = height;
  image.bits = 8;
  image.channels = 3;
  image.source = "rendered swatch card";
  image.icc_profile = srgb_profile_bytes();
  image.pixels.resize(static_cast<std::size_t>(width) * height * 3);
  std::mt19937 random(scene.seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  const auto light = [&](double y) { return 1 + scene.light_gradient * (y / height - 0.5); };
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      Vec3 sum{};
      for (int s = 0; s < 4; ++s) {
        const Vec3 c = surface(x + 0.25 + 0.5 * (s % 2), y + 0.25 + 0.5 * (s / 2));
        for (std::size_t k = 0; k < 3; ++k)
          sum[k] += c[k] / 4;
      }
      for (std::size_t k = 0; k < 3; ++k) {
        const double linear =
            sum[k] * scene.exposure * light(y + 0.5) + scene.noise * noise(random);
        image.pixels[(static_cast<std::size_t>(y) * width + x) * 3 + k] =
            static_cast<std::byte>(std::lround(255 * srgb_encode(std::clamp(linear, 0.0, 1.0))));
      }
    }
  }
  for (std::size_t i = 0; i < 4; ++i) {
    const Point mm = g.marks_mm[i];
    out.marks[i] = page_map.to_image({mm.x / g.page_width_mm, mm.y / g.page_height_mm});
  }
  out.chart = chart;
  double top = height, bottom = 0;
  for (const SwatchBox& b : g.boxes) {
    const Point at = page_map.to_image({(b.x_mm + b.width_mm / 2) / g.page_width_mm,
                                        (b.y_mm + b.height_mm / 2) / g.page_height_mm});
    top = std::min(top, at.y);
    bottom = std::max(bottom, at.y);
  }
  out.light_variation = light(bottom) / light(top) - 1;
  return out;
}

}  // namespace pigmatch::test
