// The built-in mixing models — lab, km (two-constant Kubelka–Munk), km1 (single-constant) and
// skin — as a plugin that pigmatch loads through the same C ABI as a vendor's (plugin.h). The
// models themselves are libcore's code (mixing.h: mixing.cpp, mixing_skin.cpp), compiled into
// this plugin (see CMakeLists.txt); this file only adapts them to the ABI: pigments in, named
// parameters read and checked, conditions turned into a substrate, errors turned into statuses.
// docs/models.md documents the models, docs/plugins.md their parameters.
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/plugin.hpp"
#include "plugin_host/plugin_internal.h"

namespace pp = pigmatch::plugin;

namespace pigmatch::models {
namespace {

constexpr std::size_t bands = Spectrum::band_count;
static_assert(bands == PIGMATCH_BAND_COUNT);

// ---- errors ---------------------------------------------------------------------------------

pigmatch_status status_of(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return PIGMATCH_ERROR_INVALID_ARGUMENT;
    case ErrorCode::io:
      return PIGMATCH_ERROR_IO;
    case ErrorCode::corrupt_data:
      return PIGMATCH_ERROR_CORRUPT_DATA;
    case ErrorCode::unsupported:
      return PIGMATCH_ERROR_UNSUPPORTED;
    case ErrorCode::not_found:
      return PIGMATCH_ERROR_NOT_FOUND;
    default:  // codes the ABI has no status for (too_large, color_management, ...)
      return PIGMATCH_ERROR_INTERNAL;
  }
}

// libcore reports problems as pigmatch::Error; the ABI wants a status with the same meaning
// (pp::guard would make every one of them PIGMATCH_ERROR_INTERNAL).
template <class Body>
auto translated(Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (const Error& e) {
    throw pp::Failure(status_of(e.code()), e.what());
  }
}

[[noreturn]] void invalid(const std::string& message) {
  throw pp::Failure(PIGMATCH_ERROR_INVALID_ARGUMENT, message);
}

// ---- parameters -----------------------------------------------------------------------------

struct ParameterSpec {
  std::string_view name;
  double min;
  double max;
  bool min_inclusive;
};

// The named parameters of one call, checked against what the model reads there: an unknown
// name (a typo) or a value out of range is an error naming it, never silently ignored.
class Parameters {
 public:
  Parameters(std::string_view model, std::span<const ParameterSpec> known,
             std::span<const pigmatch_parameter> given)
      : known_(known), given_(given) {
    for (const pigmatch_parameter& p : given) {
      if (p.name == nullptr)
        invalid(std::string(model) + ": a parameter has no name");
      const auto spec = std::find_if(known.begin(), known.end(),
                                     [&](const ParameterSpec& s) { return s.name == p.name; });
      if (spec == known.end())
        invalid(std::string(model) + ": unknown parameter '" + p.name + "'; it reads " + names());
      const bool above_min = spec->min_inclusive ? p.value >= spec->min : p.value > spec->min;
      if (!std::isfinite(p.value) || !above_min || p.value > spec->max) {
        invalid(std::string(model) + ": parameter " + p.name + " = " + std::to_string(p.value) +
                " is outside " + (spec->min_inclusive ? "[" : "(") + std::to_string(spec->min) +
                ", " + std::to_string(spec->max) + "]");
      }
    }
  }
  std::optional<double> find(std::string_view name) const {
    for (const pigmatch_parameter& p : given_) {
      if (p.name == name)
        return p.value;
    }
    return std::nullopt;
  }
  double get(std::string_view name, double fallback) const { return find(name).value_or(fallback); }

