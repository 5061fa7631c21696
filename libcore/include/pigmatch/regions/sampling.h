// pigmatch/regions/sampling.h — regions of a photo, robust statistics of their Lab pixels, and the
// separation of stubble (skin with hair dots) into its hair and skin colours.
//
// Coordinates are pixels of the upright image (EXIF orientation applied), x to the right, y
// down; pixel (x, y) covers the square [x, x+1) × [y, y+1), and a polygon or ellipse selects
// the pixels whose centre (x + 0.5, y + 0.5) lies inside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/image/image.h"

namespace pigmatch {

/// Per-channel summary of a set of Lab pixels. The median is taken per channel (the marginal
/// median), which is robust to a minority of outliers such as specular highlights or hair.
struct LabStatistics {
  Lab mean;
  Lab median;
  Lab stddev;  ///< population standard deviation per channel
  std::size_t pixels = 0;
};

/// Summarises interleaved L,a,b float triplets (the layout pigmatch's Lab images use).
/// Throws Error(invalid_argument) when the span is empty or not a whole number of triplets.
LabStatistics summarize_lab(std::span<const float> lab_triplets);

// ---- regions ---------------------------------------------------------------------------------

/// The pixels a region selects in an image: its bounding box and a selection flag per pixel of
/// that box, row by row.
struct RegionPixels {
  Rect bounds;                         ///< the smallest rectangle holding every selected pixel
  std::vector<std::uint8_t> selected;  ///< bounds.w × bounds.h flags, 1 = selected
  std::size_t count = 0;               ///< number of selected pixels
};

/// A shape that selects pixels of an image: a rectangle, a polygon, an ellipse or a mask image.
/// Immutable and cheap to copy.
class Region {
 public:
  enum class Kind { rectangle, polygon, ellipse, mask };

  /// The pixels x..x+w-1, y..y+h-1. Throws Error(invalid_argument) when w or h is not positive.
  static Region rectangle(const Rect& rect);
  /// A simple or self-intersecting polygon (even-odd rule) with at least 3 finite vertices;
  /// throws Error(invalid_argument) otherwise.
  static Region polygon(std::vector<Point> vertices);
  /// An ellipse with semi-axes `radius_x`, `radius_y` (> 0, pixels) rotated by `angle_degrees`
  /// (clockwise on screen, since y points down). Throws Error(invalid_argument) when a value
  /// is not finite or a radius is not positive.
  static Region ellipse(Point centre, double radius_x, double radius_y, double angle_degrees = 0);
  /// The pixels where the mask's first channel is at least half its maximum (128 of 255, 32768 of
  /// 65535). The mask must later be applied to an image of the same size.
  static Region mask(const Image& mask_image);

  Kind kind() const noexcept;

