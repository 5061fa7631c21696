// The plugin host against real plugin libraries (tests/plugins/, built by CMake with
// pigmatch_add_plugin): loading, the descriptor and data checks, fault containment, precedence
// and duplicate ids, catalog files read by a plugin, mixing models, and the default search paths.
// Expected values are computed here from the formulas the test plugins document, not taken from
// the host's output.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pigmatch/error.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/plugin_host/plugin_host.h"

namespace fs = std::filesystem;
using namespace pigmatch;

namespace {

const fs::path plugin_root = PIGMATCH_TEST_PLUGIN_DIR;
const fs::path good_dir = plugin_root / "good";
const fs::path shadow_dir = plugin_root / "shadow";
const fs::path broken_dir = plugin_root / "broken";
const fs::path film_dir = plugin_root / "film";
const fs::path old_pigment_dir = plugin_root / "old-pigment";
const fs::path km_shadow_dir = plugin_root / "km-shadow";

SearchPaths plugins_only(std::vector<SearchDirectory> directories) {
  SearchPaths paths;
  paths.plugin_directories = std::move(directories);
  return paths;
}

// A fresh empty directory under the system temp folder, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    static int count = 0;
    path = fs::temp_directory_path() /
           ("pigmatch-plugin-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name) << content;
    return path / name;
  }
};

// Sets an environment variable for a scope and restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name))
      old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

const LoadProblem* problem_for(const PluginRegistry& registry, const fs::path& file) {
  for (const LoadProblem& p : registry.problems()) {
    if (p.file == file)
      return &p;
  }
  return nullptr;
}

// Everything said about a problem: message and details, for substring checks.
std::string full_text(const LoadProblem& problem) {
  return to_string(problem);
}

}  // namespace

TEST_CASE("a good plugin's metadata, extensions and built-in catalog arrive intact") {
  const PluginRegistry registry(plugins_only({{good_dir, Origin::builtin}}));
  REQUIRE(registry.problems().empty());
  REQUIRE(registry.plugins().size() == 1);

  const PluginInfo* plugin = registry.find_plugin("test.good");
  REQUIRE(plugin != nullptr);
  CHECK(plugin->name == "Good test plugin");
  CHECK(plugin->version == "1.0");
  CHECK(plugin->vendor == "pigmatch");
  CHECK(plugin->abi_version == 1);
  CHECK(plugin->file == good_dir / "good.so");
  CHECK(plugin->origin == Origin::builtin);
  REQUIRE(plugin->catalog_providers.size() == 2);
  CHECK(plugin->catalog_providers[0].id == "builtin");
  CHECK(plugin->catalog_providers[0].has_builtin_catalogs);
  CHECK(plugin->catalog_providers[1].file_extensions == std::vector<std::string>{".pgtest"});
  CHECK_FALSE(plugin->catalog_providers[1].has_builtin_catalogs);
  REQUIRE(plugin->mixing_models.size() == 1);
  CHECK(plugin->mixing_models[0].id == "test-additive");
  CHECK(plugin->mixing_models[0].outputs_reflectance);
  CHECK_FALSE(plugin->mixing_models[0].outputs_lab);
  CHECK(plugin->mixing_models[0].needs_spectral);

  REQUIRE(registry.catalogs().size() == 1);
  const CatalogEntry* entry = registry.find_catalog("test.builtin");
  REQUIRE(entry != nullptr);
  CHECK(entry->plugin_id == "test.good");
  CHECK(entry->provider_id == "builtin");
  CHECK(entry->file.empty());
  CHECK(entry->catalog.source.find("good.so") != std::string::npos);
  CHECK(entry->catalog.version == "good");
  const Catalog& catalog = entry->catalog;
  REQUIRE(catalog.pigments.size() == 3);

  const Pigment& black = catalog.pigments[0];
  CHECK(black.code == "K1");
  CHECK(black.line == "Test SMP");
  CHECK(black.ci_numbers == std::vector<std::string>{"CI 77266"});
  REQUIRE(black.measurements.size() == 1);
  CHECK(black.measurements[0].substrate == "white card");
  REQUIRE(black.measurements[0].reflectance);
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    CHECK((*black.measurements[0].reflectance)[i] == Approx(0.04 + 0.01 * i / 35.0).epsilon(1e-12));
  }
  CHECK(black.drop_volume_ml == 0.05);
  REQUIRE(black.price);
  CHECK(black.price->amount == 25);
  CHECK(black.price->currency == "EUR");
  CHECK(black.price->volume_ml == 30);
  REQUIRE(black.lots.size() == 1);
  CHECK(black.lots[0].lot == "L-001");
  CHECK(black.lots[0].expiry == "2027-05");
  CHECK(black.compliance == std::vector<std::string>{"EU REACH 2020/2081"});
  CHECK(black.sds_reference == "SDS-K1-2025");

  // Given on a 5 nm grid; the host resampled it. The curve is linear in wavelength, so linear
  // resampling must reproduce 0.1 + 0.6 (λ − 380)/350 at every 10 nm band.
  const Pigment& red = catalog.pigments[1];
  REQUIRE(red.measurements[0].reflectance);
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    const double nm = 380.0 + 10.0 * static_cast<double>(i);
    CHECK((*red.measurements[0].reflectance)[i] ==
          Approx(0.1 + 0.6 * (nm - 380) / 350).margin(1e-12));
  }
  CHECK(catalog.pigments[2].is_diluent);
  CHECK(catalog.pigments[2].measurements.empty());
}

