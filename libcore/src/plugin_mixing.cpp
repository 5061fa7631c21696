// MixingModel: a plugin's mixing model bound to pigments. The host side of the mixing-model
// kind of plugin.h; the formulation module drives it.
#include <fmt/format.h>

#include <cmath>

#include "pigmatch/error.h"
#include "pigmatch/plugin.hpp"
#include "pigmatch/plugin_host.h"
#include "plugin_internal.h"

namespace pigmatch {

struct MixingModel::Impl {
  std::shared_ptr<plugin_detail::LoadedPlugin> plugin;  // keeps the library mapped
  const pigmatch_mixing_model* model = nullptr;
  MixingModelInfo info;
  pigmatch_mixing_state* state = nullptr;
  std::size_t pigment_count = 0;

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
  std::optional<pigmatch_lab> substrate_lab;
  if (conditions.substrate_lab_d50) {
    const Lab& lab = *conditions.substrate_lab_d50;
    substrate_lab = pigmatch_lab{lab.L, lab.a, lab.b};
  }
  std::vector<pigmatch_parameter> parameters;
  for (const auto& [name, value] : conditions.parameters) {
    parameters.push_back({name.c_str(), value});
  }
  const pigmatch_mix_conditions pod_conditions{
      sizeof(pigmatch_mix_conditions),
      conditions.substrate_reflectance ? conditions.substrate_reflectance->values().data()
                                       : nullptr,
      substrate_lab ? &*substrate_lab : nullptr, parameters.size(), parameters.data()};
  pigmatch_prediction out{};
  out.struct_size = sizeof out;
  const pigmatch_mixing_model* model = impl_->model;
  impl_->plugin->call_unlocked(fmt::format("predict of mixing model '{}'", impl_->info.id), [&] {
    return model->predict(model, impl_->state, concentrations.data(), concentrations.size(),
                          &pod_conditions, &out);
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

namespace plugin_detail {

MixingModel make_mixing_model(std::shared_ptr<LoadedPlugin> plugin, std::size_t index) {
  auto model = std::make_unique<MixingModel::Impl>();
  model->model = plugin->descriptor().mixing_models[index];
  model->info = plugin->info().mixing_models[index];
  model->plugin = std::move(plugin);
  return MixingModel(std::move(model));
}

}  // namespace plugin_detail

}  // namespace pigmatch
