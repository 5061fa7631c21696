/* Proves that pigmatch/plugin.h is plain C99: this file is compiled as C (-std=c99 -pedantic)
 * and fills the ABI structs the way a vendor writing C would, with static data. */
#include <stdio.h>
#include <string.h>

#include "pigmatch/plugin.h"

static const double black_reflectance[PIGMATCH_BAND_COUNT] = {
    0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04,
    0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04,
    0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04};
static const pigmatch_spectrum black_spectrum = {sizeof(pigmatch_spectrum), PIGMATCH_BAND_COUNT,
                                                 NULL, black_reflectance};
static const pigmatch_lab black_lab = {24.0, 0.2, -0.5};
static const pigmatch_measurement masstone = {sizeof(pigmatch_measurement), 1.0, "white card",
                                              &black_spectrum, &black_lab};
static const pigmatch_measurement* const measurements[] = {&masstone};
static const char* const ci_numbers[] = {"CI 77266"};
static const char* const uses[] = {"smp"};
static const pigmatch_pigment black = {sizeof(pigmatch_pigment),
                                       "K1",
                                       "Black",
                                       "SMP",
                                       1,
                                       ci_numbers,
                                       1,
                                       measurements,
                                       NULL,
                                       NULL,
                                       NULL,
                                       NULL,
                                       0,
                                       NULL,
                                       0,
                                       NULL,
                                       NULL,
                                       0,
                                       1,
                                       uses};
static const pigmatch_pigment* const pigments[] = {&black};
static const pigmatch_catalog catalog = {
    sizeof(pigmatch_catalog), "c.test", "C vendor", "C catalog", "1", "", 1, pigments};
static const pigmatch_catalog* const catalogs[] = {&catalog};
static const pigmatch_catalog_set set = {sizeof(pigmatch_catalog_set), 1, catalogs, 0, NULL};

static pigmatch_status load_builtin(const pigmatch_catalog_provider* self,
                                    const pigmatch_catalog_set** out) {
  (void)self;
  *out = &set;
  return PIGMATCH_OK;
}
static void release(const pigmatch_catalog_provider* self, const pigmatch_catalog_set* s) {
  (void)self;
  (void)s;
}
static const char* last_error(void) {
  return "";
}

static const pigmatch_catalog_provider provider = {sizeof(pigmatch_catalog_provider),
                                                   "builtin",
                                                   "static C data",
                                                   NULL,
                                                   load_builtin,
                                                   NULL,
                                                   release,
                                                   NULL};
static const pigmatch_catalog_provider* const providers[] = {&provider};
static const pigmatch_plugin plugin = {sizeof(pigmatch_plugin),
                                       PIGMATCH_PLUGIN_MAGIC,
                                       PIGMATCH_PLUGIN_ABI_VERSION,
                                       "c.test",
                                       "C test",
                                       "1.0",
                                       "",
                                       "",
                                       last_error,
                                       1,
                                       providers,
                                       0,
                                       NULL};

PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(const pigmatch_host* host);
const pigmatch_plugin* pigmatch_plugin_entry(const pigmatch_host* host) {
  (void)host;
  return &plugin;
}

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

int main(void) {
  const pigmatch_host host = {sizeof(pigmatch_host), PIGMATCH_PLUGIN_ABI_VERSION, "test"};
  pigmatch_plugin_entry_fn entry = pigmatch_plugin_entry;
  const pigmatch_plugin* p = entry(&host);
  const pigmatch_catalog_set* out = NULL;
  pigmatch_plugin older;

  CHECK(p->magic == PIGMATCH_PLUGIN_MAGIC);
  CHECK(PIGMATCH_HAS_FIELD(p, pigmatch_plugin, mixing_models));
  /* A descriptor from an older plugin that stops before the mixing-model fields. */
  memcpy(&older, p, sizeof older);
  older.struct_size = (uint32_t)offsetof(pigmatch_plugin, mixing_model_count);
  CHECK(PIGMATCH_HAS_FIELD(&older, pigmatch_plugin, catalog_providers));
  CHECK(!PIGMATCH_HAS_FIELD(&older, pigmatch_plugin, mixing_model_count));
  CHECK(p->catalog_providers[0]->load_builtin(p->catalog_providers[0], &out) == PIGMATCH_OK);
  CHECK(out->catalogs[0]->pigments[0]->measurements[0]->reflectance->count == 36);
  CHECK(strcmp(out->catalogs[0]->pigments[0]->ci_numbers[0], "CI 77266") == 0);
  CHECK(PIGMATCH_HAS_FIELD(out->catalogs[0]->pigments[0], pigmatch_pigment, uses));
  CHECK(strcmp(out->catalogs[0]->pigments[0]->uses[0], "smp") == 0);
  CHECK(sizeof(pigmatch_status) == 4 && sizeof(pigmatch_severity) == 4);
  if (failures == 0)
    printf("plugin.h compiles and works as C99\n");
  return failures == 0 ? 0 : 1;
}
