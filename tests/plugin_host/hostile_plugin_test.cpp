// Plugins that crash or end the process while loading (tests/plugins/crashing_plugin.cpp, real
// libraries): the host survives each, names the file and the signal or exit status, and still
// loads the good plugin in the same folder — in-process (PluginRegistry) and in the real
// `pigmatch` program.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pigmatch/plugin_host/plugin_host.h"
#include "process.h"

namespace fs = std::filesystem;
using namespace pigmatch;

namespace {

const fs::path crashing_dir = fs::path(PIGMATCH_TEST_PLUGIN_DIR) / "crashing";

struct Expected {
  const char* file;
  std::string says;
};

const std::vector<Expected>& expectations() {
  static const std::vector<Expected> expected = {
      {"crash_segfault_in_entry.so",
       "crashed while loading (signal " + std::to_string(SIGSEGV) + ", SIGSEGV)"},
      {"crash_abort_in_entry.so",
       "crashed while loading (signal " + std::to_string(SIGABRT) + ", SIGABRT)"},
      {"crash_in_builtin.so",
       "crashed while loading (signal " + std::to_string(SIGSEGV) + ", SIGSEGV)"},
      // exit(3) runs the atexit handlers; a leak checker may change the status, not the verdict.
      {"crash_exit_in_constructor.so", "ended the program while loading (exit status "},
  };
  return expected;
}

const LoadProblem* problem_for(const PluginRegistry& registry, const fs::path& file) {
  for (const LoadProblem& p : registry.problems()) {
    if (p.file == file)
      return &p;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("plugins that crash while loading are rejected; the host and the good plugin live on",
          "[plugin][hostile]") {
  SearchPaths paths;
  paths.plugin_directories = {{crashing_dir, Origin::environment}};
  const PluginRegistry registry(paths);

  REQUIRE(registry.plugins().size() == 1);
  CHECK(registry.plugins()[0].id == "test.crash-survivor");
  REQUIRE(registry.catalogs().size() == 1);
  CHECK(registry.catalogs()[0].catalog.id == "test.builtin");
  CHECK(registry.find_catalog("test.crashing") == nullptr);

  for (const Expected& e : expectations()) {
    INFO(e.file);
    const LoadProblem* problem = problem_for(registry, crashing_dir / e.file);
    REQUIRE(problem != nullptr);
    CHECK(problem->severity == Severity::error);
    const std::string text = to_string(*problem);
    INFO(text);
    CHECK_THAT(text, Catch::Contains((crashing_dir / e.file).string()) &&
                         Catch::Contains("plugin rejected: " + e.says) &&
                         Catch::Contains("remove it or ask its vendor for a fixed build"));
  }
  CHECK(registry.problems().size() == expectations().size());
}

TEST_CASE("pigmatch plugin list survives crashing plugins and names them", "[plugin][hostile]") {
  ::setenv("PIGMATCH_PLUGIN_PATH", crashing_dir.c_str(), 1);
  ::setenv("XDG_DATA_HOME", "/nonexistent-pigmatch-test", 1);
  const auto table = test::run_pigmatch({"plugin", "list"});
  const auto json = test::run_pigmatch({"plugin", "list", "--json"});
  ::unsetenv("PIGMATCH_PLUGIN_PATH");

  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("test.crash-survivor") != std::string::npos);
  for (const Expected& e : expectations()) {
    CHECK(table.err.find((crashing_dir / e.file).string() + ": plugin rejected: " + e.says) !=
          std::string::npos);
  }
  // The children's output goes nowhere: the JSON on stdout is whole.
  REQUIRE(json.exit_code == 0);
  const auto out = nlohmann::json::parse(json.out);
  std::size_t crashed = 0;
  for (const auto& problem : out.at("problems")) {
    if (problem.at("file").get<std::string>().find("/crashing/crash_") != std::string::npos)
      ++crashed;
  }
  CHECK(crashed == expectations().size());
}
