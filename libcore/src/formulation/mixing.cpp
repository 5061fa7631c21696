// Kubelka–Munk and Lab mixing models, colorant derivation from catalog data, and the built-in
// Mixer implementations (see docs/models.md for the equations and their sources).
#include "pigmatch/formulation/mixing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <exception>
#include <optional>
#include <set>
#include <thread>

#include "formulation/mixing_internal.h"
#include "pigmatch/error.h"

namespace pigmatch {

// ---- KM building blocks -------------------------------------------------------------------

double saunderson_to_measured(double internal, const Saunderson& c) noexcept {
  return c.k1 + (1 - c.k1) * (1 - c.k2) * internal / (1 - c.k2 * internal);
}

double saunderson_to_internal(double measured, const Saunderson& c) noexcept {
  const double excess = measured - c.k1;
  const double internal = excess / ((1 - c.k1) * (1 - c.k2) + c.k2 * excess);
  return std::clamp(internal, 0.0, 1.0);
}

double km_ratio(double r) noexcept {
  const double clamped = std::clamp(r, 1e-6, 1.0);
  return (1 - clamped) * (1 - clamped) / (2 * clamped);
}

double km_opaque_reflectance(double ratio) noexcept {
  const double q = std::max(ratio, 0.0);
  return 1 + q - std::sqrt(q * q + 2 * q);
}

double km_layer_reflectance(double k, double s, double background) noexcept {
  // Kubelka's hyperbolic solution multiplied through by S so that S = 0 (a pure absorber, the
  // diluted limit) and K = 0 (a pure scatterer) need no special case: with β = √(K² + 2KS),
  //   R = (S − Rg·(S + K − β·coth β)) / (S + K − Rg·S + β·coth β).
  const double beta = std::sqrt(k * k + 2 * k * s);
  const double beta_coth = beta < 1e-6 ? 1 + beta * beta / 3 : beta / std::tanh(beta);
  return (s - background * (s + k - beta_coth)) / (s + k - background * s + beta_coth);
}

// ---- colorant derivation ------------------------------------------------------------------

namespace {

struct SpectralStep {
  double concentration;
  Spectrum reflectance;
};

std::vector<SpectralStep> spectral_steps(const Pigment& pigment) {
  std::vector<SpectralStep> steps;
  for (const Measurement& m : pigment.measurements) {
    if (m.reflectance)
      steps.push_back({m.concentration, *m.reflectance});
  }
  std::sort(steps.begin(), steps.end(),
            [](const auto& a, const auto& b) { return a.concentration < b.concentration; });
  return steps;
}

std::size_t distinct_concentrations(const std::vector<SpectralStep>& steps) {
  std::set<double> values;
  for (const auto& s : steps)
    values.insert(s.concentration);
  return values.size();
}

// Single-constant: f(R) = K/S of the substrate + c·q, q by least squares through the origin.
double fit_single_constant(const std::vector<SpectralStep>& steps, std::size_t band,
                           double card_ratio, const Saunderson& saunderson) {
  double num = 0, den = 0;
  for (const auto& step : steps) {
    const double f = km_ratio(saunderson_to_internal(step.reflectance[band], saunderson));
    num += step.concentration * (f - card_ratio);
    den += step.concentration * step.concentration;
  }
  return std::max(num / den, 0.0);
}

// Two-constant: K and S of one band by least squares in measured reflectance over the series,
// each step a film of unit thickness at its concentration over the card. A coarse grid in
// log10 space finds the basin (the error surface has long curved valleys), then a compass
// search polishes it.
std::pair<double, double> fit_two_constant(const std::vector<SpectralStep>& steps, std::size_t band,
                                           double card_internal, const Saunderson& saunderson) {
  const auto error_at = [&](double k, double s) {
    double sum = 0;
    for (const auto& step : steps) {
      const double c = step.concentration;
      const double r =
          saunderson_to_measured(km_layer_reflectance(c * k, c * s, card_internal), saunderson);
      sum += (r - step.reflectance[band]) * (r - step.reflectance[band]);
    }
    return sum;
  };
  const auto error = [&](double log_k, double log_s) {
    return error_at(std::pow(10.0, log_k), std::pow(10.0, log_s));
  };
  constexpr double lo = -4, hi = 3;
  constexpr int grid = 29;
  std::array<double, grid> log_at{}, value_at{};  // the grid's powers of ten, computed once
  for (int i = 0; i < grid; ++i) {
    log_at[i] = lo + (hi - lo) * i / (grid - 1);
    value_at[i] = std::pow(10.0, log_at[i]);
  }
  double best_k = lo, best_s = lo, best = error(lo, lo);
  for (int i = 0; i < grid; ++i) {
    for (int j = 0; j < grid; ++j) {
      const double lk = log_at[i], ls = log_at[j];
      const double e = error_at(value_at[i], value_at[j]);
      if (e < best) {
        best = e, best_k = lk, best_s = ls;
      }
    }
  }
  for (double step = (hi - lo) / (grid - 1); step > 1e-6;) {
    bool improved = false;
    for (const auto& [dk, ds] :
         std::array<std::pair<double, double>, 4>{{{step, 0}, {-step, 0}, {0, step}, {0, -step}}}) {
      const double lk = std::clamp(best_k + dk, lo - 2, hi),
                   ls = std::clamp(best_s + ds, lo - 2, hi);
      const double e = error(lk, ls);
      if (e < best) {
        best = e, best_k = lk, best_s = ls, improved = true;
      }
    }
    if (!improved)
      step /= 2;
  }
  return {std::pow(10.0, best_k), std::pow(10.0, best_s)};
}

}  // namespace

Colorant derive_colorant(const Pigment& pigment, const KmOptions& options) {
  return derive_colorant(pigment, Spectrum::constant(options.card_reflectance), options);
}

Colorant derive_colorant(const Pigment& pigment, const Spectrum& card, const KmOptions& options) {
  Colorant colorant{pigment.code, pigment.is_diluent, {}, {}};
  if (pigment.is_diluent)
    return colorant;
  if (pigment.k && pigment.s) {
    colorant.k = *pigment.k;
    colorant.s = *pigment.s;
    if (options.constants == KmConstants::single) {
      for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
        colorant.k[i] = colorant.k[i] / std::max(colorant.s[i], 1e-9);
        colorant.s[i] = 1;
      }
    }
    return colorant;
  }
  const std::vector<SpectralStep> steps = spectral_steps(pigment);
  if (steps.empty()) {
    throw Error(ErrorCode::unsupported,
                fmt::format("pigment '{}' has no reflectance measurements and no K and S: the "
                            "Kubelka–Munk model needs spectra; use the 'lab' model for Lab-only "
                            "catalogs",
                            pigment.code));
  }
  if (options.constants == KmConstants::single) {
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      const double card_ratio = km_ratio(saunderson_to_internal(card[i], options.saunderson));
      colorant.k[i] = fit_single_constant(steps, i, card_ratio, options.saunderson);
      colorant.s[i] = 1;
    }
    return colorant;
  }
  if (distinct_concentrations(steps) < 2) {
    throw Error(ErrorCode::unsupported,
                fmt::format("pigment '{}' has reflectance at one concentration only and no K and "
                            "S: two-constant Kubelka–Munk needs a dilution series (two or more "
                            "concentrations); use the single-constant model 'km1' or 'lab'",
                            pigment.code));
  }
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    const double card_internal = saunderson_to_internal(card[i], options.saunderson);
    const auto [k, s] = fit_two_constant(steps, i, card_internal, options.saunderson);
    colorant.k[i] = k;
    colorant.s[i] = s;
  }
  return colorant;
}

