// A Mixer over a plugin's mixing model (plugin_host.h): how the formulator drives any model,
// built in or a vendor's, through the C ABI.
#include <fmt/format.h>

#include <vector>

#include "pigmatch/error.h"
#include "pigmatch/formulate.h"
#include "pigmatch/plugin_host.h"

namespace pigmatch {
namespace {

class PluginMixer final : public Mixer {
 public:
  PluginMixer(MixingModel model, std::span<const Pigment> pigments, MixConditions conditions)
      : model_(std::move(model)), conditions_(std::move(conditions)), count_(pigments.size()) {
    model_.prepare(pigments);
    spectral_ = model_.info().outputs_reflectance;
  }
  bool spectral() const noexcept override { return spectral_; }
  MixColour mix(MixSpan mix) const override {
    // The ABI takes every prepared pigment's concentration; the formulator's mixes are sparse.
    std::vector<double> concentrations(count_, 0.0);
    for (std::size_t j = 0; j < mix.pigments.size(); ++j)
      concentrations[mix.pigments[j]] += mix.concentrations[j];
    const MixPrediction p = model_.predict(concentrations, conditions_);
    if (p.reflectance)
      return {p.reflectance, {}};
    return {std::nullopt, *p.lab_d50};
  }

 private:
  MixingModel model_;
  MixConditions conditions_;
  std::size_t count_;
  bool spectral_ = false;
};

}  // namespace

std::unique_ptr<Mixer> make_plugin_mixer(MixingModel model, std::span<const Pigment> pigments,
                                         const MixConditions& conditions) {
  return std::make_unique<PluginMixer>(std::move(model), pigments, conditions);
}

}  // namespace pigmatch
