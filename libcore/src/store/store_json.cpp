// The JSON forms of a client's record (export/import) and of a formula (`formula save`).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pigmatch/store/store.h"

namespace pigmatch::store {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* record_format = "pigmatch-client";
constexpr int record_format_version = 1;

// ---- writing ------------------------------------------------------------------------------------

json lab_json(const Lab& lab) {
  return {{"L", lab.L}, {"a", lab.a}, {"b", lab.b}};
}

template <typename T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json client_json(const Client& c) {
  return {{"id", c.id},       {"name", c.name},   {"birth_date", c.birth_date}, {"phone", c.phone},
          {"email", c.email}, {"notes", c.notes}, {"created_at", c.created_at}};
}

json visit_json(const Visit& v) {
  return {{"id", v.id},      {"kind", to_string(v.kind)},      {"date", v.date},
          {"area", v.area},  {"practitioner", v.practitioner}, {"needle", v.needle},
          {"notes", v.notes}};
}

json consent_json(const Consent& c) {
  return {{"id", c.id}, {"kind", c.kind}, {"date", c.date}, {"signed_by", c.signed_by}};
}

json measurement_json(const Measurement& m) {
  return {{"id", m.id},
          {"visit", optional_json(m.visit_id)},
          {"kind", to_string(m.kind)},
          {"region", m.region},
          {"lab", lab_json(m.lab)},
          {"calibration_de00", optional_json(m.calibration_de00)},
          {"uncertainty_de00", optional_json(m.uncertainty_de00)},
          {"photo_path", m.photo_path},
          {"photo_sha256", m.photo_sha256},
          {"taken_at", m.taken_at}};
}

json formula_json(const Formula& f) {
  json components = json::array();
  for (const Component& c : f.components) {
    components.push_back(
        {{"vendor", c.vendor}, {"code", c.code}, {"lot", c.lot}, {"drops", c.drops}, {"ml", c.ml}});
  }
  return {{"id", f.id},
          {"client", f.client_id},
          {"visit", optional_json(f.visit_id)},
          {"replaces", optional_json(f.replaces)},
          {"region", f.region},
          {"target", lab_json(f.target)},
          {"model", f.model},
          {"catalog", f.catalog},
          {"predicted", lab_json(f.predicted)},
          {"delta_e00", f.delta_e00},
          {"components", components},
          {"notes", f.notes},
          {"created_at", f.created_at}};
}

// ---- reading: every missing or mistyped field is named with its path ---------------------------

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: {}{}{}", source_, where, where.empty() ? "" : ": ", what));
  }

  const json& field(const json& object, const std::string& where, const char* key) const {
    if (!object.is_object())
      fail(where, "must be an object");
    const auto found = object.find(key);
    if (found == object.end())
      fail(where, fmt::format("'{}' is missing", key));
    return *found;
  }

  std::string text(const json& object, const std::string& where, const char* key,
                   bool required = false) const {
    if (!object.is_object())
      fail(where, "must be an object");
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
      if (required)
        fail(where, fmt::format("'{}' is missing", key));
      return {};
    }
    if (!found->is_string())
      fail(path(where, key), "must be a string");
    return found->get<std::string>();
  }

  double number(const json& object, const std::string& where, const char* key) const {
    const json& value = field(object, where, key);
    if (!value.is_number())
      fail(path(where, key), "must be a number");
    return value.get<double>();
  }

  std::optional<Id> optional_id(const json& object, const std::string& where,
                                const char* key) const {
    if (!object.is_object())
      fail(where, "must be an object");
    const auto found = object.find(key);
    if (found == object.end() || found->is_null())
      return std::nullopt;
    if (!found->is_number_integer())
      fail(path(where, key), "must be a whole number");
    return found->get<Id>();
  }

  Id id(const json& object, const std::string& where, const char* key) const {
    return optional_id(object, where, key).value_or(0);
  }

  Lab lab(const json& object, const std::string& where, const char* key) const {
    const json& value = field(object, where, key);
    const std::string at = path(where, key);
    // Accept {"L":…,"a":…,"b":…} and [L, a, b] (the form `pigmatch de --json` prints).
    if (value.is_array()) {
      if (value.size() != 3 || !value[0].is_number() || !value[1].is_number() ||
          !value[2].is_number()) {
        fail(at, "must be [L, a, b]");
      }
      return {value[0].get<double>(), value[1].get<double>(), value[2].get<double>()};
    }
    return {number(value, at, "L"), number(value, at, "a"), number(value, at, "b")};
  }

  const json& array(const json& object, const std::string& where, const char* key) const {
    const json& value = field(object, where, key);
    if (!value.is_array())
      fail(path(where, key), "must be an array");
    return value;
  }

  template <typename F>
  auto guarded(const std::string& where, F&& read) const {
    try {
      return read();
    } catch (const Error& e) {
      if (e.code() != ErrorCode::invalid_argument)
        throw;
      fail(where, e.what());
    }
  }

  static std::string path(const std::string& where, const char* key) {
    return where.empty() ? std::string(key) : where + "." + key;
  }
  static std::string index(const std::string& where, const char* key, std::size_t i) {
    return fmt::format("{}[{}]", path(where, key), i);
  }

 private:
  std::string source_;
};

json parse(std::string_view text, std::string_view source) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range.
    throw Error(ErrorCode::corrupt_data,
                fmt::format("{}: is not valid JSON ({})", source, e.what()));
  }
}

