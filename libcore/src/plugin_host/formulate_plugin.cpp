// A Mixer over a plugin's mixing model (plugin_host.h): how the formulator drives any model,
// built in or a vendor's, through the C ABI. A model that declares itself a two-constant
// Kubelka–Munk film (describe_km_film) is laid open as a KmFilm, so the formulator evaluates it
// and its derivatives directly instead of calling the plugin for every candidate mix.
#include <fmt/format.h>

#include <optional>
#include <vector>

#include "pigmatch/error.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/plugin_host/plugin_host.h"

namespace pigmatch {
namespace {

class PluginMixer final : public Mixer {
 public:
  PluginMixer(MixingModel model, std::span<const Pigment> pigments, MixConditions conditions)
      : model_(std::move(model)), conditions_(std::move(conditions)), count_(pigments.size()) {
    model_.prepare(pigments);
    spectral_ = model_.info().outputs_reflectance;
    if (spectral_)
      lay_open(pigments);
  }
  // film_ views colorants_: not copyable.
  PluginMixer(const PluginMixer&) = delete;
  PluginMixer& operator=(const PluginMixer&) = delete;

  bool spectral() const noexcept override { return spectral_; }
  MixColour mix(MixSpan mix) const override {
    // The ABI takes every prepared pigment's concentration; the formulator's mixes are sparse.
    // One buffer per thread, not one allocation per call: mix() runs in the optimiser's loops.
    thread_local std::vector<double> concentrations;
    concentrations.assign(count_, 0.0);
    for (std::size_t j = 0; j < mix.pigments.size(); ++j)
      concentrations[mix.pigments[j]] += mix.concentrations[j];
    const MixPrediction p = model_.predict(concentrations, conditions_);
    if (p.reflectance)
      return {p.reflectance, {}};
    return {std::nullopt, *p.lab_d50};
  }
  const KmFilm* km_film() const noexcept override { return film_ ? &*film_ : nullptr; }

 private:
  void lay_open(std::span<const Pigment> pigments) {
    const std::optional<KmFilmDeclaration> declared = model_.km_film(conditions_);
    if (!declared)
      return;
    colorants_.reserve(count_);
    for (std::size_t i = 0; i < count_; ++i) {
      colorants_.push_back(
          {pigments[i].code, pigments[i].is_diluent, declared->k[i], declared->s[i]});
    }
    film_.emplace();
    film_->colorants = colorants_;
    film_->background = declared->background.values();
    film_->saunderson = {declared->k1, declared->k2};
  }

  MixingModel model_;
  MixConditions conditions_;
  std::size_t count_;
  bool spectral_ = false;
  std::vector<Colorant> colorants_;
  std::optional<KmFilm> film_;
};

}  // namespace

std::unique_ptr<Mixer> make_plugin_mixer(MixingModel model, std::span<const Pigment> pigments,
                                         const MixConditions& conditions) {
  return std::make_unique<PluginMixer>(std::move(model), pigments, conditions);
}

}  // namespace pigmatch
