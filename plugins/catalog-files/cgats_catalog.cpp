// The CGATS catalog reader: Little CMS's IT8 parser (cmsIT8*) for the syntax, then a mapping of
// keywords and data fields onto the pigment model. One data row is one measurement; rows with the
// same PIGMENT_CODE are one pigment. See docs/catalog-format.md.
#include <lcms2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "catalog_files.h"

namespace pigmatch::catalog_files {
namespace {

using plugin::DiagnosticData;

// Little CMS 2.14 mis-reads an empty quoted string "" (it repeats the previous string), so an
// absent value is written as a lone '-'.
constexpr std::string_view empty_cell = "-";
constexpr std::string_view format_keyword = "PIGMATCH_CATALOG_FORMAT";
constexpr int format_version = 1;

// ---- Little CMS error capture ----------------------------------------------------------------

struct LcmsMessages {
  std::vector<std::string> texts;
};

void collect_lcms_error(cmsContext context, cmsUInt32Number /*code*/, const char* text) {
  auto* messages = static_cast<LcmsMessages*>(cmsGetContextUserData(context));
  if (messages != nullptr && text != nullptr)
    messages->texts.emplace_back(text);
}

// lcms formats parser errors as "<file>: Line N, <message>"; split off the line number.
DiagnosticData lcms_diagnostic(const std::string& text, std::string_view file_name) {
  DiagnosticData d{PIGMATCH_SEVERITY_ERROR, "", 0, {}};
  std::string message = text;
  const std::size_t at = text.find("Line ");
  if (at != std::string::npos) {
    std::uint32_t line = 0;
    const char* begin = text.data() + at + 5;
    const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), line);
    if (ec == std::errc{}) {
      d.line = line;
      message = std::string(end);
      if (message.starts_with(", "))
        message.erase(0, 2);
    }
  }
  d.message = std::string(file_name) + " is not valid CGATS: " + message;
  return d;
}

struct ContextDeleter {
  void operator()(cmsContext context) const { cmsDeleteContext(context); }
};
using ContextPtr = std::unique_ptr<std::remove_pointer_t<cmsContext>, ContextDeleter>;
struct It8Deleter {
  void operator()(void* handle) const { cmsIT8Free(handle); }
};

// ---- where things are in the text ------------------------------------------------------------

// Little CMS keeps no positions after parsing; rows and keywords are found again in the text so
// that problems can name their line. Rows are assumed one per line, as every exporter writes them.
struct TextLines {
  std::vector<std::uint32_t> data_rows;                        // line of each data row, in order
  std::map<std::string, std::uint32_t, std::less<>> keywords;  // first line of each keyword

  explicit TextLines(std::string_view text) {
    bool in_data = false, done = false;
    std::uint32_t number = 0;
    for (std::size_t start = 0; start <= text.size() && !done;) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos)
        end = text.size();
      ++number;
      std::string_view line = text.substr(start, end - start);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
        line.remove_prefix(1);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.remove_suffix(1);
      const std::string_view word = line.substr(0, line.find_first_of(" \t"));
      if (in_data) {
        if (word == "END_DATA") {
          done = true;
        } else if (!line.empty() && line.front() != '#') {
          data_rows.push_back(number);
        }
      } else if (word == "BEGIN_DATA") {
        in_data = true;
      } else if (!word.empty()) {
        keywords.emplace(std::string(word), number);
      }
      start = end + 1;
    }
  }

  std::uint32_t row_line(std::size_t row) const {
    return row < data_rows.size() ? data_rows[row] : 0;
  }
  std::uint32_t keyword_line(std::string_view keyword) const {
    const auto it = keywords.find(keyword);
    return it == keywords.end() ? 0 : it->second;
  }
};

// ---- values ------------------------------------------------------------------------------------

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  if (!text.empty() && text.front() == '+')
    text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (!item.empty())
      items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

