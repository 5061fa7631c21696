// fuzz_measure_json: bytes as the measurement JSON that `pigmatch measure --json` writes and
// `match --from`, `touchup --from` and `measure --save` read → cli/measured_regions.cpp's
// parse_measure_text (what read_measure_file does with the file's contents: nlohmann/json, then
// parse_measure_json), then find_region for every region's name and for a name not there.
//
// pigmatch::Error is the expected answer to a bad file; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "measured_regions.h"
#include "pigmatch/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string source = "fuzz-measure.json";
  try {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const pigmatch::cli::MeasuredPhoto photo = pigmatch::cli::parse_measure_text(text, source);
    for (const pigmatch::cli::MeasuredRegion& region : photo.regions) {
      const auto& found = pigmatch::cli::find_region(photo, region.name, source);
      if (found.name != region.name)
        __builtin_trap();  // find_region must return the region it was asked for
    }
    (void)pigmatch::cli::find_region(photo, "\x01no such region", source);
  } catch (const pigmatch::Error&) {
  }
  return 0;
}
