// The built-in catalog-files plugin: pigment catalogs from JSON and CGATS files, written with the
// same SDK (pigmatch/plugin.hpp) a vendor would use.
#include "pigmatch/plugin.hpp"

#include <filesystem>

#include "catalog_files.h"

namespace {

pigmatch::plugin::CatalogSet load_file(const std::filesystem::path& path) {
  pigmatch::catalog_files::ParseResult result = pigmatch::catalog_files::read_catalog_file(path);
  pigmatch::plugin::CatalogSet set;
  if (result.catalog)
    set.add(std::move(*result.catalog));
  for (auto& diagnostic : result.diagnostics)
    set.add(std::move(diagnostic));
  return set;
}

}  // namespace

PIGMATCH_DEFINE_PLUGIN((pigmatch::plugin::PluginInfo{
                           .id = "org.pigmatch.catalog-files",
                           .name = "Catalog files",
                           .version = "1.0.0",
                           .vendor = "pigmatch",
                           .description = "Reads pigment catalogs from JSON (pigmatch-catalog "
                                          "format 1) and CGATS files"}),
                       (pigmatch::plugin::CatalogProvider{
                           "files",
                           "pigment catalogs as .json or CGATS (.cgats, .it8) files",
                           {},
                           pigmatch::catalog_files::file_extensions(),
                           load_file}))
