/* pigmatch/plugin.h — the plugin ABI: how a shared library adds pigment catalogs and mixing
 * models to pigmatch.
 *
 * Plain C (C99), so a vendor can build a plugin with any compiler and the host never depends on a
 * plugin's C++ runtime: no C++ types and no exceptions cross this boundary. Most plugin authors
 * will use the header-only C++ helper pigmatch/plugin.hpp instead of filling these structs by
 * hand; docs/plugins.md walks through both.
 *
 * Shape (modelled on Little CMS's lcms2_plugin.h).
 *   A plugin exports exactly one symbol, PIGMATCH_PLUGIN_ENTRY_NAME ("pigmatch_plugin_entry"),
 *   of type pigmatch_plugin_entry_fn. The host calls it once after loading the library, passing
 *   a pigmatch_host that says which ABI the host speaks; the plugin returns a pointer to its
 *   pigmatch_plugin descriptor (or NULL to decline). The descriptor lists the plugin's extensions
 *   by kind — catalog providers and mixing models — as arrays of pointers to structs of function
 *   pointers.
 *
 * Versioning.
 *   PIGMATCH_PLUGIN_ABI_VERSION is the major version: the host loads a plugin only when the
 *   descriptor's abi_version equals its own. Within one major version structs only grow at the
 *   end. Every versioned struct starts with `uint32_t struct_size`, set by whoever fills the struct
 *   to sizeof() of the struct as that party compiled it; the reader uses a field only when
 *   struct_size covers it (PIGMATCH_HAS_FIELD), so an older plugin works with a newer host and
 *   the reverse. Small value structs without struct_size (pigmatch_lab, pigmatch_parameter) are
 *   frozen for the life of the major version.
 *
 * Data conventions (units are part of the ABI).
 *   - Reflectance is a factor 0–1 (not percent). Values up to 1.5 are tolerated (fluorescent
 *     samples); anything negative, above 1.5, NaN or infinite makes the host reject the catalog.
 *   - Spectra are on the spectrophotometer grid 380, 390, ..., 730 nm (PIGMATCH_BAND_COUNT = 36
 *     bands) unless a pigmatch_spectrum gives its own wavelengths, in which case the host
 *     resamples them linearly onto that grid (they must cover 380–730 nm).
 *   - CIELAB is D50 illuminant, 2° observer (the ICC PCS), as spectrophotometers report it.
 *   - Concentrations are mass fractions of the vendor's pigment in the mixture, in (0, 1]; 1 is
 *     the masstone. Volumes are millilitres. Prices are in an ISO 4217 currency.
 *   - Strings are NUL-terminated UTF-8. "Optional" string fields may be NULL or ""; the host treats
 *     both as absent. Optional values are pointers that may be NULL.
 *   - Counts are size_t; an array pointer may be NULL only when its count is 0.
 *
 * Ownership and lifetime.
 *   - The pigmatch_plugin descriptor, its extension structs and every string they point to are
 *     owned by the plugin and stay valid and unchanged until the library is unloaded (static data
 *     is the usual choice).
 *   - Data returned through an out-parameter (a pigmatch_catalog_set, a pigmatch_mixing_state) is
 *     owned by the plugin and stays valid until the host passes it back to the matching release
 *     function, which the host always does exactly once. The host copies what it keeps.
 *   - Data the host passes in (paths, pigments, concentrations, parameters) is owned by the host
 *     and valid only for the duration of the call; a plugin copies what it keeps.
 *
 * Errors.
 *   Every fallible function returns a pigmatch_status. On anything but PIGMATCH_OK its
 *   out-parameters are left NULL and the plugin's last_error() returns a message for the person
 *   at the keyboard (what failed, with which file or value, what to do). The message belongs to
 *   the plugin and is valid until the calling thread's next call into the plugin. Functions must
 *   never let a C++ exception, a longjmp or a signal escape: the host treats the library as
 *   broken and unloads it if it can tell (it cannot always; a crash in a plugin is a crash).
 *
 * Thread safety.
 *   - The entry point and catalog-provider functions are called by one host thread at a time per
 *     plugin (the registry serialises them); they need not be reentrant.
 *   - Mixing models: prepare and release may be called from any thread, for distinct states
 *     concurrently; predict must be safe to call concurrently from many threads on the same state
 *     (formulation searches recipes in parallel), so a prepared state is read-only.
 *   - last_error is per calling thread (thread-local storage in the plugin).
 */
