// The touch-up: the healed colour against the formula, in words, and the batch correction
// (re-formulate the formula's own pigments for target − (healed − predicted)).
#include "pigmatch/formulation/touchup.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/mixing.h"
#include "support/text.h"

namespace pigmatch {
namespace {

bool is_finite(const Lab& lab) {
  return std::isfinite(lab.L) && std::isfinite(lab.a) && std::isfinite(lab.b);
}

void name_axis(std::vector<std::string>& words, double delta, const char* more, const char* less) {
  if (delta >= shift_word_threshold)
    words.emplace_back(more);
  else if (delta <= -shift_word_threshold)
    words.emplace_back(less);
}

// The size of the difference each word names, in the order describe_shift puts them.
std::vector<double> named_sizes(const ColourShift& s) {
  std::vector<double> sizes;
  for (const double d : {s.dL, s.da, s.db, s.dC}) {
    if (std::abs(d) >= shift_word_threshold)
      sizes.push_back(std::abs(d));
  }
  return sizes;
}

// ---- finding the formula's pigments --------------------------------------------------------

struct Found {
  const Catalog* catalog = nullptr;
  const Pigment* pigment = nullptr;
};

// The formula's catalog first: a vendor may publish several catalogs with the same codes.
Found find_component(const store::Formula& formula, const store::Component& component,
                     std::span<const Catalog> catalogs) {
  for (const bool own_catalog : {true, false}) {
    for (const Catalog& c : catalogs) {
      const bool candidate = own_catalog
                                 ? c.id == formula.catalog
                                 : (detail::equals_ignoring_case(c.vendor, component.vendor) ||
                                    detail::equals_ignoring_case(c.id, component.vendor));
      if (!candidate)
        continue;
      if (const Pigment* p = find_pigment(c, component.code))
        return {&c, p};
    }
  }
  std::vector<std::string> ids;
  for (const Catalog& c : catalogs)
    ids.push_back(c.id);
  throw Error(
      ErrorCode::not_found,
      fmt::format("formula #{} uses {} {}, which is in none of the catalogs loaded ({}); "
                  "load catalog '{}' (--catalog ID or --catalog-file FILE) to correct it",
                  formula.id, component.vendor, component.code,
                  ids.empty() ? std::string("none") : fmt::format("{}", fmt::join(ids, ", ")),
                  formula.catalog));
}

// The formula's pigments in its order, then its diluent — or, when it had none, the diluent of
// the catalog of its first pigment: a correction towards lighter needs one.
PigmentPool formula_pool(const store::Formula& formula, std::span<const Catalog> catalogs) {
  PigmentPool pool;
  std::optional<PoolPigment> diluent;
  const Catalog* first_catalog = nullptr;
  for (const store::Component& component : formula.components) {
    const Found found = find_component(formula, component, catalogs);
    if (first_catalog == nullptr)
      first_catalog = found.catalog;
    if (found.pigment->is_diluent) {
      diluent = PoolPigment{found.catalog->id, *found.pigment};
      continue;
    }
    const bool repeated =
        std::any_of(pool.entries.begin(), pool.entries.end(), [&](const PoolPigment& e) {
          return e.catalog_id == found.catalog->id && e.pigment.code == found.pigment->code;
        });
    if (!repeated)
      pool.entries.push_back({found.catalog->id, *found.pigment});
  }
  if (pool.entries.empty()) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("formula #{} has no pigment besides the diluent; there is nothing "
                            "to correct",
                            formula.id));
  }
  if (!diluent && first_catalog != nullptr) {
    for (const Pigment& p : first_catalog->pigments) {
      if (p.is_diluent) {
        diluent = PoolPigment{first_catalog->id, p};
        break;
      }
    }
  }
  if (diluent) {
    pool.entries.push_back(std::move(*diluent));
    pool.has_diluent = true;
  }
  return pool;
}

