// Fitting the skin model's pigment load and epidermis thickness to healed records, with k-fold
// cross-validation (model_fit.h).
#include "pigmatch/formulation/model_fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "pigmatch/error.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "support/small_file.h"

namespace pigmatch {
namespace {

// The search box: pigment load 0.05–5 (log-spaced: colour responds to it roughly
// logarithmically), epidermis 20–200 µm (thin scalp to thick palm skin).
constexpr double log_load_min = -1.3, log_load_max = 0.7;
constexpr double thickness_min = 20, thickness_max = 200;

// A record with its skin's reflectance reconstructed once (it does not depend on the parameters).
struct Prepared {
  const HealedRecord* record;
  Spectrum skin;
};

Lab predict(const Prepared& p, const SkinParameters& parameters) {
  const SkinOptics optics = skin_optics(p.skin, parameters);
  std::vector<std::size_t> index(p.record->colorants.size());
  for (std::size_t i = 0; i < index.size(); ++i)
    index[i] = i;
  return to_lab(
      skin_mix(p.record->colorants, {index, p.record->concentrations}, optics, parameters));
}

// The epidermis's thickness and the melanin fraction estimated from the skin's own colour trade
// off (a thinner epidermis is given more melanin for the same skin colour), so healed colours
// hardly tell the thickness: a slight pull towards the default keeps it there unless the records
// say otherwise (0.01 ΔE00² for 50 µm away, against squared errors of tenths to tens).
constexpr double thickness_prior = 0.01;

double mean_square_error(const std::vector<const Prepared*>& records,
                         const SkinParameters& parameters, const SkinParameters& defaults) {
  double sum = 0;
  for (const Prepared* p : records) {
    const double de = delta_e2000(predict(*p, parameters), p->record->healed_d50);
    sum += de * de;
  }
  const double away = (parameters.epidermis_thickness_um - defaults.epidermis_thickness_um) / 50;
  return sum / static_cast<double>(records.size()) + thickness_prior * away * away;
}

SkinParameters with(const SkinParameters& base, double log_load, double thickness) {
  SkinParameters p = base;
  p.pigment_load = std::pow(10.0, log_load);
  p.epidermis_thickness_um = thickness;
  return p;
}

// Least squares over a 12 × 10 grid, then a compass search that halves its steps down to
// 0.001 in log load and 0.1 µm.
SkinParameters fit_parameters(const std::vector<const Prepared*>& records,
                              const SkinParameters& defaults) {
  double best_load = std::log10(defaults.pigment_load),
         best_thickness = defaults.epidermis_thickness_um;
  double best = mean_square_error(records, defaults, defaults);
  constexpr int load_steps = 12, thickness_steps = 10;
  for (int i = 0; i < load_steps; ++i) {
    for (int j = 0; j < thickness_steps; ++j) {
      const double l = log_load_min + (log_load_max - log_load_min) * i / (load_steps - 1);
      const double t = thickness_min + (thickness_max - thickness_min) * j / (thickness_steps - 1);
      const double e = mean_square_error(records, with(defaults, l, t), defaults);
      if (e < best) {
        best = e, best_load = l, best_thickness = t;
      }
    }
  }
  double load_step = (log_load_max - log_load_min) / (load_steps - 1);
  double thickness_step = (thickness_max - thickness_min) / (thickness_steps - 1);
  while (load_step > 1e-3 || thickness_step > 0.1) {
    bool improved = false;
    const std::array<std::pair<double, double>, 4> moves{
        {{load_step, 0}, {-load_step, 0}, {0, thickness_step}, {0, -thickness_step}}};
    for (const auto& [dl, dt] : moves) {
      const double l = std::clamp(best_load + dl, log_load_min, log_load_max);
      const double t = std::clamp(best_thickness + dt, thickness_min, thickness_max);
      const double e = mean_square_error(records, with(defaults, l, t), defaults);
      if (e < best - 1e-12) {
        best = e, best_load = l, best_thickness = t, improved = true;
      }
    }
    if (!improved) {
      load_step /= 2;
      thickness_step /= 2;
    }
  }
  return with(defaults, best_load, best_thickness);
}

ItaClass class_of(const Lab& skin) {
  return classify_ita(ita_degrees(skin));
}

ModelFit fit_all(const std::vector<const Prepared*>& records, const ModelFitOptions& options) {
  ModelFit fit;
  fit.records = records.size();
  fit.all_skins = {std::nullopt, fit_parameters(records, options.defaults), records.size()};
  std::map<ItaClass, std::vector<const Prepared*>> by_class;
  for (const Prepared* p : records)
    by_class[class_of(p->record->skin_d50)].push_back(p);
  for (const auto& [ita_class, members] : by_class) {
    if (members.size() < options.min_records_per_class)
      continue;
    fit.by_class.push_back(
        {ita_class, fit_parameters(members, fit.all_skins.parameters), members.size()});
  }
  return fit;
}

}  // namespace

SkinParameters parameters_for(const ModelFit& fit, const Lab& skin_d50) {
  const ItaClass ita_class = class_of(skin_d50);
  for (const FittedParameters& f : fit.by_class) {
    if (f.ita_class == ita_class)
      return f.parameters;
  }
  return fit.all_skins.parameters;
}

Lab predict_healed(const HealedRecord& record, const SkinParameters& parameters) {
  return predict({&record, reconstruct_reflectance(record.skin_d50)}, parameters);
}

ModelFit fit_skin_model(const std::vector<HealedRecord>& records, const ModelFitOptions& options) {
  if (options.folds < 2 || records.size() < options.folds) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} healed records: fitting the skin model needs at least {} (one per "
                            "fold of the cross-validation); the defaults stay in use until then",
                            records.size(), std::max<std::size_t>(options.folds, 2)));
  }
  for (const HealedRecord& r : records) {
    if (r.colorants.empty() || r.colorants.size() != r.concentrations.size()) {
      throw Error(ErrorCode::invalid_argument,
                  "a healed record needs its formula's pigments, one concentration each");
    }
  }
  std::vector<Prepared> prepared;
  prepared.reserve(records.size());
  for (const HealedRecord& r : records)
    prepared.push_back({&r, reconstruct_reflectance(r.skin_d50)});
  std::vector<const Prepared*> all;
  all.reserve(prepared.size());
  for (const Prepared& p : prepared)
    all.push_back(&p);

  ModelFit fit = fit_all(all, options);
  // Held-out error: each fold predicted by parameters fitted to the other folds (records dealt
  // to folds in turn: deterministic, and every fold gets every kind of record).
  double before = 0, after = 0;
  for (std::size_t fold = 0; fold < options.folds; ++fold) {
    std::vector<const Prepared*> training, held_out;
    for (std::size_t i = 0; i < all.size(); ++i)
      (i % options.folds == fold ? held_out : training).push_back(all[i]);
    const ModelFit trained = fit_all(training, options);
    for (const Prepared* p : held_out) {
      before += delta_e2000(predict(*p, options.defaults), p->record->healed_d50);
      after += delta_e2000(predict(*p, parameters_for(trained, p->record->skin_d50)),
                           p->record->healed_d50);
    }
  }
  fit.held_out_de00_before = before / static_cast<double>(all.size());
  fit.held_out_de00_after = after / static_cast<double>(all.size());
  return fit;
}

