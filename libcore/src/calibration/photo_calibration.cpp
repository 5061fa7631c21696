// photo_calibration.cpp — a chart in a photo at given corners: which field inside the corners
// holds its patches, and which of the corners' 8 orderings is the chart's orientation (the one a
// quick fit explains best, clearly better than the next); then calibration.cpp's fit.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "calibration/calibration_model.h"
#include "calibration/chart_framing.h"
#include "calibration/chart_geometry.h"
#include "pigmatch/calibration/calibration.h"
#include "pigmatch/error.h"

namespace pigmatch {

namespace {

struct OrientationCandidate {
  ChartCorners corners;
  std::vector<PatchSample> samples;
  double score;
};

// The 8 orderings of the corners, best fit (lowest orientation score) first.
std::vector<OrientationCandidate> rank_orderings(const Image& image, const ChartDefinition& chart,
                                                 const ChartCorners& corners,
                                                 const ChartReference& reference,
                                                 const detail::Linearizer& through_profile,
                                                 const CalibrationOptions& options) {
  std::vector<OrientationCandidate> candidates;
  for (const ChartCorners& ordering : corner_orderings(corners)) {
    auto samples = sample_patches(image, chart, ordering);
    const double score =
        detail::matrix_fit_de00(samples, chart, reference, through_profile, options);
    candidates.push_back({ordering, std::move(samples), score});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const OrientationCandidate& a, const OrientationCandidate& b) {
              return a.score < b.score;
            });
  return candidates;
}

std::string describe_patch_field(const detail::PatchFieldCandidate& field) {
  const auto widest = std::max_element(field.band.begin(), field.band.end());
  return fmt::format(
      "the corners given enclose more than the chart's patch field (the card's edges, with a "
      "logo band or ruler?): the patches were found inside them, {:.0f} % in from one side",
      100 * *widest);
}

}  // namespace

Calibration calibrate_from_photo(const Image& image, const ChartDefinition& chart,
                                 const ChartCorners& corners, const CalibrationOptions& options) {
  detail::check_calibration_inputs(std::vector<PatchSample>(chart.patches.size()), chart, options);
  if (image.channels != 3)
    throw Error(
        ErrorCode::invalid_argument,
        image.source + " is a grey image: calibrating with a colour chart needs an RGB photo");
  const ChartReference& reference = chart.reference(options.reference);
  const auto through_profile = detail::Linearizer::from_profile(image.icc_profile);

  // The patch field may lie inside the corners given (the card's physical edges). Candidate
  // fields are tried from the most patch-like structure on; the first whose best orientation
  // passes the colour check wins (colour alone would pick among near-equal fields by noise).
  auto fields = detail::patch_field_candidates(image, chart, corners);
  std::stable_sort(fields.begin(), fields.end(),
                   [](const auto& a, const auto& b) { return a.misfit < b.misfit; });
  std::vector<OrientationCandidate> ranked;
  const detail::PatchFieldCandidate* field = nullptr;
  for (const detail::PatchFieldCandidate& candidate : fields) {
    auto orderings =
        rank_orderings(image, chart, candidate.corners, reference, through_profile, options);
    if (ranked.empty() || orderings[0].score < ranked[0].score) {
      ranked = std::move(orderings);
      field = &candidate;
    }
    if (ranked[0].score <= options.max_mean_de00)
      break;
  }
  const OrientationCandidate& best = ranked[0];
  const auto usable = static_cast<std::size_t>(std::count_if(
      best.samples.begin(), best.samples.end(), [](const PatchSample& p) { return !p.clipped; }));
  if (usable < detail::term_count(CalibrationModel::matrix) + 4)
    detail::throw_too_few_usable(usable, best.samples.size(), image.source);
  if (!std::isfinite(best.score) || best.score > options.max_mean_de00) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("no {} found at corners {} in {} (best orientation fits with mean "
                            "ΔE00 {}, however its pixels are read): check the corners, and that "
                            "the chart is evenly lit without glare; a printed copy of a chart, or "
                            "another make, does not have the genuine chart's colours and cannot "
                            "calibrate",
                            chart.name, detail::describe(corners), image.source,
                            std::isfinite(best.score) ? fmt::format("{:.2f}", best.score) : "—"));
  }
  if (ranked[1].score < options.min_orientation_ratio * best.score) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("the chart's orientation at corners {} in {} is ambiguous (two "
                            "orientations fit with mean ΔE00 {:.2f} and {:.2f}): check the "
                            "corners and the lighting",
                            detail::describe(corners), image.source, best.score, ranked[1].score));
  }
  Calibration calibration = calibrate(best.samples, chart, image.icc_profile, options);
  CalibrationReport report = calibration.report();
  report.corners = best.corners;
  if (field->band != std::array<double, 4>{})
    report.warnings.push_back(describe_patch_field(*field));
  return Calibration(std::move(report), calibration.icc_profile());
}

}  // namespace pigmatch