// The conditions `pigmatch match` predicts under, so the re-formulation sees the colours the
// formula's prediction was made with: km is a film on the catalog's white card, skin the
// pigment under the client's skin, lab and km1 need nothing.
std::unique_ptr<Mixer> formula_mixer(const store::Formula& formula, const PigmentPool& pool,
                                     const std::optional<Lab>& skin_d50) {
  BuiltinModel model{};
  try {
    model = parse_builtin_model(formula.model);
  } catch (const Error&) {
    throw Error(ErrorCode::unsupported,
                fmt::format("formula #{} was predicted with the mixing model '{}', which is not "
                            "built in; a touch-up correction re-runs the formula's own model",
                            formula.id, formula.model));
  }
  MixerConditions conditions;
  if (model == BuiltinModel::skin) {
    if (!skin_d50) {
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("formula #{} was predicted with the skin model, which needs the "
                              "client's skin colour: measure a stubble region (its skin is used) "
                              "or save a skin measurement for the client",
                              formula.id));
    }
    conditions.substrate_lab = skin_d50;
  } else if (model == BuiltinModel::km) {
    conditions.substrate = Spectrum::constant(conditions.km.card_reflectance);
  }
  return make_builtin_mixer(model, pool.pigments(), conditions);
}

// The drop volume the formula was measured out with (ml per drop of its first counted
// component), so the new recipe counts drops of the same size.
double formula_drop_ml(const store::Formula& formula) {
  for (const store::Component& c : formula.components) {
    if (c.drops > 0 && c.ml > 0)
      return c.ml / c.drops;
  }
  return FormulationRequest{}.drop_volume_ml;
}

double formula_volume_ml(const store::Formula& formula) {
  double total = 0;
  for (const store::Component& c : formula.components)
    total += c.ml;
  return total > 0 ? total : FormulationRequest{}.total_volume_ml;
}

// The vendor name the old formula used for a pigment (kept, so lot traces and history read
// the same), else the catalog's.
std::string vendor_for(const store::Formula& formula, const RecipeComponent& rc,
                       std::span<const Catalog> catalogs) {
  for (const store::Component& c : formula.components) {
    if (detail::equals_ignoring_case(c.code, rc.code))
      return c.vendor;
  }
  for (const Catalog& c : catalogs) {
    if (c.id == rc.catalog_id)
      return c.vendor.empty() ? c.id : c.vendor;
  }
  return rc.catalog_id;
}

std::string lab_words(const Lab& lab) {
  return fmt::format("L {:.1f} a {:.1f} b {:.1f}", lab.L, lab.a, lab.b);
}

}  // namespace

std::optional<Lab> stored_skin(store::Store& store, store::Id client, std::string_view region) {
  auto skin = store.latest_measurement(client, store::MeasurementKind::skin, region);
  if (!skin)
    skin = store.latest_measurement(client, store::MeasurementKind::skin);
  return skin ? std::optional<Lab>(skin->lab) : std::nullopt;
}

std::vector<store::Formula> current_formulas(store::Store& store, store::Id client) {
  std::vector<store::Formula> current;
  for (store::Formula& f : store.formula_history(client)) {
    if (!store.replaced_by(f.id))
      current.push_back(std::move(f));
  }
  return current;
}

FormulaToCorrect formula_to_correct(store::Store& store, store::Id client, std::string_view region,
                                    std::optional<store::Id> chosen) {
  if (chosen) {
    store::Formula f = store.formula(*chosen);
    if (f.client_id != client)
      throw Error(
          ErrorCode::invalid_argument,
          fmt::format("formula #{} belongs to client {}, not {}", f.id, f.client_id, client));
    if (const auto newer = store.replaced_by(f.id))
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("formula #{} was already corrected by #{}: correct the current "
                              "version, #{}",
                              f.id, *newer, *newer));
    return {std::move(f), {}};
  }
  if (auto own = store.current_formula(client, region))
    return {std::move(*own), {}};
  std::vector<store::Formula> current = current_formulas(store, client);
  std::vector<std::string> current_ones;
  current_ones.reserve(current.size());
  for (const store::Formula& f : current)
    current_ones.push_back(
        fmt::format("#{} ({})", f.id, f.region.empty() ? "no region" : f.region));
  if (current.size() == 1) {
    return {std::move(current.front()),
            fmt::format("client {} has no formula for region '{}'; correcting its only current "
                        "formula, {}",
                        client, region, current_ones.front())};
  }
  throw Error(ErrorCode::not_found,
              fmt::format("client {} has no formula for region '{}'{}", client, region,
                          current_ones.empty()
                              ? std::string("; save one first (a match saved for the client)")
                              : fmt::format("; its current formulas are {}: choose one",
                                            fmt::join(current_ones, ", "))));
}

// ---- the formula's own mix ------------------------------------------------------------------

struct FormulaMixer::Impl {
  store::Formula formula;
  PigmentPool pool;
  std::unique_ptr<Mixer> mixer;
  std::vector<std::size_t> pool_index;  // per component of the formula
  std::vector<double> drop_ml;          // per component: its drops' size in ml
};