 private:
  std::string names() const {
    std::string out;
    for (const ParameterSpec& s : known_)
      out += (out.empty() ? "" : ", ") + std::string(s.name);
    return out.empty() ? "none" : out;
  }
  std::span<const ParameterSpec> known_;
  std::span<const pigmatch_parameter> given_;
};

// Read at prepare by every model (the card the catalogs' dilution series were measured on, and
// the film's surface); see KmOptions in mixing.h.
constexpr std::array<ParameterSpec, 3> prepare_parameters{{
    {"card_reflectance", 0.0, 1.0, false},
    {"saunderson_k1", 0.0, 0.99, true},
    {"saunderson_k2", 0.0, 0.99, true},
}};

// Read at predict by the skin model; see SkinParameters in mixing.h.
constexpr std::array<ParameterSpec, 3> skin_parameters{{
    {"epidermis_thickness_um", 0.0, 1000.0, false},
    {"pigment_load", 0.0, 100.0, false},
    {"melanin_fraction", 0.0, 1.0, true},
}};

KmOptions km_options(const Parameters& p, KmConstants constants) {
  KmOptions options;
  options.constants = constants;
  options.card_reflectance = p.get("card_reflectance", options.card_reflectance);
  options.saunderson.k1 = p.get("saunderson_k1", options.saunderson.k1);
  options.saunderson.k2 = p.get("saunderson_k2", options.saunderson.k2);
  return options;
}

// ---- pigments and mixes ---------------------------------------------------------------------

// The ABI's pigments as catalog.h's, through the host's own conversion (plugin_convert.cpp), so
// that spectra on other wavelength grids are resampled exactly as the host does.
std::vector<Pigment> to_pigments(std::span<const pigmatch_pigment* const> pods) {
  pigmatch_catalog pod{};
  pod.struct_size = sizeof pod;
  pod.id = "prepare";
  pod.vendor = "host";
  pod.name = "pigments to prepare";
  pod.pigment_count = pods.size();
  pod.pigments = pods.data();
  std::vector<Problem> problems;
  Catalog catalog = plugin_detail::to_catalog(pod, "prepare", problems);
  if (has_errors(problems)) {
    std::string message = "the pigments cannot be read:";
    for (const Problem& p : problems)
      message += " " + to_string(p) + ";";
    invalid(message);
  }
  return std::move(catalog.pigments);
}

// The ABI passes every prepared pigment's concentration; libcore's models take the sparse
// MixSpan of the pigments present, a handful in a formulation's mixes. Kept on the stack up to
// `inline_capacity` pigments: predict runs in optimisation loops and should not allocate.
class SparseMix {
 public:
  SparseMix(std::span<const double> concentrations, std::size_t prepared) {
    if (concentrations.size() != prepared) {
      invalid("got " + std::to_string(concentrations.size()) + " concentrations for " +
              std::to_string(prepared) + " prepared pigments");
    }
    // Only non-finite values are refused (0 is finite, so only the present ones are looked at):
    // the formulator's finite differences step a hair outside 0–1, and the models take any
    // finite concentration, as libcore's do.
    for (std::size_t i = 0; i < concentrations.size(); ++i) {
      const double c = concentrations[i];
      if (c == 0)
        continue;
      if (!std::isfinite(c))
        invalid("a concentration is not a finite number");
      if (count_ < inline_capacity) {
        indices_[count_] = i;
        values_[count_] = c;
      } else {
        if (count_ == inline_capacity) {
          heap_indices_.assign(indices_.begin(), indices_.end());
          heap_values_.assign(values_.begin(), values_.end());
        }
        heap_indices_.push_back(i);
        heap_values_.push_back(c);
      }
      ++count_;
    }
  }
  MixSpan span() const {
    if (count_ <= inline_capacity)
      return {{indices_.data(), count_}, {values_.data(), count_}};
    return {heap_indices_, heap_values_};
  }

