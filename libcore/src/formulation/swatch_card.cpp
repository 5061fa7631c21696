// The printed swatch card: its layout rules, where every box and mark is on the page, the SVG a
// studio prints, and the layout read back from that SVG.
#include "pigmatch/formulation/swatch_card.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "pigmatch/error.h"
#include "support/small_file.h"
#include "support/text.h"

namespace pigmatch {
namespace {

constexpr std::string_view metadata_open = "<metadata id=\"pigmatch-swatch-card\">";
constexpr std::string_view metadata_close = "</metadata>";
constexpr std::string_view layout_format = "pigmatch-swatch-card";
constexpr std::size_t max_title_length = 80;

// The page, in millimetres. Marks 10 mm from the edges (inside every printer's margin); boxes in
// the space between them, no larger than a drawdown a practitioner would paint.
constexpr double mark_inset_mm = 15;
constexpr double grid_left = 28, grid_right = 269, grid_top = 30, grid_bottom = 182;
constexpr double label_mm = 6;  // above each box: its code and concentration
constexpr double max_column_mm = 44, max_row_mm = 34;
constexpr double column_gap_mm = 4, row_gap_mm = 3;

Error bad(const std::string& what) {
  return Error(ErrorCode::invalid_argument, what);
}

bool is_code_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '+' || c == '/';
}

std::string percent(double concentration) {
  return fmt::format("{:g} %", std::round(concentration * 1000) / 10);
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string xml_unescaped(std::string_view text) {
  static constexpr std::pair<std::string_view, char> entities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [entity, c] : entities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size();
        replaced = true;
        break;
      }
    }
    if (!replaced)
      out += text[i++];
  }
  return out;
}

}  // namespace

void check_swatch_card_layout(const SwatchCardLayout& layout) {
  if (layout.pigments.empty())
    throw bad("a swatch card needs at least one pigment");
  if (layout.pigments.size() > max_card_pigments) {
    throw bad(fmt::format("{} pigments do not fit on one card (at most {}): make several cards",
                          layout.pigments.size(), max_card_pigments));
  }
  std::set<std::string> seen;
  for (const std::string& code : layout.pigments) {
    if (code.empty() || code.size() > 24 ||
        !std::all_of(code.begin(), code.end(), is_code_character)) {
      throw bad(
          fmt::format("pigment code '{}' cannot go on a card: use 1–24 letters, digits and "
                      ". _ - + /",
                      code));
    }
    if (!seen.insert(detail::lowercase(code)).second)
      throw bad(fmt::format("pigment '{}' is on the card twice: one row per pigment", code));
  }
  const auto& steps = layout.concentrations;
  if (steps.size() < 2 || steps.size() > max_card_steps) {
    throw bad(fmt::format(
        "a card needs 2–{} concentrations (a dilution series, e.g. 1,0.5,0.25,0.1), got {}",
        max_card_steps, steps.size()));
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!(steps[i] > 0 && steps[i] <= 1)) {
      throw bad(fmt::format("concentration {} is outside (0, 1]: write 25 % as 0.25", steps[i]));
    }
    if (i > 0 && !(steps[i] < steps[i - 1])) {
      throw bad("list the concentrations strongest first, each once (e.g. 1,0.5,0.25,0.1)");
    }
  }
  if (layout.title.size() > max_title_length ||
      std::any_of(layout.title.begin(), layout.title.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    throw bad(fmt::format("the card's title must be one line of at most {} characters",
                          max_title_length));
  }
}

SwatchCardGeometry swatch_card_geometry(const SwatchCardLayout& layout) {
  check_swatch_card_layout(layout);
  SwatchCardGeometry g;
  g.marks_mm = {Point{mark_inset_mm, mark_inset_mm},
                Point{g.page_width_mm - mark_inset_mm, mark_inset_mm},
                Point{g.page_width_mm - mark_inset_mm, g.page_height_mm - mark_inset_mm},
                Point{mark_inset_mm, g.page_height_mm - mark_inset_mm}};
  const std::size_t columns = layout.concentrations.size() + 2;  // a bare box at each end
  const std::size_t rows = layout.pigments.size();
  const double column =
      std::min((grid_right - grid_left) / static_cast<double>(columns), max_column_mm);
  const double row = std::min((grid_bottom - grid_top) / static_cast<double>(rows), max_row_mm);
  const double left = grid_left + ((grid_right - grid_left) - column * columns) / 2;
  const double top = grid_top + ((grid_bottom - grid_top) - row * rows) / 2;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < columns; ++c) {
      SwatchBox box;
      box.row = r;
      const bool bare = c == 0 || c + 1 == columns;
      if (!bare) {
        box.code = layout.pigments[r];
        box.concentration = layout.concentrations[c - 1];
      }
      box.x_mm = left + column * static_cast<double>(c) + column_gap_mm / 2;
      box.y_mm = top + row * static_cast<double>(r) + label_mm;
      box.width_mm = column - column_gap_mm;
      box.height_mm = row - label_mm - row_gap_mm;
      g.boxes.push_back(std::move(box));
    }
  }
  return g;
}