#ifndef PIGMATCH_PLUGIN_H
#define PIGMATCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version handshake ------------------------------------------------------------------- */

/** The ABI major version this header describes. */
#define PIGMATCH_PLUGIN_ABI_VERSION 1u
/** pigmatch_plugin.magic: 'pgmp', guards against a symbol that is not a pigmatch descriptor. */
#define PIGMATCH_PLUGIN_MAGIC 0x70676D70u
/** The one symbol a plugin exports. */
#define PIGMATCH_PLUGIN_ENTRY_NAME "pigmatch_plugin_entry"
/** Bands of a spectrum on the standard grid 380..730 nm at 10 nm. */
#define PIGMATCH_BAND_COUNT 36u
#define PIGMATCH_FIRST_WAVELENGTH_NM 380.0
#define PIGMATCH_WAVELENGTH_STEP_NM 10.0

/** True when a struct filled by the other side (its struct_size as given) contains `field`. */
#define PIGMATCH_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/** Marks the entry point exported (plugins are built with hidden visibility otherwise). */
#if defined(_WIN32)
#define PIGMATCH_PLUGIN_EXPORT __declspec(dllexport)
#else
#define PIGMATCH_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* ---- status codes ------------------------------------------------------------------------- */

/** Result of every fallible plugin function (int32_t rather than an enum so its size is fixed
 *  across compilers). Values mirror pigmatch::ErrorCode (error.h). */
typedef int32_t pigmatch_status;
enum {
  PIGMATCH_OK = 0,
  PIGMATCH_ERROR_INVALID_ARGUMENT = 1, /**< a value passed in is out of range or malformed */
  PIGMATCH_ERROR_IO = 2,               /**< a file could not be opened or read */
  PIGMATCH_ERROR_CORRUPT_DATA = 3,     /**< the input is truncated or malformed */
  PIGMATCH_ERROR_UNSUPPORTED = 4,      /**< valid input this plugin does not handle */
  PIGMATCH_ERROR_OUT_OF_MEMORY = 5,    /**< an allocation failed */
  PIGMATCH_ERROR_NOT_FOUND = 6,        /**< a named thing does not exist */
  PIGMATCH_ERROR_INTERNAL = 7          /**< a bug or unexpected failure inside the plugin */
};

/* ---- data: colour ------------------------------------------------------------------------- */

/** CIELAB, D50 illuminant, 2° observer. Frozen value struct (no struct_size). */
typedef struct pigmatch_lab {
  double L; /**< lightness 0–100 */
  double a; /**< green(−)–red(+) */
  double b; /**< blue(−)–yellow(+) */
} pigmatch_lab;

/** A sampled spectral curve: reflectance (factor 0–1), or K or S per band. */
typedef struct pigmatch_spectrum {
  uint32_t struct_size;
  /** Number of samples. With wavelengths_nm NULL it must be PIGMATCH_BAND_COUNT (36). */
  size_t count;
  /** NULL: the standard grid 380, 390, ..., 730 nm. Otherwise `count` strictly increasing
   *  wavelengths in nm covering 380–730 nm; the host resamples linearly onto the grid. */
  const double* wavelengths_nm;
  /** `count` values in wavelength order. */
  const double* values;
} pigmatch_spectrum;

/* ---- data: the pigment model -------------------------------------------------------------- */

/** One colour measurement: the masstone (concentration 1) or a step of a dilution series. At
 *  least one of reflectance and lab_d50 is required. */
typedef struct pigmatch_measurement {
  uint32_t struct_size;
  double concentration;                 /**< mass fraction of the pigment in the mix, (0, 1] */
  const char* substrate;                /**< optional: what it was measured on ("white card") */
  const pigmatch_spectrum* reflectance; /**< optional: reflectance factor 0–1 */
  const pigmatch_lab* lab_d50;          /**< optional: CIELAB D50/2° */
} pigmatch_measurement;

/** A production lot. */
typedef struct pigmatch_lot {
  uint32_t struct_size;
  const char* lot;    /**< required: the lot number as printed on the bottle */
  const char* expiry; /**< optional: ISO 8601 date "YYYY-MM-DD" or month "YYYY-MM" */
} pigmatch_lot;

/** A bottle price: `amount` in `currency` for a bottle of `volume_ml` millilitres. */
typedef struct pigmatch_price {
  uint32_t struct_size;
  double amount;        /**< > 0 */
  const char* currency; /**< ISO 4217, e.g. "EUR" */
  double volume_ml;     /**< > 0 */
} pigmatch_price;