namespace {

using Json = nlohmann::ordered_json;
constexpr std::string_view profile_format = "pigmatch-model-profile";

Json parameters_json(const FittedParameters& f) {
  Json j = {{"pigment_load", f.parameters.pigment_load},
            {"epidermis_thickness_um", f.parameters.epidermis_thickness_um},
            {"records", f.records}};
  if (f.ita_class)
    j["ita_class"] = std::string(to_string(*f.ita_class));
  return j;
}

FittedParameters parameters_from(const Json& j, std::string_view source, const std::string& where) {
  const auto bad = [&](const std::string& what) {
    return Error(ErrorCode::corrupt_data,
                 fmt::format("{}: {}: {}; fit the profile again with 'pigmatch model fit'", source,
                             where, what));
  };
  if (!j.is_object())
    throw bad("not an object");
  FittedParameters f;
  const auto number = [&](const char* key, double lo, double hi) {
    const auto at = j.find(key);
    if (at == j.end() || !at->is_number())
      throw bad(fmt::format("'{}' is missing or not a number", key));
    const double v = at->get<double>();
    if (!(v > lo && v <= hi))
      throw bad(fmt::format("'{}' = {} is outside ({}, {}]", key, v, lo, hi));
    return v;
  };
  f.parameters.pigment_load = number("pigment_load", 0, 100);
  f.parameters.epidermis_thickness_um = number("epidermis_thickness_um", 0, 1000);
  f.records = static_cast<std::size_t>(number("records", -1, 1e9));
  if (const auto at = j.find("ita_class"); at != j.end()) {
    if (!at->is_string())
      throw bad("'ita_class' is not a string");
    for (const ItaClass c : {ItaClass::very_light, ItaClass::light, ItaClass::intermediate,
                             ItaClass::tan, ItaClass::brown, ItaClass::dark}) {
      if (to_string(c) == at->get<std::string>())
        f.ita_class = c;
    }
    if (!f.ita_class)
      throw bad(fmt::format("'{}' is not an ITA class", at->get<std::string>()));
  }
  return f;
}

}  // namespace

