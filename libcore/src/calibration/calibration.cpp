// calibration.cpp — fitting linear device RGB to the chart's XYZ D50: weighted, neutral-
// preserving least squares for a matrix and root-polynomials, leave-one-out scoring, the choice
// of model and of the way the pixels are read. Finding the chart's field and orientation in a
// photo is photo_calibration.cpp.
#include "pigmatch/calibration/calibration.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <system_error>

#include "calibration/calibration_model.h"
#include "calibration/chart_framing.h"
#include "calibration/chart_geometry.h"
#include "calibration/chart_light.h"
#include "calibration/tone_curves.h"
#include "pigmatch/calibration/camera_estimation.h"
#include "pigmatch/calibration/skin_spectra.h"
#include "pigmatch/error.h"

namespace pigmatch {
namespace detail {

std::size_t term_count(CalibrationModel model) noexcept {
  switch (model) {
    case CalibrationModel::matrix:
      return 3;
    case CalibrationModel::root_polynomial_2:
      return 6;
    case CalibrationModel::root_polynomial_3:
      return 13;
  }
  return 3;
}

std::vector<double> model_terms(CalibrationModel model, const Vec3& linear) {
  // Root terms need non-negative inputs; noise can push a dark channel slightly below zero.
  const double r = std::max(linear[0], 0.0), g = std::max(linear[1], 0.0),
               b = std::max(linear[2], 0.0);
  std::vector<double> terms{linear[0], linear[1], linear[2]};
  if (model == CalibrationModel::matrix)
    return terms;
  terms.insert(terms.end(), {std::sqrt(r * g), std::sqrt(g * b), std::sqrt(r * b)});
  if (model == CalibrationModel::root_polynomial_2)
    return terms;
  terms.insert(terms.end(), {std::cbrt(r * g * g), std::cbrt(g * b * b), std::cbrt(r * b * b),
                             std::cbrt(g * r * r), std::cbrt(b * g * g), std::cbrt(b * r * r),
                             std::cbrt(r * g * b)});
  return terms;
}

Xyz FittedModel::predict(const Vec3& linear) const {
  const std::vector<double> terms = model_terms(model, linear);
  double out[3] = {0, 0, 0};
  for (std::size_t c = 0; c < 3; ++c) {
    for (std::size_t k = 0; k < terms.size(); ++k)
      out[c] += rows[c][k] * terms[k];
  }
  return {out[0], out[1], out[2]};
}

}  // namespace detail

namespace {

using detail::FittedModel;
using detail::Vec3;

/// One usable patch: its linear device values and its reference.
struct FitPoint {
  std::size_t patch = 0;  // index in the chart
  Vec3 linear{};
  Xyz target;
  Lab reference;
  double weight = 1;
  bool neutral = false;
};

// Gaussian elimination with partial pivoting; false when the system is singular.
bool solve(std::vector<double>& a, std::vector<double>& rhs, std::size_t n) {
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t row = col + 1; row < n; ++row)
      if (std::abs(a[row * n + col]) > std::abs(a[pivot * n + col]))
        pivot = row;
    if (!(std::abs(a[pivot * n + col]) > 1e-300))
      return false;
    if (pivot != col) {
      for (std::size_t k = 0; k < n; ++k)
        std::swap(a[col * n + k], a[pivot * n + k]);
      std::swap(rhs[col], rhs[pivot]);
    }
    for (std::size_t row = col + 1; row < n; ++row) {
      const double f = a[row * n + col] / a[col * n + col];
      for (std::size_t k = col; k < n; ++k)
        a[row * n + k] -= f * a[col * n + k];
      rhs[row] -= f * rhs[col];
    }
  }
  for (std::size_t col = n; col-- > 0;) {
    double sum = rhs[col];
    for (std::size_t k = col + 1; k < n; ++k)
      sum -= a[col * n + k] * rhs[k];
    rhs[col] = sum / a[col * n + col];
    if (!std::isfinite(rhs[col]))
      return false;
  }
  return true;
}

double channel(const Xyz& xyz, std::size_t c) {
  return c == 0 ? xyz.X : c == 1 ? xyz.Y : xyz.Z;
}