FormulaMixer::FormulaMixer(const store::Formula& formula, const CorrectionInputs& inputs)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.formula = formula;
  m.pool = formula_pool(formula, inputs.catalogs);
  const double default_drop_ml = formula_drop_ml(formula);
  for (const store::Component& c : formula.components) {
    const Found found = find_component(formula, c, inputs.catalogs);
    const auto entry =
        std::find_if(m.pool.entries.begin(), m.pool.entries.end(), [&](const PoolPigment& e) {
          return e.catalog_id == found.catalog->id && e.pigment.code == found.pigment->code;
        });
    m.pool_index.push_back(static_cast<std::size_t>(entry - m.pool.entries.begin()));
    // The drop the practitioner measured with for this bottle, as recorded.
    m.drop_ml.push_back(c.drops > 0 && c.ml > 0
                            ? c.ml / c.drops
                            : found.pigment->drop_volume_ml.value_or(default_drop_ml));
  }
  m.mixer = formula_mixer(formula, m.pool, inputs.skin_d50);
}

FormulaMixer::~FormulaMixer() = default;
FormulaMixer::FormulaMixer(FormulaMixer&&) noexcept = default;
FormulaMixer& FormulaMixer::operator=(FormulaMixer&&) noexcept = default;

FormulaMixer::Prediction FormulaMixer::predict(std::span<const double> drops) const {
  const Impl& m = *impl_;
  if (drops.size() != m.pool_index.size()) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("formula #{} has {} components, not {}", m.formula.id,
                            m.pool_index.size(), drops.size()));
  }
  std::vector<double> ml(m.pool.entries.size(), 0.0);
  double total = 0, pigment = 0;
  for (std::size_t i = 0; i < drops.size(); ++i) {
    if (!(drops[i] >= 0) || !std::isfinite(drops[i])) {
      throw Error(ErrorCode::invalid_argument, fmt::format("{} drops of {} is not a count of drops",
                                                           drops[i], m.formula.components[i].code));
    }
    const double v = drops[i] * m.drop_ml[i];
    ml[m.pool_index[i]] += v;
    total += v;
    if (!m.pool.entries[m.pool_index[i]].pigment.is_diluent)
      pigment += v;
  }
  if (!(pigment > 0)) {
    throw Error(ErrorCode::invalid_argument,
                "the mix has no pigment: give at least one drop of a pigment");
  }
  // Concentrations are volume fractions of the mix, as the formulator's drops are.
  std::vector<std::size_t> index;
  std::vector<double> concentration;
  for (std::size_t p = 0; p < ml.size(); ++p) {
    if (ml[p] > 0) {
      index.push_back(p);
      concentration.push_back(ml[p] / total);
    }
  }
  const MixColour colour = m.mixer->mix({index, concentration});
  Prediction out;
  out.predicted_d50 = colour.reflectance ? to_lab(*colour.reflectance) : colour.lab_d50;
  out.de00 = delta_e2000(m.formula.target, out.predicted_d50);
  return out;
}

store::Formula FormulaMixer::new_version(std::span<const double> drops) const {
  const Impl& m = *impl_;
  const Prediction p = predict(drops);
  store::Formula f = m.formula;
  f.id = 0;
  f.created_at.clear();
  f.replaces = m.formula.id;
  f.predicted = p.predicted_d50;
  f.delta_e00 = p.de00;
  f.components.clear();
  for (std::size_t i = 0; i < drops.size(); ++i) {
    if (drops[i] == 0)
      continue;
    store::Component c = m.formula.components[i];
    c.drops = drops[i];
    c.ml = drops[i] * m.drop_ml[i];
    f.components.push_back(std::move(c));
  }
  f.notes = fmt::format("drops adjusted from formula #{}", m.formula.id);
  return f;
}

ColourShift describe_shift(const Lab& reference, const Lab& sample) {
  ColourShift s;
  s.dL = sample.L - reference.L;
  s.da = sample.a - reference.a;
  s.db = sample.b - reference.b;
  s.dC = std::hypot(sample.a, sample.b) - std::hypot(reference.a, reference.b);
  s.de00 = delta_e2000(reference, sample);
  name_axis(s.words, s.dL, "lighter", "darker");
  name_axis(s.words, s.da, "redder", "greener");
  name_axis(s.words, s.db, "yellower", "bluer");
  name_axis(s.words, s.dC, "more saturated", "greyer");
  return s;
}

