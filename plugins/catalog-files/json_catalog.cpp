// The JSON catalog reader: nlohmann::json for syntax, then a walk over the expected structure
// that names the JSON path (and line) of every problem.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog_files.h"

namespace pigmatch::catalog_files {
namespace {

using nlohmann::json;
using plugin::DiagnosticData;

constexpr std::string_view format_name = "pigmatch-catalog";
constexpr int format_version = 1;
constexpr std::size_t standard_band_count = PIGMATCH_BAND_COUNT;

// nlohmann::json keeps no source positions, so this scans the (already valid) text once and
// records the line where the value at each JSON path starts, and any key repeated within an
// object (nlohmann silently keeps the last one, which would hide a copy-paste mistake).
class JsonLines {
 public:
  explicit JsonLines(std::string_view text) { scan(text); }

  /// The line of `path`, or of its nearest recorded ancestor; 1 for the root.
  std::uint32_t line_of(std::string path) const {
    for (;;) {
      const auto it = lines_.find(path);
      if (it != lines_.end())
        return it->second;
      const std::size_t cut = path.find_last_of(".[");
      if (cut == std::string::npos || path.empty())
        return 1;
      path.resize(cut);
    }
  }

  /// Paths of keys that appear more than once in their object, with the line of the repeat.
  const std::vector<std::pair<std::string, std::uint32_t>>& duplicate_keys() const {
    return duplicates_;
  }

 private:
  struct Frame {
    bool is_array = false;
    std::string path;
    std::size_t index = 0;
    std::string key;
    std::set<std::string> keys;
  };

  static std::string child(const Frame& top) {
    if (top.is_array)
      return top.path + "[" + std::to_string(top.index) + "]";
    return top.path.empty() ? top.key : top.path + "." + top.key;
  }

  void scan(std::string_view text) {
    std::vector<Frame> stack;
    std::uint32_t line = 1;
    bool expect_key = false;
    const auto value_path = [&] { return stack.empty() ? std::string() : child(stack.back()); };
    for (std::size_t pos = 0; pos < text.size();) {
      const char c = text[pos];
      if (c == '\n') {
        ++line;
        ++pos;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos;
      } else if (c == '{' || c == '[') {
        const std::string path = value_path();
        lines_.emplace(path, line);
        stack.push_back(Frame{c == '[', path, 0, {}, {}});
        expect_key = c == '{';
        ++pos;
      } else if (c == '}' || c == ']') {
        if (!stack.empty())
          stack.pop_back();
        ++pos;
      } else if (c == ',') {
        if (!stack.empty() && stack.back().is_array)
          ++stack.back().index;
        expect_key = !stack.empty() && !stack.back().is_array;
        ++pos;
      } else if (c == ':') {
        expect_key = false;
        ++pos;
      } else if (c == '"') {
        const std::size_t start = ++pos;
        while (pos < text.size() && text[pos] != '"')
          pos += text[pos] == '\\' ? 2 : 1;
        const std::string token(text.substr(start, pos - start));
        ++pos;
        if (expect_key && !stack.empty()) {
          Frame& top = stack.back();
          top.key = token;
          if (!top.keys.insert(token).second)
            duplicates_.emplace_back(child(top), line);
        } else {
          lines_.emplace(value_path(), line);
        }
      } else {  // a number or literal
        lines_.emplace(value_path(), line);
        while (pos < text.size() &&
               std::string_view(",]} \t\r\n").find(text[pos]) == std::string_view::npos) {
          ++pos;
        }
      }
    }
  }

  std::map<std::string, std::uint32_t> lines_;
  std::vector<std::pair<std::string, std::uint32_t>> duplicates_;
};

// Walks the parsed document and collects diagnostics with path and line.
class Reader {
 public:
  Reader(const JsonLines& lines, std::vector<DiagnosticData>& diagnostics)
      : lines_(lines), diagnostics_(diagnostics) {}