// Weighted least squares for each XYZ row, with the neutral `anchor` (when given) fitted exactly
// through a Lagrange multiplier. The weight of a residual in channel c is the point's weight times
// target_c^(−4/3): d(∛t)/dt ∝ t^(−2/3), so squared XYZ errors then count like squared Lab errors.
std::optional<FittedModel> fit(CalibrationModel model, std::span<const FitPoint> points,
                               std::optional<std::size_t> anchor) {
  const std::size_t p = detail::term_count(model);
  if (points.size() < p + 3)
    return std::nullopt;
  std::vector<std::vector<double>> terms;
  for (const FitPoint& point : points)
    terms.push_back(detail::model_terms(model, point.linear));

  FittedModel fitted{model, {}};
  for (std::size_t c = 0; c < 3; ++c) {
    const std::size_t n = anchor ? p + 1 : p;
    std::vector<double> a(n * n, 0.0), rhs(n, 0.0);
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double target = channel(points[i].target, c);
      const double w = points[i].weight * std::pow(std::max(target, 0.01), -4.0 / 3.0);
      for (std::size_t j = 0; j < p; ++j) {
        rhs[j] += w * terms[i][j] * target;
        for (std::size_t k = 0; k < p; ++k)
          a[j * n + k] += w * terms[i][j] * terms[i][k];
      }
    }
    // A whisper of ridge keeps nearly collinear root terms solvable without biasing the fit.
    double trace = 0;
    for (std::size_t j = 0; j < p; ++j)
      trace += a[j * n + j];
    for (std::size_t j = 0; j < p; ++j)
      a[j * n + j] += 1e-10 * trace / static_cast<double>(p);
    if (anchor) {
      for (std::size_t j = 0; j < p; ++j) {
        a[j * n + p] = terms[*anchor][j];
        a[p * n + j] = terms[*anchor][j];
      }
      rhs[p] = channel(points[*anchor].target, c);
    }
    if (!solve(a, rhs, n))
      return std::nullopt;
    fitted.rows[c].assign(rhs.begin(), rhs.begin() + static_cast<std::ptrdiff_t>(p));
  }
  return fitted;
}

// The brightest neutral is the anchor: it has the best signal-to-noise ratio of the greys.
std::optional<std::size_t> neutral_anchor(std::span<const FitPoint> points) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].neutral && (!best || points[i].target.Y > points[*best].target.Y))
      best = i;
  }
  return best;
}

std::optional<FittedModel> fit_points(CalibrationModel model, std::span<const FitPoint> points) {
  return fit(model, points, neutral_anchor(points));
}

// Skin reflectances that join the fit, with the chart spectra their camera RGB is predicted from.
struct SkinTraining {
  std::span<const Spectrum> chart_spectra;  // per chart patch; empty: the chart has none
  std::vector<Spectrum> skins;
  std::vector<Xyz> targets;  // their D50/2° colorimetry, what a spectrophotometer reads
  double weight = 0;

  bool active() const noexcept { return !chart_spectra.empty() && !skins.empty() && weight > 0; }
};

SkinTraining skin_training(const ChartDefinition& chart, const CalibrationOptions& options) {
  SkinTraining training;
  if (chart.spectra.size() != chart.patches.size() || !(options.skin_weight > 0))
    return training;
  training.chart_spectra = chart.spectra;
  training.weight = options.skin_weight;
  training.skins = options.skin_spectra;
  if (training.skins.empty()) {
    for (const NamedSpectrum& skin : vrhel_skin_spectra())
      training.skins.push_back(skin.reflectance);
  }
  for (const Spectrum& skin : training.skins)
    training.targets.push_back(to_xyz(skin, Illuminant::d50));
  return training;
}

// The chart's points plus one point per skin: the RGB the camera would give for it, estimated
// from these chart points' spectra and RGB (so a leave-one-out fit does not see the patch it
// leaves out, not even through the estimate).
std::vector<FitPoint> with_skins(std::span<const FitPoint> chart_points,
                                 const SkinTraining& training) {
  std::vector<FitPoint> points(chart_points.begin(), chart_points.end());
  if (!training.active())
    return points;
  std::vector<Spectrum> reflectances;
  std::vector<std::array<double, 3>> rgb;
  for (const FitPoint& point : chart_points) {
    reflectances.push_back(training.chart_spectra[point.patch]);
    rgb.push_back(point.linear);
  }
  const SpectralResponse response = estimate_spectral_response(reflectances, rgb);
  for (std::size_t k = 0; k < training.skins.size(); ++k) {
    // Not a chart patch: its index is past the chart points' and never looked up.
    points.push_back({chart_points.size(), response.rgb(training.skins[k]), training.targets[k],
                      to_lab(training.targets[k]), training.weight, false});
  }
  return points;
}

struct Scored {
  ModelScore score;
  std::optional<FittedModel> fitted;
  std::vector<double> loo;  // per point
};

