#include "pigmatch/regions/photo_measurement.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <utility>

#include "calibration/chart_geometry.h"
#include "pigmatch/error.h"

namespace pigmatch {
namespace {

constexpr std::uintmax_t max_profile_bytes = 64u << 20;

void check_progress(const ProgressCallback& progress, double fraction, std::string_view stage) {
  if (progress && !progress(fraction, stage))
    throw Error(ErrorCode::cancelled, fmt::format("cancelled while {}; nothing was saved", stage));
}

std::vector<std::uint8_t> read_profile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorCode::io, fmt::format("cannot open calibration profile {}", path.string()));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (bytes.size() > max_profile_bytes) {
    throw Error(ErrorCode::too_large,
                fmt::format("calibration profile {} is over 64 MiB", path.string()));
  }
  return bytes;
}

CalibrationSource source_of(ProfileSource source) noexcept {
  return source == ProfileSource::embedded ? CalibrationSource::embedded
                                           : CalibrationSource::assumed_srgb;
}

// Says first, plainly, that no chart calibrates the photo and which profile its colours are
// read through; `details` (why chart-like areas were rejected) come after.
PhotoCalibration without_chart(const Image& image, const std::string& why,
                               std::vector<std::string> details) {
  LabTransform transform = LabTransform::for_image(image);
  const CalibrationSource source = source_of(transform.profile_source());
  const std::string through =
      source == CalibrationSource::embedded
          ? "colours are read through the photo's embedded profile (" +
                transform.profile_description() + "), the camera's own rendering, not a calibration"
          : "the photo has no embedded ICC profile, so colours are read as sRGB, uncalibrated";
  std::vector<std::string> warnings{why + ": " + through};
  std::move(details.begin(), details.end(), std::back_inserter(warnings));
  return PhotoCalibration{
      source, {}, std::nullopt, std::move(transform), "icc-profile", std::move(warnings)};
}

bool inside(const Image& image, const ChartCorners& corners) noexcept {
  return std::all_of(corners.begin(), corners.end(), [&](const Point& p) {
    return p.x >= 0 && p.y >= 0 && p.x <= image.width && p.y <= image.height;
  });
}

// A detector's candidate failed to calibrate: a chart cut by the photo's edge is named as such
// (the calibration's own message addresses corners a user typed, which a detector's are not).
std::string why_rejected(const Image& image, const ChartDetection& candidate, const Error& e) {
  if (!inside(image, candidate.corners)) {
    return fmt::format(
        "{} saw a chart cut by the photo's edge (corners {}): retake it with the whole chart in "
        "frame",
        candidate.method, detail::describe(candidate.corners));
  }
  return fmt::format("{} found a chart-like area that is not usable: {}", candidate.method,
                     e.what());
}

PhotoCalibration from_chart(const Image& image, Calibration calibration, std::string method) {
  LabTransform transform = calibration.transform({image.channels, image.bits});
  std::string model(to_string(calibration.report().model));
  std::vector<std::string> warnings = calibration.report().warnings;
  return PhotoCalibration{CalibrationSource::chart, std::move(method), std::move(calibration),
                          std::move(transform),     std::move(model),  std::move(warnings)};
}

}  // namespace

std::string_view to_string(CalibrationSource source) noexcept {
  switch (source) {
    case CalibrationSource::chart:
      return "chart";
    case CalibrationSource::profile:
      return "profile";
    case CalibrationSource::embedded:
      return "embedded";
    case CalibrationSource::assumed_srgb:
      return "assumed-srgb";
  }
  return "unknown";
}

PhotoCalibration calibrate_photo(const Image& image, std::string_view name,
                                 const PhotoCalibrationRequest& request,
                                 const ProgressCallback& progress) {
  if (request.profile) {
    const auto icc = read_profile(*request.profile);
    LabTransform transform =
        LabTransform::from_icc(icc, {image.channels, image.bits}, request.profile->string());
    return PhotoCalibration{
        CalibrationSource::profile, {}, std::nullopt, std::move(transform), "icc-profile", {}};
  }
  const ChartDefinition& chart = request.chart;
  (void)chart.reference(request.options.reference);  // an unknown reference set is an error

  if (request.mode == ChartMode::none)
    return without_chart(image, "no chart calibration (--chart none)", {});
  if (request.mode == ChartMode::corners) {
    check_progress(progress, 0.1, "fitting the calibration");
    return from_chart(image, calibrate_from_photo(image, chart, request.corners, request.options),
                      "user");
  }
  std::vector<std::string> rejected;
  if (image.channels == 3) {
    check_progress(progress, 0.05, "looking for the chart");
    const std::vector<ChartDetection> found = detect_chart(image, chart);
    for (std::size_t i = 0; i < found.size(); ++i) {
      check_progress(progress, 0.5 + 0.5 * static_cast<double>(i) / found.size(),
                     "fitting the calibration");
      try {
        return from_chart(image,
                          calibrate_from_photo(image, chart, found[i].corners, request.options),
                          found[i].method);
      } catch (const Error& e) {
        rejected.push_back(why_rejected(image, found[i], e));
      }
    }
  }
  const std::string why = fmt::format("no {} found in {}", chart.name, name);
  if (request.mode == ChartMode::find) {
    throw Error(
        ErrorCode::not_found,
        fmt::format("{}{}: photograph the chart flat, evenly lit and fully in frame, or {}", why,
                    rejected.empty() ? "" : fmt::format(" ({})", fmt::join(rejected, "; ")),
                    request.corners_hint));
  }
  return without_chart(image, why, std::move(rejected));
}