 private:
  static constexpr std::size_t inline_capacity = 16;
  std::array<std::size_t, inline_capacity> indices_{};
  std::array<double, inline_capacity> values_{};
  std::vector<std::size_t> heap_indices_;
  std::vector<double> heap_values_;
  std::size_t count_ = 0;
};

std::optional<Spectrum> substrate_spectrum(const pigmatch_mix_conditions& conditions) {
  if (conditions.substrate_reflectance == nullptr)
    return std::nullopt;
  Spectrum::Values values{};
  std::copy_n(conditions.substrate_reflectance, bands, values.begin());
  for (std::size_t i = 0; i < bands; ++i) {
    if (!std::isfinite(values[i]) || values[i] < 0 || values[i] > 1) {
      invalid("the substrate's reflectance " + std::to_string(values[i]) + " at " +
              std::to_string(static_cast<int>(Spectrum::wavelength(i))) + " nm is outside 0–1");
    }
  }
  return Spectrum(values);
}

void write_reflectance(const Spectrum& reflectance, pigmatch_prediction& out) {
  std::copy(reflectance.values().begin(), reflectance.values().end(), out.reflectance);
  out.has = PIGMATCH_OUTPUT_REFLECTANCE;
}

// ---- km and km1 -----------------------------------------------------------------------------

struct KmState : pp::MixingState {
  KmState(std::vector<Colorant> c, KmOptions o) : colorants(std::move(c)), options(o) {}
  std::vector<Colorant> colorants;
  KmOptions options;
};

class KmModel final : public pp::MixingModel {
 public:
  explicit KmModel(KmConstants constants)
      : pp::MixingModel(info(constants)), constants_(constants) {}

  std::unique_ptr<pp::MixingState> prepare(
      std::span<const pigmatch_pigment* const> pigments,
      std::span<const pigmatch_parameter> parameters) const override {
    return translated([&] {
      const KmOptions options =
          km_options(Parameters(id(), prepare_parameters, parameters), constants_);
      return std::make_unique<KmState>(derive_colorants(to_pigments(pigments), options), options);
    });
  }

  void predict(const pp::MixingState& base, std::span<const double> concentrations,
               const pigmatch_mix_conditions& conditions, pigmatch_prediction& out) const override {
    const auto& state = static_cast<const KmState&>(base);
    Parameters(id(), {}, {conditions.parameters, conditions.parameter_count});
    if (conditions.substrate_reflectance == nullptr && conditions.substrate_lab_d50 != nullptr) {
      invalid(std::string(id()) + " takes its substrate as a reflectance spectrum, not as Lab");
    }
    const SparseMix mix(concentrations, state.colorants.size());
    write_reflectance(
        km_mix(state.colorants, mix.span(), substrate_spectrum(conditions), state.options), out);
  }

  bool describe_km_film(const pp::MixingState& base, const pigmatch_mix_conditions& conditions,
                        pigmatch_km_film& film) const override {
    const auto& state = static_cast<const KmState&>(base);
    const std::optional<Spectrum> substrate = substrate_spectrum(conditions);
    // Opaque (no substrate) and single-constant predictions are not the two-constant film.
    if (constants_ != KmConstants::two || !substrate)
      return false;
    if (film.pigment_count != state.colorants.size()) {
      invalid("the film has room for " + std::to_string(film.pigment_count) + " pigments, " +
              std::to_string(state.colorants.size()) + " were prepared");
    }
    for (std::size_t j = 0; j < state.colorants.size(); ++j) {
      const Colorant& c = state.colorants[j];
      for (std::size_t i = 0; i < bands; ++i) {
        // km_mix adds nothing for the diluent, whatever its (zero) K and S.
        film.k[j * bands + i] = c.is_diluent ? 0.0 : c.k[i];
        film.s[j * bands + i] = c.is_diluent ? 0.0 : c.s[i];
      }
    }
    for (std::size_t i = 0; i < bands; ++i)
      film.background[i] = saunderson_to_internal((*substrate)[i], state.options.saunderson);
    film.k1 = state.options.saunderson.k1;
    film.k2 = state.options.saunderson.k2;
    return true;
  }

