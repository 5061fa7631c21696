// A catalog from drawdown readings: readings grouped by pigment, repeated readings of a step
// averaged, the series checked, K and S fitted against the measured card, each reading compared
// with what the fit predicts for it.
#include "pigmatch/formulation/catalog_build.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/mixing.h"
#include "support/small_matrix.h"

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

// The mean measured colour when every reading carries one (a photo), averaged in XYZ as light
// adds; none otherwise.
std::optional<Lab> mean_lab_of(const std::vector<const DrawdownReading*>& readings) {
  Xyz sum{0, 0, 0};
  for (const DrawdownReading* r : readings) {
    if (!r->lab_d50)
      return std::nullopt;
    const Xyz xyz = to_xyz(*r->lab_d50);
    sum.X += xyz.X, sum.Y += xyz.Y, sum.Z += xyz.Z;
  }
  const double n = static_cast<double>(readings.size());
  return to_lab(Xyz{sum.X / n, sum.Y / n, sum.Z / n});
}

// A step's colour: as measured when it was, else from its spectrum.
Lab lab_of(const Spectrum& reflectance, const std::optional<Lab>& measured) {
  return measured ? *measured : to_lab(reflectance);
}

struct Step {
  double concentration = 0;
  Spectrum reflectance;
  std::optional<Lab> lab_d50;  // as measured (photo readings)
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
    steps.push_back({concentration, mean_of(group), mean_lab_of(group), group.size()});
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
    const double from_card = delta_e2000(lab_of(step.reflectance, step.lab_d50), card);
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
    m.lab_d50 = step.lab_d50;
    p.measurements.push_back(std::move(m));
  }
  return p;
}

// ---- K and S that give back measured colours ------------------------------------------------
//
// Readings from a photo carry three numbers per step; their reflectances are the smoothest ones
// with those colours, made step by step, so the per-band fit to them need not give the steps'
// colours back (up to 3 ΔE00 along a series). The fit is then refined as a whole: log K and log S
// are moved by smooth corrections (Gaussian bumps across the spectrum) so that the film of every
// step has its measured colour, by damped Gauss–Newton with a small pull towards no correction.

constexpr std::size_t bumps = 6;  // per constant; 12 unknowns for a 4-step series' 12 numbers
constexpr std::size_t unknowns = 2 * bumps;
constexpr double bump_width_nm = 35;
constexpr double correction_prior = 0.02;  // (ΔE units)² per unit of log correction

double bump(std::size_t j, double wavelength) {
  const double first = Spectrum::wavelength(0),
               last = Spectrum::wavelength(Spectrum::band_count - 1);
  const double centre = first + (last - first) * static_cast<double>(j) / (bumps - 1);
  return std::exp(-0.5 * std::pow((wavelength - centre) / bump_width_nm, 2));
}

Colorant corrected(const Colorant& base, const std::array<double, unknowns>& p) {
  Colorant out = base;
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    double log_k = 0, log_s = 0;
    for (std::size_t j = 0; j < bumps; ++j) {
      const double b = bump(j, Spectrum::wavelength(i));
      log_k += p[j] * b;
      log_s += p[bumps + j] * b;
    }
    out.k[i] = base.k[i] * std::exp(log_k);
    out.s[i] = base.s[i] * std::exp(log_s);
  }
  return out;
}

// Film colour minus measured colour at every step, then the prior's terms.
std::vector<double> colour_residuals(const Colorant& colorant, const std::vector<Step>& steps,
                                     const Spectrum& card, const std::array<double, unknowns>& p) {
  const std::vector<Colorant> one{corrected(colorant, p)};
  const std::size_t index = 0;
  std::vector<double> r;
  for (const Step& step : steps) {
    const double c = step.concentration;
    const Lab film = to_lab(km_mix(one, {{&index, 1}, {&c, 1}}, card));
    const Lab measured = lab_of(step.reflectance, step.lab_d50);
    r.insert(r.end(), {film.L - measured.L, film.a - measured.a, film.b - measured.b});
  }
  for (const double v : p)
    r.push_back(std::sqrt(correction_prior) * v);
  return r;
}