// "SPECTRAL_380", "SPECTRAL_NM380", "SPECTRAL_NM_380", "SPEC_380", "NM_380", "NM380" → 380.
std::optional<int> spectral_wavelength(std::string_view field, std::string_view& prefix_out) {
  static constexpr std::string_view prefixes[] = {"SPECTRAL_NM_", "SPECTRAL_NM", "SPECTRAL_",
                                                  "SPEC_",        "NM_",         "NM"};
  for (const std::string_view prefix : prefixes) {
    if (!field.starts_with(prefix))
      continue;
    const std::string_view digits = field.substr(prefix.size());
    int nm = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), nm);
    if (ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty()) {
      prefix_out = prefix;
      return nm;
    }
  }
  return std::nullopt;
}

// "K_380".."K_730" and "S_380".."S_730": Kubelka–Munk spectra, pigment-level.
std::optional<int> km_wavelength(std::string_view field, char which) {
  if (field.size() < 3 || field[0] != which || field[1] != '_')
    return std::nullopt;
  int nm = 0;
  const auto [end, ec] = std::from_chars(field.data() + 2, field.data() + field.size(), nm);
  if (ec != std::errc{} || end != field.data() + field.size())
    return std::nullopt;
  return nm;
}

// A set of columns holding one spectrum, in wavelength order.
struct SpectralColumns {
  std::vector<double> wavelengths;
  std::vector<int> columns;

  bool empty() const { return columns.empty(); }
  bool is_standard_grid() const {
    if (wavelengths.size() != PIGMATCH_BAND_COUNT)
      return false;
    for (std::size_t i = 0; i < wavelengths.size(); ++i) {
      if (wavelengths[i] !=
          PIGMATCH_FIRST_WAVELENGTH_NM + PIGMATCH_WAVELENGTH_STEP_NM * double(i)) {
        return false;
      }
    }
    return true;
  }
};

// The data format: which column holds what.
struct Layout {
  int column_count = 0;
  std::map<std::string, int, std::less<>> named;  // non-spectral fields
  SpectralColumns reflectance, k, s;
};

const std::initializer_list<std::string_view> known_fields = {
    "SAMPLE_ID",     "SAMPLE_NAME", "PIGMENT_CODE",    "PIGMENT_NAME", "PRODUCT_LINE",
    "CI_NUMBERS",    "IS_DILUENT",  "CONCENTRATION",   "SUBSTRATE",    "DROP_VOLUME_ML",
    "PRICE",         "CURRENCY",    "PRICE_VOLUME_ML", "LOTS",         "COMPLIANCE",
    "SDS_REFERENCE", "LAB_L",       "LAB_A",           "LAB_B",        "USES"};

// ---- the reader --------------------------------------------------------------------------------

class Reader {
 public:
  Reader(cmsHANDLE it8, const TextLines& lines, std::vector<DiagnosticData>& diagnostics)
      : it8_(it8), lines_(lines), diagnostics_(diagnostics) {}

  std::optional<plugin::CatalogData> read() {
    plugin::CatalogData catalog = header();
    read_layout();
    read_rows(catalog);
    if (has_errors())
      return std::nullopt;
    return catalog;
  }

 private:
  void error(std::string where, std::uint32_t line, std::string message) {
    diagnostics_.push_back({PIGMATCH_SEVERITY_ERROR, std::move(where), line, std::move(message)});
  }
  void warning(std::string where, std::uint32_t line, std::string message) {
    diagnostics_.push_back({PIGMATCH_SEVERITY_WARNING, std::move(where), line, std::move(message)});
  }
  bool has_errors() const {
    return std::any_of(diagnostics_.begin(), diagnostics_.end(), [](const DiagnosticData& d) {
      return d.severity == PIGMATCH_SEVERITY_ERROR;
    });
  }

