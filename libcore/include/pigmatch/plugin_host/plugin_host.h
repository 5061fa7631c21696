// pigmatch/plugin_host/plugin_host.h — finding, loading and containing plugins (the host side of
// plugin.h), and the catalogs they provide.
//
// A PluginRegistry is built from SearchPaths. Its constructor loads every plugin library it finds
// (Boost.DLL), checks the version handshake and the descriptor, then collects catalogs: those
// built into native plugins and those read from catalog files by whichever loaded plugin claims
// the file's extension (the built-in catalog-files plugin reads .json and CGATS). Every catalog
// is converted into pigmatch::Catalog (catalog.h) and must pass validate(). Nothing a plugin does
// while loading stops the registry: a broken plugin or catalog becomes a LoadProblem naming the
// file and what is wrong, and loading goes on with the others. Each plugin library is loaded once
// in a forked child first, so that one that crashes or exits while loading (constructors, entry
// point, built-in catalogs) is reported ("crashed while loading (signal 11, SIGSEGV)") instead of
// ending the program (docs/plugins.md); a crash in a later call (a catalog file, a prediction)
// still ends it.
//
// Precedence (highest first) — used to settle duplicate plugin ids and duplicate catalog ids; the
// first one found wins and each later duplicate is reported as a LoadProblem (a warning):
//   1. catalog files given explicitly (`--catalog FILE`),                  Origin::explicit_file
//   2. each directory in $PIGMATCH_PLUGIN_PATH (':'-separated), in order,  Origin::environment
//      holding plugin libraries and catalog files side by side,
//   3. the user's folders $XDG_DATA_HOME/pigmatch/plugins and              Origin::user
//      $XDG_DATA_HOME/pigmatch/catalogs ($XDG_DATA_HOME defaults to ~/.local/share),
//   4. the built-in folders next to the running program:                  Origin::builtin
//      installed: <prefix>/<libdir>/pigmatch/plugins and <prefix>/<datadir>/pigmatch/catalogs
//      (libdir and datadir as configured by GNUInstallDirs, normally lib and share);
//      in the build tree: <build>/plugins and <source>/data/catalogs.
// Within one directory, files are taken in name order. At one precedence level, catalog files
// come before catalogs built into plugins. Plugins are loaded before any catalog file is read,
// so a file can be read by a plugin from any level; when two plugins claim an extension, the
// higher-precedence one reads it.
//
// Thread safety: a PluginRegistry is immutable after construction apart from the calls that
// reach into plugins (read_catalog_file, MixingModel), which are serialised per plugin as
// plugin.h promises plugins; const member functions may be called from several threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/catalog.h"

namespace pigmatch {

/// Where a plugin or catalog was found, in precedence order (explicit_file is highest).
enum class Origin { explicit_file, environment, user, builtin };

/// "explicit", "PIGMATCH_PLUGIN_PATH", "user" or "built-in".
std::string_view to_string(Origin origin) noexcept;

/// A directory to search, and which precedence level it belongs to.
struct SearchDirectory {
  std::filesystem::path path;
  Origin origin = Origin::builtin;
};

/// Everything the registry looks at, each list highest precedence first. Missing directories
/// are skipped silently (a fresh user has no ~/.local/share/pigmatch); a missing explicit
/// catalog file is a LoadProblem.
struct SearchPaths {
  std::vector<std::filesystem::path> catalog_files;  ///< explicit files (`--catalog FILE`)
  std::vector<SearchDirectory> plugin_directories;   ///< scanned for plugin libraries (*.so)
  std::vector<SearchDirectory> catalog_directories;  ///< scanned for catalog files
};

/// The standard search paths (see the top of this file) for the running program, plus the
/// explicit catalog files. Reads $PIGMATCH_PLUGIN_PATH, $XDG_DATA_HOME and $HOME.
SearchPaths default_search_paths(std::vector<std::filesystem::path> catalog_files = {});

/// The user's pigmatch folder: $XDG_DATA_HOME/pigmatch when XDG_DATA_HOME is absolute, else
/// $HOME/.local/share/pigmatch; empty when neither is set.
std::filesystem::path user_data_directory();

/// The built-in folders for the running program: installed or build-tree layout (see above).
SearchDirectory builtin_plugin_directory();
SearchDirectory builtin_catalog_directory();

/// A catalog provider of a loaded plugin, as `pigmatch plugin info` shows it.
struct CatalogProviderInfo {
  std::string id;
  std::string description;
  std::vector<std::string> file_extensions;  ///< lower-case with the dot, e.g. ".json"
  bool has_builtin_catalogs = false;
};

/// A mixing model of a loaded plugin.
struct MixingModelInfo {
  std::string id;
  std::string name;
  std::string description;
  bool outputs_reflectance = false;
  bool outputs_lab = false;
  bool needs_spectral = false;
  bool needs_lab = false;
};

/// A successfully loaded plugin.
struct PluginInfo {
  std::string id;
  std::string name;
  std::string version;
  std::string vendor;
  std::string description;
  std::uint32_t abi_version = 0;
  std::filesystem::path file;  ///< the shared library
  Origin origin = Origin::builtin;
  std::vector<CatalogProviderInfo> catalog_providers;
  std::vector<MixingModelInfo> mixing_models;
};

/// A catalog the registry accepted, and where it came from.
struct CatalogEntry {
  Catalog catalog;             ///< validated; catalog.source names the file or plugin
  std::string plugin_id;       ///< the plugin that provided or read it
  std::string provider_id;     ///< the provider within that plugin
  std::filesystem::path file;  ///< the catalog file; empty for catalogs built into a plugin
  Origin origin = Origin::builtin;
  std::vector<Problem> warnings;  ///< validate()'s and the reader's warnings
};

/// Something that went wrong while loading: a rejected plugin or catalog (error), or a
/// duplicate that was ignored or a catalog warning (warning).
struct LoadProblem {
  std::filesystem::path file;  ///< the plugin library or catalog file concerned
  std::string subject;         ///< the plugin or catalog id when known, else ""
  std::string message;         ///< what is wrong and what to do
  Severity severity = Severity::error;
  std::vector<Problem> details;  ///< the individual findings, for a rejected catalog
};

/// "severity: file: message" with the details indented below, one per line.
std::string to_string(const LoadProblem& problem);

/// What reading one catalog file produced, for `pigmatch catalog validate FILE`.
struct CatalogFileReport {
  std::filesystem::path file;
  std::string plugin_id;  ///< the plugin that read it ("" when none could)
  std::string provider_id;
  std::vector<Catalog> catalogs;  ///< the catalogs in the file (even those with errors)
  /// Every finding: the reader's (where = "line N: field" when it knows the line) followed by
  /// validate()'s for each catalog (where prefixed "catalog ID: " when the file holds several).
  std::vector<Problem> problems;
};

class MixingModel;

/// The loaded plugins and the catalogs they provide.
class PluginRegistry {
 public:
  /// Discovers and loads everything in `paths` (see the top of this file). Never throws for a
  /// faulty plugin or catalog: see problems().
  explicit PluginRegistry(const SearchPaths& paths);
  ~PluginRegistry();
  PluginRegistry(PluginRegistry&&) noexcept;
  PluginRegistry& operator=(PluginRegistry&&) noexcept;
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// The loaded plugins, in precedence order.
  const std::vector<PluginInfo>& plugins() const noexcept;
  /// The plugin with `id` (exact match), or nullptr.
  const PluginInfo* find_plugin(std::string_view id) const noexcept;