 private:
  const char* id() const noexcept { return constants_ == KmConstants::two ? "km" : "km1"; }
  static Info info(KmConstants constants) {
    if (constants == KmConstants::two) {
      return {.id = "km",
              .name = "Kubelka–Munk, two-constant",
              .description =
                  "K and S add by concentration; a film of unit thickness over the substrate "
                  "(e.g. the card), or opaque without one; Saunderson surface. Prepare reads "
                  "card_reflectance (0.88), saunderson_k1 (0.04), saunderson_k2 (0.60)",
              .outputs = PIGMATCH_OUTPUT_REFLECTANCE,
              .needs = PIGMATCH_NEEDS_SPECTRAL};
    }
    return {.id = "km1",
            .name = "Kubelka–Munk, single-constant",
            .description =
                "K/S adds by concentration over the substrate's K/S, opaque; "
                "Saunderson surface. Prepare reads card_reflectance (0.88), "
                "saunderson_k1 (0.04), saunderson_k2 (0.60)",
            .outputs = PIGMATCH_OUTPUT_REFLECTANCE,
            .needs = PIGMATCH_NEEDS_SPECTRAL};
  }
  KmConstants constants_;
};

// ---- lab ------------------------------------------------------------------------------------

struct LabState : pp::MixingState {
  LabState(Lab c, std::vector<LabColorant> l) : card(c), colorants(std::move(l)) {}
  Lab card;
  std::vector<LabColorant> colorants;
};

class LabModel final : public pp::MixingModel {
 public:
  LabModel()
      : pp::MixingModel({.id = "lab",
                         .name = "Lab interpolation",
                         .description = "each pigment's dilution series interpolated in CIELAB "
                                        "and mixed in CIELAB, on the catalog's card; prepare "
                                        "reads card_reflectance (0.88)",
                         .outputs = PIGMATCH_OUTPUT_LAB_D50,
                         .needs = PIGMATCH_NEEDS_LAB}) {}

  std::unique_ptr<pp::MixingState> prepare(
      std::span<const pigmatch_pigment* const> pigments,
      std::span<const pigmatch_parameter> parameters) const override {
    return translated([&] {
      const Parameters p("lab", std::span(prepare_parameters).first(1), parameters);
      const Lab card =
          to_lab(Spectrum::constant(p.get("card_reflectance", KmOptions{}.card_reflectance)));
      std::vector<LabColorant> colorants;
      for (const Pigment& pigment : to_pigments(pigments))
        colorants.push_back(derive_lab_colorant(pigment, card));
      return std::make_unique<LabState>(card, std::move(colorants));
    });
  }

  void predict(const pp::MixingState& base, std::span<const double> concentrations,
               const pigmatch_mix_conditions& conditions, pigmatch_prediction& out) const override {
    const auto& state = static_cast<const LabState&>(base);
    Parameters("lab", {}, {conditions.parameters, conditions.parameter_count});
    if (conditions.substrate_reflectance != nullptr || conditions.substrate_lab_d50 != nullptr) {
      invalid(
          "lab predicts on the catalog's card (prepare parameter card_reflectance); it takes "
          "no substrate");
    }
    const SparseMix mix(concentrations, state.colorants.size());
    const Lab lab = lab_mix(state.colorants, mix.span(), state.card);
    out.lab_d50 = {lab.L, lab.a, lab.b};
    out.has = PIGMATCH_OUTPUT_LAB_D50;
  }
};

// ---- skin -----------------------------------------------------------------------------------

// What skin_optics derives its result from: the client's skin and the skin parameters.
struct SkinInputs {
  std::optional<Spectrum> spectrum;
  std::optional<Lab> lab;
  SkinParameters parameters;