std::string to_string(const ColourShift& shift) {
  if (shift.words.empty())
    return fmt::format("no visible difference (ΔE00 {:.1f})", shift.de00);
  const std::vector<double> sizes = named_sizes(shift);
  std::string text;
  for (std::size_t i = 0; i < shift.words.size(); ++i) {
    if (i > 0)
      text += i + 1 == shift.words.size() ? " and " : ", ";
    text += fmt::format("{:.1f} {}", sizes[i], shift.words[i]);
  }
  return fmt::format("{} (ΔE00 {:.1f})", text, shift.de00);
}

namespace {

// The same pigments in the same drops (components with none left out).
bool same_drops(const store::Formula& x, const store::Formula& y) {
  const auto mixed = [](const store::Formula& f) {
    std::vector<std::pair<std::string, double>> drops;
    for (const store::Component& c : f.components) {
      if (c.drops > 0)
        drops.emplace_back(c.code, c.drops);
    }
    std::sort(drops.begin(), drops.end());
    return drops;
  };
  return mixed(x) == mixed(y);
}

// For a correction that is none: why, and what a practitioner can do instead, from how the
// result healed against the target.
std::string what_can_move(const ColourShift& healed_vs_target, bool unchanged) {
  const std::string why =
      unchanged ? "the formula's own pigments cannot move the result towards the target: their "
                  "best mix for it is the mix already used"
                : "no mix of the formula's own pigments is expected to heal noticeably closer to "
                  "the target than this result";
  std::string what;
  if (healed_vs_target.dL >= shift_word_threshold) {
    what =
        "it healed lighter: work a second pass over the area (more pigment in the skin), or "
        "choose a darker pigment line for the target ('pigmatch match')";
  } else if (healed_vs_target.dL <= -shift_word_threshold) {
    what =
        "it healed darker: a lighter pigment line or more diluent in a new formula for the "
        "target ('pigmatch match'); dark dots lighten as they age, so judge again later";
  } else if (!healed_vs_target.words.empty()) {
    what = fmt::format("it healed {}: other pigments for the target ('pigmatch match')",
                       fmt::join(healed_vs_target.words, ", "));
  } else {
    what = "it healed at the target: keep the formula as it is";
  }
  return fmt::format("{}; {}. Nothing new to save as a version.", why, what);
}

}  // namespace

HealedComparison compare_healed(const store::Formula& formula, const Lab& healed) {
  if (!is_finite(healed)) {
    throw Error(ErrorCode::invalid_argument, "the healed colour has a non-finite L*, a* or b*");
  }
  return {healed, formula.target, formula.predicted, describe_shift(formula.target, healed),
          describe_shift(formula.predicted, healed)};
}

