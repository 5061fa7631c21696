// chart.cpp — chart descriptions: parsing and validating the "pigmatch-chart" JSON format, the
// built-in charts, and loading chart files.
#include "pigmatch/calibration/chart.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "calibration/chart_builtin.h"
#include "pigmatch/error.h"

namespace pigmatch {
namespace {

using Json = nlohmann::json;

// A chart file is small; anything bigger is not a chart description.
constexpr std::uintmax_t max_chart_file_bytes = 4u << 20;
constexpr std::size_t max_patches = 2000;

[[noreturn]] void fail(std::string_view name, const std::string& what) {
  throw Error(ErrorCode::corrupt_data,
              std::string(name) + ": " + what +
                  " (see data/charts/colorchecker-classic.json for the expected layout)");
}

const Json& member(const Json& object, const char* key, std::string_view name,
                   const std::string& where) {
  if (!object.is_object() || !object.contains(key))
    fail(name, where + " has no \"" + key + "\"");
  return object.at(key);
}

std::string string_member(const Json& object, const char* key, std::string_view name,
                          const std::string& where) {
  const Json& value = member(object, key, name, where);
  if (!value.is_string())
    fail(name, where + " \"" + key + "\" must be a string");
  return value.get<std::string>();
}

double number(const Json& value, std::string_view name, const std::string& where) {
  if (!value.is_number())
    fail(name, where + " must be a number");
  const double x = value.get<double>();
  if (!std::isfinite(x))
    fail(name, where + " must be finite");
  return x;
}

double number_in(const Json& value, double low, double high, std::string_view name,
                 const std::string& where) {
  const double x = number(value, name, where);
  if (x < low || x > high) {
    std::ostringstream text;
    text << where << " is " << x << ", outside " << low << " … " << high;
    fail(name, text.str());
  }
  return x;
}

const Json& array_of(const Json& value, std::size_t size, std::string_view name,
                     const std::string& where) {
  if (!value.is_array() || value.size() != size)
    fail(name, where + " must be an array of " + std::to_string(size) + " numbers");
  return value;
}

ChartPatch parse_patch(const Json& json, std::size_t index, std::string_view name) {
  const std::string where = "patch " + std::to_string(index + 1);
  ChartPatch patch;
  const Json& id = member(json, "id", name, where);
  if (!id.is_number_integer() || id.get<long long>() < 1 || id.get<long long>() > 100000)
    fail(name, where + " \"id\" must be a positive integer");
  patch.id = id.get<int>();
  patch.name = string_member(json, "name", name, where);
  const Json& center = array_of(member(json, "center", name, where), 2, name, where + " center");
  patch.center = {number_in(center[0], 0, 1, name, where + " center x"),
                  number_in(center[1], 0, 1, name, where + " center y")};
  const Json& size = array_of(member(json, "size", name, where), 2, name, where + " size");
  patch.width = number_in(size[0], 1e-4, 1, name, where + " width");
  patch.height = number_in(size[1], 1e-4, 1, name, where + " height");
  constexpr double slack = 1e-6;  // rounding in the file
  if (patch.center.x - patch.width / 2 < -slack || patch.center.x + patch.width / 2 > 1 + slack ||
      patch.center.y - patch.height / 2 < -slack || patch.center.y + patch.height / 2 > 1 + slack)
    fail(name, where + " extends outside the chart (0 … 1)");
  if (json.contains("neutral")) {
    if (!json.at("neutral").is_boolean())
      fail(name, where + " \"neutral\" must be true or false");
    patch.neutral = json.at("neutral").get<bool>();
  }
  return patch;
}

ChartReference parse_reference(const Json& json, std::size_t patch_count, std::string_view name) {
  ChartReference reference;
  reference.id = string_member(json, "id", name, "a reference set");
  const std::string where = "reference set \"" + reference.id + "\"";
  if (reference.id.empty())
    fail(name, "a reference set has an empty \"id\"");
  if (json.contains("illuminant") && json.at("illuminant") != "D50")
    fail(name, where + " must be CIELAB D50 (\"illuminant\": \"D50\")");
  if (json.contains("observer") && json.at("observer") != "2deg")
    fail(name, where + " must be for the 2° observer (\"observer\": \"2deg\")");
  if (json.contains("description"))
    reference.description = string_member(json, "description", name, where);
  if (json.contains("source"))
    reference.source = string_member(json, "source", name, where);
  const Json& values = member(json, "lab", name, where);
  if (!values.is_array() || values.size() != patch_count)
    fail(name, where + " must have one [L, a, b] per patch (" + std::to_string(patch_count) + ")");
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string at = where + " patch " + std::to_string(i + 1);
    const Json& lab = array_of(values[i], 3, name, at);
    reference.lab_d50.push_back({number_in(lab[0], 0, 100, name, at + " L*"),
                                 number_in(lab[1], -200, 200, name, at + " a*"),
                                 number_in(lab[2], -200, 200, name, at + " b*")});
  }
  return reference;
}

std::vector<double> numbers(const Json& value, std::string_view name, const std::string& where) {
  if (!value.is_array() || value.size() < 2 || value.size() > 1000)
    fail(name, where + " must be an array of 2 to 1000 numbers");
  std::vector<double> out;
  for (std::size_t i = 0; i < value.size(); ++i)
    out.push_back(number(value[i], name, where + " value " + std::to_string(i + 1)));
  return out;
}

// Optional measured spectra: one reflectance curve per patch on a shared wavelength grid.
std::vector<Spectrum> parse_spectra(const Json& json, std::size_t patch_count,
                                    std::string_view name) {
  const std::vector<double> wavelengths =
      numbers(member(json, "wavelengths_nm", name, "\"spectra\""), name, "spectra wavelengths_nm");
  const Json& curves = member(json, "reflectance", name, "\"spectra\"");
  if (!curves.is_array() || curves.size() != patch_count)
    fail(name, "spectra \"reflectance\" must hold one curve per patch (" +
                   std::to_string(patch_count) + ")");
  std::vector<Spectrum> spectra;
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const std::string where = "spectra reflectance of patch " + std::to_string(i + 1);
    const std::vector<double> values = numbers(curves[i], name, where);
    for (const double v : values) {
      if (v < 0 || v > 2)
        fail(name, where + " has a value outside 0 … 2 (a reflectance factor)");
    }
    try {
      spectra.push_back(resample(wavelengths, values, std::string(name) + " " + where,
                                 ResampleOptions{.max_extrapolation_nm = 10}));
    } catch (const Error& e) {
      fail(name, e.what());
    }
  }
  return spectra;
}

