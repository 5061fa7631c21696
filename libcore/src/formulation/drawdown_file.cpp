// Drawdown readings from a spectrophotometer's CGATS file (Little CMS's IT8 parser), each row
// named by its SAMPLE_NAME or by a layout file. Hostile input: sizes, fields and every number are
// checked, and a problem names its row.
#include "formulation/drawdown_file.h"

#include <fmt/format.h>
#include <lcms2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog_build.h"
#include "support/small_file.h"
#include "support/text.h"

namespace pigmatch {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t max_file_bytes = 16u << 20;  // as for catalog files
constexpr int max_rows = 100'000;

Error corrupt(const fs::path& file, const std::string& what) {
  return Error(ErrorCode::corrupt_data, fmt::format("{}: {}", file.string(), what));
}

std::string read_text(const fs::path& file) {
  return detail::read_small_file(file, max_file_bytes, "measurement files over 16 MiB");
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\"");
  if (first == std::string_view::npos)
    return {};
  const auto last = s.find_last_not_of(" \t\r\"");
  return std::string(s.substr(first, last - first + 1));
}

bool parse_number(std::string_view text, double& value) {
  const std::string t = trim(text);
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  return ec == std::errc{} && end == t.data() + t.size() && std::isfinite(value);
}

// A spectral field's wavelength: SPEC_380 (Argyll), SPECTRAL_NM380 / SPECTRAL_NM_380 (CGATS,
// i1Profiler), SPECTRAL_380, NM380, NM_380, R380 (i1Share and others); 0 when not spectral.
int wavelength_of(std::string_view field) {
  const std::string name = detail::lowercase(field);
  for (const std::string_view prefix :
       {"spectral_nm_", "spectral_nm", "spectral_", "spec_", "nm_", "nm", "r_", "r"}) {
    if (!name.starts_with(prefix))
      continue;
    int nm = 0;
    const char* begin = name.data() + prefix.size();
    const char* end = name.data() + name.size();
    const auto [stop, ec] = std::from_chars(begin, end, nm);
    if (ec == std::errc{} && stop == end && nm >= 300 && nm <= 1000)
      return nm;
    return 0;
  }
  return 0;
}

struct ContextDeleter {
  void operator()(cmsContext context) const { cmsDeleteContext(context); }
};
struct It8Deleter {
  void operator()(void* handle) const { cmsIT8Free(handle); }
};

struct LcmsMessages {
  std::vector<std::string> texts;
};

void collect_lcms_error(cmsContext context, cmsUInt32Number /*code*/, const char* text) {
  auto* messages = static_cast<LcmsMessages*>(cmsGetContextUserData(context));
  if (messages != nullptr && text != nullptr)
    messages->texts.emplace_back(text);
}

// The table as text cells: field names and rows.
struct Table {
  std::vector<std::string> fields;
  std::vector<std::vector<std::string>> rows;
};

Table load_table(std::string_view text, const fs::path& file) {
  if (text.empty())  // Little CMS asserts on an empty buffer
    throw corrupt(file, "the file is empty: export the readings as CGATS text");
  LcmsMessages messages;
  const std::unique_ptr<std::remove_pointer_t<cmsContext>, ContextDeleter> context(
      cmsCreateContext(nullptr, &messages));
  cmsSetLogErrorHandlerTHR(context.get(), collect_lcms_error);
  const std::unique_ptr<void, It8Deleter> it8(
      cmsIT8LoadFromMem(context.get(), text.data(), static_cast<cmsUInt32Number>(text.size())));
  if (!it8) {
    throw corrupt(file, fmt::format("not a CGATS file Little CMS can read ({}); export the "
                                    "readings as CGATS text (.ti3, .txt, .cgats)",
                                    messages.texts.empty() ? "no detail" : messages.texts.back()));
  }
  Table table;
  char** names = nullptr;
  const int count = cmsIT8EnumDataFormat(it8.get(), &names);
  for (int i = 0; i < count && names != nullptr; ++i)
    table.fields.emplace_back(names[i] != nullptr ? names[i] : "");
  const double sets = cmsIT8GetPropertyDbl(it8.get(), "NUMBER_OF_SETS");
  if (!(sets >= 1 && sets <= max_rows))
    throw corrupt(file, "NUMBER_OF_SETS is missing or not 1–100000: the file holds no readings");
  for (int row = 0; row < static_cast<int>(sets); ++row) {
    std::vector<std::string> cells;
    for (int col = 0; col < count; ++col) {
      const char* cell = cmsIT8GetDataRowCol(it8.get(), row, col);
      cells.emplace_back(cell != nullptr ? cell : "");
    }
    table.rows.push_back(std::move(cells));
  }
  return table;
}