Formula read_formula(const Reader& r, const json& j, const std::string& where) {
  Formula f;
  f.id = r.id(j, where, "id");
  f.client_id = r.id(j, where, "client");
  f.visit_id = r.optional_id(j, where, "visit");
  f.replaces = r.optional_id(j, where, "replaces");
  f.region = r.text(j, where, "region");
  f.target = r.lab(j, where, "target");
  f.model = r.text(j, where, "model", true);
  f.catalog = r.text(j, where, "catalog", true);
  f.predicted = r.lab(j, where, "predicted");
  f.delta_e00 = r.number(j, where, "delta_e00");
  const json& components = r.array(j, where, "components");
  for (std::size_t i = 0; i < components.size(); ++i) {
    const std::string at = Reader::index(where, "components", i);
    const json& c = components[i];
    f.components.push_back({r.text(c, at, "vendor", true), r.text(c, at, "code", true),
                            r.text(c, at, "lot"), r.number(c, at, "drops"), r.number(c, at, "ml")});
  }
  f.notes = r.text(j, where, "notes");
  f.created_at = r.text(j, where, "created_at");
  return f;
}

}  // namespace

std::string to_json(const ClientRecord& record) {
  json visits = json::array(), consents = json::array(), measurements = json::array(),
       formulas = json::array();
  for (const Visit& v : record.visits)
    visits.push_back(visit_json(v));
  for (const Consent& c : record.consents)
    consents.push_back(consent_json(c));
  for (const Measurement& m : record.measurements)
    measurements.push_back(measurement_json(m));
  for (const Formula& f : record.formulas)
    formulas.push_back(formula_json(f));
  const json out = {{"format", record_format},
                    {"version", record_format_version},
                    {"client", client_json(record.client)},
                    {"visits", visits},
                    {"consents", consents},
                    {"measurements", measurements},
                    {"formulas", formulas}};
  return out.dump(2);
}

ClientRecord client_record_from_json(std::string_view text, std::string_view source) {
  const json j = parse(text, source);
  const Reader r(source);
  if (!j.is_object() || j.value("format", "") != record_format) {
    r.fail("", "is not a pigmatch client export (\"format\": \"pigmatch-client\" is missing)");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() != record_format_version) {
    r.fail("version", fmt::format("must be {}; this file comes from another pigmatch version",
                                  record_format_version));
  }
  ClientRecord record;
  const json& c = r.field(j, "", "client");
  record.client = {r.id(c, "client", "id"),           r.text(c, "client", "name", true),
                   r.text(c, "client", "birth_date"), r.text(c, "client", "phone"),
                   r.text(c, "client", "email"),      r.text(c, "client", "notes"),
                   r.text(c, "client", "created_at")};
  const json& visits = r.array(j, "", "visits");
  for (std::size_t i = 0; i < visits.size(); ++i) {
    const std::string at = Reader::index("", "visits", i);
    Visit v;
    v.id = r.id(visits[i], at, "id");
    v.kind = r.guarded(at, [&] { return parse_visit_kind(r.text(visits[i], at, "kind", true)); });
    v.date = r.text(visits[i], at, "date", true);
    v.area = r.text(visits[i], at, "area");
    v.practitioner = r.text(visits[i], at, "practitioner");
    v.needle = r.text(visits[i], at, "needle");
    v.notes = r.text(visits[i], at, "notes");
    record.visits.push_back(v);
  }
  const json& consents = r.array(j, "", "consents");
  for (std::size_t i = 0; i < consents.size(); ++i) {
    const std::string at = Reader::index("", "consents", i);
    record.consents.push_back(
        {r.id(consents[i], at, "id"), 0, r.text(consents[i], at, "kind", true),
         r.text(consents[i], at, "date", true), r.text(consents[i], at, "signed_by", true)});
  }
  const json& measurements = r.array(j, "", "measurements");
  for (std::size_t i = 0; i < measurements.size(); ++i) {
    const std::string at = Reader::index("", "measurements", i);
    const json& mj = measurements[i];
    Measurement m;
    m.id = r.id(mj, at, "id");
    m.visit_id = r.optional_id(mj, at, "visit");
    m.kind = r.guarded(at, [&] { return parse_measurement_kind(r.text(mj, at, "kind", true)); });
    m.region = r.text(mj, at, "region");
    m.lab = r.lab(mj, at, "lab");
    if (mj.contains("calibration_de00") && !mj["calibration_de00"].is_null()) {
      m.calibration_de00 = r.number(mj, at, "calibration_de00");
    }
    if (mj.contains("uncertainty_de00") && !mj["uncertainty_de00"].is_null())
      m.uncertainty_de00 = r.number(mj, at, "uncertainty_de00");
    m.photo_path = r.text(mj, at, "photo_path");
    m.photo_sha256 = r.text(mj, at, "photo_sha256");
    m.taken_at = r.text(mj, at, "taken_at");
    record.measurements.push_back(m);
  }
  const json& formulas = r.array(j, "", "formulas");
  for (std::size_t i = 0; i < formulas.size(); ++i) {
    record.formulas.push_back(read_formula(r, formulas[i], Reader::index("", "formulas", i)));
  }
  return record;
}

std::string to_json(const Formula& formula) {
  return formula_json(formula).dump(2);
}

Formula formula_from_json(std::string_view text, std::string_view source) {
  const json j = parse(text, source);
  const Reader r(source);
  return read_formula(r, j, "");
}

}  // namespace pigmatch::store
