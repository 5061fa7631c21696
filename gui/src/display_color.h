// display_color — Lab D50 → display RGB for swatches, through Little CMS.
//
// Swatches must show what a colour looks like on this screen, so the conversion goes to the
// display's ICC profile when one is known and to sRGB otherwise (the usual assumption for an
// unprofiled screen). A colour the display cannot show is clipped by the transform; the swatch
// must then say so, because a clipped swatch would mislead a practitioner choosing a pigment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "pigmatch/colour/color.h"

namespace pigmatch::gui {

/// An 8-bit display colour and whether the Lab it came from fits the display's gamut.
struct DisplayRgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool in_gamut = true;
  double clip_de00 = 0;  ///< ΔE00 between the Lab and what the display shows instead
};

/// Converts Lab D50 to one display's RGB. Immutable after construction; cheap to share.
class DisplayColor {
 public:
  /// A colour farther than this (ΔE00) from what the display can show is out of gamut: below
  /// one unit the clipping is invisible, above it a swatch would mislead.
  static constexpr double out_of_gamut_de00 = 1.0;

  /// Lab → sRGB IEC 61966-2.1 (relative colorimetric, D50 PCS).
  static DisplayColor srgb();
  /// Lab → the RGB display profile in `icc_file`; throws Error (io, color_management) naming
  /// the file when it cannot be read or is not an RGB display profile.
  static DisplayColor from_icc_file(const std::filesystem::path& icc_file);

  DisplayColor(DisplayColor&&) noexcept;
  DisplayColor& operator=(DisplayColor&&) noexcept;
  ~DisplayColor();

  /// The display colour for `lab`, 8 bits per channel, with its gamut check.
  DisplayRgb convert(const Lab& lab) const;
  /// The profile's description, e.g. "sRGB built-in".
  const std::string& profile_name() const noexcept;

 private:
  struct Impl;
  explicit DisplayColor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pigmatch::gui