Scored score_model(CalibrationModel model, std::span<const FitPoint> points,
                   const SkinTraining& training) {
  Scored s;
  s.score.model = model;
  // Every leave-one-out fit needs enough chart patches of its own, skins or not.
  if (points.size() < detail::term_count(model) + 4)
    return s;
  s.fitted = fit_points(model, with_skins(points, training));
  if (!s.fitted)
    return s;
  std::vector<FitPoint> others;
  for (std::size_t i = 0; i < points.size(); ++i) {
    others.assign(points.begin(), points.end());
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
    const auto without = fit_points(model, with_skins(others, training));
    if (!without) {
      s.fitted.reset();  // cannot be validated: too few patches for its parameters
      return s;
    }
    s.loo.push_back(delta_e2000(points[i].reference, to_lab(without->predict(points[i].linear))));
  }
  double sum = 0, loo_sum = 0, worst = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double de = delta_e2000(points[i].reference, to_lab(s.fitted->predict(points[i].linear)));
    sum += de;
    worst = std::max(worst, de);
    loo_sum += s.loo[i];
  }
  const double n = static_cast<double>(points.size());
  s.score = {model, sum / n, worst, loo_sum / n, true};
  return s;
}

// Whether `candidate` should replace `current`: the model with more terms must predict unseen
// patches clearly better (by the margin, and by more than 0.02 ΔE00, below any visible difference).
bool preferred(const ModelScore& candidate, const ModelScore& current, double margin) {
  const auto clearly_better = [margin](const ModelScore& complex, const ModelScore& simple) {
    return complex.loo_mean_de00 < margin * simple.loo_mean_de00 &&
           simple.loo_mean_de00 - complex.loo_mean_de00 > 0.02;
  };
  if (detail::term_count(candidate.model) > detail::term_count(current.model))
    return clearly_better(candidate, current);
  return !clearly_better(current, candidate);
}

// Fits every candidate model (with the skins, when training is active) and keeps the preferred
// one; records every candidate's score, and a warning for each that could not be fitted.
std::optional<Scored> choose_model(std::span<const FitPoint> points, const SkinTraining& training,
                                   const CalibrationOptions& options, CalibrationReport& report) {
  std::optional<Scored> chosen;
  for (const CalibrationModel model : options.candidates) {
    Scored scored = score_model(model, points, training);
    report.candidates.push_back(scored.score);
    if (!scored.fitted) {
      report.warnings.push_back(std::string(to_string(model)) + " not fitted: it needs at least " +
                                std::to_string(detail::term_count(model) + 4) +
                                " usable patches, " + std::to_string(points.size()) +
                                " were usable");
      continue;
    }
    if (!chosen || preferred(scored.score, chosen->score, options.complexity_margin))
      chosen = std::move(scored);
  }
  return chosen;
}

// The points with their linear values divided by the light at their patch (relative to the
// chart's centre, for `slope`).
std::vector<FitPoint> flattened(std::span<const FitPoint> points, const ChartDefinition& chart,
                                const ChartLightSlope& slope) {
  std::vector<FitPoint> out(points.begin(), points.end());
  for (FitPoint& point : out) {
    const double light = detail::relative_light(slope, chart.patches[point.patch].center);
    for (double& v : point.linear)
      v /= light;
  }
  return out;
}

// The light's slope across the chart seen through fits of `model`: each estimate flattens the
// patches, which changes the fit, so it is repeated until the slope stops moving.
ChartLightSlope light_slope(std::span<const FitPoint> points, const ChartDefinition& chart,
                            CalibrationModel model, const SkinTraining& training) {
  ChartLightSlope total;
  for (int iteration = 0; iteration < 6; ++iteration) {
    const std::vector<FitPoint> flat = flattened(points, chart, total);
    const auto fitted = fit_points(model, with_skins(flat, training));
    if (!fitted)
      return detail::fit_light_slope({});
    std::vector<detail::LightObservation> observations;
    for (const FitPoint& point : flat) {
      const double fitted_y = fitted->predict(point.linear).Y;
      if (fitted_y > 0 && point.target.Y > 0) {
        observations.push_back({chart.patches[point.patch].center,
                                std::log(fitted_y / point.target.Y), std::log(point.target.Y)});
      }
    }
    const ChartLightSlope step = detail::fit_light_slope(observations);
    if (!std::isfinite(step.along_rows_se) || !std::isfinite(step.down_columns_se))
      return step;
    total.along_rows += step.along_rows;
    total.down_columns += step.down_columns;
    total.along_rows_se = step.along_rows_se;
    total.down_columns_se = step.down_columns_se;
    if (std::abs(step.along_rows) < 0.05 * step.along_rows_se &&
        std::abs(step.down_columns) < 0.05 * step.down_columns_se)
      break;
  }
  return total;
}

// A model chosen for the chart's points as lit evenly: the points, flattened by the light's
// slope when the chart is lit unevenly beyond noise (the report records the slope, with a
// warning), and the model chosen for them.
struct EvenlyLitFit {
  std::optional<Scored> chosen;
  std::vector<FitPoint> points;
};