struct Naming {
  std::string code;  // empty: the card
  double concentration = 1;
};

// "CODE@0.25", "CODE@25%", "card" (any case); false when the name says neither.
bool parse_name(std::string_view name, Naming& out) {
  const std::string t = trim(name);
  if (detail::lowercase(t) == "card" || detail::lowercase(t) == "paper" ||
      detail::lowercase(t) == "substrate") {
    out = {};
    return true;
  }
  const auto at = t.rfind('@');
  if (at == std::string::npos || at == 0)
    return false;
  std::string amount = trim(std::string_view(t).substr(at + 1));
  const bool percent = !amount.empty() && amount.back() == '%';
  if (percent)
    amount.pop_back();
  double value = 0;
  if (!parse_number(amount, value))
    return false;
  out.code = trim(std::string_view(t).substr(0, at));
  out.concentration = percent ? value / 100 : value;
  return !out.code.empty();
}

// sample_id,code,concentration per line (a header line and '#' comments skipped).
std::map<std::string, Naming> read_layout(std::string_view text, const fs::path& file) {
  std::istringstream in{std::string(text)};
  std::map<std::string, Naming> layout;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = trim(line);
    if (t.empty() || t.front() == '#')
      continue;
    std::vector<std::string> cells;
    std::stringstream fields(t);
    std::string cell;
    while (std::getline(fields, cell, ','))
      cells.push_back(trim(cell));
    if (number == 1 && !cells.empty() && detail::lowercase(cells.front()) == "sample_id")
      continue;
    Naming naming;
    const bool card = cells.size() >= 2 && detail::lowercase(cells[1]) == "card";
    double concentration = 1;
    if (cells.size() < 2 || cells[0].empty() ||
        (!card && (cells.size() < 3 || !parse_number(cells[2], concentration)))) {
      throw corrupt(file, fmt::format("line {}: expected sample_id,code,concentration (or "
                                      "sample_id,card), got '{}'",
                                      number, t));
    }
    if (!card) {
      naming.code = cells[1];
      naming.concentration = concentration;
    }
    if (!layout.emplace(cells[0], naming).second)
      throw corrupt(file, fmt::format("line {}: sample {} is laid out twice", number, cells[0]));
  }
  if (layout.empty())
    throw corrupt(file, "the layout names no samples");
  return layout;
}

// The 36 bands of spectrum.h from the file's wavelengths, linearly; values in percent when any
// exceeds 1.5.
Spectrum resample(const std::vector<int>& nm, const std::vector<double>& values) {
  Spectrum::Values out{};
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    const double w = Spectrum::wavelength(i);
    std::size_t k = 0;
    while (k + 2 < nm.size() && nm[k + 1] < w)
      ++k;
    const double t = std::clamp((w - nm[k]) / double(nm[k + 1] - nm[k]), 0.0, 1.0);
    out[i] = values[k] + t * (values[k + 1] - values[k]);
  }
  return Spectrum(out);
}

}  // namespace

std::vector<DrawdownReading> read_drawdowns(const fs::path& measurements,
                                            const std::optional<fs::path>& layout_file) {
  const std::optional<std::string> layout =
      layout_file ? std::optional(read_text(*layout_file)) : std::nullopt;
  return detail::parse_drawdowns(read_text(measurements), measurements, layout, layout_file);
}