/** One pigment, or the diluent, of a catalog. */
typedef struct pigmatch_pigment {
  uint32_t struct_size;
  const char* code;         /**< required: vendor's product code, unique within the catalog */
  const char* name;         /**< required: display name */
  const char* product_line; /**< optional: e.g. "SMP Carbon" */
  size_t ci_number_count;
  const char* const* ci_numbers; /**< Colour Index numbers, e.g. "CI 77266" (carbon black) */
  size_t measurement_count;
  const pigmatch_measurement* const* measurements; /**< masstone and dilution series */
  const pigmatch_spectrum* k;   /**< optional: Kubelka–Munk absorption per band, >= 0 */
  const pigmatch_spectrum* s;   /**< optional: Kubelka–Munk scattering per band, >= 0 */
  const double* drop_volume_ml; /**< optional: volume of one drop from the bottle's nozzle, ml */
  const pigmatch_price* price;  /**< optional */
  size_t lot_count;
  const pigmatch_lot* const* lots;
  size_t compliance_count;
  const char* const* compliance; /**< statements, e.g. "EU REACH 2020/2081" */
  const char* sds_reference;     /**< optional: safety data sheet document number or URL */
  int is_diluent; /**< nonzero: thins pigment without colour (no measurements, K, S needed) */

  /* -- added within ABI 1: read only when struct_size covers it (PIGMATCH_HAS_FIELD) -- */

  size_t use_count;
  /** What the vendor makes the pigment (or diluent) for, each one of "smp" (scalp
   *  micropigmentation: follicle dots), "camouflage" (scar and skin camouflage) or "pmu"
   *  (cosmetic tattoo: brows, lips, eyeliner). The formulator's follicle mode uses pigments
   *  meant for "smp", camouflage mode those meant for "camouflage"; a pigment that says
   *  nothing (count 0) is offered for every use. */
  const char* const* uses;
} pigmatch_pigment;

/** A vendor's catalog. */
typedef struct pigmatch_catalog {
  uint32_t struct_size;
  const char* id;          /**< required: unique among catalogs; letters, digits, '.', '_', '-' */
  const char* vendor;      /**< required */
  const char* name;        /**< required */
  const char* version;     /**< optional: the vendor's edition, free text */
  const char* description; /**< optional */
  size_t pigment_count;
  const pigmatch_pigment* const* pigments;
} pigmatch_catalog;

/** Severity of a pigmatch_diagnostic (int32_t for a fixed size). */
typedef int32_t pigmatch_severity;
enum {
  PIGMATCH_SEVERITY_ERROR = 0,  /**< the catalog cannot be used */
  PIGMATCH_SEVERITY_WARNING = 1 /**< usable, but worth fixing */
};

/** A problem found while reading a catalog (e.g. a catalog file), for `catalog validate`. */
typedef struct pigmatch_diagnostic {
  uint32_t struct_size;
  pigmatch_severity severity;
  const char* where;   /**< optional: field or path, e.g. "pigments[3].code" or "SPECTRAL_410" */
  uint32_t line;       /**< 1-based line in the file, 0 when unknown */
  const char* message; /**< required: what is wrong and what to do */
} pigmatch_diagnostic;

/** What a catalog provider returns: zero or more catalogs plus the problems it found. A catalog
 *  with errors is simply not listed in `catalogs`; its problems are in `diagnostics`. */
typedef struct pigmatch_catalog_set {
  uint32_t struct_size;
  size_t catalog_count;
  const pigmatch_catalog* const* catalogs;
  size_t diagnostic_count;
  const pigmatch_diagnostic* const* diagnostics;
} pigmatch_catalog_set;

/* ---- extension kind: catalog provider ----------------------------------------------------- */

/** Supplies catalogs: built into the plugin (load_builtin), read from files (load_file), or
 *  both. Unused functions are NULL. Every function receives the provider itself as `self`, so
 *  one implementation can serve several providers (through user_data). */