TEST_CASE("every broken plugin is rejected with its file and problem; the others still load") {
  const PluginRegistry registry(plugins_only({{broken_dir, Origin::builtin}}));

  // The survivor: a good plugin in the same folder as all the broken ones.
  REQUIRE(registry.plugins().size() >= 1);
  CHECK(registry.find_plugin("test.survivor") != nullptr);
  CHECK(registry.find_catalog("test.builtin") != nullptr);

  struct Expected {
    const char* file;
    std::vector<const char*> says;
  };
  const std::vector<Expected> expectations = {
      {"fault_wrong_abi.so", {"ABI version 2", "speaks version 1"}},
      {"fault_bad_magic.so", {"magic 0x12345678"}},
      {"fault_null_name.so", {"name is NULL"}},
      {"fault_null_descriptor.so", {"returned NULL"}},
      {"fault_throw_in_entry.so", {"entry point threw", "entry point exploded"}},
      {"fault_no_entry_point.so", {"does not export pigmatch_plugin_entry"}},
      {"not_a_library.so", {"cannot load the library"}},
      {"fault_throw_in_load.so", {"threw a C++ exception", "exception straight through the C ABI"}},
      {"fault_guarded_throw.so", {"internal error", "the vendor database is offline"}},
      {"fault_null_set.so", {"no catalog set (NULL)"}},
      {"fault_null_code.so", {"pigments[0].code", "is NULL"}},
      {"fault_nan_reflectance.so",
       {"rejected", "pigments[0].measurements[0].reflectance[5]", "not a number"}},
      {"fault_negative_reflectance.so",
       {"pigments[0].measurements[0].reflectance[10]", "negative"}},
      {"fault_high_reflectance.so", {"pigments[0].measurements[0].reflectance[20]", "percent"}},
      {"fault_empty_names.so", {"vendor", "pigments[0].name", "empty"}},
      {"fault_duplicate_codes.so", {"pigments[1].code", "'F1'", "unique"}},
  };
  for (const Expected& e : expectations) {
    INFO(e.file);
    const LoadProblem* problem = problem_for(registry, broken_dir / e.file);
    REQUIRE(problem != nullptr);
    CHECK(problem->severity == Severity::error);
    const std::string text = full_text(*problem);
    INFO(text);
    CHECK(text.find((broken_dir / e.file).string()) != std::string::npos);
    for (const char* phrase : e.says)
      CHECK(text.find(phrase) != std::string::npos);
  }
  // Plugins rejected at load are not listed; those whose catalogs were rejected still are (the
  // plugin works, its data does not), but none of their catalogs is.
  for (const char* rejected :
       {"test.raw", "test.null-descriptor", "test.throw-in-entry", "test.no-entry-point"}) {
    CHECK(registry.find_plugin(rejected) == nullptr);
  }
  CHECK(registry.find_catalog("test.faulty") == nullptr);
  CHECK(registry.find_catalog("test.null-code") == nullptr);
  CHECK(registry.catalogs().size() == 1);
}

