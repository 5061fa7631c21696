#include "measured_regions.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "json_output.h"
#include "pigmatch/error.h"

namespace pigmatch::cli {
namespace {

using Json = nlohmann::ordered_json;

// A measurement file is a few kilobytes; anything this large is not one.
constexpr std::uintmax_t max_measure_bytes = 16u << 20;

[[noreturn]] void bad_measure(const std::string& source, const std::string& what) {
  throw Error(ErrorCode::corrupt_data,
              fmt::format("{}: {}; is it the output of 'pigmatch measure --json'?", source, what));
}

// measure writes Lab as [L, a, b]; {"L", "a", "b"} is accepted for hand-written files.
std::optional<Lab> lab_of(const Json& v) {
  const std::optional<Lab> lab = lab_from_json(v);
  if (lab && (lab->L < 0 || lab->L > 100))
    return std::nullopt;
  return lab;
}

Lab lab_field(const Json& parent, const char* key, const std::string& source,
              const std::string& where) {
  const auto found = parent.find(key);
  if (found != parent.end()) {
    if (const auto lab = lab_of(*found))
      return *lab;
  }
  bad_measure(source,
              fmt::format("{}.{} is not a Lab colour [L, a, b] with L in 0–100", where, key));
}

// A non-negative finite number at parent[key], else nothing (older measure files lack it).
std::optional<double> optional_uncertainty(const Json& parent, const char* key) {
  const auto found = parent.find(key);
  if (found == parent.end() || !found->is_number())
    return std::nullopt;
  const double v = found->get<double>();
  return std::isfinite(v) && v >= 0 ? std::optional<double>(v) : std::nullopt;
}

MeasuredRegion parse_region(const Json& r, const std::string& source) {
  if (!r.is_object() || !r.contains("name") || !r["name"].is_string())
    bad_measure(source, "a region has no \"name\"");
  MeasuredRegion region;
  region.name = r["name"].get<std::string>();
  const std::string where = "region '" + region.name + "'";
  region.stubble = r.contains("kind") && r["kind"] == "stubble";
  region.lab_d50 = lab_field(r, "lab_d50", source, where);
  region.uncertainty_de00 = optional_uncertainty(r, "uncertainty_de00");
  if (region.stubble) {
    const auto hair = r.find("hair");
    if (hair == r.end() || !hair->is_object())
      bad_measure(source, where + " is stubble but has no \"hair\"");
    const bool separated = !hair->contains("separated") || (*hair)["separated"] != false;
    if (separated) {
      region.hair_d50 = lab_field(*hair, "lab_d50", source, where + ".hair");
      region.hair_uncertainty_de00 = optional_uncertainty(*hair, "uncertainty_de00");
    }
    const auto skin = r.find("skin");
    if (skin != r.end() && skin->is_object())
      region.lab_d50 = lab_field(*skin, "lab_d50", source, where + ".skin");
  }
  return region;
}

}  // namespace

MeasuredPhoto parse_measure_json(const Json& measure, const std::string& source) {
  if (!measure.is_object())
    bad_measure(source, "it is not a JSON object");
  MeasuredPhoto photo;
  if (const auto image = measure.find("image"); image != measure.end() && image->is_string())
    photo.image = image->get<std::string>();
  if (const auto c = measure.find("calibration"); c != measure.end() && c->is_object()) {
    const auto mean = c->find("mean_de00");
    if (mean != c->end() && mean->is_number() && std::isfinite(mean->get<double>()) &&
        mean->get<double>() >= 0)
      photo.calibration_de00 = mean->get<double>();
  }
  const auto regions = measure.find("regions");
  if (regions == measure.end() || !regions->is_array() || regions->empty())
    bad_measure(source, "it has no \"regions\"");
  for (const Json& r : *regions)
    photo.regions.push_back(parse_region(r, source));
  return photo;
}

MeasuredPhoto parse_measure_text(std::string_view text, const std::string& source) {
  Json measure;
  try {
    measure = Json::parse(text);
  } catch (const Json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range (found by
    // fuzz_measure_json).
    bad_measure(source, fmt::format("it is not valid JSON ({})", e.what()));
  }
  return parse_measure_json(measure, source);
}

MeasuredPhoto read_measure_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    throw Error(ErrorCode::io, fmt::format("cannot read measurement {} ({}); write one with "
                                           "'pigmatch measure PHOTO --json > FILE'",
                                           path, ec.message()));
  }
  if (size > max_measure_bytes)
    throw Error(ErrorCode::too_large, fmt::format("measurement {} is over 16 MiB", path));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorCode::io, fmt::format("cannot open measurement {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_measure_text(text.str(), path);
}

const MeasuredRegion& find_region(const MeasuredPhoto& photo, const std::string& name,
                                  const std::string& source) {
  std::vector<std::string> names;
  for (const MeasuredRegion& r : photo.regions) {
    if (r.name == name)
      return r;
    names.push_back(r.name);
  }
  throw Error(ErrorCode::not_found, fmt::format("{} has no region '{}'; its regions are: {}",
                                                source, name, fmt::join(names, ", ")));
}

}  // namespace pigmatch::cli
