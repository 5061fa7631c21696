// Reading a catalog file from disk and choosing its reader.
#include "catalog_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace pigmatch::catalog_files {
namespace {

std::string lowercase_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

std::vector<std::string> file_extensions() {
  return {".json", ".cgats", ".it8"};
}

ParseResult read_catalog_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    throw plugin::Failure(PIGMATCH_ERROR_IO,
                          "cannot read catalog file " + name + ": " + ec.message());
  }
  if (size > max_file_bytes) {
    ParseResult result;
    result.diagnostics.push_back(
        {PIGMATCH_SEVERITY_ERROR, "", 0,
         name + " is " + std::to_string(size >> 20) + " MiB; catalog files are limited to " +
             std::to_string(max_file_bytes >> 20) + " MiB (is it really a catalog?)"});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in && !in.eof()) {
    throw plugin::Failure(PIGMATCH_ERROR_IO, "cannot read catalog file " + name);
  }
  if (lowercase_extension(path) == ".json")
    return parse_json_catalog(text, name);
  return parse_cgats_catalog(text, name);
}

}  // namespace pigmatch::catalog_files