std::vector<Colorant> derive_colorants(std::span<const Pigment> pigments,
                                       const KmOptions& options) {
  std::vector<std::optional<Colorant>> derived(pigments.size());
  std::vector<std::exception_ptr> failed(pigments.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < pigments.size(); i = next++) {
      try {
        derived[i] = derive_colorant(pigments[i], options);
      } catch (...) {
        failed[i] = std::current_exception();
      }
    }
  };
  // A worker per core, none for a handful of pigments (a thread costs more than their fits).
  const std::size_t workers =
      pigments.size() < 8 ? 0
                          : std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()),
                                                  pigments.size() / 4) -
                                1;
  std::vector<std::jthread> threads;
  threads.reserve(workers);
  for (std::size_t t = 0; t < workers; ++t)
    threads.emplace_back(work);
  work();
  threads.clear();  // joins
  std::vector<Colorant> out;
  out.reserve(pigments.size());
  for (std::size_t i = 0; i < pigments.size(); ++i) {
    if (failed[i])
      std::rethrow_exception(failed[i]);
    out.push_back(std::move(*derived[i]));
  }
  return out;
}

Spectrum km_mix(std::span<const Colorant> colorants, MixSpan mix,
                const std::optional<Spectrum>& substrate, const KmOptions& options) {
  const auto [k, s] = detail::sum_mix_ks(colorants, mix);
  Spectrum out;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    const double background =
        substrate ? saunderson_to_internal((*substrate)[i], options.saunderson) : 0.0;
    double internal;
    if (options.constants == KmConstants::single) {
      internal = km_opaque_reflectance((substrate ? km_ratio(background) : 0.0) + k[i]);
    } else if (substrate) {
      internal = km_layer_reflectance(k[i], s[i], background);
    } else {
      internal = s[i] > 0 ? km_opaque_reflectance(k[i] / s[i]) : (k[i] > 0 ? 0.0 : 1.0);
    }
    out[i] = saunderson_to_measured(internal, options.saunderson);
  }
  return out;
}

