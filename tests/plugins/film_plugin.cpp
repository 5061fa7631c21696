// A test plugin with two mixing models about the optional describe_km_film (plugin.h):
//
//   FILM_MODEL_ID ("test-film")  a two-constant Kubelka–Munk film written with plugin.hpp, which
//       declares its film. Its documented K and S (computed again by the tests) are, for pigment i
//       of the prepared list and band b: k = 0.3·(i + 1)·(1 + b/35), s = 0.2 + 0.01·b; the
//       diluent 0. predict evaluates Kubelka's hyperbolic form itself (not the host's β form).
//       Parameters of the conditions make the declaration wrong on purpose: "lie" doubles its K,
//       "negative" gives pigment 0 a K of −1.
//   "test-v1-film"  a model as built against plugin.h before describe_km_film existed: its
//       pigmatch_mixing_model is the shorter original struct. Right behind it in memory lies a
//       function pointer where the new field would be, declaring a film that contradicts predict
//       (a flat 0.5): a host that read past struct_size would call it and refuse the model.
//
// FILM_MODEL_ID and TEST_PLUGIN_ID are set by CMake: built again as "km" in its own folder, the
// plugin shadows the built-in km model (tests/cli/match_test.cpp).
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "pigmatch/plugin.hpp"

namespace pp = pigmatch::plugin;

namespace {

constexpr std::size_t bands = PIGMATCH_BAND_COUNT;
constexpr double k1 = 0.04, k2 = 0.6;  // Saunderson

double documented_k(std::size_t pigment, std::size_t band) {
  return 0.3 * static_cast<double>(pigment + 1) * (1 + static_cast<double>(band) / 35.0);
}
double documented_s(std::size_t band) {
  return 0.2 + 0.01 * static_cast<double>(band);
}

bool has_parameter(const pigmatch_mix_conditions& conditions, const std::string& name) {
  for (std::size_t i = 0; i < conditions.parameter_count; ++i) {
    if (name == conditions.parameters[i].name && conditions.parameters[i].value > 0)
      return true;
  }
  return false;
}

class FilmState : public pp::MixingState {
 public:
  std::vector<bool> diluent;
};

class FilmModel : public pp::MixingModel {
 public:
  FilmModel()
      : pp::MixingModel({.id = FILM_MODEL_ID,
                         .name = "Film (test)",
                         .description = "a KM film that declares itself",
                         .outputs = PIGMATCH_OUTPUT_REFLECTANCE,
                         .needs = 0}) {}

  std::unique_ptr<pp::MixingState> prepare(std::span<const pigmatch_pigment* const> pigments,
                                           std::span<const pigmatch_parameter>) const override {
    auto state = std::make_unique<FilmState>();
    for (const pigmatch_pigment* p : pigments)
      state->diluent.push_back(p->is_diluent != 0);
    return state;
  }

  void predict(const pp::MixingState& base, std::span<const double> c,
               const pigmatch_mix_conditions& conditions, pigmatch_prediction& out) const override {
    const auto& state = static_cast<const FilmState&>(base);
    for (std::size_t b = 0; b < bands; ++b) {
      double k = 0, s = 0;
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (!state.diluent[i]) {
          k += c[i] * documented_k(i, b);
          s += c[i] * documented_s(b);
        }
      }
      double body;
      if (conditions.substrate_reflectance == nullptr) {
        body = s > 0 ? 1 + k / s - std::sqrt((k / s) * (k / s) + 2 * k / s) : 0.0;  // opaque
      } else {
        const double m = conditions.substrate_reflectance[b] - k1;
        const double rg = m / ((1 - k1) * (1 - k2) + k2 * m);
        if (s == 0) {
          body = rg * std::exp(-2 * k);
        } else {  // Kubelka's hyperbolic form: a = 1 + K/S, b = √(a² − 1)
          const double a = 1 + k / s, bb = std::sqrt(a * a - 1), coth = 1 / std::tanh(bb * s);
          body = (1 - rg * (a - bb * coth)) / (a - rg + bb * coth);
        }
      }
      out.reflectance[b] = k1 + (1 - k1) * (1 - k2) * body / (1 - k2 * body);
    }
    out.has = PIGMATCH_OUTPUT_REFLECTANCE;
  }