ChartDefinition parse_document(const Json& doc, std::string_view name) {
  if (!doc.is_object() || !doc.contains("format") || doc.at("format") != "pigmatch-chart")
    fail(name, "not a chart description (\"format\": \"pigmatch-chart\" is missing)");
  if (!doc.contains("version") || doc.at("version") != 1)
    fail(name, "unsupported chart format version (this pigmatch reads version 1)");

  ChartDefinition chart;
  chart.id = string_member(doc, "id", name, "the chart");
  if (chart.id.empty())
    fail(name, "the chart has an empty \"id\"");
  chart.name = doc.contains("name") ? string_member(doc, "name", name, "the chart") : chart.id;

  const Json& geometry = member(doc, "geometry", name, "the chart");
  const Json& size = array_of(member(geometry, "size_mm", name, "geometry"), 2, name, "size_mm");
  chart.width_mm = number_in(size[0], 1, 10000, name, "geometry width");
  chart.height_mm = number_in(size[1], 1, 10000, name, "geometry height");
  if (geometry.contains("rows"))
    chart.rows = static_cast<int>(number_in(geometry.at("rows"), 0, 1000, name, "rows"));
  if (geometry.contains("columns"))
    chart.columns = static_cast<int>(number_in(geometry.at("columns"), 0, 1000, name, "columns"));

  const Json& patches = member(doc, "patches", name, "the chart");
  if (!patches.is_array() || patches.empty() || patches.size() > max_patches)
    fail(name, "\"patches\" must be an array of 1 to " + std::to_string(max_patches) + " patches");
  std::set<int> ids;
  for (std::size_t i = 0; i < patches.size(); ++i) {
    chart.patches.push_back(parse_patch(patches[i], i, name));
    if (!ids.insert(chart.patches.back().id).second)
      fail(name, "patch id " + std::to_string(chart.patches.back().id) + " appears twice");
  }

  const Json& references = member(doc, "references", name, "the chart");
  if (!references.is_array() || references.empty())
    fail(name, "\"references\" must hold at least one reference set");
  for (const Json& reference : references)
    chart.references.push_back(parse_reference(reference, chart.patches.size(), name));

  // The default set goes first so that reference() with no id finds it.
  if (doc.contains("default_reference")) {
    const std::string wanted = string_member(doc, "default_reference", name, "the chart");
    const auto it = std::find_if(chart.references.begin(), chart.references.end(),
                                 [&](const ChartReference& r) { return r.id == wanted; });
    if (it == chart.references.end())
      fail(name, "\"default_reference\" names \"" + wanted + "\", which is not in \"references\"");
    std::rotate(chart.references.begin(), it, it + 1);
  }
  if (doc.contains("spectra"))
    chart.spectra = parse_spectra(doc.at("spectra"), chart.patches.size(), name);
  return chart;
}

}  // namespace

