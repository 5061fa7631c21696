// pigmatch/formulation/catalog.h — pigment catalogs: what a vendor publishes about each pigment,
// and the checks that reject impossible data before it reaches formulation.
//
// A catalog comes from a catalog file (JSON or CGATS, read by the built-in catalog-files plugin)
// or from a native plugin; either way the host converts it into these value types and runs
// validate(). Colour is given per measurement: the masstone (concentration 1) and a dilution
// series, each as a 36-band reflectance (380–730 nm, see spectrum.h) and/or CIELAB D50/2°.
// Optional absorption K and scattering S spectra serve Kubelka–Munk mixing directly.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"

namespace pigmatch {

/// One colour measurement of a pigment: the masstone (concentration 1) or one step of a
/// dilution series. At least one of reflectance and lab_d50 is present.
struct Measurement {
  double concentration = 1.0;           ///< fraction of the vendor's pigment in the mix, in (0, 1]
  std::string substrate;                ///< what the sample was measured on, e.g. "white card"
  std::optional<Spectrum> reflectance;  ///< 0–1 (up to 1.5 tolerated for fluorescence)
  std::optional<Lab> lab_d50;           ///< CIELAB D50/2°, as a spectrophotometer reports it
};

/// A production lot; practitioners record it per client so a recall can be traced.
struct Lot {
  std::string lot;     ///< the lot number as printed on the bottle
  std::string expiry;  ///< ISO 8601 date "YYYY-MM-DD" or month "YYYY-MM"
};

/// A bottle price: `amount` in `currency` (ISO 4217, e.g. "EUR") for `volume_ml` millilitres.
struct Price {
  double amount = 0;
  std::string currency;
  double volume_ml = 0;
};

/// One pigment (or the diluent) of a catalog.
struct Pigment {
  std::string code;  ///< the vendor's product code, unique within the catalog
  std::string name;
  std::string line;                     ///< product line, e.g. "SMP Carbon"
  std::vector<std::string> ci_numbers;  ///< Colour Index, e.g. "CI 77266" (carbon black)
  std::vector<Measurement> measurements;
  std::optional<Spectrum> k;             ///< Kubelka–Munk absorption per band, >= 0
  std::optional<Spectrum> s;             ///< Kubelka–Munk scattering per band, >= 0
  std::optional<double> drop_volume_ml;  ///< the volume of one drop from the bottle's nozzle
  std::optional<Price> price;
  std::vector<Lot> lots;
  std::vector<std::string> compliance;  ///< e.g. "EU REACH 2020/2081"
  std::string sds_reference;            ///< safety data sheet: document number or URL
  bool is_diluent = false;  ///< thins the pigment without colour: no absorption, no scattering
  /// What the vendor makes it for: "smp" (scalp micropigmentation), "camouflage" (scar and
  /// skin camouflage), "pmu" (cosmetic tattoo: brows, lips, eyeliner). Empty: not said, so
  /// offered for every use.
  std::vector<std::string> uses;
};

/// The uses a catalog may give a pigment (Pigment::uses): "smp", "camouflage", "pmu".
std::span<const std::string_view> known_pigment_uses() noexcept;

/// True when `pigment` is meant for `use` (it names it, or names no use at all); true for
/// every pigment when `use` is empty. Case-insensitive.
bool meant_for(const Pigment& pigment, std::string_view use) noexcept;

/// A vendor's catalog as the host sees it.
struct Catalog {
  std::string id;  ///< unique among loaded catalogs: letters, digits, '.', '_', '-'
  std::string vendor;
  std::string name;
  std::string version;  ///< the vendor's edition of the catalog, free text
  std::string description;
  std::string source;  ///< where it was loaded from (file path or plugin), for messages
  std::vector<Pigment> pigments;
};

/// How bad a Problem is: an error makes the catalog unusable, a warning is worth fixing.
enum class Severity { error, warning };

/// One finding of validate() or of a catalog-file parser.
struct Problem {
  std::string
      where;  ///< a path into the catalog, e.g. "pigments[3].measurements[0].reflectance[12]"
  std::string message;  ///< what is wrong and what to do
  Severity severity = Severity::error;
};

/// "error" or "warning".
std::string_view to_string(Severity severity) noexcept;

/// "where: message" (with "warning: " in front of warnings).
std::string to_string(const Problem& problem);

/// Every impossible or inconsistent value in `catalog` (empty when it is fine): NaN or infinite
/// numbers, reflectance outside 0–1.5, negative K or S, empty id/names/codes, duplicate codes,
/// concentrations outside (0, 1], measurements or pigments without colour data, a diluent with
/// colour, lots without a number or with an expiry that is not a date, bad prices or drop volumes.
std::vector<Problem> validate(const Catalog& catalog);

/// True when any problem is an error (not only warnings).
bool has_errors(const std::vector<Problem>& problems) noexcept;

/// Throws pigmatch::Error (corrupt_data) naming catalog.source and listing the errors when
/// validate() finds any; warnings alone pass.
void require_valid(const Catalog& catalog);

/// The pigment with `code` (compared case-insensitively), or nullptr.
const Pigment* find_pigment(const Catalog& catalog, std::string_view code) noexcept;

}  // namespace pigmatch
