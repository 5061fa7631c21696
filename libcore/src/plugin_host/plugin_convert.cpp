// The ABI's POD catalogs → catalog.h. Only what validate() cannot see is checked here: NULL where
// the ABI requires a value, struct sizes, implausible counts (a garbage pointer's "length"), and
// spectra that cannot be put on the 36-band grid. Values themselves (NaN, ranges, empty names,
// duplicates) are validate()'s job, so plugins and files get the same messages.
#include <fmt/format.h>

#include <cstddef>
#include <span>

#include "pigmatch/colour/spectrum.h"
#include "pigmatch/error.h"
#include "plugin_host/plugin_internal.h"

namespace pigmatch::plugin_detail {
namespace {

// Limits far above any real catalog; beyond them a count is garbage and reading it would wander
// through memory.
constexpr std::size_t max_pigments = 100000;
constexpr std::size_t max_items = 10000;  // measurements, lots, CI numbers, spectrum samples

constexpr std::size_t v1_size(std::size_t offset, std::size_t size) {
  return offset + size;
}
#define PIGMATCH_V1_SIZE(type, last) v1_size(offsetof(type, last), sizeof(type::last))

class Reader {
 public:
  explicit Reader(std::vector<Problem>& problems) : problems_(problems) {}

  void error(const std::string& where, const std::string& message) {
    problems_.push_back({where, message, Severity::error});
  }

  // True when `pod` is usable: present and at least as large as ABI v1 says.
  template <class T>
  bool check_struct(const T* pod, std::size_t v1, const std::string& where, bool required) {
    if (pod == nullptr) {
      if (required)
        error(where, "is NULL; the plugin must provide it");
      return false;
    }
    if (pod->struct_size < v1) {
      error(where, fmt::format("struct_size is {}, smaller than ABI version 1's {}; the plugin "
                               "was built against a broken header",
                               pod->struct_size, v1));
      return false;
    }
    return true;
  }

  // A (count, array) pair the host may iterate: NULL only with count 0, count plausible.
  template <class T>
  std::span<const T> array(const T* items, std::size_t count, std::size_t max,
                           const std::string& where) {
    if (count == 0)
      return {};
    if (items == nullptr) {
      error(where, fmt::format("is NULL but its count is {}", count));
      return {};
    }
    if (count > max) {
      error(where, fmt::format("count {} is implausible (limit {})", count, max));
      return {};
    }
    return {items, count};
  }

  std::optional<Spectrum> spectrum(const pigmatch_spectrum* pod, const std::string& where) {
    if (!check_struct(pod, PIGMATCH_V1_SIZE(pigmatch_spectrum, values), where, false)) {
      return std::nullopt;
    }
    const auto values = array(pod->values, pod->count, max_items, where + ".values");
    if (pod->count == 0) {
      error(where, "has no values; leave the spectrum out (NULL) instead");
      return std::nullopt;
    }
    if (values.empty())
      return std::nullopt;
    if (pod->wavelengths_nm == nullptr) {
      if (pod->count != Spectrum::band_count) {
        error(where, fmt::format("has {} values without wavelengths; the standard grid "
                                 "380–730 nm needs exactly {}",
                                 pod->count, Spectrum::band_count));
        return std::nullopt;
      }
      Spectrum::Values grid{};
      std::copy(values.begin(), values.end(), grid.begin());
      return Spectrum(grid);
    }
    try {
      return resample({pod->wavelengths_nm, pod->count}, values, where);
    } catch (const Error& e) {
      error(where, e.what());
      return std::nullopt;
    }
  }

  Measurement measurement(const pigmatch_measurement& pod, const std::string& where) {
    Measurement m;
    m.concentration = pod.concentration;
    m.substrate = text(pod.substrate);
    m.reflectance = spectrum(pod.reflectance, where + ".reflectance");
    if (pod.lab_d50 != nullptr)
      m.lab_d50 = Lab{pod.lab_d50->L, pod.lab_d50->a, pod.lab_d50->b};
    return m;
  }

  std::vector<std::string> strings(const char* const* items, std::size_t count,
                                   const std::string& where) {
    std::vector<std::string> out;
    const auto span = array(items, count, max_items, where);
    for (std::size_t i = 0; i < span.size(); ++i) {
      if (span[i] == nullptr) {
        error(fmt::format("{}[{}]", where, i), "is NULL");
        continue;
      }
      out.emplace_back(span[i]);
    }
    return out;
  }

