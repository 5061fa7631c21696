// Pigments as two vendors fill them, written against plugin.h directly: one built before
// pigmatch_pigment gained `uses` (its struct_size stops before it, and what follows is a trap the
// host must never read), one that names its use. tests/plugin_host/plugin_test.cpp loads both.
#include <cstddef>
#include <cstdint>

#include "pigmatch/plugin.h"

namespace {

const char* no_error() {
  return "";
}

const double flat[PIGMATCH_BAND_COUNT] = {
    0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3,
    0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3};
const pigmatch_spectrum spectrum{sizeof(pigmatch_spectrum), PIGMATCH_BAND_COUNT, nullptr, flat};
const pigmatch_measurement masstone{sizeof(pigmatch_measurement), 1.0, "white card", &spectrum,
                                    nullptr};
const pigmatch_measurement* const measurements[] = {&masstone};
// Not strings: reading them would crash or show garbage.
const char* const* const trap = reinterpret_cast<const char* const*>(alignof(void*));
const char* const smp[] = {"smp"};

pigmatch_pigment pigment(const char* code, std::uint32_t size, std::size_t use_count,
                         const char* const* uses) {
  return {size,    code,    "Grey",    nullptr, 0, nullptr, 1, measurements,
          nullptr, nullptr, nullptr,   nullptr, 0, nullptr, 0, nullptr,
          nullptr, 0,       use_count, uses};
}

const pigmatch_pigment old_pigment =
    pigment("OLD", static_cast<std::uint32_t>(offsetof(pigmatch_pigment, use_count)), 3, trap);
const pigmatch_pigment new_pigment =
    pigment("NEW", static_cast<std::uint32_t>(sizeof(pigmatch_pigment)), 1, smp);
const pigmatch_pigment* const pigments[] = {&old_pigment, &new_pigment};
const pigmatch_catalog catalog{
    sizeof(pigmatch_catalog), "test.old-pigment", "Raw", "Raw", "", "", 2, pigments};
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
                                 "test.old-pigment",
                                 "Old pigment struct",
                                 "1",
                                 "",
                                 "",
                                 no_error,
                                 1,
                                 providers,
                                 0,
                                 nullptr};

}  // namespace

extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(
    const pigmatch_host*) {
  return &descriptor;
}