TouchupCorrection correct_formula(const store::Formula& formula, const Lab& healed,
                                  const CorrectionInputs& inputs) {
  TouchupCorrection out;
  out.comparison = compare_healed(formula, healed);
  const Lab offset{healed.L - formula.predicted.L, healed.a - formula.predicted.a,
                   healed.b - formula.predicted.b};
  out.aim = {std::clamp(formula.target.L - offset.L, 0.0, 100.0), formula.target.a - offset.a,
             formula.target.b - offset.b};

  const PigmentPool pool = formula_pool(formula, inputs.catalogs);
  const std::size_t pigments = pool.entries.size() - (pool.has_diluent ? 1 : 0);
  if (pigments > 4) {
    throw Error(ErrorCode::unsupported,
                fmt::format("formula #{} mixes {} pigments; the formulator corrects up to 4",
                            formula.id, pigments));
  }
  const auto mixer = formula_mixer(formula, pool, inputs.skin_d50);

  FormulationRequest request;
  request.target_lab_d50 = out.aim;
  request.max_pigments = pigments;
  // A correction changes the amounts, not the bottles: every pigment stays in the mix.
  for (std::size_t i = 0; i < pigments; ++i)
    request.required.push_back(pool.entries[i].pigment.code);
  request.total_volume_ml = formula_volume_ml(formula);
  request.drop_volume_ml = formula_drop_ml(formula);
  request.illuminant = Illuminant::d50;
  request.top = 1;
  const FormulationResult result = formulate(request, pool, *mixer);
  if (result.recipes.empty()) {
    throw Error(ErrorCode::not_found, fmt::format("no recipe of formula #{}'s pigments reaches {}",
                                                  formula.id, lab_words(out.aim)));
  }
  out.recipe = result.recipes.front();
  out.warning = result.warning;
  const Lab& p = out.recipe.predicted_lab_d50;
  out.expected_healed = {p.L + offset.L, p.a + offset.a, p.b + offset.b};
  out.expected_de00 = delta_e2000(formula.target, out.expected_healed);

  store::Formula& f = out.formula;
  f.client_id = formula.client_id;
  f.replaces = formula.id;
  f.region = formula.region;
  f.target = formula.target;
  f.model = formula.model;
  f.catalog = formula.catalog;
  f.predicted = p;
  f.delta_e00 = delta_e2000(formula.target, p);
  for (const RecipeComponent& rc : out.recipe.components) {
    if (rc.drops == 0)
      continue;
    f.components.push_back({vendor_for(formula, rc, inputs.catalogs), rc.code, "",
                            static_cast<double>(rc.drops), rc.ml});
  }
  const bool unchanged = same_drops(formula, f);
  out.improves =
      !unchanged && out.expected_de00 <= out.comparison.vs_target.de00 - correction_gain_threshold;
  if (!out.improves)
    out.advice = what_can_move(out.comparison.vs_target, unchanged);
  const ColourShift& miss = out.comparison.vs_predicted;
  const std::string how = miss.words.empty()
                              ? std::string("as predicted")
                              : fmt::format("{} than predicted", fmt::join(miss.words, ", "));
  f.notes = fmt::format(
      "touch-up correction of formula #{}: healed at {} ({}, ΔE00 {:.1f}); aimed at {} = "
      "target − (healed − predicted), to heal at the target",
      formula.id, lab_words(healed), how, miss.de00, lab_words(out.aim));
  return out;
}

// ---- healed results for model fitting ----------------------------------------------------------

HealedRecord healed_record(const store::Formula& formula, const Lab& skin_d50,
                           const Lab& healed_d50, std::span<const Catalog> catalogs) {
  HealedRecord record;
  record.skin_d50 = skin_d50;
  record.healed_d50 = healed_d50;
  double total_ml = 0;
  for (const store::Component& c : formula.components)
    total_ml += c.ml;
  if (!(total_ml > 0)) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("formula #{} records no volume: it cannot be predicted", formula.id));
  }
  for (const store::Component& c : formula.components) {
    const Found found = find_component(formula, c, catalogs);
    if (found.pigment->is_diluent)
      continue;
    record.colorants.push_back(derive_colorant(*found.pigment));
    record.concentrations.push_back(c.ml / total_ml);
  }
  if (record.colorants.empty()) {
    throw Error(ErrorCode::invalid_argument,
                fmt::format("formula #{} has no pigment besides the diluent", formula.id));
  }
  return record;
}

namespace {

// The formula that healed into `healed`: the one the touch-up's correction (same visit and
// region, saved with the measurement) replaces.
std::optional<store::Formula> formula_that_healed(store::Store& store,
                                                  const store::ClientRecord& client,
                                                  const store::Measurement& healed) {
  for (const store::Formula& f : client.formulas) {
    if (f.replaces && f.visit_id && f.visit_id == healed.visit_id && f.region == healed.region)
      return store.formula(*f.replaces);
  }
  return std::nullopt;
}

}  // namespace

HealedRecords collect_healed_records(store::Store& store, std::span<const Catalog> catalogs) {
  HealedRecords out;
  for (const store::Client& c : store.clients()) {
    const store::ClientRecord client = store.client_record(c.id);
    for (const store::Measurement& m : client.measurements) {
      if (m.kind != store::MeasurementKind::healed)
        continue;
      const std::string where =
          fmt::format("client {}, {}", c.id, m.region.empty() ? "no region" : m.region);
      const std::optional<store::Formula> formula = formula_that_healed(store, client, m);
      if (!formula) {
        out.skipped.push_back(where + ": no touch-up correction names the formula that healed");
        continue;
      }
      const std::optional<Lab> skin = stored_skin(store, c.id, m.region);
      if (!skin) {
        out.skipped.push_back(where + ": no skin measurement of the client");
        continue;
      }
      try {
        out.records.push_back(healed_record(*formula, *skin, m.lab, catalogs));
      } catch (const Error& e) {
        out.skipped.push_back(where + ": " + e.what());
      }
    }
  }
  return out;
}

}  // namespace pigmatch
