// pigmatch/formulation/catalog_build.h — a catalog from a studio's own measurements: drawdowns of
// each pigment (the masstone and a dilution series) and the bare card, read with a
// spectrophotometer, become a catalog with Kubelka–Munk K and S fitted per band.
//
// The readings come from a CGATS file as spectrophotometer software writes it (Argyll's
// chartread/spotread .ti3, i1Profiler and i1Share exports): one row per reading, reflectance in
// spectral fields (SPEC_380, SPECTRAL_NM380, nm380, …; 0–1 or percent). Which pigment and
// concentration a row is comes from its SAMPLE_NAME ("CODE@0.25", "CODE@25%", "card"), or from a
// layout file (CSV: sample_id,code,concentration; code "card" for the bare card) when the
// instrument's software names rows by position only. docs/catalog-format.md, "Your own pigments".
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/catalog.h"

namespace pigmatch {

/// One reading of a drawdown.
struct DrawdownReading {
  std::string sample_id;  ///< the row's SAMPLE_ID (or its number), for messages
  std::string code;       ///< the pigment; empty for the bare card
  double concentration = 1.0;
  Spectrum reflectance;
  /// The colour as measured, when `reflectance` is an estimate made from it (a photo of a swatch
  /// card, swatch_card.h): the catalog then keeps both, and fits are judged against this.
  std::optional<Lab> lab_d50;
};

/// Reads the readings of `measurements` (CGATS), naming rows by SAMPLE_NAME or by `layout`.
/// Throws pigmatch::Error (io_error, corrupt_data) saying what is wrong in which row or line.
std::vector<DrawdownReading> read_drawdowns(const std::filesystem::path& measurements,
                                            const std::optional<std::filesystem::path>& layout);

/// What the catalog is called and what goes with every pigment.
struct CatalogBuildOptions {
  std::string id;
  std::string vendor;
  std::string name;
  std::string substrate = "drawdown card (measured with the catalog)";
  double drop_volume_ml = 0.05;
  bool add_diluent = true;  ///< a colourless diluent "DIL" as the catalog's last entry
};

/// How well the fitted K and S give back one pigment's readings.
struct PigmentFit {
  std::string code;
  std::size_t readings = 0;        ///< after averaging repeated readings of a step
  std::size_t concentrations = 0;  ///< distinct steps
  double mean_de00 = 0;            ///< readings against the KM prediction on the measured card
  double max_de00 = 0;
};

struct BuiltCatalog {
  Catalog catalog;               ///< passes validate(); measurements and fitted K, S per pigment
  std::vector<PigmentFit> fits;  ///< one per pigment, in the catalog's order
  Spectrum card;                 ///< the bare card as measured (mean of its readings)
  Lab card_lab_d50;              ///< its colour (as measured, when readings carry colours)
};

/// Fits K and S per band for every pigment of `readings` against the measured card (two-constant
/// Kubelka–Munk, the dilution-series fit of derive_colorant()). Throws pigmatch::Error
/// (invalid_argument) naming the pigment and what to do when a series cannot be fitted: no card
/// reading, one concentration only, a concentration outside (0, 1], or steps out of order (a
/// stronger step lighter than a weaker one by more than the readings' noise, as when two
/// drawdowns were swapped).
BuiltCatalog build_catalog(std::span<const DrawdownReading> readings,
                           const CatalogBuildOptions& options);

}  // namespace pigmatch