std::string swatch_card_svg(const SwatchCardLayout& layout) {
  const SwatchCardGeometry g = swatch_card_geometry(layout);
  const nlohmann::ordered_json meta = {{"format", layout_format},
                                       {"format_version", 1},
                                       {"title", layout.title},
                                       {"pigments", layout.pigments},
                                       {"concentrations", layout.concentrations}};
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}mm\" height=\"{1}mm\" "
      "viewBox=\"0 0 {0} {1}\">\n"
      "<title>pigmatch swatch card</title>\n"
      "{2}{3}{4}\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n",
      g.page_width_mm, g.page_height_mm, metadata_open, xml_escaped(meta.dump()), metadata_close);
  for (std::size_t i = 0; i < 4; ++i) {
    const Point c = g.marks_mm[i];
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#000000\"/>\n",
                       c.x - g.mark_mm / 2, c.y - g.mark_mm / 2, g.mark_mm, g.mark_mm);
  }
  const Point top_left = g.marks_mm[0];
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
                     top_left.x - g.mark_hole_mm / 2, top_left.y - g.mark_hole_mm / 2,
                     g.mark_hole_mm, g.mark_hole_mm);
  const auto text = [&](double x, double y, double size, std::string_view content) {
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"{}\" fill=\"#555555\" "
        "text-anchor=\"middle\">{}</text>\n",
        x, y, size, xml_escaped(content));
  };
  text(g.page_width_mm / 2, 17, 5,
       layout.title.empty() ? "pigmatch swatch card" : "pigmatch swatch card — " + layout.title);
  text(g.page_width_mm / 2, g.page_height_mm - 13, 3.2,
       "Paint each box edge to edge with the dilution named above it; leave the card boxes bare.");
  text(g.page_width_mm / 2, g.page_height_mm - 8.5, 3.2,
       "Let it dry, then photograph it flat and evenly lit, the colour chart beside it, all four "
       "corner marks in frame.");
  for (const SwatchBox& box : g.boxes) {
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#9a9a9a\" "
        "stroke-width=\"0.3\"/>\n",
        box.x_mm, box.y_mm, box.width_mm, box.height_mm);
    text(box.x_mm + box.width_mm / 2, box.y_mm - 1.5, 3.2,
         box.code.empty() ? "card (bare)" : box.code + "  " + percent(box.concentration));
  }
  svg += "</svg>\n";
  return svg;
}

SwatchCardLayout read_swatch_card_layout(std::string_view svg, std::string_view name) {
  const auto corrupt = [&](const std::string& what) {
    return Error(ErrorCode::corrupt_data, fmt::format("{}: {}", name, what));
  };
  const auto open = svg.find(metadata_open);
  const auto close = open == std::string_view::npos
                         ? std::string_view::npos
                         : svg.find(metadata_close, open + metadata_open.size());
  if (close == std::string_view::npos) {
    throw corrupt(
        "holds no swatch-card layout: give the SVG that 'pigmatch catalog card' wrote for the "
        "card in the photo");
  }
  const std::string text =
      xml_unescaped(svg.substr(open + metadata_open.size(), close - open - metadata_open.size()));
  SwatchCardLayout layout;
  try {
    const nlohmann::json meta = nlohmann::json::parse(text);
    if (meta.value("format", "") != layout_format || meta.value("format_version", 0) != 1)
      throw corrupt("its layout is not a version-1 pigmatch swatch card: re-make the card");
    layout.title = meta.at("title").get<std::string>();
    layout.pigments = meta.at("pigments").get<std::vector<std::string>>();
    layout.concentrations = meta.at("concentrations").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw corrupt(fmt::format("its layout cannot be read ({}): re-make the card", e.what()));
  }
  try {
    check_swatch_card_layout(layout);
  } catch (const Error& e) {
    throw corrupt(fmt::format("its layout is invalid: {}", e.what()));
  }
  return layout;
}

SwatchCardLayout load_swatch_card_layout(const std::filesystem::path& svg_file) {
  const std::string text = detail::read_small_file(svg_file, 4u << 20, "swatch cards over 4 MiB");
  return read_swatch_card_layout(text, svg_file.string());
}

}  // namespace pigmatch
