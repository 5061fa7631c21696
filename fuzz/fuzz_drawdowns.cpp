// fuzz_drawdowns: bytes as a spectrophotometer's CGATS readings → read_drawdowns()'s parser
// (Little CMS's IT8 parser, field and name mapping, spectra resampled) and, when rows come out,
// build_catalog() on them (series checks, the K/S fit, validate()). The bytes after a line
// "--layout--" are the layout CSV.
//
// Bad input is answered with pigmatch::Error; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "formulation/drawdown_file.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/catalog_build.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> layout;
  constexpr std::string_view marker = "\n--layout--\n";
  if (const auto at = text.find(marker); at != std::string_view::npos) {
    layout = std::string(text.substr(at + marker.size()));
    text = text.substr(0, at);
  }
  try {
    const auto readings =
        pigmatch::detail::parse_drawdowns(text, "fuzz.ti3", layout, std::optional<std::string>());
    // Keep each run short: a fit per pigment costs about a millisecond.
    if (!readings.empty() && readings.size() <= 64)
      (void)pigmatch::build_catalog(readings, {"fuzz", "Fuzz", "Fuzz"});
  } catch (const pigmatch::Error&) {
  }
  return 0;
}
