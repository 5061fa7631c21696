// What fuzz_catalog_cgats and fuzz_catalog_json do with a catalog once a reader parsed it: what
// the plugin host does with every catalog file (`pigmatch match --catalog FILE`, `catalog
// validate`): the reader's diagnostics and catalog through the plugin ABI's POD view, conversion
// into pigmatch::Catalog, validate(); then, for a catalog validate() accepts, what formulation
// does first: each built-in mixing model bound to its pigments and one mix predicted.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "catalog_files.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/mixing.h"
// The host's conversion of a plugin's POD catalog (libcore's private plugin_detail): the fuzz
// target runs it exactly as PluginRegistry does, without loading the plugin's .so per input.
#include "plugin_host/plugin_internal.h"

namespace pigmatch::fuzz {

inline void predict_a_mix(const Catalog& catalog) {
  // Formulation mixes a handful of pigments; more only makes each input slower.
  constexpr std::size_t kMaxPigments = 4;
  const std::vector<Pigment> pigments(
      catalog.pigments.begin(),
      catalog.pigments.begin() +
          static_cast<std::ptrdiff_t>(std::min(kMaxPigments, catalog.pigments.size())));
  const std::array<std::size_t, 2> which{0, pigments.size() - 1};
  const std::array<double, 2> concentrations{0.3, 0.2};
  const std::size_t used = pigments.size() > 1 ? 2 : 1;
  for (const BuiltinModel model : {BuiltinModel::lab, BuiltinModel::km, BuiltinModel::km1}) {
    try {
      const auto mixer = make_builtin_mixer(model, pigments);
      const MixColour colour =
          mixer->mix({std::span(which).first(used), std::span(concentrations).first(used)});
      volatile double sink = colour.lab_d50.L;
      (void)sink;
    } catch (const Error&) {
      // A model that cannot use these pigments says so (e.g. KM without spectra).
    }
  }
}

inline void use_parsed_catalog(const catalog_files::ParseResult& parsed, const std::string& file) {
  plugin::CatalogSet set;
  if (parsed.catalog)
    set.add(*parsed.catalog);
  for (const auto& diagnostic : parsed.diagnostics)
    set.add(diagnostic);
  const pigmatch_catalog_set* view = set.view();
  std::vector<Problem> problems = plugin_detail::to_problems(*view);
  for (std::size_t i = 0; i < view->catalog_count; ++i) {
    const Catalog catalog = plugin_detail::to_catalog(*view->catalogs[i], file, problems);
    const std::vector<Problem> found = validate(catalog);
    problems.insert(problems.end(), found.begin(), found.end());
    for (const Problem& problem : problems)
      (void)to_string(problem);  // the messages the user would read
    if (!has_errors(problems) && !catalog.pigments.empty()) {
      (void)find_pigment(catalog, catalog.pigments.front().code);
      predict_a_mix(catalog);
    }
  }
}

}  // namespace pigmatch::fuzz
