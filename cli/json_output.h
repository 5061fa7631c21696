// What the commands share in writing and reading JSON and plain lists: Lab values in both of the
// forms pigmatch writes, lists joined for tables, catalog load problems reported one way.
#pragma once

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/plugin_host/plugin_host.h"

namespace pigmatch::cli {

/// {"L": …, "a": …, "b": …}: match, touchup, catalog.
nlohmann::ordered_json lab_object(const Lab& lab);
/// [L, a, b]: measure's regions (compact, one line per colour).
nlohmann::ordered_json lab_array(const Lab& lab);

/// A Lab in either form; nullopt when `value` is neither or a number is not finite.
template <class Json>
std::optional<Lab> lab_from_json(const Json& value) {
  Lab lab;
  if (value.is_array() && value.size() == 3 && value[0].is_number() && value[1].is_number() &&
      value[2].is_number()) {
    lab = {value[0].template get<double>(), value[1].template get<double>(),
           value[2].template get<double>()};
  } else if (value.is_object() && value.contains("L") && value.contains("a") &&
             value.contains("b") && value["L"].is_number() && value["a"].is_number() &&
             value["b"].is_number()) {
    lab = {value["L"].template get<double>(), value["a"].template get<double>(),
           value["b"].template get<double>()};
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(lab.L) || !std::isfinite(lab.a) || !std::isfinite(lab.b))
    return std::nullopt;
  return lab;
}

/// `items` with `separator` between them.
std::string join(const std::vector<std::string>& items, std::string_view separator);

/// Prints every catalog or plugin load problem on stderr (unless `quiet`: the JSON answer
/// carries them), then fails when one of `files`, catalog files the user named, was rejected:
/// a catalog asked for is never silently left out.
void report_load_problems(const PluginRegistry& registry,
                          std::span<const std::filesystem::path> files, bool quiet = false);

}  // namespace pigmatch::cli
