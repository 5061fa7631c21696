// A catalog from drawdown readings: readings grouped by pigment, repeated readings of a step
// averaged, the series checked, K and S fitted against the measured card, each reading compared
// with what the fit predicts for it.
#include "pigmatch/catalog_build.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "pigmatch/color.h"
#include "pigmatch/error.h"
#include "pigmatch/mixing.h"

namespace pigmatch {
namespace {

// A stronger step may read lighter than a weaker one by this much (ΔE00 to the card) before the
// series is called out of order: repeat readings of one drawdown differ by a few tenths.
constexpr double order_tolerance_de00 = 1.0;

Error bad(const std::string& what) {
  return Error(ErrorCode::invalid_argument, what);
}

Spectrum mean_of(const std::vector<const DrawdownReading*>& readings) {
  Spectrum::Values sum{};
  for (const DrawdownReading* r : readings) {
    for (std::size_t i = 0; i < Spectrum::band_count; ++i)
      sum[i] += r->reflectance[i];
  }
  for (double& v : sum)
    v /= static_cast<double>(readings.size());
  return Spectrum(sum);
}

struct Step {
  double concentration = 0;
  Spectrum reflectance;
  std::size_t readings = 0;
};

// The pigment's steps by concentration, repeated readings of one concentration averaged.
std::vector<Step> steps_of(const std::string& code,
                           const std::vector<const DrawdownReading*>& readings) {
  std::map<double, std::vector<const DrawdownReading*>> by_concentration;
  for (const DrawdownReading* r : readings) {
    if (!(r->concentration > 0 && r->concentration <= 1)) {
      throw bad(
          fmt::format("sample {} gives pigment '{}' at concentration {}: a concentration "
                      "is the pigment's fraction of the mix, in (0, 1] (write 25 % as 0.25 "
                      "or 25%)",
                      r->sample_id, code, r->concentration));
    }
    by_concentration[r->concentration].push_back(r);
  }
  std::vector<Step> steps;
  steps.reserve(by_concentration.size());
  for (const auto& [concentration, group] : by_concentration)
    steps.push_back({concentration, mean_of(group), group.size()});
  return steps;
}

void check_series(const std::string& code, const std::vector<Step>& steps, const Lab& card) {
  if (steps.size() < 2) {
    throw bad(fmt::format(
        "pigment '{}' was read at one concentration only ({}): K and S need a dilution series; "
        "draw it down at two or more concentrations (e.g. 100 %, 50 %, 25 %, 10 %) and read each",
        code, steps.front().concentration));
  }
  double farthest = 0;
  double farthest_at = 0;
  for (const Step& step : steps) {
    const double from_card = delta_e2000(to_lab(step.reflectance), card);
    if (from_card < farthest - order_tolerance_de00) {
      throw bad(fmt::format(
          "pigment '{}' is out of order: at {} it is {:.1f} ΔE00 from the bare card, nearer than "
          "the weaker step at {} ({:.1f}); a stronger drawdown cannot be paler, so two readings "
          "are probably swapped or mislabelled: check the layout",
          code, step.concentration, from_card, farthest_at, farthest));
    }
    if (from_card > farthest) {
      farthest = from_card;
      farthest_at = step.concentration;
    }
  }
}

Pigment pigment_of(const std::string& code, const std::vector<Step>& steps,
                   const CatalogBuildOptions& options) {
  Pigment p;
  p.code = code;
  p.name = code;
  p.drop_volume_ml = options.drop_volume_ml;
  for (const Step& step : steps) {
    Measurement m;
    m.concentration = step.concentration;
    m.substrate = options.substrate;
    m.reflectance = step.reflectance;
    p.measurements.push_back(std::move(m));
  }
  return p;
}

PigmentFit fit_report(const Pigment& pigment, const Colorant& colorant, const Spectrum& card,
                      std::size_t readings) {
  PigmentFit fit;
  fit.code = pigment.code;
  fit.readings = readings;
  fit.concentrations = pigment.measurements.size();
  const std::vector<Colorant> one{colorant};
  const std::size_t index = 0;
  double sum = 0;
  for (const Measurement& m : pigment.measurements) {
    const double c = m.concentration;
    const Spectrum predicted = km_mix(one, {{&index, 1}, {&c, 1}}, card);
    const double de = delta_e2000(to_lab(predicted), to_lab(*m.reflectance));
    sum += de;
    fit.max_de00 = std::max(fit.max_de00, de);
  }
  fit.mean_de00 = sum / static_cast<double>(pigment.measurements.size());
  return fit;
}

}  // namespace

BuiltCatalog build_catalog(std::span<const DrawdownReading> readings,
                           const CatalogBuildOptions& options) {
  std::vector<const DrawdownReading*> card_readings;
  std::map<std::string, std::vector<const DrawdownReading*>> by_code;
  std::vector<std::string> order;  // pigments in the order the file first names them
  for (const DrawdownReading& r : readings) {
    if (r.code.empty()) {
      card_readings.push_back(&r);
      continue;
    }
    auto [at, added] = by_code.try_emplace(r.code);
    if (added)
      order.push_back(r.code);
    at->second.push_back(&r);
  }
  if (card_readings.empty()) {
    throw bad(
        "no reading of the bare card: K and S are fitted against the card the drawdowns were "
        "made on; read a patch of bare card and name it 'card'");
  }
  if (order.empty())
    throw bad("no pigment readings: name each row CODE@CONCENTRATION (or give a layout)");

  BuiltCatalog out;
  out.card = mean_of(card_readings);
  const Lab card_lab = to_lab(out.card);
  out.catalog.id = options.id;
  out.catalog.vendor = options.vendor;
  out.catalog.name = options.name;
  out.catalog.description = fmt::format(
      "Built by pigmatch catalog build from {} readings ({} of the bare card); K and S fitted "
      "per band with two-constant Kubelka–Munk against the measured card",
      readings.size(), card_readings.size());
  for (const std::string& code : order) {
    const std::vector<Step> steps = steps_of(code, by_code.at(code));
    check_series(code, steps, card_lab);
    Pigment pigment = pigment_of(code, steps, options);
    const Colorant colorant = derive_colorant(pigment, out.card);
    out.fits.push_back(fit_report(pigment, colorant, out.card, by_code.at(code).size()));
    pigment.k = colorant.k;
    pigment.s = colorant.s;
    out.catalog.pigments.push_back(std::move(pigment));
  }
  if (options.add_diluent) {
    Pigment diluent;
    diluent.code = "DIL";
    diluent.name = "Diluent";
    diluent.is_diluent = true;
    diluent.drop_volume_ml = options.drop_volume_ml;
    out.catalog.pigments.push_back(std::move(diluent));
  }
  require_valid(out.catalog);
  return out;
}

}  // namespace pigmatch