  std::string keyword(std::string_view name, bool required) {
    const char* value = cmsIT8GetProperty(it8_, std::string(name).c_str());
    if (value == nullptr) {
      if (required) {
        error(std::string(name), 0,
              "required keyword " + std::string(name) + " is missing from the header");
      }
      return {};
    }
    return value;
  }

  plugin::CatalogData header() {
    if (const char* version = cmsIT8GetProperty(it8_, std::string(format_keyword).c_str())) {
      const auto v = parse_double(version);
      if (!v || *v != format_version) {
        error(std::string(format_keyword), lines_.keyword_line(format_keyword),
              std::string(format_keyword) + " is '" + version + "'; this pigmatch reads version 1" +
                  (v && *v > 1 ? " (update pigmatch)" : ""));
      }
    }
    plugin::CatalogData catalog;
    catalog.id = keyword("CATALOG_ID", true);
    catalog.vendor = keyword("VENDOR", true);
    catalog.name = keyword("CATALOG_NAME", true);
    catalog.version = keyword("CATALOG_VERSION", false);
    catalog.description = keyword("DESCRIPTOR", false);
    defaults_.product_line = keyword("PRODUCT_LINE", false);
    defaults_.substrate = keyword("SUBSTRATE", false);
    defaults_.currency = keyword("CURRENCY", false);
    defaults_.compliance = keyword("COMPLIANCE", false);
    defaults_.sds_reference = keyword("SDS_REFERENCE", false);
    defaults_.uses = keyword("USES", false);
    const std::string drop = keyword("DROP_VOLUME_ML", false);
    if (!drop.empty())
      defaults_.drop_volume_ml = header_number("DROP_VOLUME_ML", drop);
    const std::string norm = keyword("SPECTRAL_NORM", false);
    if (!norm.empty()) {
      const auto n = header_number("SPECTRAL_NORM", norm);
      if (n && *n > 0 && std::isfinite(*n)) {
        spectral_norm_ = *n;
      } else if (n) {
        error("SPECTRAL_NORM", lines_.keyword_line("SPECTRAL_NORM"),
              "SPECTRAL_NORM must be a positive number (100 when spectra are in percent)");
      }
    }
    return catalog;
  }

  std::optional<double> header_number(std::string_view name, const std::string& text) {
    const auto v = parse_double(text);
    if (!v) {
      error(std::string(name), lines_.keyword_line(name),
            std::string(name) + " is '" + text + "', not a number");
    }
    return v;
  }

  void add_spectral(SpectralColumns& columns, std::string_view field, int nm, int column,
                    const std::string& family) {
    if (std::find(columns.wavelengths.begin(), columns.wavelengths.end(), double(nm)) !=
        columns.wavelengths.end()) {
      error(std::string(field), lines_.keyword_line("BEGIN_DATA_FORMAT"),
            family + " wavelength " + std::to_string(nm) + " nm appears twice in the data format");
      return;
    }
    columns.wavelengths.push_back(nm);
    columns.columns.push_back(column);
  }