EvenlyLitFit choose_evenly_lit(std::span<const FitPoint> points, const ChartDefinition& chart,
                               const SkinTraining& training, const CalibrationOptions& options,
                               CalibrationReport& report) {
  EvenlyLitFit fit{{}, {points.begin(), points.end()}};
  CalibrationReport first_pass;
  fit.chosen = choose_model(points, training, options, first_pass);
  if (fit.chosen)
    report.light_slope = light_slope(points, chart, fit.chosen->fitted->model, training);
  if (!fit.chosen || !detail::significant(report.light_slope)) {
    report.candidates = std::move(first_pass.candidates);
    report.warnings.insert(report.warnings.end(), first_pass.warnings.begin(),
                           first_pass.warnings.end());
    return fit;
  }
  report.light_slope.corrected = true;
  fit.points = flattened(points, chart, report.light_slope);
  report.warnings.push_back(fmt::format(
      "the chart is lit unevenly ({:+.0f} % light along its rows, {:+.0f} % down its columns): "
      "its patches were corrected for it, so the calibration holds for the light at the chart's "
      "centre; light the chart evenly, or put a grey card beside the skin",
      100 * std::expm1(report.light_slope.along_rows),
      100 * std::expm1(report.light_slope.down_columns)));
  fit.chosen = choose_model(fit.points, training, options, report);
  return fit;
}

// Skin-like reference colours (hue 30–65°, chroma 10–70: the ColorChecker's dark skin, light skin
// and orange) are what pigmatch measures most; they count like the neutrals in the fit.
bool skin_like(const Lab& lab) {
  const double chroma = std::hypot(lab.a, lab.b);
  const double hue = std::atan2(lab.b, lab.a) * 180.0 / 3.14159265358979323846;
  return chroma >= 10 && chroma <= 70 && hue >= 30 && hue <= 65;
}

std::vector<FitPoint> usable_points(std::span<const PatchSample> samples,
                                    const ChartDefinition& chart, const ChartReference& reference,
                                    const detail::Linearizer& linearize, double neutral_weight) {
  std::vector<FitPoint> points;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].clipped)
      continue;
    const bool neutral = chart.patches[i].neutral;
    points.push_back({i, linearize(samples[i].device), to_xyz(reference.lab_d50[i]),
                      reference.lab_d50[i],
                      neutral || skin_like(reference.lab_d50[i]) ? neutral_weight : 1.0, neutral});
  }
  return points;
}

std::string format_number(double x, int decimals = 2) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(decimals);
  text << x;
  return text.str();
}

// Patches whose colour is far from what the other patches predict: under a finger, in a shadow,
// under glare. Each patch is predicted by the matrix fit of the others (the model with fewest
// parameters, so the least able to bend towards a wrong patch); the worst is excluded while it
// stands out, by ΔE00 ≥ 10 and ≥ 5 × the median of those predictions (a camera the matrix fits
// poorly still predicts its worst genuine patch within a few ΔE00). More than 3 such patches mean
// the chart is not what the corners say, which the mean ΔE00 limit then refuses; then none is
// excluded.
constexpr double foreign_min_de00 = 10.0;
constexpr double foreign_median_factor = 5.0;
constexpr std::size_t max_foreign_patches = 3;

struct ForeignPatch {
  std::size_t patch = 0;   // index in the chart
  double de00 = 0;         // its residual when it was excluded
  double median_de00 = 0;  // the median of the patches' left-out predictions with it
  bool glare = false;      // its error is extra white light
};

// Each point predicted by the matrix fit of the others: a patch under glare pulls a fit that
// includes it towards itself and hides much of its error; left out, it shows all of it.
struct LeftOutPrediction {
  double de00 = 0;
  /// How nearly the error is extra white light (glare: the light reflected by the patch's
  /// surface adds the illuminant's white to its colour): the cosine between the error in XYZ and
  /// the white, 1 when it is exactly more white.
  double towards_white = 0;
};

std::optional<std::vector<LeftOutPrediction>> left_out_predictions(
    const std::vector<FitPoint>& points) {
  std::vector<LeftOutPrediction> predictions;
  predictions.reserve(points.size());
  std::vector<FitPoint> others;
  const Xyz& w = white::d50;
  for (std::size_t i = 0; i < points.size(); ++i) {
    others = points;
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
    const auto fitted = fit_points(CalibrationModel::matrix, others);
    if (!fitted)
      return std::nullopt;
    const Xyz predicted = fitted->predict(points[i].linear);
    const Xyz error{predicted.X - points[i].target.X, predicted.Y - points[i].target.Y,
                    predicted.Z - points[i].target.Z};
    const double norm = std::sqrt(error.X * error.X + error.Y * error.Y + error.Z * error.Z) *
                        std::sqrt(w.X * w.X + w.Y * w.Y + w.Z * w.Z);
    predictions.push_back({delta_e2000(points[i].reference, to_lab(predicted)),
                           norm > 0 ? (error.X * w.X + error.Y * w.Y + error.Z * w.Z) / norm : 0});
  }
  return predictions;
}

