// Stubble separation when no pixel is pure hair (sampling.cpp's separate_stubble on a region whose
// pixel places are known). Private to libcore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "colour/device_colour.h"
#include "pigmatch/colour/color.h"

namespace pigmatch::detail {

/// A stubble region on its bounding box: XYZ D50 per cell and whether the cell may be used
/// (selected by the region and not clipped).
struct StubbleGrid {
  int width = 0, height = 0;
  int origin_x = 0, origin_y = 0;    ///< the grid's first cell in the photo
  std::vector<Xyz> xyz;              // width × height, row by row
  std::vector<std::uint8_t> usable;  // width × height flags
  /// Cells the region selects but that are not usable because a device channel is clipped
  /// (width × height flags; empty when none or unknown).
  std::vector<std::uint8_t> clipped;
  /// The photo's own device values, width × height, and its transform's device side; both
  /// empty when the region comes without its photo (then sRGB stands in for the encoding).
  std::vector<DeviceRgb> device;
  std::optional<DeviceColour> device_colour;

  std::size_t at(int x, int y) const noexcept {
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
           static_cast<std::size_t>(x);
  }
  bool contains(int x, int y) const noexcept { return x >= 0 && y >= 0 && x < width && y < height; }
};

/// What the linear unmixing found.
struct StubbleUnmixing {
  bool hair_found = false;  ///< distinct dots were found and the fit holds
  Xyz skin;                 ///< the skin end-member (the mode of the region's pixels)
  Xyz hair;                 ///< the hair end-member (extrapolated; equals skin when not found)
  double coverage = 0;      ///< mean hair fraction of the usable cells
  /// Hair contrast against the pixel noise along the skin–hair line (ΔD / σ_noise).
  double contrast_to_noise = 0;
  double psf_sigma_px = 0;  ///< the fitted blur of a dot (lens, pixel, compression), px
  /// Half the ΔE00 between the hair colours at the two ends of the fit's 1σ interval.
  double hair_uncertainty_de00 = 0;
  std::size_t dots = 0;         ///< dots (basins) that stand out of the noise
  std::size_t dots_fitted = 0;  ///< of those, the ones inside the region used for the fit
  std::size_t hair_pixels = 0;  ///< cells of those dots' basins
  std::size_t skin_pixels = 0;  ///< the other usable cells
  /// How deep a typical dot's centre gets (1: its centre is pure hair): near 1, the dots are
  /// wide against the blur and their interiors show the hair itself.
  double typical_depth = 0;
  /// True when a typical dot's centre is (nearly) pure hair, so the dots' interiors show the
  /// hair itself; short of it, the hair is an extrapolation.
  bool dots_show_hair() const noexcept { return typical_depth >= dots_show_hair_depth; }
  /// The typical depth from which dots_show_hair() holds.
  static constexpr double dots_show_hair_depth = 0.97;
  std::string why_not;  ///< when hair_found is false: why, for the user
  /// Refused because neither end of the dense dots' colours is clearly the skin's: no other
  /// reading of the region (such as the two-cluster split) should stand in for it either.
  bool ends_ambiguous = false;
};

/// Treats every usable cell as a linear mixture, in XYZ, of a skin and a hair colour with an
/// unknown hair fraction, and estimates both colours and the coverage:
///  1. skin is the mode of the cells (the half-sample mode per channel, refined on the cells
///     away from any dot); the skin–hair line is the principal direction of the deviations
///     from it, pointing to the minority;
///  2. each cell's position D along that line; cells are grouped into dots by steepest ascent;
///     a dot stands out when its peak exceeds 4.5σ of the noise (measured on the skin side);
///  3. for a dot of hair contrast ΔD and area A blurred by a Gaussian of σ, the volume is
///     V = ΔD·A and the peak ΔD·(1 − exp(−A / 2πσ²)): small dots are shallow, large ones reach
///     ΔD. Fitting that curve to the upper envelope of the dots' (V, peak) — a round dot is the
///     most compact shape, so touching and elongated ones fall below it — gives ΔD and σ
///     together, without assuming either;
///  4. coverage is mean(D) / ΔD; the hair colour is skin + mean deviation / coverage, the mean
///     over the whole region, which chroma subsampling preserves where single pixels lose it.
StubbleUnmixing unmix_stubble(const StubbleGrid& grid);

}  // namespace pigmatch::detail