TEST_CASE("duplicate plugin ids: the higher-precedence folder wins, the other is reported") {
  SECTION("PIGMATCH_PLUGIN_PATH before built-in") {
    const PluginRegistry registry(
        plugins_only({{good_dir, Origin::environment}, {shadow_dir, Origin::builtin}}));
    REQUIRE(registry.plugins().size() == 1);
    CHECK(registry.plugins()[0].file == good_dir / "good.so");
    CHECK(registry.find_catalog("test.builtin")->catalog.version == "good");
    const LoadProblem* problem = problem_for(registry, shadow_dir / "shadow.so");
    REQUIRE(problem != nullptr);
    CHECK(problem->severity == Severity::warning);
    CHECK(problem->subject == "test.good");
    CHECK(problem->message.find((good_dir / "good.so").string()) != std::string::npos);
  }
  SECTION("the order of the search list decides, not the file names") {
    const PluginRegistry registry(
        plugins_only({{shadow_dir, Origin::environment}, {good_dir, Origin::builtin}}));
    REQUIRE(registry.plugins().size() == 1);
    CHECK(registry.find_catalog("test.builtin")->catalog.version == "shadow");
    REQUIRE(problem_for(registry, good_dir / "good.so") != nullptr);
  }
  SECTION("the same folder listed twice loads once, silently") {
    const PluginRegistry registry(
        plugins_only({{good_dir, Origin::environment}, {good_dir, Origin::builtin}}));
    CHECK(registry.plugins().size() == 1);
    CHECK(registry.problems().empty());
  }
}

TEST_CASE("catalog files are read by the plugin that claims the extension, in precedence order") {
  const TempDir user;
  user.write("a.pgtest", "catalog test.file-a Acme Alpha\nA1 Grey 0.3\nA2 Light 0.7\n");
  // Line 3 has no reflectance, line 4 no name: both reported with their line numbers.
  user.write("b.pgtest", "catalog test.file-b Acme Beta\nB1 Ok 0.2\nB2 Broken\n\n");
  user.write("README.md", "not a catalog: ignored in folders\n");
  const TempDir explicit_dir;
  // An explicit file whose id collides with the plugin's built-in catalog: the file wins.
  const fs::path explicit_file =
      explicit_dir.write("override.pgtest", "catalog test.builtin Acme Override\nO1 Grey 0.5\n");

  SearchPaths paths = plugins_only({{good_dir, Origin::builtin}});
  paths.catalog_directories = {{user.path, Origin::user}};
  paths.catalog_files = {explicit_file, explicit_dir.path / "missing.pgtest"};
  const PluginRegistry registry(paths);

  const CatalogEntry* a = registry.find_catalog("test.file-a");
  REQUIRE(a != nullptr);
  CHECK(a->file == user.path / "a.pgtest");
  CHECK(a->origin == Origin::user);
  CHECK(a->provider_id == "pgtest");
  REQUIRE(a->catalog.pigments.size() == 2);
  CHECK((*a->catalog.pigments[1].measurements[0].reflectance)[17] == 0.7);
  CHECK(registry.find_catalog("test.file-b") == nullptr);

  const LoadProblem* b = problem_for(registry, user.path / "b.pgtest");
  REQUIRE(b != nullptr);
  CHECK(b->severity == Severity::error);
  REQUIRE(b->details.size() == 2);
  CHECK(b->details[0].where == "line 3: pigment");
  CHECK(b->details[1].where == "line 4: pigment");

  const CatalogEntry* winner = registry.find_catalog("test.builtin");
  REQUIRE(winner != nullptr);
  CHECK(winner->origin == Origin::explicit_file);
  CHECK(winner->catalog.vendor == "Acme");
  const LoadProblem* shadowed = problem_for(registry, good_dir / "good.so");
  REQUIRE(shadowed != nullptr);
  CHECK(shadowed->severity == Severity::warning);
  CHECK(shadowed->message.find(explicit_file.string()) != std::string::npos);

  const LoadProblem* missing = problem_for(registry, explicit_dir.path / "missing.pgtest");
  REQUIRE(missing != nullptr);
  CHECK(missing->message.find("no such catalog file") != std::string::npos);
  CHECK(problem_for(registry, user.path / "README.md") == nullptr);
  CHECK(registry.catalogs().size() == 2);
}

