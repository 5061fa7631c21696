// MixingModel: a plugin's mixing model bound to pigments. The host side of the mixing-model
// kind of plugin.h; the formulation module drives it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "pigmatch/error.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/plugin.hpp"
#include "pigmatch/plugin_host/plugin_host.h"
#include "plugin_host/plugin_internal.h"

namespace pigmatch {

struct MixingModel::Impl {
  std::shared_ptr<plugin_detail::LoadedPlugin> plugin;  // keeps the library mapped
  const pigmatch_mixing_model* model = nullptr;
  MixingModelInfo info;
  pigmatch_mixing_state* state = nullptr;
  std::size_t pigment_count = 0;
  // Names of the calls for messages, made once: predict runs in optimisation loops.
  std::string predict_call;
  std::string film_call;

  void release_state() noexcept {
    if (state == nullptr)
      return;
    pigmatch_mixing_state* doomed = state;
    state = nullptr;
    plugin->call_noexcept([&] { model->release(model, doomed); });
  }
  ~Impl() { release_state(); }
};

namespace {

plugin::SpectrumData to_data(const Spectrum& spectrum) {
  return {{spectrum.values().begin(), spectrum.values().end()}, {}};
}

std::optional<plugin::SpectrumData> to_data(const std::optional<Spectrum>& spectrum) {
  if (!spectrum)
    return std::nullopt;
  return to_data(*spectrum);
}

// The host's pigments as the ABI's POD, through the same builder plugins use.
plugin::PigmentData to_data(const Pigment& p) {
  plugin::PigmentData d;
  d.code = p.code;
  d.name = p.name;
  d.product_line = p.line;
  d.ci_numbers = p.ci_numbers;
  for (const Measurement& m : p.measurements) {
    std::optional<pigmatch_lab> lab;
    if (m.lab_d50)
      lab = pigmatch_lab{m.lab_d50->L, m.lab_d50->a, m.lab_d50->b};
    d.measurements.push_back({m.concentration, m.substrate, to_data(m.reflectance), lab});
  }
  d.k = to_data(p.k);
  d.s = to_data(p.s);
  d.drop_volume_ml = p.drop_volume_ml;
  if (p.price)
    d.price = plugin::PriceData{p.price->amount, p.price->currency, p.price->volume_ml};
  for (const Lot& lot : p.lots)
    d.lots.push_back({lot.lot, lot.expiry});
  d.compliance = p.compliance;
  d.sds_reference = p.sds_reference;
  d.is_diluent = p.is_diluent;
  return d;
}

// MixConditions as the ABI's POD, pointing into this object (hence neither copied nor moved).
class PodConditions {
 public:
  explicit PodConditions(const MixConditions& conditions) {
    if (conditions.substrate_lab_d50) {
      const Lab& lab = *conditions.substrate_lab_d50;
      lab_ = pigmatch_lab{lab.L, lab.a, lab.b};
    }
    parameters_.reserve(conditions.parameters.size());
    for (const auto& [name, value] : conditions.parameters)
      parameters_.push_back({name.c_str(), value});
    pod_ = {sizeof(pigmatch_mix_conditions),
            conditions.substrate_reflectance ? conditions.substrate_reflectance->values().data()
                                             : nullptr,
            lab_ ? &*lab_ : nullptr, parameters_.size(), parameters_.data()};
  }
  PodConditions(const PodConditions&) = delete;
  PodConditions& operator=(const PodConditions&) = delete;
  const pigmatch_mix_conditions* get() const noexcept { return &pod_; }

 private:
  std::optional<pigmatch_lab> lab_;
  std::vector<pigmatch_parameter> parameters_;
  pigmatch_mix_conditions pod_{};
};

// The measured reflectance of a declared film at `concentrations`, by libcore's own KM and
// Saunderson (mixing.h): what predict must agree with.
Spectrum evaluate_film(const KmFilmDeclaration& film, std::span<const double> concentrations) {
  const Saunderson surface{film.k1, film.k2};
  Spectrum out;
  for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
    double k = 0, s = 0;
    for (std::size_t i = 0; i < concentrations.size(); ++i) {
      k += concentrations[i] * film.k[i][band];
      s += concentrations[i] * film.s[i][band];
    }
    out[band] = saunderson_to_measured(km_layer_reflectance(k, s, film.background[band]), surface);
  }
  return out;
}

// How far a declared film may stray from the model's own predictions (reflectance factor): far
// below anything visible, far above the rounding of a faithful implementation.
constexpr double film_tolerance = 1e-6;

}  // namespace