// A patch is foreign when it stands out from what the others predict (ΔE00 ≥ 10 and ≥ 5 × their
// median), or when its error is extra white light that stands out less but still clearly
// (ΔE00 ≥ 4 and ≥ 3 × the median, the error within 25° of the white): glare on 15 % of a
// patch's light gives ΔE00 6–12, and no camera's genuine error is more white on one patch alone.
constexpr double glare_min_de00 = 4.0;
constexpr double glare_median_factor = 3.0;
constexpr double glare_min_cosine = 0.9;

bool is_foreign(const LeftOutPrediction& p, double median) {
  const bool stands_out = p.de00 >= foreign_min_de00 && p.de00 >= foreign_median_factor * median;
  const bool glare = p.de00 >= glare_min_de00 && p.de00 >= glare_median_factor * median &&
                     p.towards_white >= glare_min_cosine;
  return stands_out || glare;
}

std::vector<ForeignPatch> foreign_patches(std::vector<FitPoint> points) {
  std::vector<ForeignPatch> foreign;
  while (points.size() > detail::term_count(CalibrationModel::matrix) + 4) {
    const auto predictions = left_out_predictions(points);
    if (!predictions)
      break;
    std::vector<double> sorted;
    for (const LeftOutPrediction& p : *predictions)
      sorted.push_back(p.de00);
    const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
    std::nth_element(sorted.begin(), middle, sorted.end());
    const double median = *middle;
    // The worst foreign patch by ΔE00 (a glare patch may not be the worst of all).
    std::optional<std::size_t> worst;
    for (std::size_t i = 0; i < predictions->size(); ++i) {
      if (is_foreign((*predictions)[i], median) &&
          (!worst || (*predictions)[i].de00 > (*predictions)[*worst].de00))
        worst = i;
    }
    if (!worst)
      break;
    if (foreign.size() == max_foreign_patches)
      return {};
    const LeftOutPrediction& p = (*predictions)[*worst];
    foreign.push_back({points[*worst].patch, p.de00, median, p.towards_white >= glare_min_cosine});
    points.erase(points.begin() + static_cast<std::ptrdiff_t>(*worst));
  }
  return foreign;
}

// ---- how the pixels are read --------------------------------------------------------------

constexpr std::size_t no_patch = std::numeric_limits<std::size_t>::max();

// The linearisation for `encoding`; nullopt when it cannot be made (curves whose neutrals do not
// rise in every channel). `left_out` is a patch kept out of the neutral curves.
std::optional<detail::Linearizer> linearizer_for(PhotoEncoding encoding,
                                                 std::span<const PatchSample> samples,
                                                 const ChartDefinition& chart,
                                                 const ChartReference& reference,
                                                 const detail::Linearizer& through_profile,
                                                 std::size_t left_out = no_patch) {
  switch (encoding) {
    case PhotoEncoding::profile:
      return through_profile;
    case PhotoEncoding::linear:
      return detail::Linearizer::identity();
    case PhotoEncoding::neutral_curves: {
      std::vector<detail::NeutralSample> neutrals;
      for (std::size_t i = 0; i < samples.size(); ++i) {
        if (chart.patches[i].neutral && !samples[i].clipped && i != left_out)
          neutrals.push_back({samples[i].device, to_xyz(reference.lab_d50[i]).Y});
      }
      const auto tables = detail::fit_neutral_tone_curves(neutrals);
      if (!tables)
        return std::nullopt;
      return detail::Linearizer::from_tables(*tables);
    }
  }
  return std::nullopt;
}

constexpr std::array<PhotoEncoding, 3> all_encodings = {
    PhotoEncoding::profile, PhotoEncoding::linear, PhotoEncoding::neutral_curves};

double mean_residual(std::span<const FitPoint> points, const FittedModel& fitted) {
  double sum = 0;
  for (const FitPoint& point : points)
    sum += delta_e2000(point.reference, to_lab(fitted.predict(point.linear)));
  return sum / static_cast<double>(points.size());
}

// Each patch predicted by a matrix fit made without it, through a linearisation made without it
// too (it matters for the neutral curves, which the neutrals make).
double encoding_loo(PhotoEncoding encoding, std::span<const PatchSample> samples,
                    const ChartDefinition& chart, const ChartReference& reference,
                    const detail::Linearizer& through_profile, double neutral_weight) {
  constexpr double impossible = std::numeric_limits<double>::infinity();
  const auto linearize = linearizer_for(encoding, samples, chart, reference, through_profile);
  if (!linearize)
    return impossible;
  const std::vector<FitPoint> points =
      usable_points(samples, chart, reference, *linearize, neutral_weight);
  if (points.size() < detail::term_count(CalibrationModel::matrix) + 4)
    return impossible;
  double sum = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    std::vector<FitPoint> others = points;
    FitPoint left = points[k];
    if (encoding == PhotoEncoding::neutral_curves && left.neutral) {
      const auto without =
          linearizer_for(encoding, samples, chart, reference, through_profile, left.patch);
      if (!without)
        return impossible;
      others = usable_points(samples, chart, reference, *without, neutral_weight);
      left = others[k];
    }
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(k));
    const auto fitted = fit_points(CalibrationModel::matrix, others);
    if (!fitted)
      return impossible;
    sum += delta_e2000(left.reference, to_lab(fitted->predict(left.linear)));
  }
  return sum / static_cast<double>(points.size());
}

