#include "arguments.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "command.h"

namespace pigmatch::cli {
namespace {

// std::from_chars for double is exact and locale-independent (a practitioner's locale with ','
// decimals must not change what "52.3" means).
std::vector<double> parse_numbers(std::string_view text) {
  std::vector<double> numbers;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view field = text.substr(start, comma - start);
    while (!field.empty() && field.front() == ' ')
      field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ')
      field.remove_suffix(1);
    if (!field.empty() && field.front() == '+')
      field.remove_prefix(1);
    double value = std::numeric_limits<double>::quiet_NaN();
    const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (field.empty() || error != std::errc{} || end != field.data() + field.size() ||
        !std::isfinite(value)) {
      return {};
    }
    numbers.push_back(value);
    start = comma + 1;
  }
  return numbers;
}

}  // namespace

Lab parse_lab(const std::string& text, std::string_view what) {
  const std::vector<double> n = parse_numbers(text);
  if (n.size() != 3) {
    throw UsageError(fmt::format(
        "{}: '{}' is not a Lab colour; write it as L,a,b, e.g. 52.3,-1.5,12", what, text));
  }
  if (n[0] < 0 || n[0] > 100) {
    throw UsageError(fmt::format("{}: L* must be between 0 and 100, got {}", what, n[0]));
  }
  return {n[0], n[1], n[2]};
}

Rect parse_rect(const std::string& text, std::string_view what) {
  const std::vector<double> n = parse_numbers(text);
  const auto is_pixel_count = [](double v) {
    return v >= 0 && v <= std::numeric_limits<int>::max() && v == std::floor(v);
  };
  if (n.size() != 4 || !is_pixel_count(n[0]) || !is_pixel_count(n[1]) || !is_pixel_count(n[2]) ||
      !is_pixel_count(n[3]) || n[2] == 0 || n[3] == 0) {
    throw UsageError(fmt::format(
        "{}: '{}' is not a region; write it as x,y,w,h in whole pixels (w and h at least 1), "
        "e.g. 120,80,40,40",
        what, text));
  }
  return {static_cast<int>(n[0]), static_cast<int>(n[1]), static_cast<int>(n[2]),
          static_cast<int>(n[3])};
}

}  // namespace pigmatch::cli