namespace detail {

std::vector<DrawdownReading> parse_drawdowns(std::string_view text, const fs::path& measurements,
                                             const std::optional<std::string>& layout_text,
                                             const std::optional<fs::path>& layout_file) {
  if (text.size() > max_file_bytes) {
    throw Error(ErrorCode::too_large, fmt::format("{} is {} bytes: measurement files over 16 MiB "
                                                  "are refused",
                                                  measurements.string(), text.size()));
  }
  const Table table = load_table(text, measurements);
  std::vector<std::pair<int, std::size_t>> spectral;  // (nm, column)
  // Names: SAMPLE_NAME (i1Profiler, i1Share), else SAMPLE_LOC (where Argyll's txt2ti3 keeps an
  // export's names; chartread puts the patch's place there, which a layout then names).
  std::optional<std::size_t> id_column, name_column, location_column;
  for (std::size_t c = 0; c < table.fields.size(); ++c) {
    const std::string field = detail::lowercase(table.fields[c]);
    if (field == "sample_id")
      id_column = c;
    else if (field == "sample_name")
      name_column = c;
    else if (field == "sample_loc")
      location_column = c;
    else if (const int nm = wavelength_of(field); nm > 0)
      spectral.emplace_back(nm, c);
  }
  if (!name_column)
    name_column = location_column;
  std::sort(spectral.begin(), spectral.end());
  if (spectral.size() < 4 || spectral.front().first > 400 || spectral.back().first < 700) {
    throw corrupt(measurements,
                  "no reflectance spectrum covering 400–700 nm (fields such as SPEC_400 … "
                  "SPEC_700 or SPECTRAL_NM400 …): export the readings with spectral data");
  }
  for (std::size_t k = 1; k < spectral.size(); ++k) {
    if (spectral[k].first == spectral[k - 1].first)
      throw corrupt(measurements, fmt::format("the spectrum has {} nm twice", spectral[k].first));
  }
  const fs::path layout_name = layout_file.value_or("layout");
  const std::optional<std::map<std::string, Naming>> layout =
      layout_text ? std::optional(read_layout(*layout_text, layout_name)) : std::nullopt;
  if (!layout && !name_column) {
    throw corrupt(measurements,
                  "rows carry no SAMPLE_NAME: give a layout file (--layout: "
                  "sample_id,code,concentration per line) saying which pigment each row is");
  }
  std::vector<int> nm;
  nm.reserve(spectral.size());
  for (const auto& [w, c] : spectral)
    nm.push_back(w);
  std::vector<DrawdownReading> out;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const std::string id = id_column ? trim(row[*id_column]) : std::to_string(r + 1);
    Naming naming;
    if (layout) {
      const auto at = layout->find(id);
      if (at == layout->end()) {
        throw corrupt(measurements,
                      fmt::format("sample {} is not in the layout {}", id, layout_name.string()));
      }
      naming = at->second;
    } else if (!parse_name(row[*name_column], naming)) {
      throw corrupt(measurements,
                    fmt::format("sample {} is named '{}': name each reading CODE@CONCENTRATION "
                                "(K100@0.25 or K100@25%) or 'card', or give a layout file",
                                id, trim(row[*name_column])));
    }
    std::vector<double> values;
    for (const auto& [w, c] : spectral) {
      double v = 0;
      if (!parse_number(row[c], v)) {
        throw corrupt(measurements, fmt::format("sample {}: the reflectance at {} nm is '{}', "
                                                "not a number",
                                                id, w, trim(row[c])));
      }
      values.push_back(v);
    }
    out.push_back({id, naming.code, naming.concentration, {}, std::nullopt});
    out.back().reflectance = resample(nm, values);
  }
  // Percent or fraction is a property of the file, not of a row.
  double largest = 0;
  for (const DrawdownReading& r : out) {
    for (std::size_t i = 0; i < Spectrum::band_count; ++i)
      largest = std::max(largest, r.reflectance[i]);
  }
  if (largest > 1.5) {
    for (DrawdownReading& r : out) {
      Spectrum::Values v{};
      for (std::size_t i = 0; i < Spectrum::band_count; ++i)
        v[i] = r.reflectance[i] / 100;
      r.reflectance = Spectrum(v);
    }
  }
  for (const DrawdownReading& r : out) {
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      if (!(r.reflectance[i] >= 0 && r.reflectance[i] <= 1.5)) {
        throw corrupt(measurements,
                      fmt::format("sample {}: reflectance {} at {} nm is outside 0–1 (or "
                                  "0–100 %)",
                                  r.sample_id, r.reflectance[i], Spectrum::wavelength(i)));
      }
    }
  }
  return out;
}

}  // namespace detail
}  // namespace pigmatch
