#include "pigmatch/formulation/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigmatch/error.h"
#include "pigmatch/formulation/mixing.h"
#include "support/text.h"

namespace pigmatch {
namespace {

// Reflectance above 1 happens with fluorescent whitening or gloss; beyond 1.5 it is a unit
// mistake (percent instead of a fraction) or a broken instrument export.
constexpr double max_reflectance = 1.5;
// No real surface colour reaches |a*| or |b*| of 200; beyond that the numbers are garbage.
constexpr double max_ab = 200.0;
// A tattoo-ink dropper bottle gives drops of about 0.03–0.1 ml; a "drop" above 1 ml is a unit
// mistake (e.g. microlitres written as millilitres).
constexpr double max_drop_volume_ml = 1.0;
// Above this CIEDE2000 a measurement's reflectance and Lab are not the same sample (or not D50).
constexpr double max_lab_mismatch_de00 = 3.0;
// Enough errors to fix a file in one go without flooding the terminal.
constexpr std::size_t max_errors_in_exception = 20;

// Collects problems with the path of the element being checked.
class Findings {
 public:
  void error(std::string where, std::string message) {
    problems_.push_back({std::move(where), std::move(message), Severity::error});
  }
  void warning(std::string where, std::string message) {
    problems_.push_back({std::move(where), std::move(message), Severity::warning});
  }
  std::vector<Problem> take() { return std::move(problems_); }

 private:
  std::vector<Problem> problems_;
};

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// Names shown to people and used as lookup keys: present, and printable on one line.
void check_label(Findings& f, const std::string& where, std::string_view text,
                 std::string_view what) {
  if (is_blank(text)) {
    f.error(where, fmt::format("{} is empty; every {} needs one", what, what));
  } else if (has_control_characters(text)) {
    f.error(where,
            fmt::format("{} contains control characters (tab, newline…); use plain text", what));
  }
}

bool is_catalog_id_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
}

void check_catalog_header(Findings& f, const Catalog& catalog) {
  if (catalog.id.empty()) {
    f.error("id", "catalog id is empty; give the catalog a short id such as 'acme-smp'");
  } else if (!std::all_of(catalog.id.begin(), catalog.id.end(),
                          [](unsigned char c) { return is_catalog_id_char(c); })) {
    f.error("id", fmt::format("catalog id '{}' may only contain letters, digits, '.', '_' and "
                              "'-' (it is typed on the command line)",
                              catalog.id));
  }
  check_label(f, "vendor", catalog.vendor, "vendor");
  check_label(f, "name", catalog.name, "name");
  if (catalog.pigments.empty()) {
    f.error("pigments", "the catalog lists no pigments");
  }
}

// A band-by-band check with the wavelength in the message, as a colourist reads spectra.
void check_spectrum(Findings& f, const std::string& where, const Spectrum& spectrum,
                    std::string_view what, double max_value) {
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    const double v = spectrum[i];
    const std::string band = fmt::format("{}[{}]", where, i);
    const double nm = Spectrum::wavelength(i);
    if (!std::isfinite(v)) {
      f.error(band, fmt::format("{} at {} nm is not a number ({})", what, nm, v));
    } else if (v < 0) {
      f.error(band, fmt::format("{} at {} nm is negative ({:.4g}); it must be >= 0", what, nm, v));
    } else if (v > max_value) {
      f.error(band,
              fmt::format("{} at {} nm is {:.4g}, above {}; reflectance is a fraction 0–1 (was "
                          "it given in percent?)",
                          what, nm, v, max_value));
    }
  }
}

void check_lab(Findings& f, const std::string& where, const Lab& lab) {
  if (!std::isfinite(lab.L) || !std::isfinite(lab.a) || !std::isfinite(lab.b)) {
    f.error(where, fmt::format("Lab ({}, {}, {}) contains a value that is not a number", lab.L,
                               lab.a, lab.b));
    return;
  }
  if (lab.L < 0 || lab.L > 100) {
    f.error(where + ".L", fmt::format("L* is {}; it must be within 0–100", lab.L));
  }
  if (std::abs(lab.a) > max_ab || std::abs(lab.b) > max_ab) {
    f.error(where, fmt::format("a* {} / b* {} is beyond ±{}, which no surface colour reaches",
                               lab.a, lab.b, max_ab));
  }
}