RegionMeasurement measure_region(const Image& image, const LabTransform& transform,
                                 const PhotoRegion& region) {
  const Region shape = Region::rectangle(region.rect);
  RegionMeasurement out;
  out.region = region;
  if (region.stubble) {
    StubbleSample sample = sample_stubble(image, transform, shape);
    out.statistics = sample.all;
    out.lab_d50 = sample.skin;
    out.stubble = std::move(sample);
  } else {
    out.statistics = sample_region(image, transform, shape);
    out.lab_d50 = out.statistics.median;
  }
  out.tone = assess_skin_tone(out.lab_d50);
  return out;
}

namespace {

double calibration_uncertainty(const PhotoCalibration& c) {
  switch (c.source) {
    case CalibrationSource::chart:
      return c.calibration ? c.calibration->report().loo_mean_de00 : 6.0;
    case CalibrationSource::profile:
      return 1.5;
    case CalibrationSource::embedded:
      return 3.0;
    case CalibrationSource::assumed_srgb:
      return 6.0;
  }
  return 6.0;
}

constexpr double light_uncompensated = 1.0;
constexpr double light_compensated = 0.3;
constexpr double pixels_per_independent = 16.0;

double sampling_uncertainty(const RegionMeasurement& m) {
  const double n =
      std::max(1.0, static_cast<double>(m.statistics.pixels_used) / pixels_per_independent);
  const double scale = 1.4826 / std::sqrt(n);
  const Lab& mad = m.statistics.mad;
  const Lab shifted{m.lab_d50.L + scale * mad.L, m.lab_d50.a + scale * mad.a,
                    m.lab_d50.b + scale * mad.b};
  return delta_e2000(m.lab_d50, shifted);
}

ColourUncertainty combined(ColourUncertainty u) {
  u.total = std::sqrt(u.calibration * u.calibration + u.sampling * u.sampling +
                      u.separation * u.separation + u.light * u.light);
  return u;
}

}  // namespace

ColourUncertainty colour_uncertainty(const PhotoCalibration& calibration,
                                     const RegionMeasurement& measured) {
  ColourUncertainty u;
  u.calibration = calibration_uncertainty(calibration);
  u.sampling = sampling_uncertainty(measured);
  u.light = light_uncompensated;
  return combined(u);
}

std::optional<ColourUncertainty> hair_uncertainty(const PhotoCalibration& calibration,
                                                  const RegionMeasurement& measured) {
  if (!measured.stubble || !measured.stubble->separated)
    return std::nullopt;
  ColourUncertainty u;
  u.calibration = calibration_uncertainty(calibration);
  u.separation = measured.stubble->hair_uncertainty_de00;
  u.light = light_uncompensated;
  return combined(u);
}

RegionMeasurement measure_region(const Image& image, const PhotoCalibration& calibration,
                                 const PhotoRegion& region) {
  RegionMeasurement out = measure_region(image, calibration.transform, region);
  out.uncertainty = colour_uncertainty(calibration, out);
  out.hair_uncertainty = hair_uncertainty(calibration, out);
  return out;
}

namespace {

Lab scaled(const Lab& lab, double factor) {
  const Xyz p = to_xyz(lab);
  return to_lab(Xyz{p.X * factor, p.Y * factor, p.Z * factor});
}

double luminance_of(const Image& image, const LabTransform& transform, const Rect& rect,
                    std::string_view what) {
  const RobustLabStatistics s = sample_region(image, transform, Region::rectangle(rect));
  if (s.median.L < 1.0) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} reads black (L* {:.1f}): it is not lit or not in the photo; "
                            "check its rectangle",
                            what, s.median.L));
  }
  return to_xyz(s.median).Y;
}

}  // namespace