TEST_CASE("read_catalog_file reports every problem without registering anything") {
  const TempDir dir;
  const fs::path bad = dir.write("bad.pgtest", "katalog x y z\nC1 Name 0.5\nC2\n");
  const fs::path values =
      dir.write("values.pgtest", "catalog test.v Acme V\nV1 Hot 1.7\nV1 Dup 0.2\n");
  const PluginRegistry registry(plugins_only({{good_dir, Origin::builtin}}));

  const CatalogFileReport report = registry.read_catalog_file(bad);
  CHECK(report.plugin_id == "test.good");
  CHECK(report.provider_id == "pgtest");
  CHECK(report.catalogs.empty());
  REQUIRE(report.problems.size() == 2);
  CHECK(report.problems[0].where == "line 1: header");
  CHECK(report.problems[1].where == "line 3: pigment");

  // Parsed fine, but validate() finds the impossible values: 36 bands above 1.5 and a duplicate.
  const CatalogFileReport checked = registry.read_catalog_file(values);
  REQUIRE(checked.catalogs.size() == 1);
  CHECK(std::count_if(checked.problems.begin(), checked.problems.end(), [](const Problem& p) {
          return p.where.starts_with("pigments[0].measurements[0].reflectance[");
        }) == 36);
  CHECK(std::any_of(checked.problems.begin(), checked.problems.end(),
                    [](const Problem& p) { return p.where == "pigments[1].code"; }));
  CHECK(registry.catalogs().size() == 1);  // only the built-in one

  CHECK_THROWS_MATCHES(
      registry.read_catalog_file(dir.path / "nope.pgtest"), Error,
      Catch::Predicate<Error>([](const Error& e) { return e.code() == ErrorCode::io; }));
  const fs::path other = dir.write("x.unknown", "?");
  CHECK_THROWS_MATCHES(
      registry.read_catalog_file(other), Error,
      Catch::Predicate<Error>([](const Error& e) { return e.code() == ErrorCode::not_found; }));
}

TEST_CASE("a mixing model from a plugin predicts through the ABI and contains its faults") {
  std::optional<MixingModel> model;
  std::vector<Pigment> pigments;
  {
    const PluginRegistry registry(plugins_only({{good_dir, Origin::builtin}}));
    pigments = registry.find_catalog("test.builtin")->catalog.pigments;
    model.emplace(registry.mixing_model("test-additive"));
    CHECK(model->plugin_id() == "test.good");
    CHECK(model->info().name == "Additive (test)");
    CHECK_THROWS_WITH(
        registry.mixing_model("kubelka-munk"),
        Catch::Contains("no mixing model 'kubelka-munk'") && Catch::Contains("test-additive"));
  }
  // The registry is gone; the model keeps its plugin loaded.
  CHECK_THROWS_WITH(model->predict(std::array{1.0, 0.0, 0.0}), Catch::Contains("before prepare"));
  model->prepare(pigments);

  const std::array concentrations{0.2, 0.3, 0.5};
  const MixPrediction mix = model->predict(concentrations);
  REQUIRE(mix.reflectance);
  CHECK_FALSE(mix.lab_d50);
  for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
    // Independently: 0.2 × black ramp + 0.3 × red line + 0.5 × white diluent.
    const double nm = 380.0 + 10.0 * static_cast<double>(i);
    const double expected =
        0.2 * (0.04 + 0.01 * i / 35.0) + 0.3 * (0.1 + 0.6 * (nm - 380) / 350) + 0.5 * 1.0;
    CHECK((*mix.reflectance)[i] == Approx(expected).margin(1e-12));
  }

  CHECK_THROWS_WITH(model->predict(std::array{0.5, 0.5}), Catch::Contains("prepared for 3"));
  MixConditions failing;
  failing.parameters = {{"fail", 1.0}};
  CHECK_THROWS_WITH(model->predict(concentrations, failing),
                    Catch::Contains("asked to fail") && Catch::Contains("good.so"));

  // A pigment without reflectance: the model's own Failure comes back as its status + message.
  std::vector<Pigment> lab_only = {pigments[0]};
  lab_only[0].measurements[0].reflectance.reset();
  lab_only[0].measurements[0].lab_d50 = Lab{20, 0, 0};
  CHECK_THROWS_MATCHES(model->prepare(lab_only), Error, Catch::Predicate<Error>([](const Error& e) {
                         return e.code() == ErrorCode::unsupported &&
                                std::string(e.what()).find("K1 has no reflectance") !=
                                    std::string::npos;
                       }));
}

