// render_photo: renders a physically based test photo of skin, stubble and an X-Rite
// ColorChecker Classic, and writes the true colour of every region — the ground truth of
// `pigmatch measure`.
//
// Dev tool: it reads ../shared/data (chart spectra, Vrhel skin and hair reflectances, camera
// sensitivities, CIE illuminants and colour-matching functions); the product never does.
//
// Physics. Everything is integrated on one 5 nm grid, 380–730 nm (the reflectances' range; 5 nm
// keeps the emission lines of the fluorescent illuminants F2 and F11, which 10 nm point sampling
// would miss). Data on other grids is interpolated linearly onto it: BabelColor's 10 nm chart
// spectra; Vrhel's 2 nm spectra, whose 390 nm value is held for 380–385 nm; the camera
// sensitivities, measured 400–720 nm only, are taken as zero at 380–395 and 725–730 nm (at their
// measured ends they are already below 2 % of their peak: UV-absorbing glass and the IR-cut
// filter), which the tool reports per camera as the fraction of the response it drops at most.
//
// Camera pipeline, per pixel:
//   raw_c = exposure · light(x, y) · vignetting(x, y) · Σ_λ R(λ) E(λ) S_c(λ)    (linear raw)
//   (4×4 supersampling per pixel, so edges mix materials linearly, as light does; a slight
//   Gaussian lens blur; shot + read noise in the raw domain)
//   white balance: gains that make the camera's raw response to the chart's neutral 6.5 patch
//   under the scene illuminant grey (the camera's own estimate, not the illuminant's true white);
//   colour: a fixed camera → linear sRGB 3×3 matrix per camera, fitted by least squares on the 24
//   chart spectra under D65 with rows summing to 1 (white preserved), as a camera's "daylight"
//   matrix is; under other illuminants it is not colorimetric, which is why calibration is needed;
//   output: clip to 0–1, sRGB encoding, 8-bit, JPEG (4:2:0) with the sRGB ICC profile; and
//   optionally a 16-bit linear TIFF (the same linear sRGB values) with a linear-sRGB ICC profile.
//
// Truth. For every surface: XYZ under the scene illuminant (CIE 1931 2°, on the same grid),
// relative to the illuminant's white (Y = 1), Bradford-adapted from that white to D50, then
// CIELAB D50 — the colour a calibrated photo under that light is meant to report
// ("lab_d50"). The truth file also gives each surface's CIELAB under D50 itself
// ("lab_d50_colorimetric", illuminant-independent reflectance colorimetry) for comparison.
//
// Stubble: follicles are ellipses (minor diameter 2–4 px, aspect up to 1.3, any orientation: the
// scale of a phone photo at consultation distance, 0.04–0.08 mm a pixel) placed as a Poisson
// process, so they touch and overlap, at 20–45 % coverage; lens PSF σ 0.5–1.0 px; JPEG 4:2:0
// (or 4:2:2, 4:4:4). All of it can be widened or narrowed by the options below.
//
// Usage: render_photo --data ../shared/data --out PREFIX [--camera Canon_40D] [--illuminant D65]
//        [--seed 1] [--width 1200] [--height 800] [--quality 90] [--tiff]
//        [--dot-diameter 2,4] [--dot-aspect 1.3] [--coverage 0.2,0.45] [--blur 0.5,1.0]
//        [--subsampling 420|422|444] [--hair auto|black|brown|blonde|grey] [--skin VRHEL_NUMBER]
//        [--light-gradient 0.03] [--vignetting 0.1,0.2] [--flat]
//        [--chart-out CHART.json] [--surfaces-out SURFACES.json]
//        [--style srgb|linear|camera] [--exposure 1.0] [--white-balance scene|daylight]
//        [--space srgb|p3|adobe|rec2020] [--heic 8|10] [--glare 0.15] [--chart-width 0.38]
// Capture styles (issue 14): srgb as above; linear — the raw values as they are, no white balance,
// no matrix, no curve and no profile (a machine-vision camera, a raw file developed without a
// curve); camera — an in-camera JPEG look on top of sRGB (25 % more saturation, an S-shaped
// contrast curve, unsharp masking). --exposure scales the light (0.3: a white patch near 25 % of
// full scale); --white-balance daylight keeps D65's gains under any light (a colour cast).
// --space writes the srgb and camera styles in a wider RGB (linear sRGB converted by the primaries'
// matrices before clipping, then that space's curve and profile); --heic also writes the same
// developed photo as PREFIX.heic (libheif + x265, 8 or 10 bits), described by an nclx box as
// phones do (the ICC profile for Adobe RGB, which H.273 has no code for).
// writes PREFIX.jpg, PREFIX.truth.json, with --tiff PREFIX-linear.tif, with --chart-out the
// rendered chart's description, whose reference values are the D50 colorimetry of its spectra
// and which carries those spectra, and with --surfaces-out every known surface as the camera sees
// it (noise-free linear sRGB) with its spectrum and D50 colorimetry.
#include <lcms2.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/image/image.h"

namespace fs = std::filesystem;
using pigmatch::Lab;
using pigmatch::Xyz;

namespace {

// ---- the spectral grid and data ----------------------------------------------------------------

constexpr double grid_first_nm = 380, grid_step_nm = 5;
constexpr std::size_t grid_size = 71;  // 380…730 nm
using Spd = std::array<double, grid_size>;

double grid_nm(std::size_t i) {
  return grid_first_nm + grid_step_nm * static_cast<double>(i);
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<double>> columns;  // columns[0] = wavelengths
};

Table read_table(const fs::path& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  Table t;
  std::string line;
  const auto split = [](std::string s) {
    if (!s.empty() && s.back() == '\r')
      s.pop_back();
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string f;
    while (std::getline(ss, f, ','))
      out.push_back(f);
    return out;
  };
  std::getline(in, line);
  t.header = split(line);
  t.columns.resize(t.header.size());
  while (std::getline(in, line)) {
    const auto fields = split(line);
    if (fields.size() < t.header.size())
      continue;
    for (std::size_t c = 0; c < t.header.size(); ++c)
      t.columns[c].push_back(std::stod(fields[c]));
  }
  return t;
}

// Linear interpolation of (wl, v) at each grid point; outside the data: hold the end value
// (`hold`) or 0.
Spd on_grid(const std::vector<double>& wl, const std::vector<double>& v, bool hold) {
  Spd out{};
  for (std::size_t i = 0; i < grid_size; ++i) {
    const double x = grid_nm(i);
    if (x < wl.front() || x > wl.back()) {
      out[i] = hold ? (x < wl.front() ? v.front() : v.back()) : 0.0;
      continue;
    }
    const auto it = std::lower_bound(wl.begin(), wl.end(), x);
    const auto k = static_cast<std::size_t>(it - wl.begin());
    if (wl[k] == x) {
      out[i] = v[k];
      continue;
    }
    const double t = (x - wl[k - 1]) / (wl[k] - wl[k - 1]);
    out[i] = v[k - 1] + t * (v[k] - v[k - 1]);
  }
  return out;
}

struct SpectralData {
  Spd x_bar{}, y_bar{}, z_bar{};
  std::map<std::string, Spd> illuminants;            // "D65", "D50", "A", "F2", "F11"
  std::array<Spd, 24> chart{};                       // BabelColor average, patch 1…24
  std::map<int, std::pair<std::string, Spd>> vrhel;  // by Vrhel number: label, reflectance
};

SpectralData load_data(const fs::path& dir) {
  SpectralData d;
  const Table cmf = read_table(dir / "cie" / "CIE_xyz_1931_2deg.csv");
  d.x_bar = on_grid(cmf.columns[0], cmf.columns[1], false);
  d.y_bar = on_grid(cmf.columns[0], cmf.columns[2], false);
  d.z_bar = on_grid(cmf.columns[0], cmf.columns[3], false);
  const std::map<std::string, std::string> files = {{"D65", "CIE_std_illum_D65.csv"},
                                                    {"D50", "CIE_std_illum_D50.csv"},
                                                    {"A", "CIE_std_illum_A_1nm.csv"},
                                                    {"F2", "colord_CIE-F2_5nm.csv"},
                                                    {"F11", "colord_CIE-F11_5nm.csv"}};
  for (const auto& [name, file] : files) {
    const Table t = read_table(dir / "cie" / file);
    d.illuminants[name] = on_grid(t.columns[0], t.columns[1], false);
  }
  const Table chart =
      read_table(dir / "colorchecker" / "babelcolor_average_spectral_380-730_10nm.csv");
  for (std::size_t p = 0; p < 24; ++p)
    d.chart[p] = on_grid(chart.columns[0], chart.columns[p + 1], true);
  const Table vrhel = read_table(dir / "skin-hair" / "vrhel1994_skin_hair_390-730_2nm.csv");
  for (std::size_t c = 1; c < vrhel.header.size(); ++c) {
    const int number = std::stoi(vrhel.header[c]);
    d.vrhel[number] = {vrhel.header[c], on_grid(vrhel.columns[0], vrhel.columns[c], true)};
  }
  return d;
}

struct Camera {
  std::string name;
  std::array<Spd, 3> sensitivity{};
  double dropped_fraction = 0;  // bound on the response lost outside 400–720 nm
};

Camera load_camera(const fs::path& dir, const std::string& name) {
  const Table t = read_table(dir / "cameras" / (name + ".csv"));
  Camera cam{name, {}, 0};
  for (int c = 0; c < 3; ++c) {
    cam.sensitivity[static_cast<std::size_t>(c)] =
        on_grid(t.columns[0], t.columns[static_cast<std::size_t>(c) + 1], false);
    // Holding the end values over the missing 20 nm at each end bounds what zero drops.
    const Spd held = on_grid(t.columns[0], t.columns[static_cast<std::size_t>(c) + 1], true);
    double kept = 0, all = 0;
    for (std::size_t i = 0; i < grid_size; ++i) {
      kept += cam.sensitivity[static_cast<std::size_t>(c)][i];
      all += held[i];
    }
    cam.dropped_fraction = std::max(cam.dropped_fraction, 1.0 - kept / all);
  }
  return cam;
}

// ---- colorimetry
// ---------------------------------------------------------------------------------

using Rgb = std::array<double, 3>;

Xyz tristimulus(const Spd& reflectance, const SpectralData& d, const Spd& light) {
  double X = 0, Y = 0, Z = 0, norm = 0;
  for (std::size_t i = 0; i < grid_size; ++i) {
    X += reflectance[i] * light[i] * d.x_bar[i];
    Y += reflectance[i] * light[i] * d.y_bar[i];
    Z += reflectance[i] * light[i] * d.z_bar[i];
    norm += light[i] * d.y_bar[i];
  }
  return {X / norm, Y / norm, Z / norm};
}

Spd constant(double v) {
  Spd s{};
  s.fill(v);
  return s;
}

// The truth: XYZ under the scene light, Bradford from its white to D50, CIELAB D50.
Lab truth_lab(const Spd& reflectance, const SpectralData& d, const Spd& light) {
  const Xyz white = tristimulus(constant(1.0), d, light);
  return pigmatch::to_lab(
      pigmatch::adapt_bradford(tristimulus(reflectance, d, light), white, pigmatch::white::d50));
}

Rgb camera_raw(const Spd& reflectance, const Camera& cam, const Spd& light) {
  Rgb raw{};
  for (std::size_t c = 0; c < 3; ++c) {
    for (std::size_t i = 0; i < grid_size; ++i)
      raw[c] += reflectance[i] * light[i] * cam.sensitivity[c][i];
  }
  return raw;
}

using Matrix = std::array<std::array<double, 3>, 3>;

Rgb matrix_times(const Matrix& m, const Rgb& v) {
  return {m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
          m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
          m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2]};
}