MixingModel::MixingModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MixingModel::~MixingModel() = default;
MixingModel::MixingModel(MixingModel&&) noexcept = default;
MixingModel& MixingModel::operator=(MixingModel&&) noexcept = default;

const MixingModelInfo& MixingModel::info() const noexcept {
  return impl_->info;
}
const std::string& MixingModel::plugin_id() const noexcept {
  return impl_->plugin->info().id;
}

void MixingModel::prepare(std::span<const Pigment> pigments,
                          std::span<const std::pair<std::string, double>> parameters) {
  impl_->release_state();
  plugin::CatalogData catalog;
  for (const Pigment& p : pigments)
    catalog.pigments.push_back(to_data(p));
  plugin::CatalogSet set;
  set.add(std::move(catalog));
  const pigmatch_catalog* pod = set.view()->catalogs[0];
  std::vector<pigmatch_parameter> pod_parameters;
  for (const auto& [name, value] : parameters)
    pod_parameters.push_back({name.c_str(), value});

  pigmatch_mixing_state* state = nullptr;
  const pigmatch_mixing_model* model = impl_->model;
  impl_->plugin->call(fmt::format("prepare of mixing model '{}'", impl_->info.id), [&] {
    return model->prepare(model, pod->pigments, pod->pigment_count, pod_parameters.data(),
                          pod_parameters.size(), &state);
  });
  if (state == nullptr) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: prepare of mixing model '{}' returned OK but no state",
                            impl_->plugin->label(), impl_->info.id));
  }
  impl_->state = state;
  impl_->pigment_count = pigments.size();
}

MixPrediction MixingModel::predict(std::span<const double> concentrations,
                                   const MixConditions& conditions) const {
  if (impl_->state == nullptr) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("mixing model '{}' used before prepare()", impl_->info.id));
  }
  if (concentrations.size() != impl_->pigment_count) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("mixing model '{}' was prepared for {} pigments but got {} "
                            "concentrations",
                            impl_->info.id, impl_->pigment_count, concentrations.size()));
  }
  const PodConditions pod_conditions(conditions);
  pigmatch_prediction out{};
  out.struct_size = sizeof out;
  const pigmatch_mixing_model* model = impl_->model;
  impl_->plugin->call_unlocked(impl_->predict_call, [&] {
    return model->predict(model, impl_->state, concentrations.data(), concentrations.size(),
                          pod_conditions.get(), &out);
  });

  const auto reject = [&](const std::string& problem) {
    return Error(
        ErrorCode::corrupt_data,
        fmt::format("{}: mixing model '{}' {}", impl_->plugin->label(), impl_->info.id, problem));
  };
  MixPrediction prediction;
  if ((out.has & PIGMATCH_OUTPUT_REFLECTANCE) != 0) {
    Spectrum::Values values{};
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      const double v = out.reflectance[i];
      if (!std::isfinite(v) || v < 0 || v > 1.5) {
        throw reject(fmt::format("predicted reflectance {} at {} nm, outside 0–1.5", v,
                                 Spectrum::wavelength(i)));
      }
      values[i] = v;
    }
    prediction.reflectance = Spectrum(values);
  }
  if ((out.has & PIGMATCH_OUTPUT_LAB_D50) != 0) {
    const pigmatch_lab& lab = out.lab_d50;
    if (!std::isfinite(lab.L) || !std::isfinite(lab.a) || !std::isfinite(lab.b) || lab.L < 0 ||
        lab.L > 100) {
      throw reject(fmt::format("predicted an impossible Lab ({}, {}, {})", lab.L, lab.a, lab.b));
    }
    prediction.lab_d50 = Lab{lab.L, lab.a, lab.b};
  }
  if (!prediction.reflectance && !prediction.lab_d50) {
    throw reject("returned OK but filled neither reflectance nor Lab");
  }
  return prediction;
}