struct ChosenEncoding {
  PhotoEncoding encoding = PhotoEncoding::profile;
  detail::Linearizer linearize;
  std::vector<EncodingScore> scores;  // empty when the options fixed the encoding
};

// The encoding the options ask for, or else the profile unless a later reading (linear, then
// neutral curves) predicts the patches better by the margin than the one kept so far.
ChosenEncoding choose_encoding(std::span<const PatchSample> samples, const ChartDefinition& chart,
                               const ChartReference& reference,
                               std::span<const std::uint8_t> photo_icc,
                               const CalibrationOptions& options) {
  const auto through_profile = detail::Linearizer::from_profile(photo_icc);
  if (options.encoding) {
    auto linearize = linearizer_for(*options.encoding, samples, chart, reference, through_profile);
    if (!linearize)
      throw Error(ErrorCode::invalid_argument,
                  "no tone curves can be fitted to the chart's neutral patches: they do not grow "
                  "lighter from black to white in every channel (are some in shadow, under glare "
                  "or clipped?); read the pixels through the profile or as linear instead");
    return {*options.encoding, std::move(*linearize), {}};
  }
  ChosenEncoding chosen{PhotoEncoding::profile, through_profile, {}};
  double kept = std::numeric_limits<double>::infinity();
  for (const PhotoEncoding encoding : all_encodings) {
    const double loo =
        encoding_loo(encoding, samples, chart, reference, through_profile, options.neutral_weight);
    chosen.scores.push_back({encoding, loo});
    const bool first = chosen.scores.size() == 1;
    if (first || loo < options.encoding_margin * kept) {
      if (auto linearize = linearizer_for(encoding, samples, chart, reference, through_profile)) {
        chosen.encoding = encoding;
        chosen.linearize = std::move(*linearize);
        kept = loo;
      }
    }
  }
  return chosen;
}

// Per channel, the slope of ln linear against ln device between the darkest and the brightest
// usable neutral.
std::array<double, 3> tone_exponents(std::span<const PatchSample> samples,
                                     const ChartDefinition& chart,
                                     const detail::Linearizer& linearize) {
  std::array<double, 3> exponent{};
  if (!linearize.has_curves())
    return exponent;
  std::optional<std::size_t> darkest, brightest;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!chart.patches[i].neutral || samples[i].clipped)
      continue;
    const auto level = [&](std::size_t k) {
      return samples[k].device[0] + samples[k].device[1] + samples[k].device[2];
    };
    if (!darkest || level(i) < level(*darkest))
      darkest = i;
    if (!brightest || level(i) > level(*brightest))
      brightest = i;
  }
  if (!darkest || darkest == brightest)
    return exponent;
  const Vec3 dark = linearize(samples[*darkest].device);
  const Vec3 bright = linearize(samples[*brightest].device);
  for (std::size_t c = 0; c < 3; ++c) {
    const double d0 = samples[*darkest].device[c], d1 = samples[*brightest].device[c];
    if (d0 > 0 && d1 > d0 && dark[c] > 0 && bright[c] > dark[c])
      exponent[c] = std::log(bright[c] / dark[c]) / std::log(d1 / d0);
  }
  return exponent;
}

}  // namespace

std::string_view to_string(PhotoEncoding encoding) noexcept {
  switch (encoding) {
    case PhotoEncoding::profile:
      return "profile";
    case PhotoEncoding::linear:
      return "linear";
    case PhotoEncoding::neutral_curves:
      return "neutral-curves";
  }
  return "profile";
}

std::string_view describe(PhotoEncoding encoding) noexcept {
  switch (encoding) {
    case PhotoEncoding::profile:
      return "through the photo's profile";
    case PhotoEncoding::linear:
      return "as linear values";
    case PhotoEncoding::neutral_curves:
      return "through tone curves fitted to the chart's neutrals";
  }
  return "through the photo's profile";
}

std::string_view to_string(CalibrationModel model) noexcept {
  switch (model) {
    case CalibrationModel::matrix:
      return "matrix";
    case CalibrationModel::root_polynomial_2:
      return "root-polynomial-2";
    case CalibrationModel::root_polynomial_3:
      return "root-polynomial-3";
  }
  return "matrix";
}

LabTransform Calibration::transform(PixelLayout layout) const {
  return LabTransform::from_icc(icc_, layout, "pigmatch calibration", ProfileSource::supplied);
}