  bool operator==(const SkinInputs& o) const {
    return spectrum == o.spectrum && lab.has_value() == o.lab.has_value() &&
           (!lab || (lab->L == o.lab->L && lab->a == o.lab->a && lab->b == o.lab->b)) &&
           parameters.epidermis_thickness_um == o.parameters.epidermis_thickness_um &&
           parameters.pigment_load == o.parameters.pigment_load &&
           parameters.melanin_fraction == o.parameters.melanin_fraction;
  }
};

SkinInputs skin_inputs(const pigmatch_mix_conditions& conditions) {
  const Parameters p("skin", skin_parameters, {conditions.parameters, conditions.parameter_count});
  SkinInputs in;
  in.spectrum = substrate_spectrum(conditions);
  if (!in.spectrum && conditions.substrate_lab_d50 != nullptr) {
    const pigmatch_lab& lab = *conditions.substrate_lab_d50;
    in.lab = Lab{lab.L, lab.a, lab.b};
  }
  if (!in.spectrum && !in.lab) {
    invalid(
        "the skin model needs the client's skin as the substrate (a reflectance spectrum or "
        "Lab D50)");
  }
  in.parameters.epidermis_thickness_um =
      p.get("epidermis_thickness_um", in.parameters.epidermis_thickness_um);
  in.parameters.pigment_load = p.get("pigment_load", in.parameters.pigment_load);
  in.parameters.melanin_fraction = p.find("melanin_fraction");
  return in;
}

// The skin's optics for `in`. Deriving them (and, from Lab, the skin's spectrum: a KKT solve)
// costs far more than a prediction, and the ABI hands the skin to every predict; formulation
// predicts thousands of mixes on one skin, so each thread keeps the last derivation. A
// thread-local cache keeps predict lock-free and the prepared state read-only (plugin.h).
const SkinOptics& skin_optics_for(const SkinInputs& in) {
  struct Cache {
    std::optional<SkinInputs> inputs;
    SkinOptics optics;
  };
  thread_local Cache cache;
  if (!cache.inputs || !(*cache.inputs == in)) {
    const Spectrum skin = in.spectrum ? *in.spectrum : reconstruct_reflectance(*in.lab);
    cache.optics = skin_optics(skin, in.parameters);
    cache.inputs = in;
  }
  return cache.optics;
}

class SkinModel final : public pp::MixingModel {
 public:
  SkinModel()
      : pp::MixingModel(
            {.id = "skin",
             .name = "Skin layers (healed colour)",
             .description =
                 "pigment in the dermis seen through the client's epidermis; the substrate is "
                 "the client's skin (spectrum or Lab). Prepare reads card_reflectance, "
                 "saunderson_k1, saunderson_k2 (for K and S); predict reads "
                 "epidermis_thickness_um (80), pigment_load (see docs/models.md), "
                 "melanin_fraction (estimated from the skin)",
             .outputs = PIGMATCH_OUTPUT_REFLECTANCE,
             .needs = PIGMATCH_NEEDS_SPECTRAL}) {}

  std::unique_ptr<pp::MixingState> prepare(
      std::span<const pigmatch_pigment* const> pigments,
      std::span<const pigmatch_parameter> parameters) const override {
    return translated([&] {
      const KmOptions options =
          km_options(Parameters("skin", prepare_parameters, parameters), KmConstants::two);
      return std::make_unique<KmState>(derive_colorants(to_pigments(pigments), options), options);
    });
  }

  void predict(const pp::MixingState& base, std::span<const double> concentrations,
               const pigmatch_mix_conditions& conditions, pigmatch_prediction& out) const override {
    const auto& state = static_cast<const KmState&>(base);
    translated([&] {
      const SkinInputs in = skin_inputs(conditions);
      const SparseMix mix(concentrations, state.colorants.size());
      write_reflectance(skin_mix(state.colorants, mix.span(), skin_optics_for(in), in.parameters),
                        out);
    });
  }
};

const pp::Plugin& models_plugin() {
  static const LabModel lab;
  static const KmModel km(KmConstants::two);
  static const KmModel km1(KmConstants::single);
  static const SkinModel skin;
  static const pp::Plugin plugin(
      {.id = "org.pigmatch.models",
       .name = "Mixing models",
       .version = "1.0.0",
       .vendor = "pigmatch",
       .description = "The built-in mixing models: lab, km (two-constant Kubelka–Munk), km1 "
                      "(single-constant) and skin (the healed colour under the client's skin)"},
      {}, {&lab, &km, &km1, &skin});
  return plugin;
}

}  // namespace
}  // namespace pigmatch::models

PIGMATCH_DEFINE_PLUGIN_FROM(pigmatch::models::models_plugin())
