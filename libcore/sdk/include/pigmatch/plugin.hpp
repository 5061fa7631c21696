// pigmatch/plugin.hpp — header-only C++ helper for writing pigmatch plugins (see plugin.h for the
// ABI it implements and docs/plugins.md for a walk-through).
//
// A plugin author fills owning value types (CatalogData, PigmentData, ... with std::string and
// std::vector storage), hands them to a CatalogSet that exposes the ABI's POD view of them, and
// declares the plugin with PIGMATCH_DEFINE_PLUGIN. Exceptions thrown by the author's code never
// cross the ABI: guard() turns them into status codes and keeps the message for last_error().
//
//   pigmatch::plugin::CatalogSet builtin() {
//     pigmatch::plugin::CatalogData c{.id = "acme.smp", .vendor = "Acme", .name = "SMP"};
//     c.pigments.push_back({.code = "K1", .name = "Black", ...});
//     pigmatch::plugin::CatalogSet set;
//     set.add(std::move(c));
//     return set;
//   }
//   PIGMATCH_DEFINE_PLUGIN(
//       (pigmatch::plugin::PluginInfo{.id = "com.acme.smp", .name = "Acme SMP", .version = "1.0"}),
//       (pigmatch::plugin::CatalogProvider{"builtin", "Acme's SMP line", builtin}))
//
// Needs C++20; only the standard library is used; a plugin does not link libpigmatch. Everything
// here has hidden visibility so that several plugins built with different versions of this header
// never share (or clash on) its inline functions and thread-local storage; only the entry point is
// exported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pigmatch/plugin.h"

#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

