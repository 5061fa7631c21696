// Where plugins and catalog files are looked for (precedence documented in plugin_host.h).
#define BOOST_DLL_USE_STD_FS
#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include "pigmatch/plugin_host/plugin_host.h"

// Set by libcore/CMakeLists.txt for this file: the build tree and the install layout.
#ifndef PIGMATCH_BUILD_TREE_DIR
#error "PIGMATCH_BUILD_TREE_DIR must be defined by the build"
#endif

namespace pigmatch {
namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The folder of the running program, or empty when the OS cannot tell.
std::filesystem::path program_directory() {
  std::error_code ec;
  const std::filesystem::path program = boost::dll::program_location(ec);
  return ec ? std::filesystem::path() : program.parent_path();
}

// Running from the build tree: the program sits one level below the build directory
// (cli/pigmatch, tests/test_*). An install prefix inside the build tree does not match.
bool running_from_build_tree(const std::filesystem::path& program_dir) {
  std::error_code ec;
  return !program_dir.empty() &&
         std::filesystem::equivalent(program_dir.parent_path(), PIGMATCH_BUILD_TREE_DIR, ec);
}

// <prefix> of an installed program: <prefix>/<bindir>/pigmatch.
std::filesystem::path install_prefix(const std::filesystem::path& program_dir) {
  std::filesystem::path prefix = program_dir;
  for (const auto& part : std::filesystem::path(PIGMATCH_INSTALL_BINDIR)) {
    if (!part.empty() && part != ".")
      prefix = prefix.parent_path();
  }
  return prefix;
}

}  // namespace

std::filesystem::path user_data_directory() {
  const std::string xdg = environment("XDG_DATA_HOME");
  // The XDG spec: a relative $XDG_DATA_HOME is invalid and must be ignored.
  if (!xdg.empty() && std::filesystem::path(xdg).is_absolute()) {
    return std::filesystem::path(xdg) / "pigmatch";
  }
  const std::string home = environment("HOME");
  if (home.empty())
    return {};
  return std::filesystem::path(home) / ".local" / "share" / "pigmatch";
}

SearchDirectory builtin_plugin_directory() {
  const std::filesystem::path dir = program_directory();
  if (running_from_build_tree(dir)) {
    return {std::filesystem::path(PIGMATCH_BUILD_TREE_DIR) / "plugins", Origin::builtin};
  }
  return {install_prefix(dir) / PIGMATCH_INSTALL_LIBDIR / "pigmatch" / "plugins", Origin::builtin};
}

SearchDirectory builtin_catalog_directory() {
  const std::filesystem::path dir = program_directory();
  if (running_from_build_tree(dir)) {
    return {std::filesystem::path(PIGMATCH_SOURCE_TREE_DIR) / "data" / "catalogs", Origin::builtin};
  }
  return {install_prefix(dir) / PIGMATCH_INSTALL_DATADIR / "pigmatch" / "catalogs",
          Origin::builtin};
}

SearchPaths default_search_paths(std::vector<std::filesystem::path> catalog_files) {
  SearchPaths paths;
  paths.catalog_files = std::move(catalog_files);
  const std::string plugin_path = environment("PIGMATCH_PLUGIN_PATH");
  std::string_view rest = plugin_path;
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string_view entry = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (entry.empty())
      continue;
    // Absolute, so that messages name the folder unambiguously whatever the working directory.
    std::error_code ec;
    std::filesystem::path directory = std::filesystem::absolute(entry, ec);
    if (ec)
      directory = entry;
    paths.plugin_directories.push_back({directory, Origin::environment});
    paths.catalog_directories.push_back({directory, Origin::environment});
  }
  const std::filesystem::path user = user_data_directory();
  if (!user.empty()) {
    paths.plugin_directories.push_back({user / "plugins", Origin::user});
    paths.catalog_directories.push_back({user / "catalogs", Origin::user});
  }
  paths.plugin_directories.push_back(builtin_plugin_directory());
  paths.catalog_directories.push_back(builtin_catalog_directory());
  return paths;
}

}  // namespace pigmatch