bool spectrum_is_valid(const Spectrum& spectrum) {
  return std::all_of(spectrum.values().begin(), spectrum.values().end(),
                     [](double v) { return std::isfinite(v) && v >= 0 && v <= max_reflectance; });
}

bool lab_is_finite(const Lab& lab) {
  return std::isfinite(lab.L) && std::isfinite(lab.a) && std::isfinite(lab.b);
}

void check_measurement(Findings& f, const std::string& where, const Measurement& m) {
  if (!std::isfinite(m.concentration) || m.concentration <= 0 || m.concentration > 1) {
    f.error(where + ".concentration",
            fmt::format("concentration is {}; it must be a fraction in (0, 1], 1 for the masstone",
                        m.concentration));
  }
  if (!m.reflectance && !m.lab_d50) {
    f.error(where, "the measurement has neither a reflectance spectrum nor Lab; give at least one");
  }
  if (m.reflectance)
    check_spectrum(f, where + ".reflectance", *m.reflectance, "reflectance", max_reflectance);
  if (m.lab_d50)
    check_lab(f, where + ".lab", *m.lab_d50);
  if (m.reflectance && m.lab_d50 && spectrum_is_valid(*m.reflectance) &&
      lab_is_finite(*m.lab_d50)) {
    const double de = delta_e2000(to_lab(*m.reflectance), *m.lab_d50);
    if (de > max_lab_mismatch_de00) {
      f.warning(where + ".lab",
                fmt::format("Lab differs from the Lab of the reflectance spectrum (D50/2°) by "
                            "ΔE00 {:.1f}; check that both describe this sample under D50",
                            de));
    }
  }
  if (is_blank(m.substrate)) {
    f.warning(where + ".substrate", "substrate is empty; say what the sample was measured on");
  }
}

void check_measurements(Findings& f, const std::string& where, const Pigment& pigment) {
  std::map<std::pair<double, std::string>, std::size_t> seen;
  for (std::size_t j = 0; j < pigment.measurements.size(); ++j) {
    const Measurement& m = pigment.measurements[j];
    const std::string at = fmt::format("{}.measurements[{}]", where, j);
    check_measurement(f, at, m);
    const auto [it, inserted] = seen.emplace(std::pair{m.concentration, m.substrate}, j);
    if (!inserted) {
      f.warning(at, fmt::format("concentration {} on '{}' is measured again (first in "
                                "measurements[{}]); only one is used",
                                m.concentration, m.substrate, it->second));
    }
  }
}

bool is_zero(const Spectrum& spectrum) {
  return std::all_of(spectrum.values().begin(), spectrum.values().end(),
                     [](double v) { return v == 0.0; });
}

bool usable(const Spectrum& s, double high) {
  return std::all_of(s.values().begin(), s.values().end(),
                     [&](double v) { return std::isfinite(v) && v >= 0 && v <= high; });
}

