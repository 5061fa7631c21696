// chart_framing.h — where a chart's patch field lies inside corners someone gave.
//
// The chart description's unit square is the patch field's black frame (the printed corner
// marks of current cards). A user asked for "the chart's corners" may well click the card's
// physical corners instead, and on current X-Rite and Calibrite cards those include a logo band
// and a ruler along one side. This module looks for the patch field inside the given
// quadrilateral by the patches' own structure — sampled where the field would put them, each
// patch is flat and the patches differ — before any colour is compared, so it works whatever
// the camera's colours and encoding.
#pragma once

#include <vector>

#include "pigmatch/calibration/chart.h"
#include "pigmatch/image/image.h"

namespace pigmatch::detail {

/// A candidate patch field: its corners (in the given corners' order) and how far its sampled
/// patches are from flat patches that differ from each other (lower is better; 0 is perfect).
struct PatchFieldCandidate {
  ChartCorners corners{};
  double misfit = 0;
  /// The band cut off each side of the given quadrilateral, as a fraction of that side's
  /// distance to the opposite one: left, top, right, bottom in the given corners' order.
  std::array<double, 4> band{};
};

/// The misfit of the patch field at `corners`: the mean over patches of their within-patch
/// spread (standard deviation over a grid of points nearly filling the patch, summed over
/// channels) relative to the spread between patches (median absolute deviation of the patches'
/// medians). Infinite when a patch lies outside
/// the image.
double patch_field_misfit(const Image& image, const ChartDefinition& chart,
                          const ChartCorners& corners);

/// The given quadrilateral itself first, then up to `alternatives` patch fields inside it (bands
/// cut off its sides, at most 30 % of its width and of its height in all) whose misfit is below
/// `improvement` × the given one's, best first and each clearly apart from the others.
std::vector<PatchFieldCandidate> patch_field_candidates(const Image& image,
                                                        const ChartDefinition& chart,
                                                        const ChartCorners& given,
                                                        std::size_t alternatives = 2,
                                                        double improvement = 0.7);

}  // namespace pigmatch::detail