std::optional<KmFilmDeclaration> MixingModel::km_film(const MixConditions& conditions) const {
  const pigmatch_mixing_model* model = impl_->model;
  if (!PIGMATCH_HAS_FIELD(model, pigmatch_mixing_model, describe_km_film) ||
      model->describe_km_film == nullptr) {
    return std::nullopt;
  }
  if (impl_->state == nullptr) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("mixing model '{}' used before prepare()", impl_->info.id));
  }
  const std::size_t n = impl_->pigment_count;
  std::vector<double> k(n * Spectrum::band_count), s(n * Spectrum::band_count);
  pigmatch_km_film pod{};
  pod.struct_size = sizeof pod;
  pod.pigment_count = n;
  pod.k = k.data();
  pod.s = s.data();
  const PodConditions pod_conditions(conditions);
  bool declared = true;
  impl_->plugin->call_unlocked(impl_->film_call, [&] {
    const pigmatch_status status =
        model->describe_km_film(model, impl_->state, pod_conditions.get(), &pod);
    declared = status != PIGMATCH_ERROR_UNSUPPORTED;  // "not a film here" is an answer
    return declared ? status : PIGMATCH_OK;
  });
  if (!declared)
    return std::nullopt;

  const auto reject = [&](const std::string& problem) {
    return Error(ErrorCode::corrupt_data,
                 fmt::format("{}: mixing model '{}' declares a Kubelka–Munk film {}; report this "
                             "to the plugin's vendor",
                             impl_->plugin->label(), impl_->info.id, problem));
  };
  KmFilmDeclaration film;
  film.k1 = pod.k1;
  film.k2 = pod.k2;
  if (!(film.k1 >= 0 && film.k1 < 1 && film.k2 >= 0 && film.k2 < 1))
    throw reject(fmt::format("with Saunderson k1 = {}, k2 = {}, outside [0, 1)", film.k1, film.k2));
  for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
    const double g = pod.background[band];
    if (!(g >= 0 && g <= 1))
      throw reject(fmt::format("over a background of {} at {} nm, outside 0–1", g,
                               Spectrum::wavelength(band)));
    film.background[band] = g;
  }
  for (std::size_t i = 0; i < n; ++i) {
    Spectrum::Values ki{}, si{};
    for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
      ki[band] = k[i * Spectrum::band_count + band];
      si[band] = s[i * Spectrum::band_count + band];
      if (!(ki[band] >= 0 && si[band] >= 0 && std::isfinite(ki[band]) && std::isfinite(si[band])))
        throw reject(fmt::format("with K = {}, S = {} for pigment {} at {} nm", ki[band], si[band],
                                 i, Spectrum::wavelength(band)));
    }
    film.k.emplace_back(ki);
    film.s.emplace_back(si);
  }

  // The declaration replaces predict in the search, so it must be predict: compare them on every
  // pigment alone and on the even mix of all.
  std::vector<double> c(n, 0.0);
  for (std::size_t probe = 0; probe <= n; ++probe) {
    if (probe < n) {
      std::fill(c.begin(), c.end(), 0.0);
      c[probe] = 1.0;
    } else {
      std::fill(c.begin(), c.end(), 1.0 / static_cast<double>(n));
    }
    const MixPrediction predicted = predict(c, conditions);
    if (!predicted.reflectance)
      throw reject("but predicts no reflectance");
    const Spectrum declared_r = evaluate_film(film, c);
    for (std::size_t band = 0; band < Spectrum::band_count; ++band) {
      const double gap = std::abs(declared_r[band] - (*predicted.reflectance)[band]);
      if (!(gap <= film_tolerance)) {
        throw reject(fmt::format(
            "that differs from its own prediction by {:.2g} at {} nm ({})", gap,
            Spectrum::wavelength(band),
            probe < n ? fmt::format("pigment {} alone", probe) : std::string("an even mix")));
      }
    }
  }
  return film;
}

namespace plugin_detail {

MixingModel make_mixing_model(std::shared_ptr<LoadedPlugin> plugin, std::size_t index) {
  auto model = std::make_unique<MixingModel::Impl>();
  model->model = plugin->descriptor().mixing_models[index];
  model->info = plugin->info().mixing_models[index];
  model->predict_call = fmt::format("predict of mixing model '{}'", model->info.id);
  model->film_call = fmt::format("describe_km_film of mixing model '{}'", model->info.id);
  model->plugin = std::move(plugin);
  return MixingModel(std::move(model));
}

}  // namespace plugin_detail

}  // namespace pigmatch