  /// The accepted catalogs, in precedence order, ids unique.
  const std::vector<CatalogEntry>& catalogs() const noexcept;
  /// The catalog with `id` (exact match), or nullptr.
  const CatalogEntry* find_catalog(std::string_view id) const noexcept;

  /// Everything rejected or ignored while loading, in the order it happened.
  const std::vector<LoadProblem>& problems() const noexcept;

  /// Reads `file` with the plugin that claims its extension and reports every problem, without
  /// adding anything to the registry. Throws pigmatch::Error (not_found) when no loaded plugin
  /// reads such files, (io) when the file is missing, and the plugin's own error (e.g. io,
  /// corrupt_data) when it cannot process the file at all.
  CatalogFileReport read_catalog_file(const std::filesystem::path& file) const;

  /// The mixing model `id` of any loaded plugin. Throws pigmatch::Error (not_found) listing the
  /// available models.
  MixingModel mixing_model(std::string_view id) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// What a mixing model predicts for one mix.
struct MixPrediction {
  std::optional<Spectrum> reflectance;  ///< when the model outputs spectra
  std::optional<Lab> lab_d50;           ///< when the model outputs Lab
};

/// Conditions of a prediction (see pigmatch_mix_conditions in plugin.h).
struct MixConditions {
  std::optional<Spectrum> substrate_reflectance;  ///< e.g. the client's skin; none: opaque layer
  std::optional<Lab> substrate_lab_d50;
  std::vector<std::pair<std::string, double>> parameters;  ///< model-specific
};

/// A two-constant Kubelka–Munk film as a model declares it (pigmatch_km_film in plugin.h): for
/// concentrations c, K = Σ cᵢ·k[i] and S = Σ cᵢ·s[i], a film of unit thickness over `background`
/// (body reflectance), seen through Saunderson's surface (k1, k2).
struct KmFilmDeclaration {
  std::vector<Spectrum> k;  ///< per prepared pigment, per unit concentration
  std::vector<Spectrum> s;
  Spectrum background{};
  double k1 = 0;
  double k2 = 0;
};

/// A prepared mixing model: a plugin's model bound to a list of pigments. Keeps its plugin
/// loaded for as long as it lives. predict() may be called from several threads at once.
class MixingModel {
 public:
  /// Binds the model to `pigments` (the order of predict's concentrations). Throws
  /// pigmatch::Error with the plugin's message when the model cannot use them.
  void prepare(std::span<const Pigment> pigments,
               std::span<const std::pair<std::string, double>> parameters = {});
  /// Predicts the mix of `concentrations` (mass fractions of the prepared pigments, summing to
  /// 1). Throws pigmatch::Error when not prepared, on a count mismatch, on the plugin's failure,
  /// or when it returns non-finite or impossible values.
  MixPrediction predict(std::span<const double> concentrations,
                        const MixConditions& conditions = {}) const;
  /// The film predict() is under `conditions` when the model declares one (describe_km_film in
  /// plugin.h; plugins built before it existed never do), else none. Throws pigmatch::Error when
  /// not prepared, or when the declaration is impossible or disagrees with predict().
  std::optional<KmFilmDeclaration> km_film(const MixConditions& conditions = {}) const;

  const MixingModelInfo& info() const noexcept;
  const std::string& plugin_id() const noexcept;

  ~MixingModel();
  MixingModel(MixingModel&&) noexcept;
  MixingModel& operator=(MixingModel&&) noexcept;
  MixingModel(const MixingModel&) = delete;
  MixingModel& operator=(const MixingModel&) = delete;

  struct Impl;
  explicit MixingModel(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pigmatch