Matrix invert(const Matrix& m) {
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  Matrix r{};
  r[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
  r[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
  r[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
  r[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
  r[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
  r[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
  r[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
  r[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
  r[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
  return r;
}

// XYZ (D65 white) → linear sRGB, IEC 61966-2-1.
constexpr Matrix xyz_to_srgb = {
    {{3.2406, -1.5372, -0.4986}, {-0.9689, 1.8758, 0.0415}, {0.0557, -0.2040, 1.0570}}};

// The camera's fixed colour matrix: white-balanced raw → linear sRGB, least squares over the 24
// chart spectra under D65, then each row scaled to sum to 1 so white stays white.
Matrix camera_matrix(const Camera& cam, const SpectralData& d) {
  const Spd& d65 = d.illuminants.at("D65");
  const Rgb white_raw = camera_raw(constant(1.0), cam, d65);
  const Xyz white_xyz = tristimulus(constant(1.0), d, d65);
  Matrix ata{}, atb{};  // normal equations, shared by the three rows
  std::array<Rgb, 24> target{};
  std::array<Rgb, 24> input{};
  for (std::size_t p = 0; p < 24; ++p) {
    const Rgb raw = camera_raw(d.chart[p], cam, d65);
    input[p] = {raw[0] / white_raw[0], raw[1] / white_raw[1], raw[2] / white_raw[2]};
    const Xyz xyz = tristimulus(d.chart[p], d, d65);
    // Scale so the computed D65 white maps to sRGB white exactly.
    const Rgb rel = matrix_times(xyz_to_srgb, {xyz.X / white_xyz.X * pigmatch::white::d65.X, xyz.Y,
                                               xyz.Z / white_xyz.Z * pigmatch::white::d65.Z});
    target[p] = rel;
  }
  for (std::size_t p = 0; p < 24; ++p) {
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < 3; ++j) {
        ata[i][j] += input[p][i] * input[p][j];
        atb[i][j] += input[p][i] * target[p][j];
      }
    }
  }
  const Matrix inv = invert(ata);
  Matrix m{};
  for (std::size_t row = 0; row < 3; ++row) {
    double sum = 0;
    for (std::size_t col = 0; col < 3; ++col) {
      for (std::size_t k = 0; k < 3; ++k)
        m[row][col] += inv[col][k] * atb[k][row];
      sum += m[row][col];
    }
    for (std::size_t col = 0; col < 3; ++col)
      m[row][col] /= sum;
  }
  return m;
}

// ---- scene -------------------------------------------------------------------------------------

struct Vec2 {
  double x = 0, y = 0;
};

// Homography from chart-normalised (u, v) to image (x, y), mapping the unit square onto the four
// corners in chart order (0,0), (1,0), (1,1), (0,1) (Heckbert's square-to-quad).
struct Homography {
  double a, b, c, d, e, f, g, h;
  Vec2 map(double u, double v) const {
    const double w = g * u + h * v + 1;
    return {(a * u + b * v + c) / w, (d * u + e * v + f) / w};
  }
};

Homography square_to_quad(const std::array<Vec2, 4>& q) {
  const double sx = q[0].x - q[1].x + q[2].x - q[3].x;
  const double sy = q[0].y - q[1].y + q[2].y - q[3].y;
  const double dx1 = q[1].x - q[2].x, dx2 = q[3].x - q[2].x;
  const double dy1 = q[1].y - q[2].y, dy2 = q[3].y - q[2].y;
  const double den = dx1 * dy2 - dx2 * dy1;
  const double g = (sx * dy2 - dx2 * sy) / den;
  const double h = (dx1 * sy - sx * dy1) / den;
  return {q[1].x - q[0].x + g * q[1].x,
          q[3].x - q[0].x + h * q[3].x,
          q[0].x,
          q[1].y - q[0].y + g * q[1].y,
          q[3].y - q[0].y + h * q[3].y,
          q[0].y,
          g,
          h};
}

// Inverse homography as a 3×3 matrix inverse.
struct Inverse {
  Matrix m;
  Vec2 map(double x, double y) const {
    const Rgb r = matrix_times(m, {x, y, 1});
    return {r[0] / r[2], r[1] / r[2]};
  }
};

Inverse invert(const Homography& H) {
  return {invert(Matrix{{{H.a, H.b, H.c}, {H.d, H.e, H.f}, {H.g, H.h, 1.0}}})};
}

struct RectD {
  double x0, y0, x1, y1;
  bool contains(double x, double y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

// A hair stub seen end-on or slightly tilted: an ellipse with semi-axes `major` ≥ `minor`, its
// major axis at angle θ (cos, sin).
struct Dot {
  double x, y, major, minor, cos_t, sin_t;
  bool contains(double px, double py) const {
    const double dx = px - x, dy = py - y;
    const double u = (dx * cos_t + dy * sin_t) / major, v = (-dx * sin_t + dy * cos_t) / minor;
    return u * u + v * v <= 1.0;
  }
};

// How the stubble and the light are drawn (the ranges real photos span: issue 13).
struct StubbleStyle {
  double diameter_min = 2, diameter_max = 4;  // the follicle's minor diameter, px
  double aspect_max = 1.3;                    // major / minor, uniform in 1..aspect_max
  double coverage_min = 0.2, coverage_max = 0.45;
  double blur_min = 0.5, blur_max = 1.0;  // Gaussian lens PSF σ, px
  std::string hair = "auto";              // auto, black, brown, blonde, grey
  int skin = 0;                           // Vrhel number of the scalp's skin; 0: random
  double light_gradient = 0.03;           // the light's tilt across the frame, at most ± this
  double vignetting_min = 0.10, vignetting_max = 0.20;
};

// Material indices: 0–23 chart patches, then these.
enum Material : int { chart_body = 24, backdrop, skin_a, skin_b, hair, grey_card, material_count };

struct Scene {
  int width = 0, height = 0;
  std::array<Vec2, 4> corners{};  // chart corners in chart order
  Inverse to_chart{};
  RectD scalp, stubble_rect, skin_rect, neck_area, neck_rect;  // areas and truth rectangles
  RectD skin_area;
  RectD hair_swatch, hair_swatch_rect;  // a lock of the client's hair, cut: pure hair
  RectD card, card_rect;                // an 18 % grey card below the skin region
  std::vector<Dot> dots;
  double light_tilt_x = 0, light_tilt_y = 0, vignetting = 0, blur_sigma = 0;
  int skin_a_id = 0, skin_b_id = 0;
  std::string hair_name;  // the hair sample's description
  Spd hair_reflectance{};
};

double uniform(std::mt19937& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

// Grey hair is a mixture of unpigmented (white, slightly yellow) and pigmented hairs; Vrhel has
// no grey sample, so it is half black hair (83) and half a flat 0.45 reflectance with a little
// yellowing below 450 nm.
Spd grey_hair(const SpectralData& d) {
  const Spd& black = d.vrhel.at(83).second;
  Spd out{};
  for (std::size_t i = 0; i < grid_size; ++i) {
    const double white = grid_nm(i) < 450 ? 0.45 - 0.15 * (450 - grid_nm(i)) / 70 : 0.45;
    out[i] = 0.5 * black[i] + 0.5 * white;
  }
  return out;
}

void choose_hair(Scene& s, const StubbleStyle& style, const SpectralData& d, std::mt19937& rng) {
  static const std::map<std::string, int> by_name = {{"black", 83}, {"brown", 97}, {"blonde", 109}};
  std::string name = style.hair;
  if (name == "auto") {
    // Brown hair on dark skin barely differs from it (as in life); such clients get black hair
    // here so every stubble region has dots to measure.
    const bool dark_skin =
        truth_lab(d.vrhel.at(s.skin_a_id).second, d, d.illuminants.at("D50")).L < 40;
    name = dark_skin || rng() % 2 == 0 ? "black" : "brown";
  }
  if (name == "grey") {
    s.hair_name = "grey hair (half 83: hair -- black, half unpigmented)";
    s.hair_reflectance = grey_hair(d);
    return;
  }
  if (!by_name.contains(name))
    throw std::runtime_error("unknown hair " + name + " (auto, black, brown, blonde, grey)");
  s.hair_name = d.vrhel.at(by_name.at(name)).first;
  s.hair_reflectance = d.vrhel.at(by_name.at(name)).second;
}

// Moves the client's areas (laid out for x in 0.53–0.97 of the frame) right of `left`, when a
// large chart needs the room.
RectD squeeze_right_of(const RectD& r, double left, double W) {
  const auto x = [&](double v) { return left + (v - 0.53 * W) * (0.97 * W - left) / (0.44 * W); };
  return {x(r.x0), r.y0, x(r.x1), r.y1};
}

Scene make_scene(int width, int height, unsigned seed, const pigmatch::ChartDefinition& chart,
                 const SpectralData& d, const StubbleStyle& style, double chart_width) {
  std::mt19937 rng(seed);
  Scene s;
  s.width = width;
  s.height = height;
  const double W = width, H = height;
  // The chart on the left, its patch field about 38 % of the frame wide, perspective from a
  // camera a little off axis, sometimes upside down.
  const double aspect = chart.height_mm / chart.width_mm;
  const double drawn_width = uniform(rng, 0.36, 0.40);
  const double cw = W * (chart_width > 0 ? chart_width : drawn_width);
  const double ch = cw * aspect;
  const double drawn_x = uniform(rng, 0.24, 0.26);
  // A chart of the given width stays in frame (the default scenes are placed as they always were).
  const double cx = chart_width > 0 ? std::max(W * drawn_x, 0.56 * cw + 0.02 * W) : W * drawn_x;
  const double cy = H * uniform(rng, 0.45, 0.55);
  const double angle = uniform(rng, -8, 8) * M_PI / 180 + (seed % 4 == 3 ? M_PI : 0.0);
  const std::array<Vec2, 4> unit = {Vec2{-0.5, -0.5}, Vec2{0.5, -0.5}, Vec2{0.5, 0.5},
                                    Vec2{-0.5, 0.5}};
  for (std::size_t k = 0; k < 4; ++k) {
    const double px = unit[k].x * cw * (1 + uniform(rng, -0.05, 0.05));
    const double py = unit[k].y * ch * (1 + uniform(rng, -0.05, 0.05));
    s.corners[k] = {cx + px * std::cos(angle) - py * std::sin(angle),
                    cy + px * std::sin(angle) + py * std::cos(angle)};
  }
  s.to_chart = invert(square_to_quad(s.corners));

  // The client: scalp with stubble at the top right, bare skin below it, a second skin (the
  // neck) at the bottom right.
  s.scalp = {W * 0.53, H * 0.06, W * 0.97, H * 0.52};
  s.stubble_rect = {W * 0.57, H * 0.10, W * 0.93, H * 0.48};
  s.skin_area = {W * 0.53, H * 0.52, W * 0.97, H * 0.94};
  s.skin_rect = {W * 0.57, H * 0.57, W * 0.73, H * 0.83};
  s.card = {W * 0.57, H * 0.855, W * 0.73, H * 0.935};
  s.card_rect = {W * 0.585, H * 0.865, W * 0.715, H * 0.925};
  s.neck_area = {W * 0.76, H * 0.55, W * 0.97, H * 0.94};
  s.neck_rect = {W * 0.79, H * 0.60, W * 0.94, H * 0.89};
  s.hair_swatch = {W * 0.05, H * 0.03, W * 0.22, H * 0.20};
  s.hair_swatch_rect = {W * 0.07, H * 0.05, W * 0.20, H * 0.18};
  double chart_right = 0;
  for (const Vec2& c : s.corners)
    chart_right = std::max(chart_right, c.x);
  if (chart_right + 0.03 * W > 0.53 * W) {
    const double left = chart_right + 0.03 * W;
    for (RectD* r : {&s.scalp, &s.stubble_rect, &s.skin_area, &s.skin_rect, &s.card, &s.card_rect,
                     &s.neck_area, &s.neck_rect})
      *r = squeeze_right_of(*r, left, W);
  }

  std::vector<int> skins;
  for (const auto& [number, entry] : d.vrhel) {
    if (entry.first.find("hair") == std::string::npos)
      skins.push_back(number);
  }
  s.skin_a_id = skins[static_cast<std::size_t>(rng() % skins.size())];
  if (style.skin != 0) {
    if (!d.vrhel.contains(style.skin) ||
        std::find(skins.begin(), skins.end(), style.skin) == skins.end())
      throw std::runtime_error("--skin " + std::to_string(style.skin) + " is not a Vrhel skin");
    s.skin_a_id = style.skin;
  }
  do {
    s.skin_b_id = skins[static_cast<std::size_t>(rng() % skins.size())];
  } while (s.skin_b_id == s.skin_a_id);
  choose_hair(s, style, d, rng);

  // Stubble: follicles placed at random (a Poisson process, so they touch and overlap as real
  // ones do) until the expected coverage 1 − e^(−density) reaches the target.
  const double target = uniform(rng, style.coverage_min, style.coverage_max);
  double area = 0;
  const double scalp_area = (s.scalp.x1 - s.scalp.x0) * (s.scalp.y1 - s.scalp.y0);
  while (area < -std::log(1 - target) * scalp_area) {
    const double minor = uniform(rng, style.diameter_min, style.diameter_max) / 2;
    const double major = minor * uniform(rng, 1.0, style.aspect_max);
    const double theta = uniform(rng, 0, M_PI);
    s.dots.push_back({uniform(rng, s.scalp.x0, s.scalp.x1), uniform(rng, s.scalp.y0, s.scalp.y1),
                      major, minor, std::cos(theta), std::sin(theta)});
    area += M_PI * major * minor;
  }
  s.light_tilt_x = uniform(rng, -style.light_gradient, style.light_gradient);
  s.light_tilt_y = uniform(rng, -style.light_gradient, style.light_gradient);
  s.vignetting = uniform(rng, style.vignetting_min, style.vignetting_max);
  s.blur_sigma = uniform(rng, style.blur_min, style.blur_max);
  return s;
}

// A grid of dot indices, so each sample tests only nearby dots.
struct DotGrid {
  int cell = 16, columns = 0, rows = 0;
  std::vector<std::vector<std::size_t>> cells;
  DotGrid(const Scene& s) {
    columns = s.width / cell + 1;
    rows = s.height / cell + 1;
    cells.resize(static_cast<std::size_t>(columns * rows));
    for (std::size_t i = 0; i < s.dots.size(); ++i) {
      const Dot& dot = s.dots[i];
      for (int y = static_cast<int>((dot.y - dot.major) / cell);
           y <= static_cast<int>((dot.y + dot.major) / cell); ++y) {
        for (int x = static_cast<int>((dot.x - dot.major) / cell);
             x <= static_cast<int>((dot.x + dot.major) / cell); ++x) {
          if (x >= 0 && y >= 0 && x < columns && y < rows)
            cells[static_cast<std::size_t>(y * columns + x)].push_back(i);
        }
      }
    }
  }
  bool hit(const Scene& s, double x, double y) const {
    const int cx = static_cast<int>(x) / cell, cy = static_cast<int>(y) / cell;
    for (const std::size_t i : cells[static_cast<std::size_t>(cy * columns + cx)]) {
      if (s.dots[i].contains(x, y))
        return true;
    }
    return false;
  }
};

int material_at(const Scene& s, const pigmatch::ChartDefinition& chart, const DotGrid& dots,
                double x, double y) {
  const Vec2 uv = s.to_chart.map(x, y);
  if (uv.x >= -0.02 && uv.x <= 1.02 && uv.y >= -0.03 && uv.y <= 1.03) {
    for (std::size_t p = 0; p < chart.patches.size(); ++p) {
      const auto& patch = chart.patches[p];
      if (std::abs(uv.x - patch.center.x) <= patch.width / 2 &&
          std::abs(uv.y - patch.center.y) <= patch.height / 2) {
        return static_cast<int>(p);
      }
    }
    return chart_body;
  }
  if (s.scalp.contains(x, y))
    return dots.hit(s, x, y) ? hair : skin_a;
  if (s.hair_swatch.contains(x, y))
    return hair;
  if (s.card.contains(x, y))
    return grey_card;
  if (s.neck_area.contains(x, y))
    return skin_b;
  if (s.skin_area.contains(x, y))
    return skin_a;
  return backdrop;
}

// Relative illumination: a gentle tilt of the light across the frame times lens vignetting.
double light_at(const Scene& s, double x, double y) {
  const double nx = x / s.width - 0.5, ny = y / s.height - 0.5;
  const double r2 = (nx * nx + ny * ny) / 0.5;  // 1 at the corners
  return (1 + 2 * s.light_tilt_x * nx + 2 * s.light_tilt_y * ny) * (1 - s.vignetting * r2 * r2);
}

// ---- rendering ---------------------------------------------------------------------------------

using Plane = std::vector<float>;  // width × height × 3, linear raw

constexpr int supersampling = 4;

// Fraction of the truth rectangle covered by hair, counted on the supersampling grid.
double hair_coverage(const Scene& s, const DotGrid& dots, const RectD& r) {
  std::size_t hits = 0, all = 0;
  for (int y = static_cast<int>(r.y0); y < static_cast<int>(r.y1); ++y) {
    for (int x = static_cast<int>(r.x0); x < static_cast<int>(r.x1); ++x) {
      for (int sy = 0; sy < supersampling; ++sy) {
        for (int sx = 0; sx < supersampling; ++sx) {
          hits +=
              dots.hit(s, x + (sx + 0.5) / supersampling, y + (sy + 0.5) / supersampling) ? 1 : 0;
          ++all;
        }
      }
    }
  }
  return static_cast<double>(hits) / static_cast<double>(all);
}

Plane render_raw(const Scene& s, const pigmatch::ChartDefinition& chart, const DotGrid& dots,
                 const std::array<Rgb, material_count>& raw) {
  Plane plane(static_cast<std::size_t>(s.width) * static_cast<std::size_t>(s.height) * 3);
  for (int y = 0; y < s.height; ++y) {
    for (int x = 0; x < s.width; ++x) {
      Rgb sum{};
      for (int sy = 0; sy < supersampling; ++sy) {
        for (int sx = 0; sx < supersampling; ++sx) {
          const double px = x + (sx + 0.5) / supersampling, py = y + (sy + 0.5) / supersampling;
          const Rgb& m = raw[static_cast<std::size_t>(material_at(s, chart, dots, px, py))];
          for (std::size_t c = 0; c < 3; ++c)
            sum[c] += m[c];
        }
      }
      const double light = light_at(s, x + 0.5, y + 0.5) / (supersampling * supersampling);
      for (std::size_t c = 0; c < 3; ++c) {
        plane[(static_cast<std::size_t>(y) * static_cast<std::size_t>(s.width) +
               static_cast<std::size_t>(x)) *
                  3 +
              c] = static_cast<float>(sum[c] * light);
      }
    }
  }
  return plane;
}

// Separable Gaussian blur (the lens), edges clamped.
void blur(Plane& p, int width, int height, double sigma) {
  const int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> k(static_cast<std::size_t>(2 * radius + 1));
  double total = 0;
  for (int i = -radius; i <= radius; ++i)
    total += k[static_cast<std::size_t>(i + radius)] = std::exp(-i * i / (2 * sigma * sigma));
  for (double& v : k)
    v /= total;
  Plane tmp(p.size());
  const auto at = [&](int x, int y, std::size_t c) {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
            static_cast<std::size_t>(x)) *
               3 +
           c;
  };
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (std::size_t c = 0; c < 3; ++c) {
        double v = 0;
        for (int i = -radius; i <= radius; ++i)
          v += k[static_cast<std::size_t>(i + radius)] *
               p[at(std::clamp(x + i, 0, width - 1), y, c)];
        tmp[at(x, y, c)] = static_cast<float>(v);
      }
    }
  }
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (std::size_t c = 0; c < 3; ++c) {
        double v = 0;
        for (int i = -radius; i <= radius; ++i)
          v += k[static_cast<std::size_t>(i + radius)] *
               tmp[at(x, std::clamp(y + i, 0, height - 1), c)];
        p[at(x, y, c)] = static_cast<float>(v);
      }
    }
  }
}

// Shot noise (a sensor holding 6000 electrons at full scale) and read noise (0.15 % of full
// scale), in the raw domain where they arise.
void add_noise(Plane& p, unsigned seed) {
  std::mt19937 rng(seed * 7919U + 1U);
  std::normal_distribution<double> normal(0, 1);
  constexpr double full_well = 6000, read_sd = 0.0015;
  for (float& v : p) {
    const double sd =
        std::sqrt(std::max(0.0, static_cast<double>(v)) / full_well + read_sd * read_sd);
    v = static_cast<float>(v + sd * normal(rng));
  }
}

double srgb_encode(double v) {
  v = std::clamp(v, 0.0, 1.0);
  return v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
}

// ---- a camera's JPEG engine (--style camera)
// -----------------------------------------------------

// Colour a little more saturated than the scene, as cameras' "standard" looks are: each linear
// sRGB value moved away from the pixel's luminance by 25 %.
Rgb more_saturated(const Rgb& linear) {
  const double y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  Rgb out{};
  for (std::size_t c = 0; c < 3; ++c)
    out[c] = y + 1.25 * (linear[c] - y);
  return out;
}

// An S-shaped contrast curve on the encoded value (0 → 0, 1 → 1): shadows pushed down, highlights
// rolled off, as in-camera and phone rendering does on top of the sRGB curve.
double contrast_curve(double x) {
  const auto logistic = [](double t) { return 1 / (1 + std::exp(-t)); };
  constexpr double gain = 4.0;
  const double low = logistic(-gain / 2), high = logistic(gain / 2);
  return (logistic(gain * (x - 0.5)) - low) / (high - low);
}

// Unsharp masking of the encoded image (σ 1 px, amount 0.6), as cameras sharpen their JPEGs.
void sharpen(Plane& encoded, int width, int height) {
  Plane blurred = encoded;
  blur(blurred, width, height, 1.0);
  for (std::size_t k = 0; k < encoded.size(); ++k)
    encoded[k] += 0.6 * (encoded[k] - blurred[k]);
}

std::vector<std::uint8_t> save_profile(cmsHPROFILE profile) {
  cmsUInt32Number size = 0;
  cmsSaveProfileToMem(profile, nullptr, &size);
  std::vector<std::uint8_t> bytes(size);
  cmsSaveProfileToMem(profile, bytes.data(), &size);
  cmsCloseProfile(profile);
  return bytes;
}

// sRGB primaries and D65 white with a linear tone curve: the profile of the 16-bit TIFF.
// An RGB profile of `primaries` with the D65 white, `curve` (taken and freed) on every channel,
// and `description`.
std::vector<std::uint8_t> described_rgb_profile(const cmsCIExyYTRIPLE& primaries,
                                                cmsToneCurve* curve, const char* description) {
  const cmsCIExyY d65{0.3127, 0.3290, 1.0};
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE profile = cmsCreateRGBProfile(&d65, &primaries, curves);
  cmsFreeToneCurve(curve);
  cmsMLU* mlu = cmsMLUalloc(nullptr, 1);
  cmsMLUsetASCII(mlu, "en", "US", description);
  cmsWriteTag(profile, cmsSigProfileDescriptionTag, mlu);
  cmsMLUfree(mlu);
  return save_profile(profile);
}

std::vector<std::uint8_t> linear_srgb_profile() {
  const cmsCIExyYTRIPLE primaries{{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
  return described_rgb_profile(primaries, cmsBuildGamma(nullptr, 1.0),
                               "Linear sRGB (pigmatch render_photo)");
}

// ---- output colour spaces (--space): what phones and cameras also write -----------------------

enum class Curve { srgb, gamma_563_256, bt709 };

struct OutputSpace {
  const char* description;
  cmsCIExyYTRIPLE primaries;  // with the D65 white
  Curve curve;
  int nclx_primaries;  // ITU-T H.273 code for a HEIC's nclx box; 0: none (an ICC profile then)
  int nclx_transfer;
};

const OutputSpace& output_space(const std::string& name) {
  static const std::map<std::string, OutputSpace> spaces = {
      {"srgb", {"sRGB", {{0.64, 0.33, 1}, {0.30, 0.60, 1}, {0.15, 0.06, 1}}, Curve::srgb, 1, 13}},
      {"p3",
       {"Display P3",
        {{0.680, 0.320, 1}, {0.265, 0.690, 1}, {0.150, 0.060, 1}},
        Curve::srgb,
        12,
        13}},
      {"adobe",
       {"Adobe RGB (1998)",
        {{0.64, 0.33, 1}, {0.21, 0.71, 1}, {0.15, 0.06, 1}},
        Curve::gamma_563_256,
        0,
        0}},
      {"rec2020",
       {"Rec. 2020",
        {{0.708, 0.292, 1}, {0.170, 0.797, 1}, {0.131, 0.046, 1}},
        Curve::bt709,
        9,
        14}},
  };
  return spaces.at(name);
}

// Linear RGB → XYZ of primaries with the D65 white (Y = 1): the primaries' XYZ as columns,
// scaled so that RGB (1, 1, 1) is the white.
Matrix rgb_to_xyz(const cmsCIExyYTRIPLE& p) {
  const auto column = [](const cmsCIExyY& c) { return Rgb{c.x / c.y, 1.0, (1 - c.x - c.y) / c.y}; };
  const Rgb r = column(p.Red), g = column(p.Green), b = column(p.Blue);
  const Matrix primaries = {{{r[0], g[0], b[0]}, {r[1], g[1], b[1]}, {r[2], g[2], b[2]}}};
  const Rgb white = {0.3127 / 0.3290, 1.0, (1 - 0.3127 - 0.3290) / 0.3290};
  const Rgb scale = matrix_times(invert(primaries), white);
  Matrix m{};
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      m[i][j] = primaries[i][j] * scale[j];
  return m;
}

Matrix multiply(const Matrix& a, const Matrix& b) {
  Matrix m{};
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 3; ++k)
        m[i][j] += a[i][k] * b[k][j];
  return m;
}

// Linear sRGB → the space's linear RGB (both D65: no adaptation).
Matrix srgb_to_space(const OutputSpace& space) {
  return multiply(invert(rgb_to_xyz(space.primaries)), rgb_to_xyz(output_space("srgb").primaries));
}

double encode(Curve curve, double v) {
  v = std::clamp(v, 0.0, 1.0);
  switch (curve) {
    case Curve::gamma_563_256:
      return std::pow(v, 256.0 / 563.0);
    case Curve::bt709:
      return v < 0.018 ? 4.5 * v : 1.099 * std::pow(v, 0.45) - 0.099;
    case Curve::srgb:
      break;
  }
  return srgb_encode(v);
}

// The space's ICC profile, made by Little CMS from the published primaries and curve.
std::vector<std::uint8_t> space_profile(const OutputSpace& space) {
  if (space.curve == Curve::srgb && space.nclx_primaries == 1)
    return save_profile(cmsCreate_sRGBProfile());
  cmsToneCurve* curve = nullptr;
  if (space.curve == Curve::gamma_563_256) {
    curve = cmsBuildGamma(nullptr, 563.0 / 256.0);
  } else {
    const cmsFloat64Number srgb[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
    const cmsFloat64Number bt709[5] = {1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081};
    curve = cmsBuildParametricToneCurve(nullptr, 4, space.curve == Curve::srgb ? srgb : bt709);
  }
  return described_rgb_profile(space.primaries, curve, space.description);
}

pigmatch::Image make_image(int width, int height, int bits, std::vector<std::uint8_t> icc,
                           const std::string& source) {
  pigmatch::Image image;
  image.width = width;
  image.height = height;
  image.channels = 3;
  image.bits = bits;
  image.icc_profile = std::move(icc);
  image.source = source;
  image.pixels.resize(image.row_stride() * static_cast<std::size_t>(height));
  return image;
}

nlohmann::ordered_json lab_json(const Lab& lab) {
  const auto r = [](double v) { return std::round(v * 1000) / 1000; };
  return {r(lab.L), r(lab.a), r(lab.b)};
}

nlohmann::ordered_json spd_json(const Spd& spd) {
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (const double v : spd)
    values.push_back(std::round(v * 1e6) / 1e6);
  return values;
}

nlohmann::ordered_json rect_json(const RectD& r) {
  return {static_cast<int>(r.x0), static_cast<int>(r.y0),
          static_cast<int>(r.x1) - static_cast<int>(r.x0),
          static_cast<int>(r.y1) - static_cast<int>(r.y0)};
}

std::string rect_arg(const std::string& name, const RectD& r) {
  const auto j = rect_json(r);
  return name + "=" + std::to_string(j[0].get<int>()) + "," + std::to_string(j[1].get<int>()) +
         "," + std::to_string(j[2].get<int>()) + "," + std::to_string(j[3].get<int>());
}

// The rendered chart as a pigmatch chart description: the built-in layout with, as its default
// reference set, the D50/2° colorimetry of the very spectra painted (the same integration as the
// truth), followed by the built-in published sets. A real chart matches its own measured values;
// BabelColor's average spectra are not any of the charts X-Rite's published figures describe
// (0.8 ΔE00 apart on average, 1.5 on light skin), so a benchmark calibrating the rendered chart
// against X-Rite's values would charge the product with a chart mismatch.
nlohmann::ordered_json rendered_chart_json(const pigmatch::ChartDefinition& chart,
                                           const SpectralData& d) {
  const Spd& d50 = d.illuminants.at("D50");
  nlohmann::ordered_json patches = nlohmann::ordered_json::array();
  for (const pigmatch::ChartPatch& p : chart.patches)
    patches.push_back({{"id", p.id},
                       {"name", p.name},
                       {"center", {p.center.x, p.center.y}},
                       {"size", {p.width, p.height}},
                       {"neutral", p.neutral}});
  nlohmann::ordered_json rendered_lab = nlohmann::ordered_json::array();
  for (std::size_t p = 0; p < chart.patches.size(); ++p)
    rendered_lab.push_back(lab_json(truth_lab(d.chart[p], d, d50)));
  nlohmann::ordered_json wavelengths = nlohmann::ordered_json::array(), curves = wavelengths;
  for (std::size_t i = 0; i < grid_size; ++i)
    wavelengths.push_back(grid_nm(i));
  for (std::size_t p = 0; p < chart.patches.size(); ++p)
    curves.push_back(spd_json(d.chart[p]));
  nlohmann::ordered_json references = nlohmann::ordered_json::array();
  references.push_back(
      {{"id", "rendered-babelcolor-average"},
       {"description", "the chart as rendered by tools/render_photo"},
       {"illuminant", "D50"},
       {"observer", "2deg"},
       {"source",
        "D50/2° colorimetry (CIE 1931, 380-730 nm at 5 nm) of BabelColor's average "
        "ColorChecker spectra, as painted by tools/render_photo"},
       {"lab", rendered_lab}});
  for (const pigmatch::ChartReference& r : chart.references) {
    nlohmann::ordered_json lab = nlohmann::ordered_json::array();
    for (const Lab& v : r.lab_d50)
      lab.push_back({v.L, v.a, v.b});
    references.push_back({{"id", r.id},
                          {"description", r.description},
                          {"illuminant", "D50"},
                          {"observer", "2deg"},
                          {"source", r.source},
                          {"lab", lab}});
  }
  return {{"format", "pigmatch-chart"},
          {"version", 1},
          {"id", chart.id + "-rendered"},
          {"name", chart.name + ", rendered from BabelColor's average spectra"},
          {"geometry",
           {{"size_mm", {chart.width_mm, chart.height_mm}},
            {"rows", chart.rows},
            {"columns", chart.columns}}},
          {"patches", patches},
          {"default_reference", "rendered-babelcolor-average"},
          {"references", references},
          {"spectra",
           {{"source", "BabelColor average ColorChecker spectra, as painted by tools/render_photo"},
            {"wavelengths_nm", wavelengths},
            {"reflectance", curves}}}};
}

// Every surface the tool knows (the 24 chart patches, Vrhel's skins and hairs) as the camera
// sees it under the scene light without noise, blur, light fall-off or clipping: linear sRGB
// after exposure, white balance and the camera matrix, with its spectrum and D50 colorimetry. For
// studies of calibration across many surfaces (tools/skin_calibration_study).
nlohmann::ordered_json surfaces_json(const SpectralData& d, const Camera& cam, const Spd& light,
                                     double exposure, const Rgb& gains, const Matrix& to_srgb) {
  nlohmann::ordered_json wavelengths = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < grid_size; ++i)
    wavelengths.push_back(grid_nm(i));
  nlohmann::ordered_json surfaces = nlohmann::ordered_json::array();
  const auto add = [&](const std::string& kind, const std::string& name, const Spd& r) {
    const Rgb raw = camera_raw(r, cam, light);
    const Rgb linear = matrix_times(
        to_srgb,
        {raw[0] * exposure * gains[0], raw[1] * exposure * gains[1], raw[2] * exposure * gains[2]});
    surfaces.push_back(
        {{"kind", kind},
         {"name", name},
         {"linear_srgb", {linear[0], linear[1], linear[2]}},
         {"lab_d50_colorimetric", lab_json(truth_lab(r, d, d.illuminants.at("D50")))},
         {"reflectance", spd_json(r)}});
  };
  for (std::size_t p = 0; p < 24; ++p)
    add("chart", "patch " + std::to_string(p + 1), d.chart[p]);
  for (const auto& [number, entry] : d.vrhel)
    add(entry.first.find("hair") == std::string::npos ? "skin" : "hair", entry.first, entry.second);
  return {{"camera", cam.name}, {"wavelengths_nm", wavelengths}, {"surfaces", surfaces}};
}

// The tool's colorimetry against pigmatch's independent E308-style 10 nm weights (spectrum.h):
// both integrate the same chart spectra under D50 and D65, by different methods.
void self_check(const SpectralData& d) {
  for (const auto& [name, illuminant] :
       {std::pair{"D50", pigmatch::Illuminant::d50}, std::pair{"D65", pigmatch::Illuminant::d65}}) {
    double worst = 0;
    for (std::size_t p = 0; p < 24; ++p) {
      pigmatch::Spectrum::Values v{};
      for (std::size_t i = 0; i < pigmatch::Spectrum::band_count; ++i)
        v[i] = d.chart[p][2 * i];
      const Xyz white = tristimulus(constant(1.0), d, d.illuminants.at(name));
      const Lab ours = pigmatch::to_lab(tristimulus(d.chart[p], d, d.illuminants.at(name)), white);
      const Lab theirs = pigmatch::to_lab(pigmatch::Spectrum(v), illuminant);
      worst = std::max(worst, pigmatch::delta_e2000(ours, theirs));
    }
    std::cout << "self-check: chart Lab under " << name << " vs pigmatch::to_lab: max ΔE00 "
              << worst << "\n";
  }
}

// The developed image as a phone's HEIC: 8 bits, or 10 from the same unrounded values; the
// space by an nclx box where H.273 has a code for it (as iPhones write Display P3), else the
// ICC profile; a linear file carries neither, as its JPEG.
void write_heic(const Plane& encoded, int width, int height, int bits, int quality,
                const std::vector<std::uint8_t>& profile, const OutputSpace& space,
                bool linear_file, const fs::path& path) {
  pigmatch::Image image = make_image(width, height, bits == 8 ? 8 : 16, profile, path.string());
  for (std::size_t k = 0; k < encoded.size(); ++k) {
    const double v = std::clamp(static_cast<double>(encoded[k]), 0.0, 1.0);
    if (bits == 8) {
      image.pixels[k] = static_cast<std::byte>(static_cast<int>(std::lround(255 * v)));
    } else {
      const auto code = static_cast<std::uint16_t>(std::lround(65535 * v));
      std::memcpy(image.pixels.data() + 2 * k, &code, 2);
    }
  }
  pigmatch::HeifWriteOptions options;
  options.quality = quality;
  options.bits = bits;
  if (!linear_file && space.nclx_primaries != 0) {
    options.nclx = pigmatch::NclxColour{space.nclx_primaries, space.nclx_transfer, 6, true};
  }
  if (linear_file)
    image.icc_profile.clear();
  pigmatch::write_heif(image, path, options);
}

struct Options {
  fs::path data;
  std::string out;
  std::string camera = "Canon_40D";
  std::string illuminant = "D65";
  unsigned seed = 1;
  int width = 1200, height = 800, quality = 90;
  bool tiff = false;
  int subsampling = 420;  // 444, 422 or 420
  StubbleStyle stubble;
  bool check = false;
  std::string chart_out;
  std::string surfaces_out;
  bool flat = false;
  std::string style = "srgb";           // srgb, linear or camera
  double exposure = 1.0;                // × the default exposure (a perfect white at 80 %)
  std::string white_balance = "scene";  // scene (the camera's own) or daylight (fixed D65)
  std::string space = "srgb";           // srgb, p3, adobe or rec2020
  int heic_bits = 0;                    // 0: no HEIC; 8 or 10
  double glare = 0;                     // on one patch, × a perfect white's light
  double chart_width = 0;               // the patch field's width / the frame's; 0: 0.36–0.40
};

int run(const Options& o) {
  const SpectralData d = load_data(o.data);
  if (!d.illuminants.contains(o.illuminant))
    throw std::runtime_error("unknown illuminant " + o.illuminant);
  const Camera cam = load_camera(o.data, o.camera);
  const Spd& light = d.illuminants.at(o.illuminant);
  const pigmatch::ChartDefinition chart = pigmatch::builtin_chart("colorchecker-classic");
  if (chart.patches.size() != 24)
    throw std::runtime_error("expected the 24-patch ColorChecker");

  if (o.check)
    self_check(d);
  const Scene scene = make_scene(o.width, o.height, o.seed, chart, d, o.stubble, o.chart_width);
  const DotGrid dots(scene);

  // Materials' reflectances and raw camera responses under the scene light.
  std::array<Spd, material_count> reflectance{};
  for (std::size_t p = 0; p < 24; ++p)
    reflectance[p] = d.chart[p];
  reflectance[chart_body] = d.chart[23];   // the black frame: as the black patch
  reflectance[backdrop] = constant(0.25);  // a grey cloth behind
  reflectance[skin_a] = d.vrhel.at(scene.skin_a_id).second;
  reflectance[skin_b] = d.vrhel.at(scene.skin_b_id).second;
  reflectance[hair] = scene.hair_reflectance;
  reflectance[grey_card] = constant(0.18);  // a spectrally flat 18 % card: L* 49.5

  // White balance from the neutral 6.5 patch (21); exposure puts a perfect white at 80 % of
  // full scale in green after white balance.
  const Rgb grey =
      camera_raw(d.chart[20], cam, o.white_balance == "daylight" ? d.illuminants.at("D65") : light);
  const Rgb gains = {grey[1] / grey[0], 1.0, grey[1] / grey[2]};
  const double exposure = 0.8 / camera_raw(constant(1.0), cam, light)[1];
  std::array<Rgb, material_count> raw{};
  for (std::size_t m = 0; m < material_count; ++m) {
    const Rgb r = camera_raw(reflectance[m], cam, light);
    for (std::size_t c = 0; c < 3; ++c)
      raw[m][c] = r[c] * exposure;  // white balance after noise
  }
  // Glare: the light reflected by the surface of one patch, spectrally flat, on top of its colour.
  const int glare_patch = o.glare > 0 ? static_cast<int>(o.seed % 24) : -1;  // every patch in turn
  if (glare_patch >= 0) {
    const Rgb white = camera_raw(constant(1.0), cam, light);
    for (std::size_t c = 0; c < 3; ++c)
      raw[static_cast<std::size_t>(glare_patch)][c] += o.glare * white[c] * exposure;
  }

  Plane plane = render_raw(scene, chart, dots, raw);
  blur(plane, o.width, o.height, scene.blur_sigma);
  add_noise(plane, o.seed);

  const Matrix to_srgb = camera_matrix(cam, d);
  const std::string jpeg_path = o.out + ".jpg";
  pigmatch::JpegWriteOptions jpeg_options;
  jpeg_options.quality = o.quality;
  jpeg_options.chroma_subsampling = o.subsampling != 444;
  jpeg_options.vertical_subsampling = o.subsampling == 420;
  // A linear file holds the raw values as they are: no white balance, no colour matrix, scaled
  // so that a perfect white's strongest channel sits where the other styles put its green.
  const Rgb raw_white = camera_raw(constant(1.0), cam, light);
  const double raw_scale =
      exposure * raw_white[1] / std::max({raw_white[0], raw_white[1], raw_white[2]});
  const bool linear_file = o.style == "linear";
  const OutputSpace& space = output_space(o.space);
  const bool other_space = o.space != "srgb";
  const Matrix to_space = srgb_to_space(space);
  const std::vector<std::uint8_t> jpeg_profile =
      linear_file ? std::vector<std::uint8_t>{} : space_profile(space);
  const auto develop = [&](const Plane& raw_plane, const std::string& path) {
    pigmatch::Image jpeg = make_image(o.width, o.height, 8, jpeg_profile, path);
    pigmatch::Image tiff = make_image(
        o.width, o.height, 16, linear_file ? std::vector<std::uint8_t>{} : linear_srgb_profile(),
        o.out + "-linear.tif");
    Plane encoded(raw_plane.size());
    for (std::size_t i = 0; i < raw_plane.size() / 3; ++i) {
      Rgb linear{};
      if (linear_file) {
        for (std::size_t c = 0; c < 3; ++c)
          linear[c] = raw_plane[3 * i + c] / exposure * raw_scale;
      } else {
        const Rgb balanced = {raw_plane[3 * i] * gains[0], raw_plane[3 * i + 1] * gains[1],
                              raw_plane[3 * i + 2] * gains[2]};
        linear = matrix_times(to_srgb, balanced);
      }
      for (double& v : linear)
        v *= o.exposure;
      if (o.style == "camera")
        linear = more_saturated(linear);
      for (std::size_t c = 0; c < 3; ++c) {
        const auto deep =
            static_cast<std::uint16_t>(std::lround(65535 * std::clamp(linear[c], 0.0, 1.0)));
        std::memcpy(tiff.pixels.data() + 2 * (3 * i + c), &deep, 2);
      }
      if (other_space && !linear_file)
        linear = matrix_times(to_space, linear);  // before clipping: the wider gamut keeps more
      for (std::size_t c = 0; c < 3; ++c) {
        const double v = std::clamp(linear[c], 0.0, 1.0);
        encoded[3 * i + c] = linear_file           ? v
                             : o.style == "camera" ? contrast_curve(encode(space.curve, v))
                                                   : encode(space.curve, v);
      }
    }
    if (o.style == "camera")
      sharpen(encoded, o.width, o.height);
    for (std::size_t k = 0; k < encoded.size(); ++k)
      jpeg.pixels[k] = static_cast<std::byte>(static_cast<int>(
          std::lround(255 * std::clamp(static_cast<double>(encoded[k]), 0.0, 1.0))));
    pigmatch::write_jpeg(jpeg, path, jpeg_options);
    if (o.heic_bits != 0)
      write_heic(encoded, o.width, o.height, o.heic_bits, o.quality, jpeg_profile, space,
                 linear_file, fs::path(path).replace_extension(".heic"));
    return tiff;
  };
  const pigmatch::Image tiff = develop(plane, jpeg_path);
  if (o.tiff)
    pigmatch::write_tiff(tiff, tiff.source);
  if (o.flat) {
    // The same setup with a grey card filling the frame: the photographer's flat field.
    std::array<Rgb, material_count> card_everywhere{};
    card_everywhere.fill(raw[grey_card]);
    Plane flat = render_raw(scene, chart, dots, card_everywhere);
    blur(flat, o.width, o.height, scene.blur_sigma);
    add_noise(flat, o.seed + 7777);
    (void)develop(flat, o.out + "-flat.jpg");
  }

  // Truth.
  const Spd& d50 = d.illuminants.at("D50");
  const auto surface = [&](int material) {
    const Spd& r = reflectance[static_cast<std::size_t>(material)];
    return nlohmann::ordered_json{{"lab_d50", lab_json(truth_lab(r, d, light))},
                                  {"lab_d50_colorimetric", lab_json(truth_lab(r, d, d50))}};
  };
  const Vec2 chart_centre = {(scene.corners[0].x + scene.corners[2].x) / 2,
                             (scene.corners[0].y + scene.corners[2].y) / 2};
  const auto light_ratio = [&](const RectD& r) {
    return std::round(1000 * light_at(scene, (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2) /
                      light_at(scene, chart_centre.x, chart_centre.y)) /
           1000;
  };
  const auto sample = [&](int id) { return d.vrhel.at(id).first; };

  nlohmann::ordered_json plain_skin = {{"name", "skin"},
                                       {"kind", "plain"},
                                       {"rect", rect_json(scene.skin_rect)},
                                       {"sample", sample(scene.skin_a_id)}};
  plain_skin.update(surface(skin_a));
  plain_skin["light_ratio_to_chart"] = light_ratio(scene.skin_rect);
  nlohmann::ordered_json neck = {{"name", "neck"},
                                 {"kind", "plain"},
                                 {"rect", rect_json(scene.neck_rect)},
                                 {"sample", sample(scene.skin_b_id)}};
  neck.update(surface(skin_b));
  neck["light_ratio_to_chart"] = light_ratio(scene.neck_rect);
  nlohmann::ordered_json hair_swatch = {{"name", "hairswatch"},
                                        {"kind", "hair"},
                                        {"rect", rect_json(scene.hair_swatch_rect)},
                                        {"sample", scene.hair_name}};
  hair_swatch.update(surface(hair));
  hair_swatch["light_ratio_to_chart"] = light_ratio(scene.hair_swatch_rect);
  nlohmann::ordered_json card = {{"name", "card"},
                                 {"kind", "grey card"},
                                 {"rect", rect_json(scene.card_rect)},
                                 {"lightness", lab_json(truth_lab(constant(0.18), d, d50))[0]},
                                 {"light_ratio_to_chart", light_ratio(scene.card_rect)}};
  nlohmann::ordered_json skin_json = {{"sample", sample(scene.skin_a_id)}};
  skin_json.update(surface(skin_a));
  nlohmann::ordered_json hair_json = {{"sample", scene.hair_name}};
  hair_json.update(surface(hair));
  const nlohmann::ordered_json stubble = {
      {"name", "scalp"},
      {"kind", "stubble"},
      {"rect", rect_json(scene.stubble_rect)},
      {"coverage", std::round(10000 * hair_coverage(scene, dots, scene.stubble_rect)) / 10000},
      {"skin", skin_json},
      {"hair", hair_json},
      {"light_ratio_to_chart", light_ratio(scene.stubble_rect)},
      {"follicle_minor_diameter_px", {o.stubble.diameter_min, o.stubble.diameter_max}},
      {"follicle_aspect_max", o.stubble.aspect_max},
      {"psf_sigma_px", std::round(1000 * scene.blur_sigma) / 1000},
      {"chroma_subsampling", std::to_string(o.subsampling)}};

  nlohmann::ordered_json corners = nlohmann::ordered_json::array();
  for (const Vec2& c : scene.corners)
    corners.push_back({std::round(c.x * 10) / 10, std::round(c.y * 10) / 10});
  const nlohmann::ordered_json truth = {
      {"generator", "pigmatch tools/render_photo"},
      {"truth_definition",
       "lab_d50: CIELAB D50 of the surface's reflectance under the scene illuminant (CIE 1931 2°, "
       "380-730 nm at 5 nm), Bradford-adapted from the illuminant's white to D50; "
       "lab_d50_colorimetric: the same reflectance under D50 itself"},
      {"image", fs::path(jpeg_path).filename().string()},
      {"linear_tiff", o.tiff ? nlohmann::ordered_json(fs::path(tiff.source).filename().string())
                             : nlohmann::ordered_json()},
      {"heic", o.heic_bits != 0 ? nlohmann::ordered_json(
                                      fs::path(jpeg_path).replace_extension(".heic").filename())
                                : nlohmann::ordered_json()},
      {"space", o.style == "linear" ? "none (linear camera values)" : space.description},
      {"width", o.width},
      {"height", o.height},
      {"camera", o.camera},
      {"illuminant", o.illuminant},
      {"capture",
       {{"style", o.style}, {"exposure", o.exposure}, {"white_balance", o.white_balance}}},
      {"seed", o.seed},
      {"camera_response_dropped_outside_400_720nm_max",
       std::round(cam.dropped_fraction * 1e5) / 1e5},
      {"chart",
       {{"id", chart.id},
        {"spectra", "BabelColor average (30 charts)"},
        {"corners", corners},
        {"upside_down", o.seed % 4 == 3},
        {"glare_patch",
         glare_patch >= 0 ? nlohmann::ordered_json(glare_patch + 1) : nlohmann::ordered_json()},
        {"glare", o.glare}}},
      {"regions", {plain_skin, neck, stubble, hair_swatch}},
      {"grey_card", card},
      {"measure_args",
       {"--region", rect_arg("skin", scene.skin_rect), "--region",
        rect_arg("neck", scene.neck_rect), "--stubble", rect_arg("scalp", scene.stubble_rect),
        "--region", rect_arg("hairswatch", scene.hair_swatch_rect)}}};
  std::ofstream(o.out + ".truth.json") << truth.dump(2) << "\n";
  if (!o.chart_out.empty())
    std::ofstream(o.chart_out) << rendered_chart_json(chart, d).dump(2) << "\n";
  if (!o.surfaces_out.empty()) {
    nlohmann::ordered_json surfaces = surfaces_json(d, cam, light, exposure, gains, to_srgb);
    surfaces["illuminant"] = o.illuminant;
    std::ofstream(o.surfaces_out) << surfaces.dump(1) << "\n";
  }
  std::cout << jpeg_path << ": " << o.camera << " under " << o.illuminant << ", skin "
            << sample(scene.skin_a_id) << ", hair " << scene.hair_name << ", coverage "
            << stubble["coverage"] << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "Renders a physically based test photo (skin, stubble, ColorChecker) with its truth"};
  app.add_option("--data", o.data, "the shared reference data folder (../shared/data)")->required();
  app.add_option("--out", o.out, "output prefix: PREFIX.jpg, PREFIX.truth.json")->required();
  app.add_option("--camera", o.camera, "camera file name in DATA/cameras, without .csv");
  app.add_option("--illuminant", o.illuminant, "D65, D50, A, F2 or F11");
  app.add_option("--seed", o.seed, "scene randomisation (placement, skins, hair, light, noise)");
  app.add_option("--width", o.width)->check(CLI::Range(320, 8000));
  app.add_option("--height", o.height)->check(CLI::Range(240, 8000));
  app.add_option("--quality", o.quality, "JPEG quality")->check(CLI::Range(1, 100));
  app.add_option("--subsampling", o.subsampling, "JPEG chroma: 420 (most cameras), 422 or 444")
      ->check(CLI::IsMember({420, 422, 444}));
  const auto range = [&](const std::string& name, double& lo, double& hi, const std::string& what) {
    app.add_option_function<std::vector<double>>(
           name,
           [&lo, &hi, name](const std::vector<double>& v) {
             if (v.size() != 2 || !(v[0] > 0) || v[1] < v[0])
               throw CLI::ValidationError(name, "give MIN,MAX with 0 < MIN ≤ MAX");
             lo = v[0];
             hi = v[1];
           },
           what)
        ->delimiter(',');
  };
  range("--dot-diameter", o.stubble.diameter_min, o.stubble.diameter_max,
        "follicles' minor diameter range, px (default 2,4: a phone at consultation distance)");
  range("--coverage", o.stubble.coverage_min, o.stubble.coverage_max,
        "hair coverage range of the scalp (default 0.2,0.45)");
  range("--blur", o.stubble.blur_min, o.stubble.blur_max, "lens PSF σ range, px (default 0.5,1.0)");
  range("--vignetting", o.stubble.vignetting_min, o.stubble.vignetting_max,
        "light loss at the frame's corners (default 0.1,0.2)");
  app.add_option("--dot-aspect", o.stubble.aspect_max, "largest follicle aspect (default 1.3)")
      ->check(CLI::Range(1.0, 3.0));
  app.add_option("--hair", o.stubble.hair, "auto, black, brown, blonde or grey");
  app.add_option("--skin", o.stubble.skin, "the scalp's Vrhel skin number (default: random)");
  app.add_option("--light-gradient", o.stubble.light_gradient,
                 "the light's tilt across the frame, at most ± this (default 0.03; 0.15 gives "
                 "about ±15 % between chart and skin)")
      ->check(CLI::Range(0.0, 0.4));
  app.add_flag("--check", o.check, "compare the tool's colorimetry with pigmatch's and print it");
  app.add_flag("--tiff", o.tiff, "also write PREFIX-linear.tif (16-bit linear sRGB)");
  app.add_option("--chart-out", o.chart_out,
                 "also write the rendered chart's description (for pigmatch measure --chart-file): "
                 "reference Lab D50 = colorimetry of the spectra painted");
  app.add_option("--style", o.style,
                 "capture style: srgb (a camera's sRGB JPEG, the default), linear (raw values: no "
                 "white balance, no colour matrix, no curve, no profile, as machine-vision cameras "
                 "and raw files developed without a curve give), camera (an in-camera JPEG: "
                 "saturation boost, S-shaped contrast curve and sharpening on top of sRGB)")
      ->check(CLI::IsMember({"srgb", "linear", "camera"}));
  app.add_option("--exposure", o.exposure,
                 "exposure relative to the default (a perfect white at 80 % of full scale), "
                 "e.g. 0.3 for a white patch near 25 %")
      ->check(CLI::Range(0.05, 1.2));
  app.add_option("--white-balance", o.white_balance,
                 "scene (the camera's own, from the scene's grey) or daylight (fixed for D65: a "
                 "colour cast under other lights)")
      ->check(CLI::IsMember({"scene", "daylight"}));
  app.add_option("--space", o.space,
                 "the RGB the srgb and camera styles write: srgb (default), p3 (Display P3, as "
                 "phones), adobe (Adobe RGB 1998) or rec2020; the profile is embedded")
      ->check(CLI::IsMember({"srgb", "p3", "adobe", "rec2020"}));
  app.add_option("--heic", o.heic_bits,
                 "also write PREFIX.heic, the same developed photo as a phone's HEIC at 8 or 10 "
                 "bits (the space by an nclx box, or its ICC profile for adobe)")
      ->check(CLI::IsMember({8, 10}));
  app.add_option("--chart-width", o.chart_width,
                 "the chart's patch field as a fraction of the frame's width (default: 0.36–0.40 "
                 "at random); the client's areas move right of a large chart")
      ->check(CLI::Range(0.03, 0.62));
  app.add_option("--glare", o.glare,
                 "glare on one chart patch (chosen by the seed): this fraction of a perfect "
                 "white's light reflected by its surface, e.g. 0.15")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--flat", o.flat,
               "also write PREFIX-flat.jpg: the same setup with a grey card filling the frame");
  app.add_option("--surfaces-out", o.surfaces_out,
                 "also write every known surface (chart, Vrhel skins and hairs) as the camera sees "
                 "it without noise or fall-off: linear sRGB, spectrum, D50 colorimetry");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "render_photo: " << e.what() << "\n";
    return 1;
  }
}