TEST_CASE("predict may run on one prepared model from several threads") {
  const PluginRegistry registry(plugins_only({{good_dir, Origin::builtin}}));
  MixingModel model = registry.mixing_model("test-additive");
  model.prepare(registry.find_catalog("test.builtin")->catalog.pigments);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 500; ++n) {
        const double c = (t * 500 + n) / 2000.0;
        const MixPrediction p = model.predict(std::array{c, 0.0, 1.0 - c});
        const double expected = c * 0.04 + (1.0 - c);  // band 0 of black, and white
        if (std::abs((*p.reflectance)[0] - expected) > 1e-12)
          ++mismatches;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  CHECK(mismatches == 0);
}

TEST_CASE("default search paths follow the documented precedence") {
  const ScopedEnv plugin_path("PIGMATCH_PLUGIN_PATH", "/opt/a::/opt/b");
  const ScopedEnv xdg("XDG_DATA_HOME", "/data/me");
  const SearchPaths paths = default_search_paths({"/tmp/x.json"});
  CHECK(paths.catalog_files == std::vector<fs::path>{"/tmp/x.json"});
  REQUIRE(paths.plugin_directories.size() == 4);
  CHECK(paths.plugin_directories[0].path == "/opt/a");
  CHECK(paths.plugin_directories[0].origin == Origin::environment);
  CHECK(paths.plugin_directories[1].path == "/opt/b");
  CHECK(paths.plugin_directories[2].path == "/data/me/pigmatch/plugins");
  CHECK(paths.plugin_directories[2].origin == Origin::user);
  // This test runs from the build tree (<build>/tests/test_plugin).
  CHECK(paths.plugin_directories[3].path == fs::path(PIGMATCH_BINARY_DIR) / "plugins");
  CHECK(paths.plugin_directories[3].origin == Origin::builtin);
  REQUIRE(paths.catalog_directories.size() == 4);
  CHECK(paths.catalog_directories[1].path == "/opt/b");
  CHECK(paths.catalog_directories[2].path == "/data/me/pigmatch/catalogs");
  CHECK(paths.catalog_directories[3].path == fs::path(PIGMATCH_SOURCE_DIR) / "data" / "catalogs");

  SECTION("a relative or missing XDG_DATA_HOME falls back to ~/.local/share") {
    const ScopedEnv relative("XDG_DATA_HOME", "relative/dir");
    const ScopedEnv home("HOME", "/home/someone");
    const ScopedEnv none("PIGMATCH_PLUGIN_PATH", nullptr);
    const SearchPaths fallback = default_search_paths();
    REQUIRE(fallback.plugin_directories.size() == 2);
    CHECK(fallback.plugin_directories[0].path == "/home/someone/.local/share/pigmatch/plugins");
  }
}