 private:
  struct Shape;
  explicit Region(std::shared_ptr<const Shape> shape) : shape_(std::move(shape)) {}
  std::shared_ptr<const Shape> shape_;
  friend RegionPixels rasterize(const Region& region, int image_width, int image_height);
};

/// "rectangle", "polygon", "ellipse" or "mask".
std::string_view to_string(Region::Kind kind) noexcept;

/// Rasterises `region` for an image of `image_width` × `image_height` pixels. Throws
/// Error(invalid_argument) naming the region's extent when any part of it lies outside the image,
/// when a mask's size differs from the image's, or when it selects no pixel.
RegionPixels rasterize(const Region& region, int image_width, int image_height);

// ---- robust statistics -------------------------------------------------------------------------

/// Options of robust_statistics() and sample_region().
struct RobustOptions {
  /// Fraction cut from each end of every channel before averaging (0.1: the 10 % trimmed mean).
  double trim_fraction = 0.1;
  /// Drop pixels whose device value is 0 or the maximum in any channel (they carry no colour).
  bool reject_clipped = true;
  /// A pixel is specular when its L* exceeds the region's median L* by more than both
  /// `specular_robust_z` robust standard deviations (1.4826 × MAD of L*) and `specular_min_dl`.
  /// Set `reject_specular` false to keep them.
  bool reject_specular = true;
  double specular_robust_z = 3.5;
  double specular_min_dl = 4.0;
};

/// Robust summary of a region's Lab pixels after rejecting clipped and specular ones.
struct RobustLabStatistics {
  Lab median;        ///< marginal (per-channel) median of the pixels used
  Lab trimmed_mean;  ///< per-channel mean after trimming RobustOptions::trim_fraction each end
  Lab mad;           ///< per-channel median absolute deviation (unscaled; ×1.4826 ≈ σ)
  Lab mean;          ///< per-channel mean of the pixels used
  std::size_t pixels_used = 0;
  std::size_t pixels_clipped = 0;   ///< rejected: a device channel at 0 or its maximum
  std::size_t pixels_specular = 0;  ///< rejected: a highlight well above the region's median L*
};

/// Robust statistics of interleaved L,a,b triplets. `clipped` is empty or holds one flag per
/// pixel (non-zero: the pixel's device value was clipped). Throws Error(invalid_argument) when
/// the input is empty or ragged, the flags do not match, or every pixel is rejected (the message
/// says how many were clipped or specular).
RobustLabStatistics robust_statistics(std::span<const float> lab_triplets,
                                      std::span<const std::uint8_t> clipped = {},
                                      const RobustOptions& options = {});

/// Lab D50 pixels of a region, with their clipped flags: what the statistics are computed from.
struct RegionLab {
  std::vector<float> lab;              ///< L,a,b triplets of the selected pixels, row by row
  std::vector<std::uint8_t> clipped;   ///< one flag per selected pixel
  Rect bounds;                         ///< the region's bounding box in the image
  std::vector<std::uint8_t> selected;  ///< bounds.w × bounds.h flags, as RegionPixels::selected
};

/// Converts the pixels `region` selects in `image` to Lab D50 through `transform`, and flags
/// those with a device channel at 0 or its maximum. Throws as rasterize() and
/// LabTransform::apply() do.
RegionLab region_lab(const Image& image, const LabTransform& transform, const Region& region);

/// region_lab() followed by robust_statistics(): the colour of a plain region (skin, hair).
RobustLabStatistics sample_region(const Image& image, const LabTransform& transform,
                                  const Region& region, const RobustOptions& options = {});

// ---- stubble
// -------------------------------------------------------------------------------------

/// Options of separate_stubble().
struct StubbleOptions {
  /// For the Lab-only separation (no pixel places): the two clusters count as different only
  /// when their medians are at least this far apart (ΔE00) and their distance along the
  /// skin–hair axis is at least `min_separation_ratio` times the sum of their robust spreads
  /// along it (a single normal blob split in two scores ≈ 1.35).
  double min_separation_de00 = 8.0;
  double min_separation_ratio = 2.0;
  /// Fewer hair pixels than this (or under 0.2 % of the region) means "no hair found".
  std::size_t min_hair_pixels = 20;
  RobustOptions robust;  ///< clipped/specular rejection and statistics of the whole region
  /// For a region whose pixel places are known: hair that differs from the skin by less than
  /// this (ΔE00, after unmixing) is reported as not distinct.
  double min_hair_de00 = 3.0;
};

/// Skin and hair colours of a stubble region.
struct StubbleSample {
  /// True when hair that really differs from the skin was found; false leaves `hair` equal to
  /// `skin` and `coverage` 0 (a region of bare skin, or hair too close to the skin to tell) and
  /// says why in `not_separated_because`.
  bool separated = false;
  Lab skin;             ///< Lab D50 of the skin between the hairs
  Lab hair;             ///< Lab D50 of the hair itself, free of skin
  double coverage = 0;  ///< fraction of the region's area covered by hair, 0–1 (linear unmixing)
  /// 0 when not separated, up to 1. Spatial unmixing: min(1, dots fitted / 60) × max(0, 1 −
  /// hair_uncertainty_de00 / 6). Lab-only: min(1, ratio / (2 × min ratio)) × min(1, hair
  /// pixels / (5 × min hair pixels)).
  double confidence = 0;
  double separation_de00 = 0;  ///< ΔE00 between skin and hair
  /// How far apart skin and hair are against the noise: spatial unmixing, the hair contrast over
  /// the pixel noise along the skin–hair line; Lab-only, distance / (sum of spreads) along it.
  double separation_ratio = 0;
  std::size_t skin_pixels = 0;  ///< pixels of the skin (between the dots)
  std::size_t hair_pixels = 0;  ///< pixels of the hair dots (including mixed edge pixels)
  RobustLabStatistics all;      ///< statistics of the whole region (skin and hair together)
  /// The hair colour's own uncertainty from the separation (ΔE00, 1σ); 0 for the Lab-only one.
  double hair_uncertainty_de00 = 0;
  std::size_t dots = 0;     ///< hair dots that stand out of the noise (spatial unmixing)
  double psf_sigma_px = 0;  ///< the blur of a dot the unmixing fitted, px (0 when not used)
  std::string not_separated_because;  ///< why `separated` is false, for the user
};

/// Splits Lab triplets into two clusters (k-means in Lab seeded at the darkest and lightest
/// pixels; hair is the darker cluster), checks that they really differ (StubbleOptions), and
/// estimates hair colour from the cluster's core and coverage by unmixing every pixel linearly in
/// XYZ between the skin and hair colours. `clipped` as for robust_statistics(). Throws as
/// robust_statistics() does.
StubbleSample separate_stubble(std::span<const float> lab_triplets,
                               std::span<const std::uint8_t> clipped = {},
                               const StubbleOptions& options = {});

/// The same for the pixels of a region, whose places are known, where no pixel needs to be pure
/// hair: every pixel is a linear mixture (in XYZ) of a skin and a hair colour with its own hair
/// fraction. Skin is the mode of the pixels; the dots' contrast and the blur are fitted together
/// from how deep dots of each size get (small dots blurred to shallow ones, large ones reaching
/// the hair), so the hair colour is extrapolated beyond the darkest pixel rather than averaged
/// from it; coverage is the mean hair fraction. Made for dots 2–4 px across under a blur of about
/// a pixel, touching, with JPEG's subsampled chroma (the hair's chroma is read through a model of
/// the decoder's chroma spread); on dots smaller than the blur the hair's lightness is poorly
/// determined, and hair_uncertainty_de00 says so (docs/measurement.md). Dots wide enough to hold
/// whole 5×5 patches of hair (over ~6 px across) are read from those interiors instead, and when
/// the unmixing finds too few dots the two-cluster split of the Lab-only overload is tried. Throws
/// Error(invalid_argument) when `region` is inconsistent (not made by region_lab()), and as
/// robust_statistics() does.
StubbleSample separate_stubble(const RegionLab& region, const StubbleOptions& options = {});

/// region_lab() followed by separate_stubble(const RegionLab&, …).
StubbleSample sample_stubble(const Image& image, const LabTransform& transform,
                             const Region& region, const StubbleOptions& options = {});

}  // namespace pigmatch
