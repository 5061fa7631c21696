// Reading a photographed swatch card: its orientation from the hollow mark, each box's colour
// through the photo's calibration, the light across the card from its bare boxes, and a
// reflectance estimated per box (the smoothest with its colour).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>

#include "pigmatch/error.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/formulation/swatch_card.h"
#include "pigmatch/regions/sampling.h"
#include "support/median.h"
#include "support/small_matrix.h"

namespace pigmatch {
namespace {

// Of each box, the middle 60 % each way is read: clear of the printed outline and of the brush's
// edges, which are thinner or thicker than the coat.
constexpr double inner_fraction = 0.6;
constexpr std::size_t min_box_pixels = 16;
// The hollow mark's centre is paper, the others' black: far apart in L* in any usable photo.
constexpr double min_mark_contrast_l = 20;
// A box nearer the bare card than this reads as paper: the median of a box's hundreds of pixels
// varies by a few hundredths between boxes of the same paper. A row whose every box does was not
// painted. A white pigment on the white card is hardly further (titanium dioxide: about 1.3 at
// full strength, 0.1 at 10 %), so a painted row with boxes nearer than `pale_de00` is read with a
// warning instead.
constexpr double unpainted_de00 = 0.5;
constexpr double pale_de00 = 3.0;
constexpr double uneven_spread_de00 = 4.0;

Error bad(const std::string& what) {
  return Error(ErrorCode::invalid_argument, what);
}

// "box K100 at 50 %", "the bare-card box of row 2": a box as messages name it.
std::string box_name(const SwatchBox& box) {
  return box.code.empty() ? fmt::format("the bare-card box of row {}", box.row + 1)
                          : fmt::format("box {} at {:g} %", box.code, box.concentration * 100);
}

double median_lightness(const std::vector<float>& lab) {
  std::vector<double> l;
  l.reserve(lab.size() / 3);
  for (std::size_t i = 0; i < lab.size(); i += 3)
    l.push_back(lab[i]);
  return detail::median_in_place(l);
}

// The four points in clockwise order on screen (y down), starting anywhere; throws when they do
// not form a convex quadrilateral inside the image.
std::array<Point, 4> clockwise(const std::array<Point, 4>& marks, const Image& image) {
  for (const Point& p : marks) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || p.x < 0 || p.y < 0 || p.x >= image.width ||
        p.y >= image.height) {
      throw bad(fmt::format("corner mark ({}, {}) is outside the {}×{} photo", p.x, p.y,
                            image.width, image.height));
    }
  }
  Point centre{0, 0};
  for (const Point& p : marks)
    centre.x += p.x / 4, centre.y += p.y / 4;
  std::array<Point, 4> out = marks;
  std::sort(out.begin(), out.end(), [&](const Point& a, const Point& b) {
    return std::atan2(a.y - centre.y, a.x - centre.x) < std::atan2(b.y - centre.y, b.x - centre.x);
  });
  for (std::size_t i = 0; i < 4; ++i) {
    const Point a = out[i], b = out[(i + 1) % 4], c = out[(i + 2) % 4];
    const double cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
    if (!(cross > 0)) {
      throw bad(
          "the four corner marks do not form a convex quadrilateral: give the centre of each of "
          "the card's four black corner marks");
    }
  }
  return out;
}

double distance(Point a, Point b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

// The median L* of a small disc at `centre`.
double lightness_at(const Image& image, const LabTransform& transform, Point centre,
                    double radius) {
  const RegionLab lab =
      region_lab(image, transform, Region::ellipse({centre.x, centre.y}, radius, radius));
  RobustOptions options;
  options.reject_clipped = false;  // a mark's black or the paper's white may clip: still its L*
  options.reject_specular = false;
  return robust_statistics(lab.lab, lab.clipped, options).median.L;
}

// The marks reordered so that the hollow one comes first (top-left), the others clockwise.
std::array<Point, 4> oriented(const std::array<Point, 4>& ordered, const Image& image,
                              const LabTransform& transform, const SwatchCardGeometry& g) {
  double sides_px = 0;
  for (std::size_t i = 0; i < 4; ++i)
    sides_px += distance(ordered[i], ordered[(i + 1) % 4]);
  const double sides_mm =
      2 * (distance(g.marks_mm[0], g.marks_mm[1]) + distance(g.marks_mm[1], g.marks_mm[2]));
  const double px_per_mm = sides_px / sides_mm;
  const double radius = std::max(1.0, 0.3 * g.mark_hole_mm * px_per_mm);
  std::array<double, 4> l{};
  for (std::size_t i = 0; i < 4; ++i)
    l[i] = lightness_at(image, transform, ordered[i], radius);
  const auto hollow = static_cast<std::size_t>(std::max_element(l.begin(), l.end()) - l.begin());
  double next = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i != hollow)
      next = std::max(next, l[i]);
  }
  if (l[hollow] - next < min_mark_contrast_l) {
    throw bad(fmt::format(
        "cannot tell the card's top-left: the centres given read L* {:.0f}, {:.0f}, {:.0f}, "
        "{:.0f}, and one (the hollow top-left mark) should read as paper, the others black; give "
        "the centre of each of the four corner marks",
        l[0], l[1], l[2], l[3]));
  }
  std::array<Point, 4> out{};
  for (std::size_t i = 0; i < 4; ++i)
    out[i] = ordered[(hollow + i) % 4];
  return out;
}

