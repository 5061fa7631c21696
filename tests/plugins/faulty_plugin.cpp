// Deliberately broken plugins, one fault per build (FAULT_* set by CMake). Each must be rejected
// by the host with a message naming the file and the problem while other plugins keep working.
// Faults at the ABI level are written against plugin.h directly (a careless vendor would); faults
// in the data go through plugin.hpp, which happily carries whatever it is given.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "pigmatch/plugin.hpp"

namespace pp = pigmatch::plugin;

#ifndef FAULT_NO_ENTRY_POINT

namespace {

[[maybe_unused]] const char* no_error() {
  return "";
}

#if defined(FAULT_WRONG_ABI) || defined(FAULT_BAD_MAGIC) || defined(FAULT_NULL_NAME) || \
    defined(FAULT_THROW_IN_LOAD)
pigmatch_status throwing_load(const pigmatch_catalog_provider*, const pigmatch_catalog_set**) {
  throw std::runtime_error("exception straight through the C ABI");
}
void no_release(const pigmatch_catalog_provider*, const pigmatch_catalog_set*) {}
const pigmatch_catalog_provider raw_provider{sizeof(pigmatch_catalog_provider),
                                             "raw",
                                             "",
                                             nullptr,
                                             throwing_load,
                                             nullptr,
                                             no_release,
                                             nullptr};
const pigmatch_catalog_provider* const raw_providers[] = {&raw_provider};

pigmatch_plugin raw_descriptor() {
  return {sizeof(pigmatch_plugin),
          PIGMATCH_PLUGIN_MAGIC,
          PIGMATCH_PLUGIN_ABI_VERSION,
          "test.raw",
          "Raw test plugin",
          "1.0",
          "",
          "",
          no_error,
          1,
          raw_providers,
          0,
          nullptr};
}
#endif

// A catalog with one good pigment that a data fault then spoils.
[[maybe_unused]] pp::CatalogSet faulty_catalog() {
  pp::CatalogData catalog{.id = "test.faulty", .vendor = "Faulty Inc", .name = "Faulty"};
  pp::PigmentData pigment{.code = "F1", .name = "Flesh 1"};
  std::vector<double> r(PIGMATCH_BAND_COUNT, 0.4);
#if defined(FAULT_NAN_REFLECTANCE)
  r[5] = std::numeric_limits<double>::quiet_NaN();
#elif defined(FAULT_NEGATIVE_REFLECTANCE)
  r[10] = -0.2;
#elif defined(FAULT_HIGH_REFLECTANCE)
  r[20] = 45.0;  // percent instead of a fraction
#endif
  pigment.measurements.push_back({.concentration = 1.0,
                                  .substrate = "",
                                  .reflectance = pp::SpectrumData{r, {}},
                                  .lab_d50 = std::nullopt});
#if defined(FAULT_EMPTY_NAMES)
  pigment.name = "";
  catalog.vendor = "";
#endif
  catalog.pigments.push_back(pigment);
#if defined(FAULT_DUPLICATE_CODES)
  pigment.name = "Flesh 1 again";
  catalog.pigments.push_back(pigment);
#endif
  pp::CatalogSet set;
  set.add(std::move(catalog));
  return set;
}

}  // namespace

#if defined(FAULT_WRONG_ABI) || defined(FAULT_BAD_MAGIC) || defined(FAULT_NULL_NAME) || \
    defined(FAULT_THROW_IN_LOAD)
extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host*) {
  static pigmatch_plugin descriptor = [] {
    pigmatch_plugin d = raw_descriptor();
#if defined(FAULT_WRONG_ABI)
    d.abi_version = 2;
#elif defined(FAULT_BAD_MAGIC)
    d.magic = 0x12345678;
#elif defined(FAULT_NULL_NAME)
    d.name = nullptr;
#endif
    return d;
  }();
  return &descriptor;
}

#elif defined(FAULT_NULL_DESCRIPTOR)
extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host*) {
  return nullptr;
}

#elif defined(FAULT_THROW_IN_ENTRY)
extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host*) {
  throw std::runtime_error("entry point exploded");
}

