// pigmatch/formulation/mixing.h — mixing models: the colour of a mix of pigments and diluent.
//
// Three models, each documented with its equations, parameters and sources in docs/models.md:
//   - Kubelka–Munk (KM), two-constant (K and S add up by concentration; a film of unit thickness
//     over a substrate, or opaque) or single-constant (K/S adds up; opaque), with the Saunderson
//     correction for the film's surface. The diluent is a colorant with K = S = 0.
//   - Lab: interpolation between a pigment's dilution steps in CIELAB, mixed in CIELAB (the
//     baseline for catalogs that only give Lab).
//   - Skin: the healed colour — a pigment layer in the dermis, seen through the client's
//     epidermis (melanin absorption), over the rest of the dermis.
// The built-in models plugin (plugins/models) exposes these through the C ABI; the
// formulator (formulate.h) drives them through the Mixer interface below.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/catalog.h"

namespace pigmatch {

// ---- Kubelka–Munk building blocks (per band, internal reflectance unless said otherwise) ----

/// Saunderson's surface correction: k1 is the film's external (Fresnel) reflectance at normal
/// incidence, k2 its internal reflectance for diffuse light (docs/models.md gives the sources).
struct Saunderson {
  double k1 = 0.04;  ///< ((n−1)/(n+1))² with n = 1.5
  double k2 = 0.60;  ///< diffuse internal reflectance for n ≈ 1.5 (Judd; Saunderson 1942)
};

/// Measured reflectance of a film whose body (internal) reflectance is `internal`.
double saunderson_to_measured(double internal, const Saunderson& coefficients = {}) noexcept;
/// Body reflectance from a measured one (the inverse of saunderson_to_measured), clamped to 0–1.
double saunderson_to_internal(double measured, const Saunderson& coefficients = {}) noexcept;
/// K/S of an opaque layer with internal reflectance `r` (r clamped to [1e-6, 1]).
double km_ratio(double r) noexcept;
/// Internal reflectance of an opaque layer with K/S = `ratio` (>= 0).
double km_opaque_reflectance(double ratio) noexcept;
/// Internal reflectance of a layer with absorption `k` and scattering `s` (per its thickness,
/// i.e. K·X and S·X) over a background of reflectance `background`; k = s = 0 gives the
/// background, s = 0 the pure absorber background·e^(−2k).
double km_layer_reflectance(double k, double s, double background) noexcept;

// ---- colorants ---------------------------------------------------------------------------

/// Single- or two-constant Kubelka–Munk.
enum class KmConstants { single, two };

/// Options of the KM model (and of the skin model's pigment layer).
struct KmOptions {
  KmConstants constants = KmConstants::two;
  Saunderson saunderson{};
  /// Reflectance of the card a catalog's dilution series was measured on (flat over the bands;
  /// catalogs name the substrate but do not give its spectrum). Used to derive K and S.
  double card_reflectance = 0.88;
};

/// A pigment for KM: absorption K and scattering S per unit concentration and unit film
/// thickness (single-constant: K holds K/S and S is 1).
struct Colorant {
  std::string code;
  bool is_diluent = false;
  Spectrum k{};
  Spectrum s{};
};

/// The colorant of `pigment`: the catalog's K and S when given, else derived per band by least
/// squares from its reflectance measurements (docs/models.md). The diluent gets K = S = 0.
/// Throws pigmatch::Error (unsupported) naming the pigment when it has no spectral data, or (for
/// two constants) fewer than two distinct concentrations and no K and S.
Colorant derive_colorant(const Pigment& pigment, const KmOptions& options = {});

/// derive_colorant() against a card measured band by band (a studio's own drawdown card)
/// instead of the flat options.card_reflectance.
Colorant derive_colorant(const Pigment& pigment, const Spectrum& card,
                         const KmOptions& options = {});

/// derive_colorant() of every pigment, in order, on all of the machine's cores (a fit per band
/// of each dilution series: milliseconds a pigment, so a catalog of thousands takes seconds on
/// one core). Throws the error of the first pigment, in order, that cannot be derived.
std::vector<Colorant> derive_colorants(std::span<const Pigment> pigments,
                                       const KmOptions& options = {});

/// A sparse mix: concentrations[i] of colorant pigments[i]; colorants not named are absent.
struct MixSpan {
  std::span<const std::size_t> pigments;
  std::span<const double> concentrations;
};

/// Measured reflectance of a KM mix: over `substrate` (a film of unit thickness) when given,
/// else opaque. Single-constant: K/S of the substrate plus Σ c·K/S, opaque.
Spectrum km_mix(std::span<const Colorant> colorants, MixSpan mix,
                const std::optional<Spectrum>& substrate, const KmOptions& options = {});

// ---- Lab model ---------------------------------------------------------------------------

/// A pigment for the Lab model: its dilution series as (concentration, Lab D50), sorted, with
/// concentration 0 being the card.
struct LabColorant {
  std::string code;
  bool is_diluent = false;
  std::vector<std::pair<double, Lab>> steps;
};

/// The Lab colorant of `pigment` (Lab measurements, or reflectance converted under D50/2°);
/// `card` anchors concentration 0. Throws pigmatch::Error (unsupported) without colour data.
LabColorant derive_lab_colorant(const Pigment& pigment, const Lab& card);

/// Lab D50 of a mix: with t the total pigment fraction, Σ (cᵢ/t)·Labᵢ(t), Labᵢ(t) interpolated
/// linearly along pigment i's dilution series; t = 0 gives the card.
Lab lab_mix(std::span<const LabColorant> colorants, MixSpan mix, const Lab& card);

// ---- skin model --------------------------------------------------------------------------

/// Parameters of the skin-layer model (docs/models.md gives the sources and defaults' reasons).
struct SkinParameters {
  double epidermis_thickness_um = 80.0;
  /// Optical thickness of the dermal pigment layer relative to the catalog's drawdown film.
  double pigment_load = 0.5;
  /// Melanin volume fraction of the epidermis; none: estimated from the skin spectrum.
  std::optional<double> melanin_fraction;
  /// The skin surface: k1 = 0 because skin colour is measured without its specular reflection
  /// (spectrophotometer SCE geometry, cross-polarised or matte-area photos) — with k1 = 0.04,
  /// dark skin below 4 % in the violet could not be represented; k2 as for the film.
  Saunderson saunderson{0.0, 0.60};
};

/// Melanin absorption coefficient μa(λ) = 6.6·10¹¹·λ^−3.33 cm⁻¹ (λ in nm; Jacques 1998).
double melanin_absorption_per_cm(double wavelength_nm) noexcept;

/// What the skin model derives from the client's skin: the epidermis's round-trip
/// transmittance T² and the dermis's reflectance beneath it.
struct SkinOptics {
  Spectrum epidermis_transmittance2{};
  Spectrum dermis_reflectance{};
  double melanin_fraction = 0;
};

/// Splits the client's skin reflectance into epidermis and dermis (docs/models.md). Throws
/// pigmatch::Error (invalid_argument) for a skin outside 0–1 or parameters out of range.
SkinOptics skin_optics(const Spectrum& skin_reflectance, const SkinParameters& parameters = {});

/// Measured reflectance of healed pigment: epidermis over a KM pigment layer (two-constant,
/// K·load and S·load) over the dermis. No pigment gives the client's own skin back.
Spectrum skin_mix(std::span<const Colorant> colorants, MixSpan mix, const SkinOptics& optics,
                  const SkinParameters& parameters = {});

/// A smooth reflectance (minimal squared slope, within 0–1) whose CIELAB D50/2° is `lab`: the
/// skin's spectrum when only its Lab is known. Throws pigmatch::Error (invalid_argument) for
/// non-finite Lab or L outside 0–100.
Spectrum reconstruct_reflectance(const Lab& lab_d50);

// ---- prepared models -------------------------------------------------------------------------

/// What a Mixer predicts: the measured reflectance for spectral models (lab_d50 is then left
/// unset: callers weight the spectrum under their own illuminant), else only Lab D50.
struct MixColour {
  std::optional<Spectrum> reflectance;
  Lab lab_d50{};
};

/// A two-constant KM film of unit thickness over a substrate, laid open: what a caller needs to
/// evaluate the model and its derivatives itself (the formulator's inner loop does).
struct KmFilm {
  std::span<const Colorant> colorants;  ///< the bound pigments, in order
  Spectrum::Values background{};        ///< the substrate's internal reflectance per band
  Saunderson saunderson{};
};

/// A mixing model bound to a list of pigments and to the conditions of one formulation; the
/// formulator's view of a model. mix() is const and safe to call from several threads.
class Mixer {
 public:
  virtual ~Mixer() = default;
  /// True when mix() fills reflectance.
  virtual bool spectral() const noexcept = 0;
  /// The colour of a mix of the bound pigments (indices into the pigment list).
  virtual MixColour mix(MixSpan mix) const = 0;
  /// The film when mix() is exactly km_mix() of a two-constant film over a substrate (callers
  /// may then evaluate it directly); none otherwise.
  virtual const KmFilm* km_film() const noexcept { return nullptr; }
};

/// The built-in model names: "lab", "km" (two-constant), "km1" (single-constant), "skin".
enum class BuiltinModel { lab, km, km1, skin };

/// Conditions of a built-in Mixer.
struct MixerConditions {
  std::optional<Spectrum> substrate;  ///< km: what the film lies on (none: opaque); skin: skin
  std::optional<Lab> substrate_lab;   ///< skin: the client's skin as Lab when no spectrum
  KmOptions km{};
  SkinParameters skin{};
};

/// A built-in model prepared for `pigments`. Throws pigmatch::Error naming the pigment a model
/// cannot use, or (skin) when no skin is given.
std::unique_ptr<Mixer> make_builtin_mixer(BuiltinModel model, std::span<const Pigment> pigments,
                                          const MixerConditions& conditions = {});

/// "lab", "km", "km1", "skin"; parse throws pigmatch::Error (invalid_argument) listing them.
std::string_view to_string(BuiltinModel model) noexcept;
BuiltinModel parse_builtin_model(std::string_view name);

}  // namespace pigmatch
