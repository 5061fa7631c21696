// Plugins that take the process down while being loaded, one way per build (CRASH_* set by
// CMake): the host must survive each and name the file (libcore/src/plugin_host/plugin_probe.cpp).
// The faults are real: a store through a bad pointer, abort(), exit() from a library constructor,
// a crash inside a built-in catalog's load function, none of which an exception barrier stops.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "pigmatch/plugin.hpp"

namespace pp = pigmatch::plugin;

namespace {

// A store to an unmapped address near 0 (not NULL, so that UBSan's null check does not turn it
// into a report and an exit: the test wants the real SIGSEGV a vendor's bug would give).
[[maybe_unused]] void segfault() {
  volatile std::uintptr_t address = 16;
  *reinterpret_cast<volatile int*>(address) = 1;
}

[[maybe_unused]] pp::CatalogSet catalog() {
#if defined(CRASH_IN_BUILTIN)
  segfault();
#endif
  pp::CatalogData data{.id = "test.crashing", .vendor = "Crash Inc", .name = "Never seen"};
  pp::PigmentData black{.code = "C1", .name = "Black"};
  black.measurements.push_back({.concentration = 1.0,
                                .substrate = "",
                                .reflectance = pp::SpectrumData{std::vector<double>(36, 0.05), {}},
                                .lab_d50 = std::nullopt});
  data.pigments.push_back(black);
  pp::CatalogSet set;
  set.add(std::move(data));
  return set;
}

#if defined(CRASH_EXIT_IN_CONSTRUCTOR)
// Runs at dlopen(), before the host sees the entry point: a vendor's "licence check" that exits.
[[maybe_unused]] const int licence_check = [] {
  std::exit(3);
  return 0;
}();
#endif

}  // namespace

#if defined(CRASH_SEGFAULT_IN_ENTRY) || defined(CRASH_ABORT_IN_ENTRY)
extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host*) {
#if defined(CRASH_SEGFAULT_IN_ENTRY)
  segfault();
#else
  std::abort();
#endif
  return nullptr;
}
#else
PIGMATCH_DEFINE_PLUGIN((pp::PluginInfo{.id = TEST_PLUGIN_ID, .name = "Crashing", .version = "1"}),
                       (pp::CatalogProvider{"builtin", "", catalog}))
#endif