namespace {

// The reason a write failed, for the person at the keyboard: a full disk is not a permissions
// problem, and saying which it is tells them what to do.
std::string write_failure(int error, const std::filesystem::path& path) {
  const std::string reason = std::error_code(error, std::generic_category()).message();
  if (error == ENOSPC || error == EFBIG || error == EDQUOT) {
    return fmt::format(
        "cannot write the calibration profile to {}: {}; free some space (or "
        "choose another disk) and run the command again",
        path.string(), reason);
  }
  return fmt::format(
      "cannot write the calibration profile to {}: {}; check that the folder "
      "exists and is writable",
      path.string(), reason);
}

// Writes all of `bytes` to `fd` and closes it; the errno of the first failure, else 0.
int write_and_close(int fd, std::span<const std::uint8_t> bytes) {
  int error = 0;
  for (std::size_t done = 0; done < bytes.size() && error == 0;) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      error = errno;
    }
  }
  if (error == 0 && ::fsync(fd) != 0 && errno != EINVAL)  // EINVAL: a pipe or a device
    error = errno;
  if (::close(fd) != 0 && error == 0)
    error = errno;
  return error;
}

}  // namespace

void Calibration::save_profile(const std::filesystem::path& path) const {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    // A device or a pipe (/dev/stdout): written in place, there is nothing to replace.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    const int error = fd < 0 ? errno : write_and_close(fd, icc_);
    if (error != 0)
      throw Error(ErrorCode::io, write_failure(error, path));
    return;
  }
  // A file is written beside its final name and renamed when complete: a full disk or a
  // killed process never leaves half a profile, nor destroys the one saved before.
  std::filesystem::path partial = path;
  partial += fmt::format(".partial-{}", ::getpid());
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int error = fd < 0 ? errno : write_and_close(fd, icc_);
  if (error == 0 && ::rename(partial.c_str(), path.c_str()) != 0)
    error = errno;
  if (error != 0) {
    std::filesystem::remove(partial, ec);
    throw Error(ErrorCode::io, write_failure(error, path));
  }
}

Calibration calibrate(std::span<const PatchSample> samples, const ChartDefinition& chart,
                      std::span<const std::uint8_t> photo_icc, const CalibrationOptions& options) {
  detail::check_calibration_inputs(samples, chart, options);
  const ChartReference& reference = chart.reference(options.reference);
  const ChosenEncoding encoding = choose_encoding(samples, chart, reference, photo_icc, options);
  const detail::Linearizer& linearize = encoding.linearize;
  std::vector<FitPoint> points =
      usable_points(samples, chart, reference, linearize, options.neutral_weight);
  const std::vector<ForeignPatch> foreign = foreign_patches(points);
  std::vector<bool> excluded(samples.size(), false);
  for (const ForeignPatch& f : foreign)
    excluded[f.patch] = true;
  std::erase_if(points, [&](const FitPoint& point) { return excluded[point.patch]; });

  CalibrationReport report;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].clipped)
      report.warnings.push_back("patch " + std::to_string(chart.patches[i].id) + " (" +
                                chart.patches[i].name +
                                ") is clipped or out of the camera's range: excluded from the fit");
  }
  for (const ForeignPatch& f : foreign) {
    report.warnings.push_back(
        "patch " + std::to_string(chart.patches[f.patch].id) + " (" + chart.patches[f.patch].name +
        ") is far from its reference (ΔE00 " + format_number(f.de00, 1) + ", the other patches " +
        format_number(f.median_de00, 1) +
        (f.glare ? "; it is lighter by white light: glare, most likely" : "") +
        "): is it covered, in shadow or under glare? Excluded from the fit; retake the photo "
        "with the whole chart visible and evenly lit");
  }

  SkinTraining training = skin_training(chart, options);
  const std::vector<std::string> input_warnings = report.warnings;
  EvenlyLitFit fit = choose_evenly_lit(points, chart, training, options, report);
  // Refers to fit's choice, also after fit is refitted below.
  const std::optional<Scored>& chosen = fit.chosen;
  if (chosen && training.active() && chosen->score.mean_de00 > options.max_mean_de00) {
    // The chart's patches disagree with what its spectra predict (another chart, a printed
    // copy, a strongly coloured light): the skins would drag the fit, so the chart alone decides
    // whether this is a usable calibration.
    training = SkinTraining{};
    report = CalibrationReport{};
    report.warnings = input_warnings;
    fit = choose_evenly_lit(points, chart, training, options, report);
    report.warnings.push_back(
        "skin training dropped: with the skin reflectances the chart's patches fit with mean "
        "ΔE00 above " +
        format_number(options.max_mean_de00) +
        ", so the chart's spectra do not describe this chart or light; the chart alone was fitted");
  }
  if (!chosen)
    detail::throw_too_few_usable(points.size(), samples.size(), "");

  const FittedModel& model = *chosen->fitted;
  report.model = model.model;
  report.mean_de00 = chosen->score.mean_de00;
  report.max_de00 = chosen->score.max_de00;
  report.loo_mean_de00 = chosen->score.loo_mean_de00;
  report.skin_spectra_fitted = training.active() ? training.skins.size() : 0;
  report.encoding = encoding.encoding;
  report.encoding_scores = encoding.scores;
  report.tone_exponent = tone_exponents(samples, chart, linearize);
  std::size_t next_point = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    PatchResidual residual;
    residual.patch_id = chart.patches[i].id;
    residual.name = chart.patches[i].name;
    residual.reference = reference.lab_d50[i];
    Vec3 linear = linearize(samples[i].device);
    if (report.light_slope.corrected) {
      const double light = detail::relative_light(report.light_slope, chart.patches[i].center);
      for (double& v : linear)
        v /= light;
    }
    residual.fitted = to_lab(model.predict(linear));
    residual.de00 = delta_e2000(residual.reference, residual.fitted);
    residual.used = !samples[i].clipped && !excluded[i];
    if (residual.used)
      residual.loo_de00 = chosen->loo[next_point++];
    report.patches.push_back(residual);
  }
  if (report.mean_de00 > options.max_mean_de00) {
    throw Error(ErrorCode::corrupt_data,
                "the chart's patches do not match " + chart.name + " (mean ΔE00 " +
                    format_number(report.mean_de00) + " after calibration, at most " +
                    format_number(options.max_mean_de00) +
                    " expected): check the chart corners, the lighting (no coloured or mixed "
                    "light, no glare) and the reference set");
  }
  const std::string description = "pigmatch calibration: " + std::string(to_string(model.model)) +
                                  " fit to " + chart.name + ", mean dE00 " +
                                  format_number(report.mean_de00);
  return Calibration(std::move(report),
                     detail::build_profile(model, linearize, description, options.clut_points,
                                           options.icc_version));
}