TEST_CASE("missing folders are skipped silently") {
  const PluginRegistry registry(plugins_only({{"/nonexistent/pigmatch/plugins", Origin::user}}));
  CHECK(registry.plugins().empty());
  CHECK(registry.catalogs().empty());
  CHECK(registry.problems().empty());
}

// ---- describe_km_film: the optional fast-path declaration of a mixing model --------------------

namespace {

// What film_plugin.cpp documents for pigment i at band b (its K; S is the same for every pigment).
double film_k(std::size_t pigment, std::size_t band) {
  return 0.3 * static_cast<double>(pigment + 1) * (1 + static_cast<double>(band) / 35.0);
}
double film_s(std::size_t band) {
  return 0.2 + 0.01 * static_cast<double>(band);
}

// Two colorants and a diluent; the film models read only is_diluent.
std::vector<Pigment> film_pigments() {
  std::vector<Pigment> pigments(3);
  pigments[0].code = "A";
  pigments[1].code = "B";
  pigments[2].code = "D";
  pigments[2].is_diluent = true;
  return pigments;
}

MixConditions on_card(double reflectance, std::vector<std::pair<std::string, double>> p = {}) {
  MixConditions c;
  c.substrate_reflectance = Spectrum::constant(reflectance);
  c.parameters = std::move(p);
  return c;
}

bool is_corrupt_data(const Error& e) {
  return e.code() == ErrorCode::corrupt_data;
}

}  // namespace

TEST_CASE("a model that declares its Kubelka–Munk film hands the host its K, S and background") {
  const PluginRegistry registry(plugins_only({{film_dir, Origin::builtin}}));
  REQUIRE(registry.problems().empty());
  MixingModel model = registry.mixing_model("test-film");
  CHECK_THROWS_WITH(model.km_film(on_card(0.88)), Catch::Contains("before prepare"));
  const std::vector<Pigment> pigments = film_pigments();
  model.prepare(pigments);

  const std::optional<KmFilmDeclaration> film = model.km_film(on_card(0.88));
  REQUIRE(film);
  REQUIRE(film->k.size() == 3);
  REQUIRE(film->s.size() == 3);
  // Saunderson's inverse of the card, written out: R_body = (R − k1) / ((1 − k1)(1 − k2) + k2(R −
  // k1)).
  const double card_body = (0.88 - 0.04) / (0.96 * 0.4 + 0.6 * (0.88 - 0.04));
  for (std::size_t b = 0; b < Spectrum::band_count; ++b) {
    CHECK(film->k[0][b] == Approx(film_k(0, b)).epsilon(1e-12));
    CHECK(film->k[1][b] == Approx(film_k(1, b)).epsilon(1e-12));
    CHECK(film->s[1][b] == Approx(film_s(b)).epsilon(1e-12));
    CHECK(film->k[2][b] == 0);  // the diluent
    CHECK(film->s[2][b] == 0);
    CHECK(film->background[b] == Approx(card_body).epsilon(1e-12));
  }
  CHECK(film->k1 == 0.04);
  CHECK(film->k2 == 0.6);
  // An opaque layer is not a film: the model says so, and that is no error.
  CHECK_FALSE(model.km_film(MixConditions{}));

  // The formulator's view: the film laid open, pigment by pigment, with the pool's codes.
  const auto mixer = make_plugin_mixer(registry.mixing_model("test-film"), pigments, on_card(0.88));
  const KmFilm* open = mixer->km_film();
  REQUIRE(open != nullptr);
  REQUIRE(open->colorants.size() == 3);
  CHECK(open->colorants[1].code == "B");
  CHECK(open->colorants[2].is_diluent);
  CHECK(open->colorants[1].k[20] == Approx(film_k(1, 20)).epsilon(1e-12));
  CHECK(open->background[20] == Approx(card_body).epsilon(1e-12));
  CHECK(open->saunderson.k1 == 0.04);
  CHECK(make_plugin_mixer(registry.mixing_model("test-film"), pigments, {})->km_film() == nullptr);
}