std::string model_profile_json(const ModelFit& fit, std::string_view name) {
  Json by_class = Json::array();
  for (const FittedParameters& f : fit.by_class)
    by_class.push_back(parameters_json(f));
  const Json j = {{"format", profile_format},
                  {"format_version", 1},
                  {"name", name},
                  {"model", "skin"},
                  {"records", fit.records},
                  {"held_out_de00",
                   {{"defaults", fit.held_out_de00_before}, {"fitted", fit.held_out_de00_after}}},
                  {"all_skins", parameters_json(fit.all_skins)},
                  {"by_class", by_class}};
  return j.dump(2) + "\n";
}

namespace {

ModelFit profile_from(const Json& j, std::string_view source);

}  // namespace

ModelFit read_model_profile(std::string_view text, std::string_view source) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{} is not valid JSON ({}): not a model profile", source, e.what()));
  }
  try {
    return profile_from(j, source);
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong type (value() and get() throw type_error).
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: {}: not a pigmatch model profile", source, e.what()));
  }
}

namespace {

ModelFit profile_from(const Json& j, std::string_view source) {
  if (!j.is_object() || j.value("format", "") != profile_format ||
      j.value("format_version", 0) != 1) {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{} is not a pigmatch model profile (format \"{}\", version 1)", source,
                            profile_format));
  }
  ModelFit fit;
  fit.all_skins = parameters_from(j.value("all_skins", Json()), source, "all_skins");
  fit.all_skins.ita_class.reset();
  const Json classes = j.value("by_class", Json::array());
  if (!classes.is_array())
    throw Error(ErrorCode::corrupt_data, fmt::format("{}: by_class is not a list", source));
  for (std::size_t i = 0; i < classes.size(); ++i) {
    FittedParameters f = parameters_from(classes[i], source, fmt::format("by_class[{}]", i));
    if (!f.ita_class) {
      throw Error(ErrorCode::corrupt_data,
                  fmt::format("{}: by_class[{}] names no ita_class", source, i));
    }
    fit.by_class.push_back(f);
  }
  const Json held_out = j.value("held_out_de00", Json::object());
  if (held_out.is_object()) {
    fit.held_out_de00_before = held_out.value("defaults", 0.0);
    fit.held_out_de00_after = held_out.value("fitted", 0.0);
  }
  fit.records = j.value("records", std::size_t{0});
  return fit;
}

}  // namespace

std::filesystem::path model_profiles_directory() {
  const std::filesystem::path data = user_data_directory();
  return data.empty() ? data : data / "model-profiles";
}

std::vector<std::filesystem::path> saved_model_profiles() {
  std::vector<std::filesystem::path> out;
  const std::filesystem::path folder = model_profiles_directory();
  std::error_code ec;
  if (folder.empty() || !std::filesystem::is_directory(folder, ec))
    return out;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".json")
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

ModelFit read_model_profile_file(const std::filesystem::path& file) {
  return read_model_profile(detail::read_small_file(file, 1u << 20, "model profiles over 1 MiB"),
                            file.string());
}

}  // namespace pigmatch
