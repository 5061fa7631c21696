// pigmatch/formulation/swatch_card.h — measuring a studio's own pigments with a camera instead of a
// spectrophotometer: a printed swatch card, painted, photographed beside a colour chart, read back.
//
// The card (A4 landscape) has one row of boxes per pigment and one column per dilution step,
// strongest first, a bare-card box at both ends of every row, and a square mark at each corner;
// the top-left mark is hollow, so the card's orientation is known from the photo. The practitioner
// prints it, paints each box edge to edge with the dilution named above it, leaves the bare boxes
// bare, and photographs it evenly lit with the chart beside it. Reading the photo gives each box's
// colour through the photo's calibration, corrected for uneven light across the card by the bare
// boxes (which are all the same paper), with a reflectance estimated from that colour: the
// readings build_catalog() fits K and S to (catalog_build.h), refined there until the film of
// every step has the colour measured for it.
//
// docs/catalog-format.md, "From a photo".
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/formulation/catalog_build.h"
#include "pigmatch/image/image.h"

namespace pigmatch {

/// What a card holds: one row per pigment, one column per concentration.
struct SwatchCardLayout {
  std::vector<std::string> pigments;   ///< codes, top row first
  std::vector<double> concentrations;  ///< in (0, 1], strongest first (1 = the masstone)
  std::string title;                   ///< printed at the top, e.g. the studio's name
};

inline constexpr std::size_t max_card_pigments = 8;  ///< rows that fit on A4 with usable boxes
inline constexpr std::size_t max_card_steps = 6;

/// Throws Error(invalid_argument) saying what to change: no pigments or too many for one card,
/// a code that is empty, repeated or holds characters other than letters, digits and . _ - + /,
/// fewer than 2 or more than max_card_steps concentrations, one outside (0, 1], not strongest
/// first, or a title longer than one line of 80 characters.
void check_swatch_card_layout(const SwatchCardLayout& layout);

/// One box of the card, in millimetres from the page's top-left corner.
struct SwatchBox {
  std::string code;          ///< the pigment; empty for a bare-card box
  double concentration = 0;  ///< 0 for a bare-card box
  std::size_t row = 0;       ///< 0-based, top row first
  double x_mm = 0, y_mm = 0, width_mm = 0, height_mm = 0;
};

/// Where everything is on the printed page.
struct SwatchCardGeometry {
  double page_width_mm = 297, page_height_mm = 210;
  double mark_mm = 10;      ///< side of each corner mark
  double mark_hole_mm = 4;  ///< side of the hole in the top-left mark
  /// Centres of the corner marks: top-left (hollow), top-right, bottom-right, bottom-left.
  std::array<Point, 4> marks_mm{};
  std::vector<SwatchBox> boxes;  ///< row by row, left to right
};

/// The geometry of `layout` (checked first).
SwatchCardGeometry swatch_card_geometry(const SwatchCardLayout& layout);

/// The printable card as an SVG document (A4 landscape, millimetre units), carrying its layout in
/// a metadata element so that the same file tells read_swatch_card_layout() what was printed.
std::string swatch_card_svg(const SwatchCardLayout& layout);

/// The layout carried by a card's SVG. Throws Error(corrupt_data) when the text holds no
/// pigmatch layout or an invalid one; `name` (the file) appears in messages.
SwatchCardLayout read_swatch_card_layout(std::string_view svg, std::string_view name);
/// The same from a file (read with a 4 MiB limit); Error(io / too_large) when it cannot be read.
SwatchCardLayout load_swatch_card_layout(const std::filesystem::path& svg_file);

/// Finds the card's corner marks in `image`: dark square blobs, one of them hollow, alike in size,
/// at the corners of a quadrilateral shaped like the marks' rectangle on the page. Returns their
/// centres, the hollow (top-left) one first, then clockwise; nothing when no such four are
/// found. Never throws for the photo's content.
std::optional<std::array<Point, 4>> find_swatch_card_marks(const Image& image);

/// One box as read from the photo.
struct SwatchBoxReading {
  SwatchBox box;
  Lab measured_d50;         ///< the box's median colour through the photo's calibration
  Lab corrected_d50;        ///< after the light correction: what build_catalog() is given
  double light_factor = 1;  ///< XYZ multiplied by this (light at the card's mean / at the box)
  double spread_de00 = 0;   ///< robust spread of the box's pixels (unevenly painted, streaks)
  std::size_t pixels = 0;
};

struct SwatchCardReading {
  std::vector<SwatchBoxReading> boxes;    ///< as SwatchCardGeometry::boxes
  std::vector<DrawdownReading> readings;  ///< one per box: Lab and estimated reflectance
  /// How much the light varied over the card's boxes, as read from the bare ones: the brightest
  /// place over the darkest, minus 1 (0.08: 8 % more light at one end).
  double light_variation = 0;
  std::array<Point, 4> marks{};       ///< the marks' centres in the photo, top-left first
  std::vector<std::string> warnings;  ///< e.g. a box painted unevenly
};

/// Reads the card of `layout` in `image` whose corner marks are centred at `marks` (pixels of
/// the upright photo, in any order): the hollow mark tells the top-left. Colours go through
/// `transform` (the photo's calibration); each box's reflectance is the smoothest one with its
/// colour (reconstruct_reflectance(); shaping it like the chart's spectra instead gave recipes
/// that mixed further from their targets, bench/RESULTS.md). Throws Error(invalid_argument) when
/// the marks are not a convex quadrilateral inside the photo, the hollow mark is not among them,
/// a box is too small or clipped, or every box of a pigment reads as bare card (not painted).
SwatchCardReading read_swatch_card(const Image& image, const LabTransform& transform,
                                   const std::array<Point, 4>& marks,
                                   const SwatchCardLayout& layout);

}  // namespace pigmatch