namespace pigmatch::plugin {

// ---- errors --------------------------------------------------------------------------------

/// Throw from plugin code to return a specific status with a message (other exceptions become
/// PIGMATCH_ERROR_INTERNAL, std::bad_alloc PIGMATCH_ERROR_OUT_OF_MEMORY).
class Failure : public std::runtime_error {
 public:
  Failure(pigmatch_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  pigmatch_status status() const noexcept { return status_; }

 private:
  pigmatch_status status_;
};

/// The calling thread's last error message (what pigmatch_plugin.last_error returns).
inline std::string& last_error_storage() noexcept {
  thread_local std::string message;
  return message;
}

/// The last_error function of descriptors made by this helper.
inline const char* last_error() noexcept {
  return last_error_storage().c_str();
}

namespace detail {
inline pigmatch_status fail(pigmatch_status status, const char* message) noexcept {
  try {
    last_error_storage() = message;
  } catch (...) {
    last_error_storage().clear();  // cannot allocate the message: the status must do
  }
  return status;
}
}  // namespace detail

/// Runs `body` (returning void) and converts any exception into a status code plus a message
/// for last_error(); the exception barrier every ABI function goes through.
template <class Body>
pigmatch_status guard(Body&& body) noexcept {
  try {
    std::forward<Body>(body)();
    return PIGMATCH_OK;
  } catch (const Failure& e) {
    return detail::fail(e.status(), e.what());
  } catch (const std::bad_alloc&) {
    return detail::fail(PIGMATCH_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return detail::fail(PIGMATCH_ERROR_INTERNAL, e.what());
  } catch (...) {
    return detail::fail(PIGMATCH_ERROR_INTERNAL, "unknown exception in plugin");
  }
}

// ---- owning data (units as in plugin.h) ----------------------------------------------------

/// A spectrum: `values` on the standard 36-band grid 380..730 nm when `wavelengths_nm` is empty,
/// otherwise at those wavelengths (the host resamples).
struct SpectrumData {
  std::vector<double> values{};
  std::vector<double> wavelengths_nm{};
};

/// One measurement (pigmatch_measurement): masstone or a dilution step.
struct MeasurementData {
  double concentration = 1.0;  ///< mass fraction (0, 1]; 1 = masstone
  std::string substrate{};
  std::optional<SpectrumData> reflectance{};  ///< factor 0–1
  std::optional<pigmatch_lab> lab_d50{};      ///< CIELAB D50/2°
};

/// A production lot (pigmatch_lot).
struct LotData {
  std::string lot{};
  std::string expiry{};  ///< "YYYY-MM-DD" or "YYYY-MM", or empty
};

/// A bottle price (pigmatch_price): amount in currency for volume_ml millilitres.
struct PriceData {
  double amount = 0;
  std::string currency{};  ///< ISO 4217
  double volume_ml = 0;
};

/// One pigment or the diluent (pigmatch_pigment).
struct PigmentData {
  std::string code{};
  std::string name{};
  std::string product_line{};
  std::vector<std::string> ci_numbers{};  ///< e.g. "CI 77266"
  std::vector<MeasurementData> measurements{};
  std::optional<SpectrumData> k{};
  std::optional<SpectrumData> s{};
  std::optional<double> drop_volume_ml{};
  std::optional<PriceData> price{};
  std::vector<LotData> lots{};
  std::vector<std::string> compliance{};
  std::string sds_reference{};
  bool is_diluent = false;
  std::vector<std::string> uses{};  ///< "smp", "camouflage", "pmu"; empty: every use
};

/// A catalog (pigmatch_catalog).
struct CatalogData {
  std::string id{};
  std::string vendor{};
  std::string name{};
  std::string version{};
  std::string description{};
  std::vector<PigmentData> pigments{};
};

/// A problem found while reading (pigmatch_diagnostic).
struct DiagnosticData {
  pigmatch_severity severity = PIGMATCH_SEVERITY_ERROR;
  std::string where{};
  std::uint32_t line = 0;  ///< 1-based, 0 unknown
  std::string message{};
};

// ---- the POD view --------------------------------------------------------------------------

/// Catalogs and diagnostics plus the pigmatch_catalog_set that points into them. Build it, then
/// return it from a provider function; view() is computed once and the data must not change
/// afterwards (add() after view() throws).
class CatalogSet {
 public:
  CatalogSet() = default;
  CatalogSet(CatalogSet&&) = default;
  CatalogSet& operator=(CatalogSet&&) = default;
  CatalogSet(const CatalogSet&) = delete;
  CatalogSet& operator=(const CatalogSet&) = delete;

  void add(CatalogData catalog) {
    require_unfrozen();
    catalogs_.push_back(std::move(catalog));
  }
  void add(DiagnosticData diagnostic) {
    require_unfrozen();
    diagnostics_.push_back(std::move(diagnostic));
  }
  const std::vector<CatalogData>& catalogs() const noexcept { return catalogs_; }
  const std::vector<DiagnosticData>& diagnostics() const noexcept { return diagnostics_; }

  /// The ABI view; valid while this object lives.
  const pigmatch_catalog_set* view() {
    if (!frozen_)
      build();
    return &set_;
  }

 private:
  // Keeps POD structs and pointer arrays at stable addresses for the set's lifetime.
  template <class T>
  T* keep(T value) {
    auto owned = std::make_shared<T>(std::move(value));
    T* raw = owned.get();
    storage_.push_back(std::move(owned));
    return raw;
  }
  template <class T>
  const T* const* keep_array(const std::vector<const T*>& pointers) {
    if (pointers.empty())
      return nullptr;
    return keep(pointers)->data();
  }
  static const char* str(const std::string& s) noexcept { return s.c_str(); }

  const char* const* strings(const std::vector<std::string>& values) {
    std::vector<const char*> pointers;
    for (const auto& v : values)
      pointers.push_back(str(v));
    return keep_array(pointers);
  }
  const pigmatch_spectrum* spectrum(const std::optional<SpectrumData>& data) {
    if (!data)
      return nullptr;
    pigmatch_spectrum pod{};
    pod.struct_size = sizeof pod;
    pod.count = data->values.size();
    pod.wavelengths_nm = data->wavelengths_nm.empty() ? nullptr : data->wavelengths_nm.data();
    pod.values = data->values.data();
    return keep(pod);
  }
  const pigmatch_measurement* measurement(const MeasurementData& data) {
    pigmatch_measurement pod{};
    pod.struct_size = sizeof pod;
    pod.concentration = data.concentration;
    pod.substrate = str(data.substrate);
    pod.reflectance = spectrum(data.reflectance);
    pod.lab_d50 = data.lab_d50 ? &*data.lab_d50 : nullptr;
    return keep(pod);
  }
  const pigmatch_pigment* pigment(const PigmentData& data) {
    pigmatch_pigment pod{};
    pod.struct_size = sizeof pod;
    pod.code = str(data.code);
    pod.name = str(data.name);
    pod.product_line = str(data.product_line);
    pod.ci_number_count = data.ci_numbers.size();
    pod.ci_numbers = strings(data.ci_numbers);
    std::vector<const pigmatch_measurement*> measurements;
    for (const auto& m : data.measurements)
      measurements.push_back(measurement(m));
    pod.measurement_count = measurements.size();
    pod.measurements = keep_array(measurements);
    pod.k = spectrum(data.k);
    pod.s = spectrum(data.s);
    pod.drop_volume_ml = data.drop_volume_ml ? &*data.drop_volume_ml : nullptr;
    if (data.price) {
      pigmatch_price price{};
      price.struct_size = sizeof price;
      price.amount = data.price->amount;
      price.currency = str(data.price->currency);
      price.volume_ml = data.price->volume_ml;
      pod.price = keep(price);
    }
    std::vector<const pigmatch_lot*> lots;
    for (const auto& l : data.lots) {
      pigmatch_lot lot{};
      lot.struct_size = sizeof lot;
      lot.lot = str(l.lot);
      lot.expiry = str(l.expiry);
      lots.push_back(keep(lot));
    }
    pod.lot_count = lots.size();
    pod.lots = keep_array(lots);
    pod.compliance_count = data.compliance.size();
    pod.compliance = strings(data.compliance);
    pod.sds_reference = str(data.sds_reference);
    pod.is_diluent = data.is_diluent ? 1 : 0;
    pod.use_count = data.uses.size();
    pod.uses = strings(data.uses);
    return keep(pod);
  }
  const pigmatch_catalog* catalog(const CatalogData& data) {
    pigmatch_catalog pod{};
    pod.struct_size = sizeof pod;
    pod.id = str(data.id);
    pod.vendor = str(data.vendor);
    pod.name = str(data.name);
    pod.version = str(data.version);
    pod.description = str(data.description);
    std::vector<const pigmatch_pigment*> pigments;
    for (const auto& p : data.pigments)
      pigments.push_back(pigment(p));
    pod.pigment_count = pigments.size();
    pod.pigments = keep_array(pigments);
    return keep(pod);
  }
  void build() {
    std::vector<const pigmatch_catalog*> catalogs;
    for (const auto& c : catalogs_)
      catalogs.push_back(catalog(c));
    std::vector<const pigmatch_diagnostic*> diagnostics;
    for (const auto& d : diagnostics_) {
      pigmatch_diagnostic pod{};
      pod.struct_size = sizeof pod;
      pod.severity = d.severity;
      pod.where = str(d.where);
      pod.line = d.line;
      pod.message = str(d.message);
      diagnostics.push_back(keep(pod));
    }
    set_.struct_size = sizeof set_;
    set_.catalog_count = catalogs.size();
    set_.catalogs = keep_array(catalogs);
    set_.diagnostic_count = diagnostics.size();
    set_.diagnostics = keep_array(diagnostics);
    frozen_ = true;
  }
  void require_unfrozen() const {
    if (frozen_)
      throw std::logic_error("pigmatch::plugin::CatalogSet changed after view()");
  }

  // The vectors' elements never move after build(): nothing is added once frozen, and moving
  // a CatalogSet moves the vectors' buffers, not their elements.
  std::vector<CatalogData> catalogs_;
  std::vector<DiagnosticData> diagnostics_;
  std::vector<std::shared_ptr<void>> storage_;
  pigmatch_catalog_set set_{};
  bool frozen_ = false;
};

// ---- extension: catalog provider -----------------------------------------------------------

/// A catalog provider from C++ callables. Not copyable or movable (the ABI struct points back
/// at it); declare it where it lives for the plugin's lifetime (PIGMATCH_DEFINE_PLUGIN does).
class CatalogProvider {
 public:
  using LoadBuiltin = std::function<CatalogSet()>;
  using LoadFile = std::function<CatalogSet(const std::filesystem::path&)>;

  /// `load_builtin` may be empty when the provider only reads files; `extensions` are lower-case
  /// suffixes with the dot (".json") that `load_file` reads.
  CatalogProvider(std::string id, std::string description, LoadBuiltin load_builtin,
                  std::vector<std::string> extensions = {}, LoadFile load_file = {})
      : id_(std::move(id)),
        description_(std::move(description)),
        extensions_(std::move(extensions)),
        load_builtin_(std::move(load_builtin)),
        load_file_(std::move(load_file)) {
    for (const auto& e : extensions_)
      extension_pointers_.push_back(e.c_str());
    extension_pointers_.push_back(nullptr);
    abi_.struct_size = sizeof abi_;
    abi_.id = id_.c_str();
    abi_.description = description_.c_str();
    abi_.file_extensions = extensions_.empty() ? nullptr : extension_pointers_.data();
    abi_.load_builtin = load_builtin_ ? &CatalogProvider::abi_load_builtin : nullptr;
    abi_.load_file = load_file_ ? &CatalogProvider::abi_load_file : nullptr;
    abi_.release = &CatalogProvider::abi_release;
    abi_.user_data = this;
  }
  CatalogProvider(const CatalogProvider&) = delete;
  CatalogProvider& operator=(const CatalogProvider&) = delete;

  const pigmatch_catalog_provider* abi() const noexcept { return &abi_; }

 private:
  static const CatalogProvider& from(const pigmatch_catalog_provider* self) noexcept {
    return *static_cast<const CatalogProvider*>(self->user_data);
  }
  // Sets handed to the host, found again by their view's address in release. Release may come
  // from another thread than the load, hence one list behind a mutex rather than thread_local.
  struct LiveSet {
    const pigmatch_catalog_set* view;
    std::unique_ptr<CatalogSet> set;
  };
  struct LiveSets {
    std::mutex mutex;
    std::vector<LiveSet> sets;
  };
  static LiveSets& live_sets() {
    static LiveSets live;
    return live;
  }
  static void hand_over(CatalogSet set, const pigmatch_catalog_set** out) {
    auto owned = std::make_unique<CatalogSet>(std::move(set));
    const pigmatch_catalog_set* view = owned->view();
    LiveSets& live = live_sets();
    const std::lock_guard lock(live.mutex);
    live.sets.push_back({view, std::move(owned)});
    *out = view;
  }
  static pigmatch_status abi_load_builtin(const pigmatch_catalog_provider* self,
                                          const pigmatch_catalog_set** out) noexcept {
    if (out == nullptr)
      return detail::fail(PIGMATCH_ERROR_INVALID_ARGUMENT, "out is NULL");
    *out = nullptr;
    return guard([&] { hand_over(from(self).load_builtin_(), out); });
  }
  static pigmatch_status abi_load_file(const pigmatch_catalog_provider* self, const char* path,
                                       const pigmatch_catalog_set** out) noexcept {
    if (out == nullptr || path == nullptr) {
      return detail::fail(PIGMATCH_ERROR_INVALID_ARGUMENT, "path or out is NULL");
    }
    *out = nullptr;
    return guard([&] { hand_over(from(self).load_file_(std::filesystem::path(path)), out); });
  }
  static void abi_release(const pigmatch_catalog_provider*,
                          const pigmatch_catalog_set* set) noexcept {
    std::unique_ptr<CatalogSet> doomed;  // destroyed after the lock is released
    LiveSets& live = live_sets();
    const std::lock_guard lock(live.mutex);
    for (auto it = live.sets.begin(); it != live.sets.end(); ++it) {
      if (it->view == set) {
        doomed = std::move(it->set);
        live.sets.erase(it);
        return;
      }
    }
  }

  std::string id_;
  std::string description_;
  std::vector<std::string> extensions_;
  std::vector<const char*> extension_pointers_;
  LoadBuiltin load_builtin_;
  LoadFile load_file_;
  pigmatch_catalog_provider abi_{};
};

// ---- extension: mixing model ---------------------------------------------------------------

/// What a MixingModel derives once from the pigments; subclass it with the model's data.
class MixingState {
 public:
  virtual ~MixingState() = default;
};

/// Base class of a mixing model. Not copyable or movable (the ABI struct points back at it).
class MixingModel {
 public:
  struct Info {
    std::string id{};
    std::string name{};
    std::string description{};
    std::uint32_t outputs = 0;  ///< PIGMATCH_OUTPUT_* bits
    std::uint32_t needs = 0;    ///< PIGMATCH_NEEDS_* bits
  };

  explicit MixingModel(Info info) : info_(std::move(info)) {
    abi_.struct_size = sizeof abi_;
    abi_.id = info_.id.c_str();
    abi_.name = info_.name.c_str();
    abi_.description = info_.description.c_str();
    abi_.outputs = info_.outputs;
    abi_.needs = info_.needs;
    abi_.prepare = &MixingModel::abi_prepare;
    abi_.predict = &MixingModel::abi_predict;
    abi_.release = &MixingModel::abi_release;
    abi_.user_data = this;
    abi_.describe_km_film = &MixingModel::abi_describe_km_film;
  }
  virtual ~MixingModel() = default;
  MixingModel(const MixingModel&) = delete;
  MixingModel& operator=(const MixingModel&) = delete;

  /// Derives the model's state from validated pigments; throw Failure for unusable input.
  virtual std::unique_ptr<MixingState> prepare(
      std::span<const pigmatch_pigment* const> pigments,
      std::span<const pigmatch_parameter> parameters) const = 0;
  /// Fills `out` (set out.has) for the mix; called concurrently on one state, so keep it const.
  virtual void predict(const MixingState& state, std::span<const double> concentrations,
                       const pigmatch_mix_conditions& conditions,
                       pigmatch_prediction& out) const = 0;

  /// Override when, under some conditions, predict is exactly the two-constant Kubelka–Munk film
  /// of pigmatch_km_film: fill `film` (its k and s arrays hold film.pigment_count × 36 values)
  /// and return true; false otherwise (the default). The host then runs its fast path.
  virtual bool describe_km_film(const MixingState& /*state*/,
                                const pigmatch_mix_conditions& /*conditions*/,
                                pigmatch_km_film& /*film*/) const {
    return false;
  }

  const pigmatch_mixing_model* abi() const noexcept { return &abi_; }

 private:
  static const MixingModel& from(const pigmatch_mixing_model* self) noexcept {
    return *static_cast<const MixingModel*>(self->user_data);
  }
  static pigmatch_status abi_prepare(const pigmatch_mixing_model* self,
                                     const pigmatch_pigment* const* pigments,
                                     std::size_t pigment_count,
                                     const pigmatch_parameter* parameters,
                                     std::size_t parameter_count,
                                     pigmatch_mixing_state** out_state) noexcept {
    if (out_state == nullptr)
      return detail::fail(PIGMATCH_ERROR_INVALID_ARGUMENT, "out is NULL");
    *out_state = nullptr;
    return guard([&] {
      std::unique_ptr<MixingState> state = from(self).prepare(
          {pigments, pigments ? pigment_count : 0}, {parameters, parameters ? parameter_count : 0});
      if (!state)
        throw Failure(PIGMATCH_ERROR_INTERNAL, "prepare returned no state");
      *out_state = reinterpret_cast<pigmatch_mixing_state*>(state.release());
    });
  }
  static pigmatch_status abi_predict(const pigmatch_mixing_model* self,
                                     const pigmatch_mixing_state* state,
                                     const double* concentrations, std::size_t count,
                                     const pigmatch_mix_conditions* conditions,
                                     pigmatch_prediction* out) noexcept {
    if (state == nullptr || out == nullptr || (concentrations == nullptr && count > 0)) {
      return detail::fail(PIGMATCH_ERROR_INVALID_ARGUMENT, "state, concentrations or out is NULL");
    }
    static const pigmatch_mix_conditions none{sizeof(pigmatch_mix_conditions), nullptr, nullptr, 0,
                                              nullptr};
    return guard([&] {
      from(self).predict(*reinterpret_cast<const MixingState*>(state), {concentrations, count},
                         conditions ? *conditions : none, *out);
    });
  }
  static void abi_release(const pigmatch_mixing_model*, pigmatch_mixing_state* state) noexcept {
    delete reinterpret_cast<MixingState*>(state);
  }
  static pigmatch_status abi_describe_km_film(const pigmatch_mixing_model* self,
                                              const pigmatch_mixing_state* state,
                                              const pigmatch_mix_conditions* conditions,
                                              pigmatch_km_film* film) noexcept {
    if (state == nullptr || film == nullptr || !PIGMATCH_HAS_FIELD(film, pigmatch_km_film, k2) ||
        (film->pigment_count > 0 && (film->k == nullptr || film->s == nullptr))) {
      return detail::fail(PIGMATCH_ERROR_INVALID_ARGUMENT, "state or film is NULL or too small");
    }
    static const pigmatch_mix_conditions none{sizeof(pigmatch_mix_conditions), nullptr, nullptr, 0,
                                              nullptr};
    bool described = false;
    const pigmatch_status status = guard([&] {
      described = from(self).describe_km_film(*reinterpret_cast<const MixingState*>(state),
                                              conditions ? *conditions : none, *film);
    });
    if (status == PIGMATCH_OK && !described)
      return detail::fail(PIGMATCH_ERROR_UNSUPPORTED, "not a two-constant Kubelka–Munk film here");
    return status;
  }

  Info info_;
  pigmatch_mixing_model abi_{};
};

// ---- the plugin descriptor -----------------------------------------------------------------

/// The descriptor's identity fields (see pigmatch_plugin).
struct PluginInfo {
  std::string id{};
  std::string name{};
  std::string version{};
  std::string vendor{};
  std::string description{};
};

/// A plugin: its identity and the extensions it offers, as one pigmatch_plugin descriptor.
/// The extensions must outlive the Plugin (PIGMATCH_DEFINE_PLUGIN keeps both static).
class Plugin {
 public:
  Plugin(PluginInfo info, std::vector<const CatalogProvider*> catalog_providers,
         std::vector<const MixingModel*> mixing_models = {})
      : info_(std::move(info)) {
    for (const auto* p : catalog_providers)
      providers_.push_back(p->abi());
    for (const auto* m : mixing_models)
      models_.push_back(m->abi());
    abi_.struct_size = sizeof abi_;
    abi_.magic = PIGMATCH_PLUGIN_MAGIC;
    abi_.abi_version = PIGMATCH_PLUGIN_ABI_VERSION;
    abi_.id = info_.id.c_str();
    abi_.name = info_.name.c_str();
    abi_.version = info_.version.c_str();
    abi_.vendor = info_.vendor.c_str();
    abi_.description = info_.description.c_str();
    abi_.last_error = &last_error;
    abi_.catalog_provider_count = providers_.size();
    abi_.catalog_providers = providers_.empty() ? nullptr : providers_.data();
    abi_.mixing_model_count = models_.size();
    abi_.mixing_models = models_.empty() ? nullptr : models_.data();
  }
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const pigmatch_plugin* abi() const noexcept { return &abi_; }

 private:
  PluginInfo info_;
  std::vector<const pigmatch_catalog_provider*> providers_;
  std::vector<const pigmatch_mixing_model*> models_;
  pigmatch_plugin abi_{};
};

}  // namespace pigmatch::plugin

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

/// Defines the plugin's exported entry point. `info` is a parenthesised PluginInfo expression;
/// the remaining arguments are parenthesised CatalogProvider expressions (at least one). The
/// objects are built on the first call (static locals; an exception there makes the entry point
/// return NULL with the message in last_error).
#define PIGMATCH_DEFINE_PLUGIN(info, ...)                                           \
  extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry(   \
      const pigmatch_host* /*host*/) {                                              \
    const pigmatch_plugin* descriptor = nullptr;                                    \
    ::pigmatch::plugin::guard([&] {                                                 \
      static const ::pigmatch::plugin::CatalogProvider providers[] = {__VA_ARGS__}; \
      static const ::pigmatch::plugin::Plugin plugin = [] {                         \
        std::vector<const ::pigmatch::plugin::CatalogProvider*> pointers;           \
        for (const auto& p : providers)                                             \
          pointers.push_back(&p);                                                   \
        return ::pigmatch::plugin::Plugin(info, pointers);                          \
      }();                                                                          \
      descriptor = plugin.abi();                                                    \
    });                                                                             \
    return descriptor;                                                              \
  }

/// Like PIGMATCH_DEFINE_PLUGIN for any set of extensions: `make_plugin` is an expression that
/// returns a `const pigmatch::plugin::Plugin&` with static storage (e.g. a function that holds
/// its providers and models in static locals).
#define PIGMATCH_DEFINE_PLUGIN_FROM(make_plugin)                                  \
  extern "C" PIGMATCH_PLUGIN_EXPORT const pigmatch_plugin* pigmatch_plugin_entry( \
      const pigmatch_host* /*host*/) {                                            \
    const pigmatch_plugin* descriptor = nullptr;                                  \
    ::pigmatch::plugin::guard([&] { descriptor = (make_plugin).abi(); });         \
    return descriptor;                                                            \
  }