// Page millimetres → the unit square spanned by the marks' centres (chart_to_image's space).
Point unit_of(const SwatchCardGeometry& g, double x_mm, double y_mm) {
  const Point tl = g.marks_mm[0], br = g.marks_mm[2];
  return {(x_mm - tl.x) / (br.x - tl.x), (y_mm - tl.y) / (br.y - tl.y)};
}

Point box_centre(const SwatchCardGeometry& g, const SwatchBox& box) {
  return unit_of(g, box.x_mm + box.width_mm / 2, box.y_mm + box.height_mm / 2);
}

SwatchBoxReading read_box(const Image& image, const LabTransform& transform,
                          const std::array<Point, 4>& marks, const SwatchCardGeometry& g,
                          const SwatchBox& box) {
  const double margin_x = box.width_mm * (1 - inner_fraction) / 2;
  const double margin_y = box.height_mm * (1 - inner_fraction) / 2;
  const double x0 = box.x_mm + margin_x, x1 = box.x_mm + box.width_mm - margin_x;
  const double y0 = box.y_mm + margin_y, y1 = box.y_mm + box.height_mm - margin_y;
  std::vector<Point> polygon;
  for (const auto& [x, y] : {std::pair{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}) {
    const Point p = chart_to_image(marks, unit_of(g, x, y));
    polygon.push_back({p.x, p.y});
  }
  const RegionLab lab = region_lab(image, transform, Region::polygon(std::move(polygon)));
  const std::size_t pixels = lab.clipped.size();
  if (pixels < min_box_pixels) {
    throw bad(
        fmt::format("{} covers {} pixels of the photo, too few to read: photograph the "
                    "card closer, filling more of the frame",
                    box_name(box), pixels));
  }
  const auto clipped = static_cast<std::size_t>(
      std::count_if(lab.clipped.begin(), lab.clipped.end(), [](auto f) { return f != 0; }));
  if (2 * clipped > pixels) {
    const bool over = median_lightness(lab.lab) > 50;
    throw bad(
        fmt::format("{} is clipped in {} of its {} pixels ({}): photograph the card with "
                    "{} light or a {} exposure",
                    box_name(box), clipped, pixels, over ? "over-exposed" : "under-exposed",
                    over ? "less" : "more", over ? "shorter" : "longer"));
  }
  const RobustLabStatistics s = robust_statistics(lab.lab, lab.clipped);
  SwatchBoxReading out;
  out.box = box;
  out.measured_d50 = s.median;
  out.corrected_d50 = s.median;
  out.pixels = s.pixels_used;
  constexpr double mad_to_sd = 1.4826;
  out.spread_de00 =
      mad_to_sd * std::sqrt(s.mad.L * s.mad.L + s.mad.a * s.mad.a + s.mad.b * s.mad.b);
  return out;
}

// ln Y of the bare boxes fitted by a plane over the card (a line when the boxes lie on one row),
// as coefficients of (1, u, v).
std::array<double, 3> light_plane(const std::vector<std::pair<Point, double>>& bare) {
  detail::SquareMatrix<3> normal{};
  std::array<double, 3> moment{};
  for (const auto& [at, ln_y] : bare) {
    const std::array<double, 3> row{1.0, at.x, at.y};
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < 3; ++j)
        normal[i][j] += row[i] * row[j];
      moment[i] += row[i] * ln_y;
    }
  }
  for (const std::size_t unknowns : {std::size_t{3}, std::size_t{2}, std::size_t{1}}) {
    detail::SquareMatrix<3> inverse{};
    if (!detail::invert_leading(normal, unknowns, inverse, 1e-9))
      continue;
    std::array<double, 3> plane{};
    for (std::size_t i = 0; i < unknowns; ++i) {
      for (std::size_t j = 0; j < unknowns; ++j)
        plane[i] += inverse[i][j] * moment[j];
    }
    return plane;
  }
  return {};
}

double plane_at(const std::array<double, 3>& plane, Point at) {
  return plane[0] + plane[1] * at.x + plane[2] * at.y;
}