// A catalog giving K and S and a dilution series says the same pigment twice: the km model
// mixes with K and S, the lab model and `catalog show` use the measurements. When the film K and
// S predict on the card (km's own optics: a white card of reflectance 0.88, Saunderson
// surfaces) misses a measurement by more than a visible difference, one of them is wrong.
void check_ks_against_measurements(Findings& f, const std::string& where, const Pigment& pigment) {
  constexpr double disagree_de00 = 3.0;
  if (pigment.is_diluent || !pigment.k || !pigment.s ||
      !usable(*pigment.k, std::numeric_limits<double>::max()) ||
      !usable(*pigment.s, std::numeric_limits<double>::max()))
    return;
  const KmOptions km{};
  const double card = saunderson_to_internal(km.card_reflectance, km.saunderson);
  double worst = 0;
  std::size_t worst_at = 0;
  for (std::size_t m = 0; m < pigment.measurements.size(); ++m) {
    const Measurement& measured = pigment.measurements[m];
    if (!measured.reflectance || !usable(*measured.reflectance, 1.5) ||
        !(measured.concentration > 0 && measured.concentration <= 1))
      continue;
    Spectrum predicted;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      const double c = measured.concentration;
      predicted[i] = saunderson_to_measured(
          km_layer_reflectance(c * (*pigment.k)[i], c * (*pigment.s)[i], card), km.saunderson);
    }
    const double de = delta_e2000(to_lab(predicted), to_lab(*measured.reflectance));
    if (de > worst)
      worst = de, worst_at = m;
  }
  if (worst > disagree_de00) {
    f.warning(where + ".k",
              fmt::format("K and S disagree with the pigment's own measurement {} (concentration "
                          "{:g}): as a film on a white card they predict a colour {:.1f} ΔE00 "
                          "away. The km model mixes with K and S, the lab model with the "
                          "measurements: derive K and S from the series (pigmatch catalog build) "
                          "or leave them out",
                          worst_at, pigment.measurements[worst_at].concentration, worst));
  }
}

void check_kubelka_munk(Findings& f, const std::string& where, const Pigment& pigment) {
  if (pigment.k.has_value() != pigment.s.has_value()) {
    f.error(where + (pigment.k ? ".s" : ".k"),
            "K and S come as a pair (Kubelka–Munk needs both); give both or neither");
  }
  const double unbounded = std::numeric_limits<double>::max();
  if (pigment.k)
    check_spectrum(f, where + ".k", *pigment.k, "K (absorption)", unbounded);
  if (pigment.s)
    check_spectrum(f, where + ".s", *pigment.s, "S (scattering)", unbounded);
  check_ks_against_measurements(f, where, pigment);
}

// "CI 77266", "C.I. 77891", "CI 77491:1"; or a generic name such as "PBk 7" or "PR 101".
bool is_colour_index(std::string_view text) {
  std::size_t i = 0;
  auto skip_spaces = [&] {
    while (i < text.size() && text[i] == ' ')
      ++i;
  };
  auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0)
      ++i;
    return i - start;
  };
  auto consume = [&](std::string_view prefix) {
    if (text.substr(i, prefix.size()) != prefix)
      return false;
    i += prefix.size();
    return true;
  };
  bool constitution = false;
  if (consume("C.I.") || consume("CI")) {
    constitution = true;
  } else {
    static constexpr std::string_view generic[] = {"PBk", "PBr", "PR", "PY", "PW",
                                                   "PO",  "PG",  "PB", "PV"};
    const bool any = std::any_of(std::begin(generic), std::end(generic),
                                 [&](std::string_view p) { return consume(p); });
    if (!any)
      return false;
  }
  skip_spaces();
  const std::size_t n = digits();
  if (constitution ? n != 5 : (n == 0 || n > 3))
    return false;
  if (i < text.size() && text[i] == ':') {
    ++i;
    if (digits() == 0)
      return false;
  }
  return i == text.size();
}

// A use pigmatch does not know is kept (a newer catalog may name one) but said: the pigment is
// then offered for the known uses it names only.
void check_uses(Findings& f, const std::string& where, const Pigment& pigment) {
  const auto known = known_pigment_uses();
  for (std::size_t u = 0; u < pigment.uses.size(); ++u) {
    const std::string& use = pigment.uses[u];
    if (std::none_of(known.begin(), known.end(),
                     [&](std::string_view k) { return detail::equals_ignoring_case(k, use); })) {
      f.warning(fmt::format("{}.uses[{}]", where, u),
                fmt::format("'{}' is not a use pigmatch knows ({}): the pigment is offered only "
                            "for the known uses it names",
                            use, fmt::join(known, ", ")));
    }
  }
}