  static void sort(SpectralColumns& columns) {
    std::vector<std::size_t> order(columns.columns.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return columns.wavelengths[a] < columns.wavelengths[b];
    });
    SpectralColumns sorted;
    for (const std::size_t i : order) {
      sorted.wavelengths.push_back(columns.wavelengths[i]);
      sorted.columns.push_back(columns.columns[i]);
    }
    columns = std::move(sorted);
  }

  void read_layout() {
    const std::size_t errors_before = error_count();
    read_fields();
    layout_errors_ = error_count() - errors_before;
  }

  std::size_t error_count() const {
    return std::size_t(std::count_if(
        diagnostics_.begin(), diagnostics_.end(),
        [](const DiagnosticData& d) { return d.severity == PIGMATCH_SEVERITY_ERROR; }));
  }

  void read_fields() {
    char** names = nullptr;
    const int count = cmsIT8EnumDataFormat(it8_, &names);
    layout_.column_count = count;
    const std::uint32_t format_line = lines_.keyword_line("BEGIN_DATA_FORMAT");
    std::string_view spectral_prefix;
    for (int c = 0; c < count; ++c) {
      if (names == nullptr || names[c] == nullptr)
        continue;
      const std::string_view field = names[c];
      std::string_view prefix;
      if (const auto nm = spectral_wavelength(field, prefix)) {
        if (!spectral_prefix.empty() && prefix != spectral_prefix) {
          warning(std::string(field), format_line,
                  "spectral fields mix naming styles (" + std::string(spectral_prefix) + "… and " +
                      std::string(prefix) + "…); all are read as reflectance");
        }
        spectral_prefix = prefix;
        add_spectral(layout_.reflectance, field, *nm, c, "reflectance");
      } else if (const auto k = km_wavelength(field, 'K')) {
        add_spectral(layout_.k, field, *k, c, "K");
      } else if (const auto s = km_wavelength(field, 'S')) {
        add_spectral(layout_.s, field, *s, c, "S");
      } else if (std::find(known_fields.begin(), known_fields.end(), field) != known_fields.end()) {
        if (!layout_.named.emplace(std::string(field), c).second) {
          error(std::string(field), format_line, "field " + std::string(field) + " appears twice");
        }
      } else {
        warning(std::string(field), format_line,
                "data field " + std::string(field) + " is not used by pigmatch and is ignored");
      }
    }
    sort(layout_.reflectance);
    sort(layout_.k);
    sort(layout_.s);
    const bool has_code = layout_.named.count("PIGMENT_CODE") || layout_.named.count("SAMPLE_ID");
    if (!has_code) {
      error(
          "BEGIN_DATA_FORMAT", format_line,
          "the data format has neither PIGMENT_CODE nor SAMPLE_ID; each row must name its pigment");
    }
    const int lab_fields = int(layout_.named.count("LAB_L")) + int(layout_.named.count("LAB_A")) +
                           int(layout_.named.count("LAB_B"));
    if (lab_fields != 0 && lab_fields != 3) {
      error("BEGIN_DATA_FORMAT", format_line, "Lab needs all three fields LAB_L, LAB_A and LAB_B");
    }
    if (layout_.k.empty() != layout_.s.empty()) {
      error("BEGIN_DATA_FORMAT", format_line, "K_nnn and S_nnn fields come as a pair; give both");
    }
  }

  // A cell's text; nullopt for the empty marker '-' (or a cell Little CMS did not fill).
  struct Cell {
    std::optional<std::string> text;
    bool missing = false;  // the row was short
  };
  Cell cell(int row, int column) const {
    const char* value = cmsIT8GetDataRowCol(it8_, row, column);
    if (value == nullptr)
      return {std::nullopt, true};
    if (std::string_view(value) == empty_cell)
      return {std::nullopt, false};
    return {std::string(value), false};
  }

  std::optional<std::string> text(int row, std::string_view field) {
    const auto it = layout_.named.find(field);
    if (it == layout_.named.end())
      return std::nullopt;
    return cell(row, it->second).text;
  }

  std::optional<double> number(int row, std::string_view field, std::uint32_t line) {
    const auto value = text(row, field);
    if (!value)
      return std::nullopt;
    const auto v = parse_double(*value);
    if (!v) {
      error(std::string(field), line, std::string(field) + " is '" + *value + "', not a number");
    }
    return v;
  }

  // Every value of the row, numbers checked; nullopt when any is absent (or none present).
  std::optional<plugin::SpectrumData> spectrum(int row, const SpectralColumns& columns,
                                               std::string_view what, std::uint32_t line,
                                               double norm) {
    if (columns.empty())
      return std::nullopt;
    plugin::SpectrumData data;
    std::size_t absent = 0;
    bool bad = false;
    for (std::size_t i = 0; i < columns.columns.size(); ++i) {
      const Cell c = cell(row, columns.columns[i]);
      if (!c.text) {
        ++absent;
        continue;
      }
      const auto v = parse_double(*c.text);
      if (!v) {
        error(std::string(what) + " " + std::to_string(int(columns.wavelengths[i])) + " nm", line,
              std::string(what) + " at " + std::to_string(int(columns.wavelengths[i])) +
                  " nm is '" + *c.text + "', not a number");
        bad = true;
        continue;
      }
      data.values.push_back(*v / norm);
    }
    if (absent == columns.columns.size() || bad)
      return std::nullopt;
    if (absent != 0) {
      error(std::string(what), line,
            std::string(what) + " has " + std::to_string(absent) +
                " empty bands; give every band or none ('-' in all of them)");
      return std::nullopt;
    }
    if (!columns.is_standard_grid())
      data.wavelengths_nm = columns.wavelengths;
    return data;
  }

  std::optional<pigmatch_lab> lab(int row, std::uint32_t line) {
    const auto L = number(row, "LAB_L", line);
    const auto a = number(row, "LAB_A", line);
    const auto b = number(row, "LAB_B", line);
    const int given = int(L.has_value()) + int(a.has_value()) + int(b.has_value());
    if (given == 3)
      return pigmatch_lab{*L, *a, *b};
    const int present = int(text(row, "LAB_L").has_value()) + int(text(row, "LAB_A").has_value()) +
                        int(text(row, "LAB_B").has_value());
    if (present != 0 && present != 3) {
      error("LAB", line, "Lab is incomplete: give LAB_L, LAB_A and LAB_B, or '-' in all three");
    }
    return std::nullopt;
  }

  std::vector<plugin::LotData> lots(const std::string& text, std::uint32_t line) {
    std::vector<plugin::LotData> out;
    for (const std::string& item : split_list(text)) {
      const std::size_t at = item.find('@');
      if (at == std::string::npos) {
        out.push_back({item, ""});
      } else {
        out.push_back({item.substr(0, at), item.substr(at + 1)});
        if (out.back().lot.empty()) {
          error("LOTS", line, "lot '" + item + "' has no lot number before '@'");
        }
      }
    }
    return out;
  }

  // A pigment-level value given on several rows must not contradict itself.
  template <class T>
  void merge(std::optional<T>& into, const std::optional<T>& value, std::string_view field,
             const std::string& code, std::size_t first_row, std::uint32_t line) {
    if (!value)
      return;
    if (!into) {
      into = value;
    } else if (!(*into == *value)) {
      error(std::string(field), line,
            std::string(field) + " of pigment '" + code + "' differs from its first row (line " +
                std::to_string(lines_.row_line(first_row)) + "); pigment details must agree");
    }
  }

  struct PendingPigment {
    std::size_t first_row = 0;
    plugin::PigmentData data;
    std::optional<std::string> name, product_line, ci, diluent, drop, price, currency, price_volume,
        lots, compliance, sds, uses;
    std::optional<std::vector<double>> k, s;
  };

  void read_row(int row, std::map<std::string, std::size_t>& index,
                std::vector<PendingPigment>& pigments) {
    const std::uint32_t line = lines_.row_line(std::size_t(row));
    for (int column = 0; column < layout_.column_count; ++column) {
      if (cell(row, column).missing) {
        error("row " + std::to_string(row + 1), line,
              "row " + std::to_string(row + 1) + " has " + std::to_string(column) +
                  " values; the "
                  "data format has " +
                  std::to_string(layout_.column_count) + " fields");
        return;
      }
    }
    const bool by_code = layout_.named.count("PIGMENT_CODE") != 0;
    const auto code = text(row, by_code ? "PIGMENT_CODE" : "SAMPLE_ID");
    if (!code) {
      error(by_code ? "PIGMENT_CODE" : "SAMPLE_ID", line, "row has no pigment code");
      return;
    }
    const auto [it, inserted] = index.emplace(*code, pigments.size());
    if (inserted) {
      pigments.push_back({});
      pigments.back().first_row = std::size_t(row);
      pigments.back().data.code = *code;
    }
    PendingPigment& p = pigments[it->second];
    const auto field = [&](std::optional<std::string>& into, std::string_view name) {
      merge(into, text(row, name), name, *code, p.first_row, line);
    };
    field(p.name, layout_.named.count("PIGMENT_NAME") ? "PIGMENT_NAME" : "SAMPLE_NAME");
    field(p.product_line, "PRODUCT_LINE");
    field(p.ci, "CI_NUMBERS");
    field(p.diluent, "IS_DILUENT");
    field(p.drop, "DROP_VOLUME_ML");
    field(p.price, "PRICE");
    field(p.currency, "CURRENCY");
    field(p.price_volume, "PRICE_VOLUME_ML");
    field(p.lots, "LOTS");
    field(p.compliance, "COMPLIANCE");
    field(p.sds, "SDS_REFERENCE");
    field(p.uses, "USES");
    if (const auto k = spectrum(row, layout_.k, "K", line, 1.0)) {
      merge(p.k, std::optional(k->values), "K", *code, p.first_row, line);
    }
    if (const auto s = spectrum(row, layout_.s, "S", line, 1.0)) {
      merge(p.s, std::optional(s->values), "S", *code, p.first_row, line);
    }

    plugin::MeasurementData m;
    const auto concentration = number(row, "CONCENTRATION", line);
    m.concentration = concentration.value_or(1.0);
    m.substrate = text(row, "SUBSTRATE").value_or(defaults_.substrate);
    m.reflectance = spectrum(row, layout_.reflectance, "reflectance", line, spectral_norm_);
    m.lab_d50 = lab(row, line);
    if (m.reflectance || m.lab_d50) {
      p.data.measurements.push_back(std::move(m));
    } else if (concentration) {
      warning("row " + std::to_string(row + 1), line,
              "row gives a concentration but no colour (no spectrum, no Lab); it is not a "
              "measurement");
    }
  }

  std::optional<bool> diluent_flag(const std::optional<std::string>& text, std::uint32_t line) {
    if (!text)
      return false;
    static const std::map<std::string, bool, std::less<>> words = {
        {"1", true},   {"0", false},   {"true", true},   {"false", false}, {"yes", true},
        {"no", false}, {"TRUE", true}, {"FALSE", false}, {"YES", true},    {"NO", false}};
    const auto it = words.find(*text);
    if (it == words.end()) {
      error("IS_DILUENT", line, "IS_DILUENT is '" + *text + "'; write 1 or 0 (or yes/no)");
      return std::nullopt;
    }
    return it->second;
  }

  plugin::PigmentData finish(PendingPigment& p) {
    const std::uint32_t line = lines_.row_line(p.first_row);
    plugin::PigmentData& d = p.data;
    d.name = p.name.value_or("");
    d.product_line = p.product_line.value_or(defaults_.product_line);
    if (p.ci)
      d.ci_numbers = split_list(*p.ci);
    d.is_diluent = diluent_flag(p.diluent, line).value_or(false);
    const auto number_of = [&](const std::optional<std::string>& text,
                               std::string_view field) -> std::optional<double> {
      if (!text)
        return std::nullopt;
      const auto v = parse_double(*text);
      if (!v)
        error(std::string(field), line, std::string(field) + " is '" + *text + "', not a number");
      return v;
    };
    d.drop_volume_ml = number_of(p.drop, "DROP_VOLUME_ML");
    if (!d.drop_volume_ml)
      d.drop_volume_ml = defaults_.drop_volume_ml;
    if (p.price) {
      plugin::PriceData price;
      price.amount = number_of(p.price, "PRICE").value_or(0);
      price.currency = p.currency.value_or(defaults_.currency);
      price.volume_ml = number_of(p.price_volume, "PRICE_VOLUME_ML").value_or(0);
      d.price = price;
    }
    if (p.lots)
      d.lots = lots(*p.lots, line);
    d.compliance = split_list(p.compliance.value_or(defaults_.compliance));
    d.sds_reference = p.sds.value_or(defaults_.sds_reference);
    d.uses = split_list(p.uses.value_or(defaults_.uses));
    if (p.k)
      d.k = plugin::SpectrumData{
          *p.k, layout_.k.is_standard_grid() ? std::vector<double>{} : layout_.k.wavelengths};
    if (p.s)
      d.s = plugin::SpectrumData{
          *p.s, layout_.s.is_standard_grid() ? std::vector<double>{} : layout_.s.wavelengths};
    return std::move(d);
  }

  void read_rows(plugin::CatalogData& catalog) {
    const double sets = cmsIT8GetPropertyDbl(it8_, "NUMBER_OF_SETS");
    const int rows = std::isfinite(sets) && sets > 0 ? int(sets) : 0;
    if (rows == 0) {
      error("NUMBER_OF_SETS", lines_.keyword_line("NUMBER_OF_SETS"),
            "the file has no data rows; a catalog needs at least one pigment");
      return;
    }
    if (layout_errors_ != 0)
      return;  // the rows cannot be read: their errors would repeat it
    std::map<std::string, std::size_t> index;
    std::vector<PendingPigment> pigments;
    for (int row = 0; row < rows; ++row)
      read_row(row, index, pigments);
    for (PendingPigment& p : pigments)
      catalog.pigments.push_back(finish(p));
  }

  struct Defaults {
    std::string product_line, substrate, currency, compliance, sds_reference, uses;
    std::optional<double> drop_volume_ml;
  };

  cmsHANDLE it8_;
  const TextLines& lines_;
  std::vector<DiagnosticData>& diagnostics_;
  Layout layout_;
  Defaults defaults_;
  double spectral_norm_ = 1.0;
  std::size_t layout_errors_ = 0;
};

}  // namespace