TEST_CASE(
    "a declared film that contradicts predict, or is impossible, is refused naming the plugin") {
  const PluginRegistry registry(plugins_only({{film_dir, Origin::builtin}}));
  MixingModel model = registry.mixing_model("test-film");
  model.prepare(film_pigments());
  CHECK_THROWS_MATCHES(model.km_film(on_card(0.88, {{"lie", 1}})), Error,
                       Catch::Predicate<Error>(is_corrupt_data));
  CHECK_THROWS_WITH(model.km_film(on_card(0.88, {{"lie", 1}})),
                    Catch::Contains("film.so") && Catch::Contains("test-film") &&
                        Catch::Contains("differs from its own prediction"));
  CHECK_THROWS_WITH(model.km_film(on_card(0.88, {{"negative", 1}})),
                    Catch::Contains("K = -1") && Catch::Contains("film.so"));
  // A Mixer is never built on a declaration that is wrong.
  CHECK_THROWS_WITH(make_plugin_mixer(registry.mixing_model("test-film"), film_pigments(),
                                      on_card(0.5, {{"lie", 1}})),
                    Catch::Contains("differs from its own prediction"));
}

TEST_CASE("a pigment struct from before `uses` loads without it; a newer one gives its uses") {
  const PluginRegistry registry(plugins_only({{old_pigment_dir, Origin::builtin}}));
  INFO((registry.problems().empty() ? std::string() : to_string(registry.problems()[0])));
  REQUIRE(registry.problems().empty());
  REQUIRE(registry.catalogs().size() == 1);
  const Catalog& catalog = registry.catalogs()[0].catalog;
  REQUIRE(catalog.pigments.size() == 2);
  CHECK(catalog.pigments[0].code == "OLD");
  CHECK(catalog.pigments[0].uses.empty());  // past its struct_size: never read
  CHECK(meant_for(catalog.pigments[0], "smp"));
  CHECK(catalog.pigments[1].uses == std::vector<std::string>{"smp"});
  CHECK(meant_for(catalog.pigments[1], "SMP"));
  CHECK_FALSE(meant_for(catalog.pigments[1], "camouflage"));
}

TEST_CASE("a mixing model built before describe_km_film loads and is never asked for a film") {
  const PluginRegistry registry(plugins_only({{film_dir, Origin::builtin}}));
  REQUIRE(registry.problems().empty());
  MixingModel model = registry.mixing_model("test-v1-film");
  model.prepare(film_pigments());
  // Reading past its struct_size would find the trap, whose film contradicts predict: a throw.
  CHECK_FALSE(model.km_film(on_card(0.88)));
  const MixPrediction p = model.predict(std::array{0.5, 0.0, 0.5}, on_card(0.88));
  REQUIRE(p.reflectance);
  CHECK((*p.reflectance)[10] == 0.5);
  const auto mixer =
      make_plugin_mixer(registry.mixing_model("test-v1-film"), film_pigments(), on_card(0.88));
  CHECK(mixer->km_film() == nullptr);
  const std::array<std::size_t, 2> idx{0, 2};
  const std::array<double, 2> c{0.3, 0.7};
  CHECK((*mixer->mix({idx, c}).reflectance)[0] == 0.5);
}

TEST_CASE(
    "a model id offered twice: the higher-precedence plugin's model is used, the other reported") {
  const PluginRegistry registry(
      plugins_only({{km_shadow_dir, Origin::environment}, {film_dir, Origin::builtin}}));
  REQUIRE(registry.plugins().size() == 2);
  CHECK(registry.mixing_model("test-v1-film").plugin_id() == "test.km-shadow");
  CHECK(registry.mixing_model("test-film").plugin_id() == "test.film");
  REQUIRE(registry.problems().size() == 1);
  const LoadProblem& shadowed = registry.problems().front();
  CHECK(shadowed.severity == Severity::warning);
  CHECK(shadowed.file == film_dir / "film.so");
  CHECK(shadowed.subject == "test-v1-film");
  CHECK(shadowed.message.find("test.km-shadow") != std::string::npos);
}