  void error(const std::string& path, std::string message) {
    diagnostics_.push_back(
        {PIGMATCH_SEVERITY_ERROR, path, lines_.line_of(path), std::move(message)});
  }
  void warning(const std::string& path, std::string message) {
    diagnostics_.push_back(
        {PIGMATCH_SEVERITY_WARNING, path, lines_.line_of(path), std::move(message)});
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string at(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
  }

  // Keys outside `known` are reported, except "_…" and "x-…" (comments and vendor extensions).
  void check_keys(const json& object, const std::string& path,
                  std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : object.items()) {
      if (key.starts_with('_') || key.starts_with("x-"))
        continue;
      bool found = false;
      for (const std::string_view k : known)
        found = found || k == key;
      if (!found) {
        warning(join(path, key),
                "unknown key '" + key + "' is ignored (a typo? vendor extensions start with 'x-')");
      }
    }
  }

  std::optional<std::string> string(const json& object, const std::string& path,
                                    std::string_view key, bool required) {
    const std::string p = join(path, key);
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required)
        error(p, "required key '" + std::string(key) + "' is missing");
      return std::nullopt;
    }
    if (!it->is_string()) {
      error(p, "'" + std::string(key) + "' must be a string, not " + it->type_name());
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::string optional_string(const json& object, const std::string& path, std::string_view key) {
    return string(object, path, key, false).value_or(std::string());
  }

  std::optional<double> number(const json& value, const std::string& path) {
    if (!value.is_number()) {
      error(path, std::string("expected a number, not ") + value.type_name());
      return std::nullopt;
    }
    return value.get<double>();
  }

  std::optional<double> number(const json& object, const std::string& path, std::string_view key,
                               bool required) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required)
        error(join(path, key), "required key '" + std::string(key) + "' is missing");
      return std::nullopt;
    }
    return number(*it, join(path, key));
  }

  bool boolean(const json& object, const std::string& path, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return false;
    if (!it->is_boolean()) {
      error(join(path, key), std::string("expected true or false, not ") + it->type_name());
      return false;
    }
    return it->get<bool>();
  }

  // nullopt when absent; a type error is reported and yields an empty array.
  const json* array(const json& object, const std::string& path, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return nullptr;
    if (!it->is_array()) {
      error(join(path, key), std::string("expected an array, not ") + it->type_name());
      return nullptr;
    }
    return &*it;
  }

  const json* object_at(const json& object, const std::string& path, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return nullptr;
    if (!it->is_object()) {
      error(join(path, key), std::string("expected an object, not ") + it->type_name());
      return nullptr;
    }
    return &*it;
  }

  std::vector<std::string> strings(const json& object, const std::string& path,
                                   std::string_view key) {
    std::vector<std::string> out;
    const json* items = array(object, path, key);
    if (items == nullptr)
      return out;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const json& item = (*items)[i];
      if (item.is_string()) {
        out.push_back(item.get<std::string>());
      } else {
        error(at(join(path, key), i), std::string("expected a string, not ") + item.type_name());
      }
    }
    return out;
  }

  std::vector<double> numbers(const json& items, const std::string& path) {
    std::vector<double> out;
    if (!items.is_array()) {
      error(path, std::string("expected an array of numbers, not ") + items.type_name());
      return out;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (const auto v = number(items[i], at(path, i)))
        out.push_back(*v);
    }
    return out;
  }

  // [36 numbers on 380..730 nm] or {"wavelengths_nm": [...], "values": [...]}.
  std::optional<plugin::SpectrumData> spectrum(const json& object, const std::string& path,
                                               std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return std::nullopt;
    const std::string p = join(path, key);
    plugin::SpectrumData data;
    if (it->is_array()) {
      const std::size_t before = diagnostics_.size();
      data.values = numbers(*it, p);
      if (diagnostics_.size() != before)
        return std::nullopt;
      if (data.values.size() != standard_band_count) {
        error(p, "has " + std::to_string(data.values.size()) +
                     " values; a plain array is the 36 bands 380, 390, …, 730 nm (for another "
                     "grid write {\"wavelengths_nm\": [...], \"values\": [...]})");
        return std::nullopt;
      }
      return data;
    }
    if (!it->is_object()) {
      error(p, std::string("expected an array of 36 numbers or an object, not ") + it->type_name());
      return std::nullopt;
    }
    check_keys(*it, p, {"wavelengths_nm", "values"});
    const auto wl = it->find("wavelengths_nm");
    const auto values = it->find("values");
    if (wl == it->end() || values == it->end()) {
      error(p, "a spectrum object needs both 'wavelengths_nm' and 'values'");
      return std::nullopt;
    }
    const std::size_t before = diagnostics_.size();
    data.wavelengths_nm = numbers(*wl, join(p, "wavelengths_nm"));
    data.values = numbers(*values, join(p, "values"));
    if (diagnostics_.size() != before)
      return std::nullopt;
    if (data.wavelengths_nm.size() != data.values.size() || data.values.size() < 2) {
      error(p, "'wavelengths_nm' and 'values' must have the same length, at least 2 (they have " +
                   std::to_string(data.wavelengths_nm.size()) + " and " +
                   std::to_string(data.values.size()) + ")");
      return std::nullopt;
    }
    return data;
  }

  std::optional<pigmatch_lab> lab(const json& object, const std::string& path) {
    const json* value = object_at(object, path, "lab");
    if (value == nullptr)
      return std::nullopt;
    const std::string p = join(path, "lab");
    check_keys(*value, p, {"L", "a", "b"});
    const auto L = number(*value, p, "L", true);
    const auto a = number(*value, p, "a", true);
    const auto b = number(*value, p, "b", true);
    if (!L || !a || !b)
      return std::nullopt;
    return pigmatch_lab{*L, *a, *b};
  }

  plugin::MeasurementData measurement(const json& m, const std::string& path) {
    plugin::MeasurementData data;
    check_keys(m, path, {"concentration", "substrate", "reflectance", "lab"});
    data.concentration = number(m, path, "concentration", false).value_or(1.0);  // masstone
    data.substrate = optional_string(m, path, "substrate");
    data.reflectance = spectrum(m, path, "reflectance");
    data.lab_d50 = lab(m, path);
    return data;
  }

  std::optional<plugin::PriceData> price(const json& pigment, const std::string& path) {
    const json* value = object_at(pigment, path, "price");
    if (value == nullptr)
      return std::nullopt;
    const std::string p = join(path, "price");
    check_keys(*value, p, {"amount", "currency", "volume_ml"});
    plugin::PriceData data;
    data.amount = number(*value, p, "amount", true).value_or(0);
    data.currency = string(*value, p, "currency", true).value_or("");
    data.volume_ml = number(*value, p, "volume_ml", true).value_or(0);
    return data;
  }

  std::vector<plugin::LotData> lots(const json& pigment, const std::string& path) {
    std::vector<plugin::LotData> out;
    const json* items = array(pigment, path, "lots");
    if (items == nullptr)
      return out;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string p = at(join(path, "lots"), i);
      const json& item = (*items)[i];
      if (!item.is_object()) {
        error(p, std::string("expected an object {\"lot\": …, \"expiry\": …}, not ") +
                     item.type_name());
        continue;
      }
      check_keys(item, p, {"lot", "expiry"});
      out.push_back(
          {string(item, p, "lot", true).value_or(""), optional_string(item, p, "expiry")});
    }
    return out;
  }

  plugin::PigmentData pigment(const json& p, const std::string& path) {
    check_keys(p, path,
               {"code", "name", "product_line", "ci_numbers", "is_diluent", "measurements", "k",
                "s", "drop_volume_ml", "price", "lots", "compliance", "sds_reference", "uses"});
    plugin::PigmentData data;
    data.code = string(p, path, "code", true).value_or("");
    data.name = string(p, path, "name", true).value_or("");
    data.product_line = optional_string(p, path, "product_line");
    data.ci_numbers = strings(p, path, "ci_numbers");
    data.is_diluent = boolean(p, path, "is_diluent");
    if (const json* items = array(p, path, "measurements")) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string mp = at(join(path, "measurements"), i);
        if ((*items)[i].is_object()) {
          data.measurements.push_back(measurement((*items)[i], mp));
        } else {
          error(mp, std::string("expected a measurement object, not ") + (*items)[i].type_name());
        }
      }
    }
    data.k = spectrum(p, path, "k");
    data.s = spectrum(p, path, "s");
    data.drop_volume_ml = number(p, path, "drop_volume_ml", false);
    data.price = price(p, path);
    data.lots = lots(p, path);
    data.compliance = strings(p, path, "compliance");
    data.sds_reference = optional_string(p, path, "sds_reference");
    data.uses = strings(p, path, "uses");
    return data;
  }

  void check_format(const json& root) {
    const auto name = string(root, "", "format", true);
    if (name && *name != format_name) {
      error("format", "format is '" + *name + "'; a pigmatch catalog says \"format\": \"" +
                          std::string(format_name) + "\"");
    }
    const auto it = root.find("format_version");
    if (it == root.end()) {
      error("format_version", "required key 'format_version' is missing (this pigmatch reads 1)");
    } else if (!it->is_number_integer()) {
      error("format_version", "format_version must be an integer (this pigmatch reads 1)");
    } else if (it->get<std::int64_t>() != format_version) {
      error("format_version",
            "format_version is " + std::to_string(it->get<std::int64_t>()) +
                "; this pigmatch reads version 1" +
                (it->get<std::int64_t>() > format_version ? " (update pigmatch)" : ""));
    }
  }

  plugin::CatalogData catalog(const json& root) {
    check_format(root);
    check_keys(root, "",
               {"format", "format_version", "id", "vendor", "name", "version", "description",
                "uses", "pigments"});
    plugin::CatalogData data;
    data.id = string(root, "", "id", true).value_or("");
    data.vendor = string(root, "", "vendor", true).value_or("");
    data.name = string(root, "", "name", true).value_or("");
    data.version = optional_string(root, "", "version");
    data.description = optional_string(root, "", "description");
    // The catalog's "uses" are each pigment's that names none of its own.
    const std::vector<std::string> uses = strings(root, "", "uses");
    const json* pigments = array(root, "", "pigments");
    if (pigments == nullptr && root.find("pigments") == root.end()) {
      error("pigments", "required key 'pigments' is missing");
    }
    if (pigments != nullptr) {
      for (std::size_t i = 0; i < pigments->size(); ++i) {
        const std::string p = at("pigments", i);
        if ((*pigments)[i].is_object()) {
          data.pigments.push_back(pigment((*pigments)[i], p));
          if (data.pigments.back().uses.empty())
            data.pigments.back().uses = uses;
        } else {
          error(p, std::string("expected a pigment object, not ") + (*pigments)[i].type_name());
        }
      }
    }
    return data;
  }

 private:
  const JsonLines& lines_;
  std::vector<DiagnosticData>& diagnostics_;
};