std::vector<LightCompensation> grey_card_light(const Image& image,
                                               const PhotoCalibration& calibration,
                                               std::span<const GreyCard> cards) {
  std::vector<LightCompensation> out;
  for (const GreyCard& card : cards) {
    if (!(card.lightness >= 5 && card.lightness <= 95)) {
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("grey card '{}': its lightness L* {} is not in 5–95; give the "
                              "card's own L* (49.5 for an 18 % grey card)",
                              card.name, card.lightness));
    }
    const double known = to_xyz(Lab{card.lightness, 0, 0}).Y;
    const double measured = luminance_of(image, calibration.transform, card.rect,
                                         fmt::format("grey card '{}'", card.name));
    out.push_back({card.name, known / measured});
  }
  return out;
}

LightCompensation nearest_card(std::span<const GreyCard> cards,
                               std::span<const LightCompensation> light, const Rect& region) {
  const auto centre = [](const Rect& r) { return std::pair{r.x + r.w / 2.0, r.y + r.h / 2.0}; };
  const auto [x, y] = centre(region);
  std::size_t best = 0;
  double best_distance = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < cards.size() && i < light.size(); ++i) {
    const auto [cx, cy] = centre(cards[i].rect);
    const double d = std::hypot(cx - x, cy - y);
    if (d < best_distance) {
      best_distance = d;
      best = i;
    }
  }
  if (light.empty() || cards.size() != light.size()) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} grey cards but {} light readings; read them with "
                            "grey_card_light()",
                            cards.size(), light.size()));
  }
  return light[best];
}

namespace {

using Vector2 = std::array<double, 2>;
using Matrix2 = std::array<std::array<double, 2>, 2>;

Point centre_of(const Rect& r) {
  return {r.x + r.w / 2.0, r.y + r.h / 2.0};
}

std::optional<Matrix2> inverse(const Matrix2& m) {
  const double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  if (!(std::abs(det) > 0) || !std::isfinite(det))
    return std::nullopt;
  return Matrix2{{{m[1][1] / det, -m[0][1] / det}, {-m[1][0] / det, m[0][0] / det}}};
}

// A card's light is known to about 1 %: the card's own tolerance and the photo's noise on it.
constexpr double card_log_sd = 0.01;

// The tilt of ln(light) in the photo, per pixel, that the cards and the chart's slope say
// together: a weighted least squares for the plane through the chart's centre (ln light 0), the
// chart's slope (mapped from chart to photo coordinates by the chart's homography at its centre)
// entering as a prior with its standard errors.
Vector2 light_tilt(const detail::Homography& chart_to_photo, const ChartLightSlope& slope,
                   std::span<const GreyCard> cards, std::span<const LightCompensation> light) {
  const Point origin = chart_to_photo.apply({0.5, 0.5});
  // ∂(x, y)/∂(u, v) at the centre, by central differences over a tenth of the chart.
  const double h = 0.05;
  const Point pu = chart_to_photo.apply({0.5 + h, 0.5}), mu = chart_to_photo.apply({0.5 - h, 0.5});
  const Point pv = chart_to_photo.apply({0.5, 0.5 + h}), mv = chart_to_photo.apply({0.5, 0.5 - h});
  const Matrix2 jacobian{{{(pu.x - mu.x) / (2 * h), (pv.x - mv.x) / (2 * h)},
                          {(pu.y - mu.y) / (2 * h), (pv.y - mv.y) / (2 * h)}}};
  // The tilt g in the photo satisfies slope = Jᵀ g; the slope's inverse covariance, mapped the
  // same way, is J diag(1/se²) Jᵀ.
  Matrix2 normal{};
  Vector2 rhs{};
  const std::array<double, 2> s = {slope.along_rows, slope.down_columns};
  const std::array<double, 2> se = {slope.along_rows_se, slope.down_columns_se};
  for (std::size_t k = 0; k < 2; ++k) {
    if (!(se[k] > 0) || !std::isfinite(se[k]))
      continue;  // that direction of the chart told nothing: the cards alone decide it
    const double w = 1 / (se[k] * se[k]);
    const Vector2 column = {jacobian[0][k], jacobian[1][k]};
    for (std::size_t r = 0; r < 2; ++r) {
      rhs[r] += w * column[r] * s[k];
      for (std::size_t c = 0; c < 2; ++c)
        normal[r][c] += w * column[r] * column[c];
    }
  }
  for (std::size_t i = 0; i < cards.size(); ++i) {
    const Point at = centre_of(cards[i].rect);
    const Vector2 d = {at.x - origin.x, at.y - origin.y};
    const double log_light = -std::log(light[i].factor);
    const double w = 1 / (card_log_sd * card_log_sd);
    for (std::size_t r = 0; r < 2; ++r) {
      rhs[r] += w * d[r] * log_light;
      for (std::size_t c = 0; c < 2; ++c)
        normal[r][c] += w * d[r] * d[c];
    }
  }
  // One card and a chart whose slope told nothing leave the direction across the chart–card
  // line open: a tiny ridge keeps it flat there.
  const double scale = std::max(normal[0][0] + normal[1][1], 1e-300);
  for (std::size_t r = 0; r < 2; ++r)
    normal[r][r] += 1e-9 * scale;
  const auto inv = inverse(normal);
  if (!inv)
    return {0, 0};
  return {(*inv)[0][0] * rhs[0] + (*inv)[0][1] * rhs[1],
          (*inv)[1][0] * rhs[0] + (*inv)[1][1] * rhs[1]};
}

}  // namespace

