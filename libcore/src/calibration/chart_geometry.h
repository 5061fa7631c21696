// chart_geometry.h — the projective map between a chart's unit square and a photo, shared by
// patch sampling and chart detection.
#pragma once

#include <array>
#include <string>

#include "pigmatch/calibration/chart.h"

namespace pigmatch::detail {

/// A 3×3 homography, row-major, acting on (x, y, 1).
struct Homography {
  std::array<double, 9> m{1, 0, 0, 0, 1, 0, 0, 0, 1};

  /// The map taking (0,0), (1,0), (1,1), (0,1) onto the corners; throws Error(invalid_argument)
  /// when they are not a convex quadrilateral.
  static Homography square_to(const ChartCorners& corners);
  Point apply(Point p) const noexcept;
  Homography inverse() const noexcept;
};

/// The z of (a − o) × (b − o): positive when o → a → b turns counter-clockwise in x-right/y-up.
double cross(Point o, Point a, Point b) noexcept;
bool is_convex(const ChartCorners& corners) noexcept;
/// "x,y; x,y; x,y; x,y" rounded to pixels, for messages.
std::string describe(const ChartCorners& corners);

}  // namespace pigmatch::detail