  bool describe_km_film(const pp::MixingState& base, const pigmatch_mix_conditions& conditions,
                        pigmatch_km_film& film) const override {
    if (conditions.substrate_reflectance == nullptr)
      return false;  // opaque: not a film
    const auto& state = static_cast<const FilmState&>(base);
    const double scale = has_parameter(conditions, "lie") ? 2.0 : 1.0;
    for (std::size_t i = 0; i < film.pigment_count; ++i) {
      for (std::size_t b = 0; b < bands; ++b) {
        film.k[i * bands + b] = state.diluent[i] ? 0.0 : scale * documented_k(i, b);
        film.s[i * bands + b] = state.diluent[i] ? 0.0 : documented_s(b);
      }
    }
    if (has_parameter(conditions, "negative"))
      film.k[0] = -1;
    for (std::size_t b = 0; b < bands; ++b) {
      const double m = conditions.substrate_reflectance[b] - k1;
      film.background[b] = m / ((1 - k1) * (1 - k2) + k2 * m);
    }
    film.k1 = k1;
    film.k2 = k2;
    return true;
  }
};

// ---- the model as built before describe_km_film --------------------------------------------

// pigmatch_mixing_model as ABI 1 first defined it, field for field.
struct MixingModelV1 {
  uint32_t struct_size;
  const char* id;
  const char* name;
  const char* description;
  uint32_t outputs;
  uint32_t needs;
  decltype(pigmatch_mixing_model::prepare) prepare;
  decltype(pigmatch_mixing_model::predict) predict;
  decltype(pigmatch_mixing_model::release) release;
  void* user_data;
};
static_assert(sizeof(MixingModelV1) == offsetof(pigmatch_mixing_model, describe_km_film));

int v1_state;  // every prepare returns this; there is nothing to keep

pigmatch_status v1_prepare(const pigmatch_mixing_model*, const pigmatch_pigment* const*, size_t,
                           const pigmatch_parameter*, size_t, pigmatch_mixing_state** out) {
  *out = reinterpret_cast<pigmatch_mixing_state*>(&v1_state);
  return PIGMATCH_OK;
}
pigmatch_status v1_predict(const pigmatch_mixing_model*, const pigmatch_mixing_state*,
                           const double*, size_t, const pigmatch_mix_conditions*,
                           pigmatch_prediction* out) {
  for (double& r : out->reflectance)
    r = 0.5;
  out->has = PIGMATCH_OUTPUT_REFLECTANCE;
  return PIGMATCH_OK;
}
void v1_release(const pigmatch_mixing_model*, pigmatch_mixing_state*) {}

// Where describe_km_film would be: a film of nothing over a 0.9 background, which is not 0.5.
pigmatch_status trap(const pigmatch_mixing_model*, const pigmatch_mixing_state*,
                     const pigmatch_mix_conditions*, pigmatch_km_film* film) {
  for (std::size_t i = 0; i < film->pigment_count * bands; ++i)
    film->k[i] = film->s[i] = 0;
  for (double& g : film->background)
    g = 0.9;
  film->k1 = film->k2 = 0;
  return PIGMATCH_OK;
}

struct V1Layout {
  MixingModelV1 model;
  decltype(pigmatch_mixing_model::describe_km_film) beyond;
};
const V1Layout v1_layout{
    {sizeof(MixingModelV1), "test-v1-film", "V1 film (test)", "built before describe_km_film",
     PIGMATCH_OUTPUT_REFLECTANCE, 0, &v1_prepare, &v1_predict, &v1_release, nullptr},
    &trap};

const pigmatch_plugin* make_plugin() {
  static const FilmModel film;
  static const pigmatch_mixing_model* const models[] = {
      film.abi(), reinterpret_cast<const pigmatch_mixing_model*>(&v1_layout.model)};
  static const pigmatch_plugin plugin{sizeof(pigmatch_plugin),
                                      PIGMATCH_PLUGIN_MAGIC,
                                      PIGMATCH_PLUGIN_ABI_VERSION,
                                      TEST_PLUGIN_ID,
                                      "Film test plugin",
                                      "1.0",
                                      "pigmatch",
                                      "",
                                      &pp::last_error,
                                      0,
                                      nullptr,
                                      2,
                                      models};
  return &plugin;
}

}  // namespace

extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host* /*host*/) {
  const pigmatch_plugin* descriptor = nullptr;
  pp::guard([&] { descriptor = make_plugin(); });
  return descriptor;
}