void check_identity(Findings& f, const std::string& where, const Pigment& pigment) {
  check_label(f, where + ".code", pigment.code, "code");
  check_label(f, where + ".name", pigment.name, "name");
  for (std::size_t c = 0; c < pigment.ci_numbers.size(); ++c) {
    if (!is_colour_index(pigment.ci_numbers[c])) {
      f.error(fmt::format("{}.ci_numbers[{}]", where, c),
              fmt::format("'{}' is not a Colour Index designation; write it as 'CI 77266' "
                          "(constitution number) or 'PBk 7' (generic name)",
                          pigment.ci_numbers[c]));
    }
  }
  for (std::size_t c = 0; c < pigment.compliance.size(); ++c) {
    check_label(f, fmt::format("{}.compliance[{}]", where, c), pigment.compliance[c],
                "compliance statement");
  }
  check_uses(f, where, pigment);
}

void check_colour_data(Findings& f, const std::string& where, const Pigment& pigment) {
  if (pigment.is_diluent) {
    if (!pigment.measurements.empty()) {
      f.error(where + ".measurements",
              "a diluent has no colour of its own (no absorption, no scattering); remove its "
              "measurements or mark it as a pigment");
    }
    if ((pigment.k && !is_zero(*pigment.k)) || (pigment.s && !is_zero(*pigment.s))) {
      f.error(where, "a diluent must have zero K and S (it neither absorbs nor scatters)");
    }
    if (!pigment.ci_numbers.empty()) {
      f.error(where + ".ci_numbers", "a diluent has no colorant, so no Colour Index numbers");
    }
  } else if (pigment.measurements.empty() && !(pigment.k && pigment.s)) {
    f.error(where,
            "the pigment has no colour data: give measurements (reflectance and/or Lab) "
            "or K and S spectra");
  }
}

void check_commerce(Findings& f, const std::string& where, const Pigment& pigment) {
  if (pigment.drop_volume_ml) {
    const double v = *pigment.drop_volume_ml;
    if (!std::isfinite(v) || v <= 0 || v > max_drop_volume_ml) {
      f.error(where + ".drop_volume_ml",
              fmt::format("drop volume is {} ml; a drop is a positive volume up to {} ml "
                          "(typically about 0.05 ml)",
                          v, max_drop_volume_ml));
    }
  }
  if (pigment.price) {
    const Price& p = *pigment.price;
    if (!std::isfinite(p.amount) || p.amount < 0) {
      f.error(where + ".price.amount", fmt::format("price is {}; it must be >= 0", p.amount));
    }
    const bool iso_currency =
        p.currency.size() == 3 && std::all_of(p.currency.begin(), p.currency.end(),
                                              [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!iso_currency) {
      f.error(
          where + ".price.currency",
          fmt::format("currency '{}' is not an ISO 4217 code such as 'EUR' or 'USD'", p.currency));
    }
    if (!std::isfinite(p.volume_ml) || p.volume_ml <= 0) {
      f.error(where + ".price.volume_ml",
              fmt::format("bottle volume is {} ml; it must be > 0", p.volume_ml));
    }
  }
}

bool parse_number(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// "YYYY-MM-DD" with a real calendar day, or "YYYY-MM" (bottles often print month and year).
bool is_expiry_date(std::string_view text) {
  if (text.size() != 7 && text.size() != 10)
    return false;
  if (text[4] != '-' || (text.size() == 10 && text[7] != '-'))
    return false;
  int year = 0, month = 0;
  if (!parse_number(text.substr(0, 4), year) || !parse_number(text.substr(5, 2), month)) {
    return false;
  }
  if (year < 1900 || year > 2999 || month < 1 || month > 12)
    return false;
  if (text.size() == 7)
    return true;
  int day = 0;
  if (!parse_number(text.substr(8, 2), day))
    return false;
  static constexpr int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = days_in_month[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
  return day >= 1 && day <= last;
}

void check_lots(Findings& f, const std::string& where, const Pigment& pigment) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t l = 0; l < pigment.lots.size(); ++l) {
    const Lot& lot = pigment.lots[l];
    const std::string at = fmt::format("{}.lots[{}]", where, l);
    check_label(f, at + ".lot", lot.lot, "lot number");
    if (!is_expiry_date(lot.expiry)) {
      f.error(at + ".expiry",
              fmt::format("expiry '{}' is not a date; write YYYY-MM-DD or YYYY-MM", lot.expiry));
    }
    const auto [it, inserted] = seen.emplace(lot.lot, l);
    if (!inserted && !is_blank(lot.lot)) {
      f.error(at + ".lot",
              fmt::format("lot '{}' is listed twice (first in lots[{}])", lot.lot, it->second));
    }
  }
}

void check_pigment(Findings& f, const std::string& where, const Pigment& pigment) {
  check_identity(f, where, pigment);
  check_colour_data(f, where, pigment);
  check_measurements(f, where, pigment);
  check_kubelka_munk(f, where, pigment);
  check_commerce(f, where, pigment);
  check_lots(f, where, pigment);
}

// Codes are typed by practitioners and looked up case-insensitively, so "smp-10" and "SMP-10"
// would be ambiguous.
void check_unique_codes(Findings& f, const Catalog& catalog) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < catalog.pigments.size(); ++i) {
    const std::string& code = catalog.pigments[i].code;
    if (is_blank(code))
      continue;
    const auto [it, inserted] = seen.emplace(detail::lowercase(code), i);
    if (!inserted) {
      f.error(fmt::format("pigments[{}].code", i),
              fmt::format("code '{}' is already used by pigments[{}] ('{}'); codes must be unique",
                          code, it->second, catalog.pigments[it->second].code));
    }
  }
}

}  // namespace

