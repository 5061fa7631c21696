// The pigment pool of a formulation: the catalogs' pigments that pass a request's filters.
#include <fmt/format.h>

#include <algorithm>

#include "pigmatch/error.h"
#include "pigmatch/formulation/formulate.h"
#include "support/text.h"

namespace pigmatch {

namespace {

bool allowed(std::string_view value, const std::vector<std::string>& list) {
  return list.empty() || std::any_of(list.begin(), list.end(), [&](const auto& v) {
           return detail::equals_ignoring_case(v, value);
         });
}

}  // namespace

std::vector<Pigment> PigmentPool::pigments() const {
  std::vector<Pigment> out;
  out.reserve(entries.size());
  for (const auto& e : entries)
    out.push_back(e.pigment);
  return out;
}

std::string_view default_use(FormulationMode mode) noexcept {
  switch (mode) {
    case FormulationMode::follicle:
      return "smp";
    case FormulationMode::camouflage:
      return "camouflage";
    case FormulationMode::custom:
      return {};
  }
  return {};
}

PigmentPool select_pigments(std::span<const Catalog> catalogs, const PigmentFilter& filter) {
  PigmentPool pool;
  std::optional<PoolPigment> diluent;
  for (const Catalog& catalog : catalogs) {
    for (const Pigment& p : catalog.pigments) {
      if (!meant_for(p, filter.use))
        continue;
      if (p.is_diluent) {
        if (!diluent)
          diluent = PoolPigment{catalog.id, p};
        continue;
      }
      if (!allowed(catalog.vendor, filter.vendors) || !allowed(p.line, filter.lines))
        continue;
      if (filter.compliant_only && p.compliance.empty())
        continue;
      pool.entries.push_back({catalog.id, p});
    }
  }
  if (pool.entries.empty()) {
    throw Error(ErrorCode::not_found,
                filter.use.empty()
                    ? "no pigment passes the filters (vendors, lines, compliant-only): loosen "
                      "them or load another catalog"
                    : fmt::format("no pigment meant for {} passes the filters (use, vendors, "
                                  "lines, compliant-only): load a catalog whose pigments are "
                                  "meant for it, loosen the filters, or allow every pigment "
                                  "(--use any)",
                                  filter.use));
  }
  for (const std::string& code : filter.required) {
    if (std::none_of(pool.entries.begin(), pool.entries.end(), [&](const auto& e) {
          return detail::equals_ignoring_case(e.pigment.code, code);
        })) {
      throw Error(ErrorCode::not_found,
                  fmt::format("required pigment '{}' is in none of the allowed pigments", code));
    }
  }
  if (diluent) {
    pool.entries.push_back(std::move(*diluent));
    pool.has_diluent = true;
  }
  return pool;
}

}  // namespace pigmatch
