// chart_light.h — the light across a chart, read from its own patches.
//
// A chart lit unevenly (a lamp to one side, lens vignetting) gives each patch a little more or
// less light than its centre gets. The colour fit cannot absorb that, since it maps colour and
// not place, so it shows as residuals that grow across the chart. Regressing each patch's log
// luminance ratio (fitted over reference) on its place gives the slope of the light. The
// patch's own lightness joins the regression, so that a tone curve the linearisation missed
// (a function of lightness: on the ColorChecker the neutral row runs from white to black along
// the chart) is not taken for light.
#pragma once

#include <span>

#include "pigmatch/calibration/calibration.h"
#include "pigmatch/calibration/chart.h"

namespace pigmatch::detail {

/// One patch: its place in chart-normalised coordinates, ln(fitted Y / reference Y) and
/// ln(reference Y).
struct LightObservation {
  Point place;
  double log_ratio = 0;
  double log_luminance = 0;
};

/// The slope of ln(light) across the chart, robust to a few patches the fit missed (Tukey's
/// biweight). Zero slopes with infinite standard errors when there are too few observations (6)
/// or they do not span the chart.
ChartLightSlope fit_light_slope(std::span<const LightObservation> observations);

/// The light at chart-normalised `place` relative to the chart's centre, for `slope`.
double relative_light(const ChartLightSlope& slope, Point place) noexcept;

/// Whether `slope` is a real unevenness of the light, not noise in the fit: beyond 4 standard
/// errors together, and less than a factor 2 across the chart (more is glare or a wrong chart,
/// not a lamp).
bool significant(const ChartLightSlope& slope) noexcept;

}  // namespace pigmatch::detail
