#include "json_output.h"

#include <fmt/format.h>

#include <cstdio>

#include "pigmatch/formulation/match.h"

namespace pigmatch::cli {

nlohmann::ordered_json lab_object(const Lab& lab) {
  return {{"L", lab.L}, {"a", lab.a}, {"b", lab.b}};
}

nlohmann::ordered_json lab_array(const Lab& lab) {
  return nlohmann::ordered_json::array({lab.L, lab.a, lab.b});
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty())
      out += separator;
    out += item;
  }
  return out;
}

void report_load_problems(const PluginRegistry& registry,
                          std::span<const std::filesystem::path> files, bool quiet) {
  if (!quiet) {
    for (const LoadProblem& p : registry.problems())
      fmt::print(stderr, "pigmatch: {}\n", to_string(p));
  }
  check_explicit_catalogs(registry, files);
}

}  // namespace pigmatch::cli