// Corrects every box to the mean light over the bare boxes; returns the variation of the light.
double correct_light(std::vector<SwatchBoxReading>& boxes, const SwatchCardGeometry& g) {
  std::vector<std::pair<Point, double>> bare;
  for (const SwatchBoxReading& b : boxes) {
    if (b.box.code.empty())
      bare.emplace_back(box_centre(g, b.box), std::log(std::max(to_xyz(b.measured_d50).Y, 1e-6)));
  }
  const std::array<double, 3> plane = light_plane(bare);
  double reference = 0;
  for (const auto& [at, ln_y] : bare)
    reference += plane_at(plane, at) / static_cast<double>(bare.size());
  double lowest = INFINITY, highest = -INFINITY;
  for (SwatchBoxReading& b : boxes) {
    const double here = plane_at(plane, box_centre(g, b.box));
    lowest = std::min(lowest, here);
    highest = std::max(highest, here);
    b.light_factor = std::exp(reference - here);
    Xyz xyz = to_xyz(b.measured_d50);
    xyz.X *= b.light_factor, xyz.Y *= b.light_factor, xyz.Z *= b.light_factor;
    b.corrected_d50 = to_lab(xyz);
  }
  return std::exp(highest - lowest) - 1;
}

Lab mean_card(const std::vector<SwatchBoxReading>& boxes) {
  Xyz sum{0, 0, 0};
  double n = 0;
  for (const SwatchBoxReading& b : boxes) {
    if (!b.box.code.empty())
      continue;
    const Xyz xyz = to_xyz(b.corrected_d50);
    sum.X += xyz.X, sum.Y += xyz.Y, sum.Z += xyz.Z;
    n += 1;
  }
  return to_lab(Xyz{sum.X / n, sum.Y / n, sum.Z / n});
}

// Throws for a row whose every box reads as paper; warns for a row with boxes near it.
void check_rows_painted(const std::vector<SwatchBoxReading>& boxes, const Lab& card,
                        std::vector<std::string>& warnings) {
  std::size_t first = 0;
  while (first < boxes.size()) {
    const std::string& code = boxes[first].box.code;
    if (code.empty()) {
      ++first;
      continue;
    }
    std::size_t end = first;
    double farthest = 0;
    std::string pale;
    for (; end < boxes.size() && boxes[end].box.code == code; ++end) {
      const double de = delta_e2000(boxes[end].corrected_d50, card);
      farthest = std::max(farthest, de);
      if (de < pale_de00)
        pale += fmt::format("{}{:g} % ({:.1f})", pale.empty() ? "" : ", ",
                            boxes[end].box.concentration * 100, de);
    }
    if (farthest < unpainted_de00) {
      throw bad(
          fmt::format("the boxes of {} read as bare card (ΔE00 {:.1f} at most): paint "
                      "them, or check that the card in the photo is the one given",
                      code, farthest));
    }
    if (!pale.empty()) {
      warnings.push_back(fmt::format(
          "{} is within {} ΔE00 of the bare card at {}: a white or very pale pigment on white "
          "card shows little of how it absorbs and scatters, so its K and S are uncertain",
          code, pale_de00, pale));
    }
    first = end;
  }
}

}  // namespace

SwatchCardReading read_swatch_card(const Image& image, const LabTransform& transform,
                                   const std::array<Point, 4>& marks,
                                   const SwatchCardLayout& layout) {
  const SwatchCardGeometry g = swatch_card_geometry(layout);
  SwatchCardReading out;
  out.marks = oriented(clockwise(marks, image), image, transform, g);
  for (const SwatchBox& box : g.boxes)
    out.boxes.push_back(read_box(image, transform, out.marks, g, box));
  out.light_variation = correct_light(out.boxes, g);
  const Lab card = mean_card(out.boxes);
  check_rows_painted(out.boxes, card, out.warnings);
  for (const SwatchBoxReading& b : out.boxes) {
    const std::string name = box_name(b.box);
    if (b.spread_de00 > uneven_spread_de00) {
      out.warnings.push_back(fmt::format(
          "{} is uneven (its pixels spread {:.1f} ΔE00): a streaky coat reads as its median; "
          "repaint it in one even coat if the fit is poor",
          name, b.spread_de00));
    }
    Lab lab = b.corrected_d50;
    if (lab.L > 100) {
      out.warnings.push_back(fmt::format(
          "{} reads brighter than white after the light correction (L* {:.1f}): taken as "
          "L* 100; light the card and the chart alike",
          name, lab.L));
      lab.L = 100;
    }
    DrawdownReading r;
    r.sample_id = b.box.code.empty() ? fmt::format("card (row {})", b.box.row + 1)
                                     : fmt::format("{}@{:g}", b.box.code, b.box.concentration);
    r.code = b.box.code;
    r.concentration = b.box.code.empty() ? 1.0 : b.box.concentration;
    r.reflectance = reconstruct_reflectance(lab);
    r.lab_d50 = lab;
    out.readings.push_back(std::move(r));
  }
  return out;
}

}  // namespace pigmatch
