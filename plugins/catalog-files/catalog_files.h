// The readers of the built-in catalog-files plugin: pigment catalogs as JSON
// ("format": "pigmatch-catalog") and as CGATS, into the plugin helper's owning types
// (pigmatch/plugin.hpp). Documented in docs/catalog-format.md.
//
// Division of labour with the host: a reader checks what only it can see (syntax, types, missing
// or unknown fields, malformed numbers, line numbers) and reports every such problem it finds,
// not only the first. The values themselves (reflectance range, duplicate codes, dates…) are
// checked once, for every catalog source alike, by the host's pigmatch::validate().
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigmatch/plugin.hpp"

// Hidden like the plugin.hpp types it uses: nothing here is exported from the plugin.
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

namespace pigmatch::catalog_files {

/// Catalog files larger than this are refused unread (the largest real catalog is far smaller).
inline constexpr std::size_t max_file_bytes = 16u << 20;

/// What reading one file produced. `catalog` is empty when any diagnostic is an error.
struct ParseResult {
  std::optional<plugin::CatalogData> catalog;
  std::vector<plugin::DiagnosticData> diagnostics;
};

/// Parses a pigmatch JSON catalog held in `text`; `file_name` is used in messages only.
ParseResult parse_json_catalog(std::string_view text, std::string_view file_name);

/// Parses a CGATS catalog held in `text` with Little CMS's IT8 parser.
ParseResult parse_cgats_catalog(std::string_view text, std::string_view file_name);

/// Reads `path` and parses it by its extension: ".json" as JSON, anything else as CGATS. Throws
/// plugin::Failure (PIGMATCH_ERROR_IO) when it cannot be read; an over-large file is an error
/// diagnostic.
ParseResult read_catalog_file(const std::filesystem::path& path);

/// The file name suffixes the plugin claims, lower-case with the dot.
std::vector<std::string> file_extensions();

}  // namespace pigmatch::catalog_files

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
