#include "match_json.h"

#include <fmt/format.h>

#include <initializer_list>
#include <nlohmann/json.hpp>

#include "json_output.h"
#include "pigmatch/error.h"

namespace pigmatch::cli {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(std::string_view source, const std::string& what) {
  throw Error(ErrorCode::corrupt_data,
              fmt::format("{}: {}; is it the output of 'pigmatch match --json'?", source, what));
}

// The first of `keys` present (and not null) in `object`, or nullptr.
const json* first_of(const json& object, std::initializer_list<const char*> keys) {
  if (!object.is_object())
    return nullptr;
  for (const char* key : keys) {
    const auto found = object.find(key);
    if (found != object.end() && !found->is_null())
      return &*found;
  }
  return nullptr;
}

std::optional<Lab> lab_of(const json* value) {
  return value == nullptr ? std::nullopt : lab_from_json(*value);
}

std::string text_of(const json* value) {
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

store::Formula formula_from_match_json(std::string_view text, std::string_view source, int rank) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range.
    fail(source, fmt::format("is not valid JSON ({})", e.what()));
  }
  const json* recipes = first_of(j, {"recipes"});
  if (recipes == nullptr || !recipes->is_array())
    fail(source, "has no \"recipes\" array");
  if (rank < 1 || static_cast<std::size_t>(rank) > recipes->size()) {
    fail(source,
         fmt::format("has {} recipe(s), so --rank {} does not exist", recipes->size(), rank));
  }
  const json& recipe = (*recipes)[static_cast<std::size_t>(rank - 1)];
  const std::string where = fmt::format("recipes[{}]", rank - 1);

  store::Formula f;
  const std::optional<Lab> target = lab_of(first_of(j, {"target", "target_lab_d50", "target_lab"}));
  if (!target)
    fail(source, "has no target colour (\"target\" as {L, a, b})");
  f.target = *target;
  const std::optional<Lab> predicted =
      lab_of(first_of(recipe, {"predicted", "predicted_lab_d50", "predicted_lab"}));
  if (!predicted)
    fail(source, where + " has no predicted colour (\"predicted\")");
  f.predicted = *predicted;
  const json* de = first_of(recipe, {"delta_e00", "de00"});
  if (de == nullptr || !de->is_number())
    fail(source, where + " has no ΔE00 (\"de00\")");
  f.delta_e00 = de->get<double>();
  f.model = text_of(first_of(j, {"model", "mixing_model"}));
  if (f.model.empty())
    f.model = text_of(first_of(recipe, {"model"}));
  if (f.model.empty())
    fail(source, "does not name its mixing model (\"model\")");

  const json* components = first_of(recipe, {"components"});
  if (components == nullptr || !components->is_array() || components->empty()) {
    fail(source, where + " has no \"components\"");
  }
  for (std::size_t i = 0; i < components->size(); ++i) {
    const json& c = (*components)[i];
    const std::string at = fmt::format("{}.components[{}]", where, i);
    const std::string catalog = text_of(first_of(c, {"catalog", "catalog_id"}));
    if (f.catalog.empty())
      f.catalog = catalog;
    store::Component component;
    // The vendor when the match output names it, else the catalog it came from.
    component.vendor = text_of(first_of(c, {"vendor"}));
    if (component.vendor.empty())
      component.vendor = catalog;
    component.code = text_of(first_of(c, {"code"}));
    component.lot = text_of(first_of(c, {"lot"}));
    const json* drops = first_of(c, {"drops"});
    const json* ml = first_of(c, {"ml", "millilitres"});
    if (component.vendor.empty() || component.code.empty() || drops == nullptr ||
        !drops->is_number() || ml == nullptr || !ml->is_number()) {
      fail(source, at + " needs a catalog or vendor, a code, drops and ml");
    }
    component.drops = drops->get<double>();
    component.ml = ml->get<double>();
    f.components.push_back(component);
  }
  if (f.catalog.empty())
    f.catalog = text_of(first_of(j, {"catalog"}));
  if (f.catalog.empty())
    fail(source, "does not name the catalog of its pigments");
  return f;
}

}  // namespace pigmatch::cli