#elif defined(FAULT_GUARDED_THROW)
// plugin.hpp's barrier turns this into PIGMATCH_ERROR_INTERNAL plus the message.
pp::CatalogSet guarded_throw() {
  throw std::runtime_error("the vendor database is offline");
}
PIGMATCH_DEFINE_PLUGIN((pp::PluginInfo{.id = "test.guarded", .name = "Guarded", .version = "1"}),
                       (pp::CatalogProvider{"builtin", "", guarded_throw}))

#elif defined(FAULT_NULL_SET)
pigmatch_status null_set(const pigmatch_catalog_provider*, const pigmatch_catalog_set** out) {
  *out = nullptr;
  return PIGMATCH_OK;
}
void no_release(const pigmatch_catalog_provider*, const pigmatch_catalog_set*) {}
const pigmatch_catalog_provider provider{
    sizeof(pigmatch_catalog_provider), "null", "", nullptr, null_set, nullptr, no_release, nullptr};
const pigmatch_catalog_provider* const providers[] = {&provider};
const pigmatch_plugin descriptor{sizeof(pigmatch_plugin),
                                 PIGMATCH_PLUGIN_MAGIC,
                                 PIGMATCH_PLUGIN_ABI_VERSION,
                                 "test.null-set",
                                 "Null set",
                                 "1",
                                 "",
                                 "",
                                 no_error,
                                 1,
                                 providers,
                                 0,
                                 nullptr};
extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host*) {
  return &descriptor;
}

#elif defined(FAULT_NULL_CODE)
// A pigment whose required code is NULL (plugin.hpp never produces that; raw data does).
const double flat[PIGMATCH_BAND_COUNT] = {
    0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3,
    0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3};
const pigmatch_spectrum spectrum{sizeof(pigmatch_spectrum), PIGMATCH_BAND_COUNT, nullptr, flat};
const pigmatch_measurement masstone{sizeof(pigmatch_measurement), 1.0, "", &spectrum, nullptr};
const pigmatch_measurement* const measurements[] = {&masstone};
const pigmatch_pigment pigment{sizeof(pigmatch_pigment),
                               nullptr,
                               "No code",
                               nullptr,
                               0,
                               nullptr,
                               1,
                               measurements,
                               nullptr,
                               nullptr,
                               nullptr,
                               nullptr,
                               0,
                               nullptr,
                               0,
                               nullptr,
                               nullptr,
                               0,
                               0,
                               nullptr};
const pigmatch_pigment* const pigments[] = {&pigment};
const pigmatch_catalog catalog{
    sizeof(pigmatch_catalog), "test.null-code", "Raw", "Raw", "", "", 1, pigments};
const pigmatch_catalog* const catalogs[] = {&catalog};
const pigmatch_catalog_set set{sizeof(pigmatch_catalog_set), 1, catalogs, 0, nullptr};
pigmatch_status load(const pigmatch_catalog_provider*, const pigmatch_catalog_set** out) {
  *out = &set;
  return PIGMATCH_OK;
}
void no_release(const pigmatch_catalog_provider*, const pigmatch_catalog_set*) {}
const pigmatch_catalog_provider provider{
    sizeof(pigmatch_catalog_provider), "raw", "", nullptr, load, nullptr, no_release, nullptr};
const pigmatch_catalog_provider* const providers[] = {&provider};
const pigmatch_plugin descriptor{sizeof(pigmatch_plugin),
                                 PIGMATCH_PLUGIN_MAGIC,
                                 PIGMATCH_PLUGIN_ABI_VERSION,
                                 "test.null-code",
                                 "Null code",
                                 "1",
                                 "",
                                 "",
                                 no_error,
                                 1,
                                 providers,
                                 0,
                                 nullptr};
extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host*) {
  return &descriptor;
}

#else  // the data faults: NaN, negative, > 1.5, empty names, duplicate codes
PIGMATCH_DEFINE_PLUGIN((pp::PluginInfo{
                           .id = TEST_PLUGIN_ID, .name = "Faulty data", .version = "1"}),
                       (pp::CatalogProvider{"builtin", "", faulty_catalog}))
#endif

#else  // FAULT_NO_ENTRY_POINT: a library that exports something else
extern "C" PIGMATCH_PLUGIN_EXPORT int pigmatch_plugin_main() {
  return 0;
}
#endif