ParseResult parse_cgats_catalog(std::string_view text, std::string_view file_name) {
  ParseResult result;
  if (text.empty()) {  // Little CMS asserts on an empty buffer
    result.diagnostics.push_back(
        {PIGMATCH_SEVERITY_ERROR, "", 0, std::string(file_name) + " is empty"});
    return result;
  }
  LcmsMessages messages;
  const ContextPtr context(cmsCreateContext(nullptr, &messages));
  if (!context)
    throw plugin::Failure(PIGMATCH_ERROR_OUT_OF_MEMORY, "cannot create an lcms context");
  cmsSetLogErrorHandlerTHR(context.get(), collect_lcms_error);
  const std::unique_ptr<void, It8Deleter> it8(
      cmsIT8LoadFromMem(context.get(), text.data(), static_cast<cmsUInt32Number>(text.size())));
  if (!it8) {
    for (const std::string& m : messages.texts) {
      result.diagnostics.push_back(lcms_diagnostic(m, file_name));
    }
    if (result.diagnostics.empty()) {
      result.diagnostics.push_back(
          {PIGMATCH_SEVERITY_ERROR, "", 1,
           std::string(file_name) + " is not a CGATS text file (Little CMS cannot read it)"});
    }
    return result;
  }
  const TextLines lines(text);
  if (cmsIT8TableCount(it8.get()) > 1) {
    result.diagnostics.push_back({PIGMATCH_SEVERITY_WARNING, "", 0,
                                  "the file holds several tables; only the first is read"});
  }
  Reader reader(it8.get(), lines, result.diagnostics);
  result.catalog = reader.read();
  for (const std::string& m : messages.texts) {  // errors lcms reported without failing
    result.diagnostics.push_back(lcms_diagnostic(m, file_name));
    result.catalog.reset();
  }
  return result;
}

}  // namespace pigmatch::catalog_files