typedef struct pigmatch_catalog_provider pigmatch_catalog_provider;
struct pigmatch_catalog_provider {
  uint32_t struct_size;
  const char* id;          /**< required: unique within the plugin, e.g. "files" */
  const char* description; /**< optional: one line for `pigmatch plugin info` */
  /** NULL-terminated list of lower-case file name suffixes this provider reads, e.g.
   *  {".json", ".cgats", NULL}; NULL when it reads no files. */
  const char* const* file_extensions;
  /** The catalogs compiled into the plugin. On PIGMATCH_OK *out is a set to release. */
  pigmatch_status (*load_builtin)(const pigmatch_catalog_provider* self,
                                  const pigmatch_catalog_set** out);
  /** Reads the catalog file at `path` (UTF-8). Content problems are PIGMATCH_OK with
   *  diagnostics (every one found, with line or field); a status other than OK means the file
   *  could not be processed at all (unreadable, out of memory) and *out stays NULL. */
  pigmatch_status (*load_file)(const pigmatch_catalog_provider* self, const char* path,
                               const pigmatch_catalog_set** out);
  /** Frees a set returned by load_builtin or load_file. Required when either is set. */
  void (*release)(const pigmatch_catalog_provider* self, const pigmatch_catalog_set* set);
  void* user_data; /**< the plugin's own; the host never touches it */
};

/* ---- extension kind: mixing model --------------------------------------------------------- */

/** A named numeric model parameter, e.g. {"epidermis_thickness_um", 80}. Frozen value struct. */
typedef struct pigmatch_parameter {
  const char* name;
  double value;
} pigmatch_parameter;

/** Opaque model state: whatever a model derives once from the pigments (e.g. K/S per band). */
typedef struct pigmatch_mixing_state pigmatch_mixing_state;

/** Bits of pigmatch_mixing_model.outputs and of pigmatch_prediction.has. */
#define PIGMATCH_OUTPUT_REFLECTANCE 1u
#define PIGMATCH_OUTPUT_LAB_D50 2u

/** Bits of pigmatch_mixing_model.needs: the data a model requires of every pigment. */
#define PIGMATCH_NEEDS_SPECTRAL 1u /**< reflectance measurements (or K and S) */
#define PIGMATCH_NEEDS_LAB 2u      /**< Lab measurements (or reflectance the host converts) */

/** Per-call inputs of predict besides the concentrations. */
typedef struct pigmatch_mix_conditions {
  uint32_t struct_size;
  /** optional: reflectance of what lies beneath (card, or the client's skin for a skin-layer
   *  model), 36 bands on the standard grid; NULL for an opaque (infinitely thick) layer. */
  const double* substrate_reflectance;
  const pigmatch_lab* substrate_lab_d50; /**< optional: the substrate as Lab D50 */
  size_t parameter_count;
  const pigmatch_parameter* parameters; /**< model-specific, documented by the model */
} pigmatch_mix_conditions;

/** What predict writes. The host sets struct_size; the model sets `has` and the fields it
 *  fills. */
typedef struct pigmatch_prediction {
  uint32_t struct_size;
  uint32_t has; /**< PIGMATCH_OUTPUT_* bits for the fields filled below */
  double reflectance[PIGMATCH_BAND_COUNT]; /**< predicted reflectance 0–1 on the standard grid */
  pigmatch_lab lab_d50;                    /**< predicted CIELAB D50/2° */
} pigmatch_prediction;

/** A two-constant Kubelka–Munk film of unit thickness over a background, as a model declares it
 *  in describe_km_film. For the concentrations c_i that predict receives, per band:
 *    K = sum c_i k_i,  S = sum c_i s_i,  beta = sqrt(K^2 + 2KS)
 *    R_body = (S - R_g (S + K - beta coth beta)) / (S + K - R_g S + beta coth beta)  (Kubelka)
 *    R      = k1 + (1 - k1)(1 - k2) R_body / (1 - k2 R_body)                        (Saunderson)
 *  with R_g = background; R is what predict returns as reflectance. The host fills
 *  struct_size, pigment_count and the two arrays' pointers; the model fills the values. */
typedef struct pigmatch_km_film {
  uint32_t struct_size;
  size_t pigment_count; /**< the prepared pigment count (host) */
  /** pigment_count x PIGMATCH_BAND_COUNT values each, pigment by pigment (k[i * 36 + band]),
   *  owned by the host: K and S of pigment i per unit concentration, >= 0 (0 for a diluent). */
  double* k;
  double* s;
  double background[PIGMATCH_BAND_COUNT]; /**< R_g: body reflectance beneath the film, 0–1 */
  double k1;                              /**< Saunderson: external reflectance, [0, 1) */
  double k2;                              /**< Saunderson: internal diffuse reflectance, [0, 1) */
} pigmatch_km_film;