  Pigment pigment(const pigmatch_pigment& pod, const std::string& where) {
    Pigment p;
    p.code = text(pod.code);
    p.name = text(pod.name);
    if (pod.code == nullptr)
      error(where + ".code", "is NULL; every pigment needs a code");
    if (pod.name == nullptr)
      error(where + ".name", "is NULL; every pigment needs a name");
    p.line = text(pod.product_line);
    p.ci_numbers = strings(pod.ci_numbers, pod.ci_number_count, where + ".ci_numbers");
    const auto measurements =
        array(pod.measurements, pod.measurement_count, max_items, where + ".measurements");
    for (std::size_t i = 0; i < measurements.size(); ++i) {
      const std::string at = fmt::format("{}.measurements[{}]", where, i);
      if (check_struct(measurements[i], PIGMATCH_V1_SIZE(pigmatch_measurement, lab_d50), at,
                       true)) {
        p.measurements.push_back(measurement(*measurements[i], at));
      }
    }
    p.k = spectrum(pod.k, where + ".k");
    p.s = spectrum(pod.s, where + ".s");
    if (pod.drop_volume_ml != nullptr)
      p.drop_volume_ml = *pod.drop_volume_ml;
    if (check_struct(pod.price, PIGMATCH_V1_SIZE(pigmatch_price, volume_ml), where + ".price",
                     false)) {
      p.price = Price{pod.price->amount, text(pod.price->currency), pod.price->volume_ml};
    }
    const auto lots = array(pod.lots, pod.lot_count, max_items, where + ".lots");
    for (std::size_t i = 0; i < lots.size(); ++i) {
      const std::string at = fmt::format("{}.lots[{}]", where, i);
      if (check_struct(lots[i], PIGMATCH_V1_SIZE(pigmatch_lot, expiry), at, true)) {
        p.lots.push_back(Lot{text(lots[i]->lot), text(lots[i]->expiry)});
      }
    }
    p.compliance = strings(pod.compliance, pod.compliance_count, where + ".compliance");
    p.sds_reference = text(pod.sds_reference);
    p.is_diluent = pod.is_diluent != 0;
    if (PIGMATCH_HAS_FIELD(&pod, pigmatch_pigment, uses))
      p.uses = strings(pod.uses, pod.use_count, where + ".uses");
    return p;
  }

 private:
  std::vector<Problem>& problems_;
};

}  // namespace

Catalog to_catalog(const pigmatch_catalog& pod, const std::string& source,
                   std::vector<Problem>& problems) {
  Reader reader(problems);
  Catalog catalog;
  catalog.source = source;
  if (pod.struct_size < PIGMATCH_V1_SIZE(pigmatch_catalog, pigments)) {
    reader.error("catalog",
                 fmt::format("struct_size is {}, smaller than ABI version 1's {}", pod.struct_size,
                             PIGMATCH_V1_SIZE(pigmatch_catalog, pigments)));
    return catalog;
  }
  catalog.id = text(pod.id);
  catalog.vendor = text(pod.vendor);
  catalog.name = text(pod.name);
  catalog.version = text(pod.version);
  catalog.description = text(pod.description);
  if (pod.id == nullptr)
    reader.error("id", "is NULL; every catalog needs an id");
  const auto pigments = reader.array(pod.pigments, pod.pigment_count, max_pigments, "pigments");
  for (std::size_t i = 0; i < pigments.size(); ++i) {
    const std::string where = fmt::format("pigments[{}]", i);
    if (reader.check_struct(pigments[i], PIGMATCH_V1_SIZE(pigmatch_pigment, is_diluent), where,
                            true)) {
      catalog.pigments.push_back(reader.pigment(*pigments[i], where));
    }
  }
  return catalog;
}

std::vector<Problem> to_problems(const pigmatch_catalog_set& set) {
  std::vector<Problem> problems;
  Reader reader(problems);
  const auto diagnostics =
      reader.array(set.diagnostics, set.diagnostic_count, max_pigments, "diagnostics");
  for (std::size_t i = 0; i < diagnostics.size(); ++i) {
    const pigmatch_diagnostic* d = diagnostics[i];
    const std::string at = fmt::format("diagnostics[{}]", i);
    if (!reader.check_struct(d, PIGMATCH_V1_SIZE(pigmatch_diagnostic, message), at, true)) {
      continue;
    }
    std::string where = text(d->where);
    if (d->line > 0)
      where = where.empty() ? fmt::format("line {}", d->line)
                            : fmt::format("line {}: {}", d->line, where);
    const std::string message = d->message == nullptr ? "(no message)" : d->message;
    problems.push_back(
        {where, message,
         d->severity == PIGMATCH_SEVERITY_WARNING ? Severity::warning : Severity::error});
  }
  return problems;
}

}  // namespace pigmatch::plugin_detail