const ChartReference& ChartDefinition::reference(std::string_view wanted) const {
  if (references.empty())
    throw Error(ErrorCode::not_found, "chart " + id + " has no reference values");
  if (wanted.empty())
    return references.front();
  std::string available;
  for (const ChartReference& r : references) {
    if (r.id == wanted)
      return r;
    available += (available.empty() ? "" : ", ") + r.id;
  }
  throw Error(ErrorCode::not_found, "chart " + id + " has no reference set \"" +
                                        std::string(wanted) + "\"; available: " + available);
}

std::vector<std::string> builtin_chart_ids() {
  std::vector<std::string> ids;
  for (const auto& chart : detail::builtin_chart_texts())
    ids.emplace_back(chart.id);
  return ids;
}

ChartDefinition builtin_chart(std::string_view id) {
  for (const auto& chart : detail::builtin_chart_texts()) {
    if (chart.id == id)
      return parse_chart(chart.json, "built-in chart " + std::string(id));
  }
  std::string available;
  for (const auto& known : builtin_chart_ids())
    available += (available.empty() ? "" : ", ") + known;
  throw Error(ErrorCode::not_found, "no built-in chart \"" + std::string(id) +
                                        "\"; built in: " + available +
                                        " (other charts can be loaded from a chart file)");
}

ChartDefinition parse_chart(std::string_view json_text, std::string_view name) {
  Json doc;
  try {
    doc = Json::parse(json_text.begin(), json_text.end());
  } catch (const Json::exception& e) {
    fail(name, std::string("not valid JSON: ") + e.what());
  }
  try {
    return parse_document(doc, name);
  } catch (const Json::exception& e) {
    fail(name, std::string("unexpected value: ") + e.what());
  }
}

ChartDefinition load_chart(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error)
    throw Error(ErrorCode::io, "cannot read chart file " + path.string() + ": " + error.message());
  if (size > max_chart_file_bytes)
    throw Error(ErrorCode::too_large, "chart file " + path.string() + " is " +
                                          std::to_string(size) +
                                          " bytes; a chart description is at most 4 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorCode::io, "cannot open chart file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_chart(text.str(), path.string());
}

}  // namespace pigmatch
