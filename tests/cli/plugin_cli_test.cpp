// `pigmatch plugin list|info`, run as a real process with PIGMATCH_PLUGIN_PATH pointing at the
// test plugins (tests/plugins/) and the built-in catalog-files plugin in the build tree.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.h"

namespace fs = std::filesystem;
using pigmatch::test::run_pigmatch;

namespace {

const fs::path plugin_root = PIGMATCH_TEST_PLUGIN_DIR;

// PIGMATCH_PLUGIN_PATH for the child processes of one test; XDG_DATA_HOME points at an empty
// folder so that the tester's own plugins do not leak in.
struct PluginPathEnv {
  explicit PluginPathEnv(const std::string& value) {
    ::setenv("PIGMATCH_PLUGIN_PATH", value.c_str(), 1);
    ::setenv("XDG_DATA_HOME", "/nonexistent-pigmatch-test", 1);
  }
  ~PluginPathEnv() { ::unsetenv("PIGMATCH_PLUGIN_PATH"); }
};

const nlohmann::json* find_by(const nlohmann::json& list, const std::string& key,
                              const std::string& value) {
  for (const auto& item : list) {
    if (item.at(key) == value)
      return &item;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("plugin list --json shows plugins by origin and the rejected ones with reasons") {
  const PluginPathEnv env((plugin_root / "good").string() + ":" +
                          (plugin_root / "broken").string());
  const auto r = run_pigmatch({"plugin", "list", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto out = nlohmann::json::parse(r.out);

  const auto* good = find_by(out.at("plugins"), "id", "test.good");
  REQUIRE(good != nullptr);
  CHECK(good->at("origin") == "PIGMATCH_PLUGIN_PATH");
  CHECK(good->at("file") == (plugin_root / "good" / "good.so").string());
  CHECK(good->at("mixing_models").at(0).at("id") == "test-additive");
  CHECK(good->at("mixing_models").at(0).at("outputs") == nlohmann::json::array({"reflectance"}));

  // The built-in folder of the build tree holds the catalog-files plugin.
  const auto* files = find_by(out.at("plugins"), "id", "org.pigmatch.catalog-files");
  REQUIRE(files != nullptr);
  CHECK(files->at("origin") == "built-in");
  // ... and the mixing models, a plugin like the others.
  const auto* models = find_by(out.at("plugins"), "id", "org.pigmatch.models");
  REQUIRE(models != nullptr);
  CHECK(models->at("origin") == "built-in");
  CHECK(models->at("file") == (fs::path(PIGMATCH_BINARY_DIR) / "plugins" / "models.so").string());
  std::vector<std::string> model_ids;
  for (const auto& m : models->at("mixing_models"))
    model_ids.push_back(m.at("id").get<std::string>());
  CHECK(model_ids == std::vector<std::string>{"lab", "km", "km1", "skin"});

  const auto* wrong_abi =
      find_by(out.at("problems"), "file", (plugin_root / "broken" / "fault_wrong_abi.so").string());
  REQUIRE(wrong_abi != nullptr);
  CHECK(wrong_abi->at("severity") == "error");
  CHECK(wrong_abi->at("message").get<std::string>().find("ABI version 2") != std::string::npos);
  const auto* nan = find_by(out.at("problems"), "file",
                            (plugin_root / "broken" / "fault_nan_reflectance.so").string());
  REQUIRE(nan != nullptr);
  CHECK(nan->at("details").at(0).at("where") == "pigments[0].measurements[0].reflectance[5]");

  const auto& dirs = out.at("search_paths").at("plugin_directories");
  REQUIRE(dirs.size() == 4);
  CHECK(dirs.at(0).at("path") == (plugin_root / "good").string());
  CHECK(dirs.at(2).at("path") == "/nonexistent-pigmatch-test/pigmatch/plugins");
  CHECK(dirs.at(3).at("path") == (fs::path(PIGMATCH_BINARY_DIR) / "plugins").string());
}

TEST_CASE("plugin list prints a table on stdout and the rejections on stderr") {
  const PluginPathEnv env((plugin_root / "broken").string());
  const auto r = run_pigmatch({"plugin", "list"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("test.survivor") != std::string::npos);
  CHECK(r.out.find("fault_wrong_abi.so") == std::string::npos);
  CHECK(r.err.find("fault_wrong_abi.so: plugin rejected: built for plugin ABI version 2") !=
        std::string::npos);
}

TEST_CASE("plugin info shows one plugin, and names the loaded ones for an unknown id") {
  const PluginPathEnv env((plugin_root / "good").string());
  const auto r = run_pigmatch({"plugin", "info", "test.good", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto out = nlohmann::json::parse(r.out);
  CHECK(out.at("catalog_providers").at(1).at("file_extensions") ==
        nlohmann::json::array({".pgtest"}));
  CHECK(out.at("catalogs").at(0).at("id") == "test.builtin");
  CHECK(out.at("catalogs").at(0).at("pigments") == 3);

  const auto human = run_pigmatch({"plugin", "info", "test.good"});
  REQUIRE(human.exit_code == 0);
  CHECK(human.out.find("mixing model 'test-additive'") != std::string::npos);

  const auto missing = run_pigmatch({"plugin", "info", "no.such.plugin"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no plugin 'no.such.plugin'") != std::string::npos);
  CHECK(missing.err.find("test.good") != std::string::npos);

  CHECK(run_pigmatch({"plugin"}).exit_code == 2);
}