// ---- Lab model ------------------------------------------------------------------------------

LabColorant derive_lab_colorant(const Pigment& pigment, const Lab& card) {
  LabColorant colorant{pigment.code, pigment.is_diluent, {}};
  if (pigment.is_diluent)
    return colorant;
  colorant.steps.emplace_back(0.0, card);
  for (const Measurement& m : pigment.measurements) {
    if (m.lab_d50)
      colorant.steps.emplace_back(m.concentration, *m.lab_d50);
    else if (m.reflectance)
      colorant.steps.emplace_back(m.concentration, to_lab(*m.reflectance));
  }
  if (colorant.steps.size() == 1) {
    throw Error(ErrorCode::unsupported,
                fmt::format("pigment '{}' has no colour measurement (Lab or reflectance) for the "
                            "'lab' model",
                            pigment.code));
  }
  std::stable_sort(colorant.steps.begin(), colorant.steps.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return colorant;
}

namespace {

Lab lerp(const Lab& a, const Lab& b, double t) {
  return {a.L + (b.L - a.L) * t, a.a + (b.a - a.a) * t, a.b + (b.b - a.b) * t};
}

Lab along_series(const LabColorant& colorant, double concentration) {
  const auto& steps = colorant.steps;
  if (concentration >= steps.back().first)
    return steps.back().second;  // above the strongest step: held (a masstone is the limit)
  std::size_t upper = 1;
  while (steps[upper].first < concentration)
    ++upper;
  const auto& [c0, lab0] = steps[upper - 1];
  const auto& [c1, lab1] = steps[upper];
  return c1 > c0 ? lerp(lab0, lab1, (concentration - c0) / (c1 - c0)) : lab1;
}

}  // namespace

Lab lab_mix(std::span<const LabColorant> colorants, MixSpan mix, const Lab& card) {
  double total = 0;
  for (std::size_t j = 0; j < mix.pigments.size(); ++j) {
    if (!colorants[mix.pigments[j]].is_diluent)
      total += mix.concentrations[j];
  }
  if (total <= 0)
    return card;
  Lab out{};
  for (std::size_t j = 0; j < mix.pigments.size(); ++j) {
    const LabColorant& colorant = colorants[mix.pigments[j]];
    if (colorant.is_diluent || mix.concentrations[j] == 0)
      continue;
    const double weight = mix.concentrations[j] / total;
    const Lab lab = along_series(colorant, total);
    out.L += weight * lab.L;
    out.a += weight * lab.a;
    out.b += weight * lab.b;
  }
  return out;
}

// ---- built-in mixers ------------------------------------------------------------------------

namespace {

class KmMixer final : public Mixer {
 public:
  KmMixer(std::span<const Pigment> pigments, const MixerConditions& conditions)
      : colorants_(derive_colorants(pigments, conditions.km)),
        substrate_(conditions.substrate),
        options_(conditions.km) {
    film_.colorants = colorants_;
    film_.saunderson = options_.saunderson;
    if (substrate_) {
      for (std::size_t i = 0; i < Spectrum::band_count; ++i)
        film_.background[i] = saunderson_to_internal((*substrate_)[i], options_.saunderson);
    }
  }
  // film_ views colorants_: not copyable.
  KmMixer(const KmMixer&) = delete;
  KmMixer& operator=(const KmMixer&) = delete;
  bool spectral() const noexcept override { return true; }
  MixColour mix(MixSpan mix) const override {
    return {km_mix(colorants_, mix, substrate_, options_), {}};
  }
  const KmFilm* km_film() const noexcept override {
    return substrate_ && options_.constants == KmConstants::two ? &film_ : nullptr;
  }

 private:
  std::vector<Colorant> colorants_;
  std::optional<Spectrum> substrate_;
  KmOptions options_;
  KmFilm film_;
};

class LabMixer final : public Mixer {
 public:
  LabMixer(std::span<const Pigment> pigments, const MixerConditions& conditions)
      : card_(to_lab(Spectrum::constant(conditions.km.card_reflectance))) {
    for (const Pigment& p : pigments)
      colorants_.push_back(derive_lab_colorant(p, card_));
  }
  bool spectral() const noexcept override { return false; }
  MixColour mix(MixSpan mix) const override {
    return {std::nullopt, lab_mix(colorants_, mix, card_)};
  }

 private:
  Lab card_;
  std::vector<LabColorant> colorants_;
};

class SkinMixer final : public Mixer {
 public:
  SkinMixer(std::span<const Pigment> pigments, const MixerConditions& conditions)
      : colorants_(derive_colorants(pigments, conditions.km)),
        optics_(skin_optics(skin_of(conditions), conditions.skin)),
        parameters_(conditions.skin) {}
  bool spectral() const noexcept override { return true; }
  MixColour mix(MixSpan mix) const override {
    return {skin_mix(colorants_, mix, optics_, parameters_), {}};
  }

 private:
  static Spectrum skin_of(const MixerConditions& conditions) {
    if (conditions.substrate)
      return *conditions.substrate;
    if (conditions.substrate_lab)
      return reconstruct_reflectance(*conditions.substrate_lab);
    throw Error(ErrorCode::invalid_argument,
                "the 'skin' model needs the client's skin (a spectrum or Lab, e.g. --skin L,a,b)");
  }
  std::vector<Colorant> colorants_;
  SkinOptics optics_;
  SkinParameters parameters_;
};

}  // namespace

std::unique_ptr<Mixer> make_builtin_mixer(BuiltinModel model, std::span<const Pigment> pigments,
                                          const MixerConditions& conditions) {
  switch (model) {
    case BuiltinModel::lab:
      return std::make_unique<LabMixer>(pigments, conditions);
    case BuiltinModel::km:
    case BuiltinModel::km1: {
      MixerConditions c = conditions;
      c.km.constants = model == BuiltinModel::km ? KmConstants::two : KmConstants::single;
      return std::make_unique<KmMixer>(pigments, c);
    }
    case BuiltinModel::skin: {
      MixerConditions c = conditions;
      c.km.constants = KmConstants::two;
      return std::make_unique<SkinMixer>(pigments, c);
    }
  }
  throw Error(ErrorCode::invalid_argument, "unknown mixing model");
}

std::string_view to_string(BuiltinModel model) noexcept {
  switch (model) {
    case BuiltinModel::lab:
      return "lab";
    case BuiltinModel::km:
      return "km";
    case BuiltinModel::km1:
      return "km1";
    case BuiltinModel::skin:
      return "skin";
  }
  return "?";
}

BuiltinModel parse_builtin_model(std::string_view name) {
  for (const BuiltinModel m :
       {BuiltinModel::lab, BuiltinModel::km, BuiltinModel::km1, BuiltinModel::skin}) {
    if (to_string(m) == name)
      return m;
  }
  throw Error(ErrorCode::invalid_argument,
              fmt::format("unknown mixing model '{}': use lab, km (two-constant Kubelka–Munk), "
                          "km1 (single-constant) or skin",
                          name));
}

}  // namespace pigmatch