double squared(const std::vector<double>& r) {
  double sum = 0;
  for (const double v : r)
    sum += v * v;
  return sum;
}

Colorant refine_to_colours(const Colorant& colorant, const std::vector<Step>& steps,
                           const Spectrum& card) {
  std::array<double, unknowns> p{};
  std::vector<double> r = colour_residuals(colorant, steps, card, p);
  double damping = 1e-2;
  for (int iteration = 0; iteration < 40 && squared(r) > 1e-8; ++iteration) {
    constexpr double h = 1e-5;
    std::vector<std::array<double, unknowns>> jacobian(r.size());
    for (std::size_t j = 0; j < unknowns; ++j) {
      std::array<double, unknowns> moved = p;
      moved[j] += h;
      const std::vector<double> r2 = colour_residuals(colorant, steps, card, moved);
      for (std::size_t i = 0; i < r.size(); ++i)
        jacobian[i][j] = (r2[i] - r[i]) / h;
    }
    detail::SquareMatrix<unknowns> normal{};
    std::array<double, unknowns> gradient{};
    for (std::size_t i = 0; i < r.size(); ++i) {
      for (std::size_t a = 0; a < unknowns; ++a) {
        gradient[a] += jacobian[i][a] * r[i];
        for (std::size_t b = 0; b < unknowns; ++b)
          normal[a][b] += jacobian[i][a] * jacobian[i][b];
      }
    }
    bool improved = false;
    while (!improved && damping < 1e6) {
      detail::SquareMatrix<unknowns> damped = normal;
      for (std::size_t a = 0; a < unknowns; ++a)
        damped[a][a] *= 1 + damping;
      detail::SquareMatrix<unknowns> inverse{};
      if (!detail::invert_leading(damped, unknowns, inverse)) {
        damping *= 10;
        continue;
      }
      std::array<double, unknowns> trial = p;
      for (std::size_t a = 0; a < unknowns; ++a) {
        for (std::size_t b = 0; b < unknowns; ++b)
          trial[a] -= inverse[a][b] * gradient[b];
      }
      const std::vector<double> r2 = colour_residuals(colorant, steps, card, trial);
      if (squared(r2) < squared(r)) {
        p = trial;
        r = r2;
        damping = std::max(damping / 10, 1e-7);
        improved = true;
      } else {
        damping *= 10;
      }
    }
    if (!improved)
      break;
  }
  return corrected(colorant, p);
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
    const double de = delta_e2000(to_lab(predicted), lab_of(*m.reflectance, m.lab_d50));
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
  const std::optional<Lab> card_measured = mean_lab_of(card_readings);
  const Lab card_lab = lab_of(out.card, card_measured);
  out.card_lab_d50 = card_lab;
  out.catalog.id = options.id;
  out.catalog.vendor = options.vendor;
  out.catalog.name = options.name;
  const bool from_photo = card_measured.has_value();
  out.catalog.description =
      from_photo
          ? fmt::format(
                "Built by pigmatch catalog build from a photo of a swatch card: {} boxes ({} of "
                "bare card), colours measured through the photo's calibration and reflectances "
                "estimated from them; K and S fitted per band with two-constant Kubelka–Munk "
                "against the card",
                readings.size(), card_readings.size())
          : fmt::format(
                "Built by pigmatch catalog build from {} readings ({} of the bare card); K and S "
                "fitted per band with two-constant Kubelka–Munk against the measured card",
                readings.size(), card_readings.size());
  for (const std::string& code : order) {
    const std::vector<Step> steps = steps_of(code, by_code.at(code));
    check_series(code, steps, card_lab);
    Pigment pigment = pigment_of(code, steps, options);
    Colorant colorant = derive_colorant(pigment, out.card);
    if (from_photo)
      colorant = refine_to_colours(colorant, steps, out.card);
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
