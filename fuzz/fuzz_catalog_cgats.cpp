// fuzz_catalog_cgats: bytes as a CGATS catalog → the catalog-files plugin's CGATS reader
// (parse_cgats_catalog: Little CMS's IT8 parser, then the keyword and field mapping), then what
// the host does with the result (fuzz_catalog.h: POD view, conversion, validate(), a mix).
//
// A reader answers bad input with diagnostics, validate() with problems, models with
// pigmatch::Error; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = pigmatch::catalog_files::parse_cgats_catalog(text, "fuzz.cgats");
  pigmatch::fuzz::use_parsed_catalog(parsed, "fuzz.cgats");
  return 0;
}