/** Predicts the colour of a mixture of pigments. Functions receive the model as `self`. */
typedef struct pigmatch_mixing_model pigmatch_mixing_model;
struct pigmatch_mixing_model {
  uint32_t struct_size;
  const char* id;          /**< required: unique among models, e.g. "kubelka-munk-2c" */
  const char* name;        /**< required: display name */
  const char* description; /**< optional: one line, incl. the parameters it reads */
  uint32_t outputs;        /**< PIGMATCH_OUTPUT_* it can produce */
  uint32_t needs;          /**< PIGMATCH_NEEDS_* it requires of the pigments */
  /** Derives a state from `pigment_count` pigments (e.g. K/S from masstone + dilution series);
   *  the pigments are validated by the host, in the order predict's concentrations use. The
   *  diluent, if any, is one of them. On PIGMATCH_OK *out_state is to be released. */
  pigmatch_status (*prepare)(const pigmatch_mixing_model* self,
                             const pigmatch_pigment* const* pigments, size_t pigment_count,
                             const pigmatch_parameter* parameters, size_t parameter_count,
                             pigmatch_mixing_state** out_state);
  /** Colour of the mix with `concentrations[i]` (mass fractions, >= 0, summing to 1) of
   *  pigment i; `count` equals the prepare-time pigment_count. Writes into *out. Must be
   *  thread-safe on a shared state and should not allocate (it runs in optimisation loops). */
  pigmatch_status (*predict)(const pigmatch_mixing_model* self, const pigmatch_mixing_state* state,
                             const double* concentrations, size_t count,
                             const pigmatch_mix_conditions* conditions, pigmatch_prediction* out);
  /** Frees a state from prepare. */
  void (*release)(const pigmatch_mixing_model* self, pigmatch_mixing_state* state);
  void* user_data; /**< the plugin's own; the host never touches it */

  /* -- added within ABI 1: read only when struct_size covers it (PIGMATCH_HAS_FIELD) -- */

  /** Optional (NULL: never). Declares that under `conditions`, predict is exactly the
   *  two-constant Kubelka–Munk film of pigmatch_km_film, and lays the film open: on PIGMATCH_OK
   *  the model has filled *film. PIGMATCH_ERROR_UNSUPPORTED means "not under these conditions"
   *  (e.g. an opaque layer) and is not a failure; any other status is. The host then evaluates
   *  the film, and its derivatives, itself in the formulator's search (no call per candidate
   *  mix) and calls predict for the recipes it reports; it checks the declaration against
   *  predict and refuses the model when they disagree. Thread safety as for predict. */
  pigmatch_status (*describe_km_film)(const pigmatch_mixing_model* self,
                                      const pigmatch_mixing_state* state,
                                      const pigmatch_mix_conditions* conditions,
                                      pigmatch_km_film* film);
};

/* ---- the plugin descriptor and the entry point -------------------------------------------- */

/** What the host tells the plugin about itself. */
typedef struct pigmatch_host {
  uint32_t struct_size;
  uint32_t abi_version;     /**< PIGMATCH_PLUGIN_ABI_VERSION of the host */
  const char* host_version; /**< pigmatch version, e.g. "0.1.0" */
} pigmatch_host;

/** A plugin's self-description, returned by the entry point. The first three fields are frozen
 *  across all ABI major versions: the host reads them before anything else, so it can name the
 *  ABI a plugin was built for even when it cannot load it. */
typedef struct pigmatch_plugin {
  uint32_t struct_size;
  uint32_t magic;          /**< PIGMATCH_PLUGIN_MAGIC */
  uint32_t abi_version;    /**< PIGMATCH_PLUGIN_ABI_VERSION the plugin was built against */
  const char* id;          /**< required: unique, reverse-DNS style, e.g. "com.example.inks" */
  const char* name;        /**< required: display name */
  const char* version;     /**< required: the plugin's own version, e.g. "1.2.0" */
  const char* vendor;      /**< optional */
  const char* description; /**< optional: one line */
  /** Required: the message of the calling thread's last failed call (see "Errors" above); never
   *  NULL, "" when there is none. */
  const char* (*last_error)(void);
  size_t catalog_provider_count;
  const pigmatch_catalog_provider* const* catalog_providers;
  size_t mixing_model_count;
  const pigmatch_mixing_model* const* mixing_models;
} pigmatch_plugin;

/** The entry point's type. Returns the plugin's descriptor (owned by the plugin, valid until
 *  unload), or NULL to decline loading (e.g. the host's ABI is too old). Must not throw. */
typedef const pigmatch_plugin* (*pigmatch_plugin_entry_fn)(const pigmatch_host* host);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PIGMATCH_PLUGIN_H */