std::span<const std::string_view> known_pigment_uses() noexcept {
  static constexpr std::string_view uses[] = {"smp", "camouflage", "pmu"};
  return uses;
}

bool meant_for(const Pigment& pigment, std::string_view use) noexcept {
  if (use.empty() || pigment.uses.empty())
    return true;
  return std::any_of(pigment.uses.begin(), pigment.uses.end(), [&](const std::string& named) {
    return detail::equals_ignoring_case(named, use);
  });
}

std::string_view to_string(Severity severity) noexcept {
  return severity == Severity::error ? "error" : "warning";
}

std::string to_string(const Problem& problem) {
  if (problem.severity == Severity::warning) {
    return fmt::format("{}: warning: {}", problem.where, problem.message);
  }
  return fmt::format("{}: {}", problem.where, problem.message);
}

std::vector<Problem> validate(const Catalog& catalog) {
  Findings f;
  check_catalog_header(f, catalog);
  for (std::size_t i = 0; i < catalog.pigments.size(); ++i) {
    check_pigment(f, fmt::format("pigments[{}]", i), catalog.pigments[i]);
  }
  check_unique_codes(f, catalog);
  return f.take();
}

bool has_errors(const std::vector<Problem>& problems) noexcept {
  return std::any_of(problems.begin(), problems.end(),
                     [](const Problem& p) { return p.severity == Severity::error; });
}

void require_valid(const Catalog& catalog) {
  const std::vector<Problem> problems = validate(catalog);
  if (!has_errors(problems))
    return;
  std::string message = fmt::format("catalog '{}' from {} is invalid:", catalog.id,
                                    catalog.source.empty() ? "(unknown source)" : catalog.source);
  std::size_t shown = 0, errors = 0;
  for (const Problem& p : problems) {
    if (p.severity != Severity::error)
      continue;
    ++errors;
    if (shown < max_errors_in_exception) {
      message += "\n  " + to_string(p);
      ++shown;
    }
  }
  if (errors > shown)
    message += fmt::format("\n  … and {} more errors", errors - shown);
  message += "\nRun 'pigmatch catalog validate FILE' for the full list and fix the catalog.";
  throw Error(ErrorCode::corrupt_data, message);
}

const Pigment* find_pigment(const Catalog& catalog, std::string_view code) noexcept {
  for (const Pigment& pigment : catalog.pigments) {
    if (detail::equals_ignoring_case(pigment.code, code)) {
      return &pigment;
    }
  }
  return nullptr;
}

}  // namespace pigmatch
