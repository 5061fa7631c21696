// fuzz_measure_json: bytes as the measurement JSON that `pigmatch measure --json` writes and
// `match --from`, `touchup --from` and `measure --save` read → the same steps as
// cli/measured_regions.cpp's read_measure_file (nlohmann/json parse, then parse_measure_json),
// then find_region for every region's name and for a name that is not there.
//
// pigmatch::Error is the expected answer to a bad file; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "measured_regions.h"
#include "pigmatch/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using Json = nlohmann::ordered_json;
  const std::string source = "fuzz-measure.json";
  Json measure;
  try {
    measure = Json::parse(data, data + size);
  } catch (const Json::parse_error&) {
    return 0;  // read_measure_file reports this as corrupt_data
  }
  try {
    const pigmatch::cli::MeasuredPhoto photo = pigmatch::cli::parse_measure_json(measure, source);
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
