// pigmatch/calibration/chart.h — colour charts as data: layout, reference values, and where a chart
// is in a photo.
//
// A chart is described by a JSON data file (format "pigmatch-chart", see
// data/charts/colorchecker-classic.json): its patches in chart-normalised coordinates, one or
// more sets of reference CIELAB D50 values and, optionally, the patches' measured spectral
// reflectances ("spectra": {"wavelengths_nm": [...], "reflectance": [[...] per patch]}, any
// grid covering 380–730 nm, resampled to 10 nm). The X-Rite ColorChecker Classic 24 is built in
// (embedded in the library at build time, so nothing is read at run time); other charts are
// loaded from a file with load_chart().
//
// Chart-normalised coordinates: (0, 0) is the outer corner of the chart's patch field next to the
// first patch (on the ColorChecker, dark skin), x runs along the first row to (1, 0), y down the
// first column to (0, 1). Corners of a chart in a photo are always listed in that order:
// first patch's corner first, then clockwise as seen on the printed chart.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/image/image.h"

namespace pigmatch {

/// One patch: its place in chart-normalised coordinates and whether it is a neutral (grey).
struct ChartPatch {
  int id = 0;        ///< the number printed on charts, 1-based (1 = dark skin)
  std::string name;  ///< e.g. "dark skin"
  Point center;      ///< chart-normalised
  double width = 0;  ///< chart-normalised
  double height = 0;
  bool neutral = false;  ///< a grey patch: weighted up and used to preserve neutrals in fits
};

/// One published set of reference values, one Lab D50/2° per patch, in patch order.
struct ChartReference {
  std::string id;           ///< e.g. "xrite-2014"
  std::string description;  ///< e.g. "charts made after November 2014"
  std::string source;       ///< attribution of the figures
  std::vector<Lab> lab_d50;
};

/// A chart: layout and reference sets.
struct ChartDefinition {
  std::string id;                      ///< e.g. "colorchecker-classic"
  std::string name;                    ///< human-readable
  double width_mm = 0, height_mm = 0;  ///< nominal size of the patch field (its aspect ratio)
  int rows = 0, columns = 0;           ///< informative; patches carry their own positions
  std::vector<ChartPatch> patches;
  std::vector<ChartReference> references;  ///< at least one; the first is the default
  /// Optional: the patches' spectral reflectances, one per patch in patch order (empty when the
  /// description has none). Calibration uses them to estimate the camera's spectral response.
  std::vector<Spectrum> spectra;

  /// The reference set `id`, or the default (first) one when `id` is empty. Throws
  /// Error(not_found) listing the available sets.
  const ChartReference& reference(std::string_view id = {}) const;
};

/// The ids of the charts built into the library, e.g. {"colorchecker-classic"}.
std::vector<std::string> builtin_chart_ids();

/// A chart built into the library. Throws Error(not_found) listing the built-in ids.
ChartDefinition builtin_chart(std::string_view id = "colorchecker-classic");

/// Parses a chart description (JSON text); `name` identifies it in messages. Throws
/// Error(corrupt_data) naming the problem (missing field, wrong count, value out of range).
ChartDefinition parse_chart(std::string_view json_text, std::string_view name);

/// Loads a chart description from a file. Throws Error(io) when it cannot be read and
/// Error(corrupt_data) when it is not a valid chart description.
ChartDefinition load_chart(const std::filesystem::path& path);

// ---- where a chart is in a photo -----------------------------------------------------------

/// The chart's four outer corners in pixels of the upright photo, in chart order: the corner
/// next to the first patch, then clockwise as seen on the printed chart.
using ChartCorners = std::array<Point, 4>;

/// Where the chart-normalised point `uv` falls in the photo (the projective map that takes the
/// chart's unit square onto `corners`). Throws Error(invalid_argument) when the corners do not
/// form a convex quadrilateral.
Point chart_to_image(const ChartCorners& corners, Point uv);

/// The eight ways four corners can be listed for the same quadrilateral (4 rotations × 2
/// directions); index 0 is `corners` itself. Used to resolve a chart's orientation.
std::array<ChartCorners, 8> corner_orderings(const ChartCorners& corners);

/// A place where a chart may be, found without help.
struct ChartDetection {
  ChartCorners corners{};  ///< in some ordering: calibrate_from_photo() resolves which
  std::string method;      ///< "opencv-mcc" or "grid" (pigmatch's own finder)
};

/// Looks for `chart` (a grid chart such as the ColorChecker) in an RGB photo: OpenCV's mcc
/// detector when pigmatch is built with OpenCV, then pigmatch's own grid finder. Returns the
/// candidates, most trusted first; empty when nothing chart-like was found. Never throws for
/// the photo's content.
std::vector<ChartDetection> detect_chart(const Image& image, const ChartDefinition& chart);

/// True when detect_chart() can use OpenCV's mcc detector in this build.
bool chart_detection_has_opencv() noexcept;

/// The robust average of one patch's device values.
struct PatchSample {
  std::array<double, 3> device{};  ///< robust mean per channel, 0–1 (code value / max code)
  std::array<double, 3> spread{};  ///< robust standard deviation per channel (1.4826 × MAD)
  std::size_t pixels = 0;          ///< pixels averaged (after outliers were dropped)
  std::size_t outliers = 0;        ///< pixels dropped as outliers (dust, glare, a misplaced edge)
  bool clipped = false;            ///< too many pixels at 0 or at the top code in some channel
};

struct PatchSampleOptions {
  double inner_fraction = 0.5;  ///< side of the sampled square relative to the patch's side
  double clip_fraction = 0.02;  ///< share of clipped pixels that flags a patch as clipped
};

/// Samples every patch of `chart` in an RGB `image` whose chart has `corners`: the inner area of
/// each patch, outliers beyond 3 robust standard deviations dropped, then averaged. Throws
/// Error(invalid_argument) for a grey image, a patch outside the image or a chart so small that
/// a patch covers fewer than 4 pixels.
std::vector<PatchSample> sample_patches(const Image& image, const ChartDefinition& chart,
                                        const ChartCorners& corners,
                                        const PatchSampleOptions& options = {});

}  // namespace pigmatch