namespace detail {

void check_calibration_inputs(std::span<const PatchSample> samples, const ChartDefinition& chart,
                              const CalibrationOptions& options) {
  if (samples.size() != chart.patches.size())
    throw Error(ErrorCode::invalid_argument,
                std::to_string(samples.size()) + " patch samples given for chart " + chart.id +
                    ", which has " + std::to_string(chart.patches.size()) + " patches");
  if (options.candidates.empty())
    throw Error(ErrorCode::invalid_argument, "no calibration model to try");
  if (!(options.neutral_weight > 0))
    throw Error(ErrorCode::invalid_argument, "the neutral weight must be positive");
  if (!std::isfinite(options.skin_weight) || options.skin_weight < 0)
    throw Error(ErrorCode::invalid_argument, "the skin weight must be 0 (off) or positive");
  for (std::size_t k = 0; k < options.skin_spectra.size(); ++k) {
    for (const double v : options.skin_spectra[k].values()) {
      if (!(v >= 0 && v <= 2))
        throw Error(ErrorCode::invalid_argument,
                    "skin reflectance " + std::to_string(k + 1) +
                        " has a value that is not a reflectance factor (0 … 2)");
    }
  }
}

[[noreturn]] void throw_too_few_usable(std::size_t usable, std::size_t patches,
                                       const std::string& photo) {
  throw Error(ErrorCode::invalid_argument,
              (photo.empty() ? std::string() : photo + ": ") + "only " + std::to_string(usable) +
                  " of the chart's " + std::to_string(patches) +
                  " patches are usable (the others are clipped at full scale or at zero): too "
                  "few to calibrate; retake the photo with no glare on the chart and an exposure "
                  "that keeps the white patch below full scale (less exposure) and the black "
                  "patch above zero");
}

// The orientation score (see calibration_model.h): no leave-one-out (a wrong orientation is off
// by tens of ΔE00, and the matrix fit is the cheapest), the best over the ways of reading the
// pixels the options allow (a linear photo read as sRGB fits no orientation).
double matrix_fit_de00(std::span<const PatchSample> samples, const ChartDefinition& chart,
                       const ChartReference& reference, const Linearizer& through_profile,
                       const CalibrationOptions& options) {
  double best = std::numeric_limits<double>::infinity();
  for (const PhotoEncoding encoding : all_encodings) {
    if (options.encoding && encoding != *options.encoding)
      continue;
    const auto linearize = linearizer_for(encoding, samples, chart, reference, through_profile);
    if (!linearize)
      continue;
    const auto points =
        usable_points(samples, chart, reference, *linearize, options.neutral_weight);
    if (const auto fitted = fit_points(CalibrationModel::matrix, points))
      best = std::min(best, mean_residual(points, *fitted));
  }
  return best;
}

}  // namespace detail

}  // namespace pigmatch