// nlohmann reports the byte offset of a syntax error; people want a line.
std::uint32_t line_at_byte(std::string_view text, std::size_t byte) {
  std::uint32_t line = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i)
    line += text[i] == '\n' ? 1 : 0;
  return line;
}

bool has_errors(const std::vector<DiagnosticData>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == PIGMATCH_SEVERITY_ERROR)
      return true;
  }
  return false;
}

}  // namespace

ParseResult parse_json_catalog(std::string_view text, std::string_view file_name) {
  ParseResult result;
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    result.diagnostics.push_back({PIGMATCH_SEVERITY_ERROR, "",
                                  line_at_byte(text, e.byte == 0 ? 0 : e.byte - 1),
                                  std::string(file_name) + " is not valid JSON: " + e.what()});
    return result;
  } catch (const json::exception& e) {  // e.g. out_of_range for a number beyond double
    result.diagnostics.push_back(
        {PIGMATCH_SEVERITY_ERROR, "", 0, std::string(file_name) + " cannot be read: " + e.what()});
    return result;
  }
  if (!root.is_object()) {
    result.diagnostics.push_back(
        {PIGMATCH_SEVERITY_ERROR, "", 1,
         std::string(file_name) + ": a catalog is a JSON object {\"format\": \"" +
             std::string(format_name) + "\", …}, not " + root.type_name()});
    return result;
  }
  const JsonLines lines(text);
  Reader reader(lines, result.diagnostics);
  for (const auto& [path, line] : lines.duplicate_keys()) {
    result.diagnostics.push_back(
        {PIGMATCH_SEVERITY_ERROR, path, line,
         "key appears twice in the same object; only one can be meant, remove the other"});
  }
  plugin::CatalogData catalog = reader.catalog(root);
  if (!has_errors(result.diagnostics))
    result.catalog = std::move(catalog);
  return result;
}

}  // namespace pigmatch::catalog_files