LightCompensation card_light_at(const PhotoCalibration& calibration,
                                std::span<const GreyCard> cards,
                                std::span<const LightCompensation> light, const Rect& region) {
  LightCompensation nearest = nearest_card(cards, light, region);
  // A chart calibrated from patch values alone has no place in the photo.
  if (!calibration.calibration || !detail::is_convex(calibration.calibration->report().corners))
    return nearest;
  const CalibrationReport& report = calibration.calibration->report();
  const auto chart_to_photo = detail::Homography::square_to(report.corners);
  const Vector2 tilt = light_tilt(chart_to_photo, report.light_slope, cards, light);
  const Point origin = chart_to_photo.apply({0.5, 0.5});
  const Point at = centre_of(region);
  const double log_light = tilt[0] * (at.x - origin.x) + tilt[1] * (at.y - origin.y);
  nearest.factor = std::exp(-log_light);
  return nearest;
}

LightCompensation flat_field_light(const Image& flat, const PhotoCalibration& calibration,
                                   const Rect& region) {
  if (!calibration.calibration || calibration.calibration->report().corners.size() != 4) {
    throw Error(ErrorCode::invalid_argument,
                "a flat field compares the light on each region with the light on the chart, "
                "and this photo was not calibrated by a chart in frame; include the chart or "
                "use a grey card (--grey)");
  }
  const auto& corners = calibration.calibration->report().corners;
  double x0 = corners[0].x, y0 = corners[0].y, x1 = x0, y1 = y0;
  for (const Point& p : corners) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  // The middle half of the chart's box: inside the photo whatever the chart's tilt.
  const Rect chart{static_cast<int>(x0 + (x1 - x0) / 4), static_cast<int>(y0 + (y1 - y0) / 4),
                   std::max(1, static_cast<int>((x1 - x0) / 2)),
                   std::max(1, static_cast<int>((y1 - y0) / 2))};
  const double at_chart =
      luminance_of(flat, calibration.transform, chart, "the flat field where the chart is");
  const double at_region =
      luminance_of(flat, calibration.transform, region, "the flat field at a region");
  return {"flat field", at_chart / at_region};
}

void compensate_light(RegionMeasurement& m, const LightCompensation& light) {
  m.lab_d50 = scaled(m.lab_d50, light.factor);
  if (m.stubble) {
    m.stubble->skin = scaled(m.stubble->skin, light.factor);
    if (m.stubble->separated)
      m.stubble->hair = scaled(m.stubble->hair, light.factor);
    else
      m.stubble->hair = m.stubble->skin;
  }
  m.tone = assess_skin_tone(m.lab_d50);
  m.light = light;
  for (std::optional<ColourUncertainty>* u : {&m.uncertainty, &m.hair_uncertainty}) {
    if (*u) {
      (*u)->light = light_compensated;
      **u = combined(**u);
    }
  }
}

std::string file_sha256(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return {};
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (context == nullptr || EVP_DigestInit_ex(context, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(context);
    return {};
  }
  std::array<char, 1 << 16> buffer{};
  bool ok = true;
  while (ok && in) {
    in.read(buffer.data(), buffer.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    ok = n == 0 || EVP_DigestUpdate(context, buffer.data(), n) == 1;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  ok = ok && in.eof() && EVP_DigestFinal_ex(context, digest.data(), &length) == 1;
  EVP_MD_CTX_free(context);
  if (!ok)
    return {};
  std::string hex;
  for (unsigned int i = 0; i < length; ++i)
    hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace pigmatch
