// A well-behaved test plugin written with plugin.hpp, as a vendor would: a built-in catalog, a
// reader for a tiny line-based ".pgtest" catalog format (with line-numbered diagnostics), and an
// additive mixing model. TEST_PLUGIN_ID and TEST_CATALOG_VERSION are set by CMake so that the
// same source also builds the duplicate ("shadow") plugin.
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pigmatch/plugin.hpp"

namespace pp = pigmatch::plugin;

namespace {

// A smooth, made-up reflectance: rises from `low` at 380 nm to `high` at 730 nm.
std::vector<double> ramp(double low, double high, int count) {
  std::vector<double> values;
  for (int i = 0; i < count; ++i)
    values.push_back(low + (high - low) * i / (count - 1));
  return values;
}

pp::CatalogSet builtin() {
  pp::CatalogData catalog{.id = "test.builtin",
                          .vendor = "Test Vendor",
                          .name = "Built-in test catalog",
                          .version = TEST_CATALOG_VERSION};
  pp::PigmentData black{.code = "K1", .name = "Carbon black", .product_line = "Test SMP"};
  black.ci_numbers = {"CI 77266"};
  black.measurements.push_back({.concentration = 1.0,
                                .substrate = "white card",
                                .reflectance = pp::SpectrumData{ramp(0.04, 0.05, 36), {}},
                                .lab_d50 = std::nullopt});
  black.drop_volume_ml = 0.05;
  black.price = pp::PriceData{.amount = 25, .currency = "EUR", .volume_ml = 30};
  black.lots = {{.lot = "L-001", .expiry = "2027-05"}};
  black.compliance = {"EU REACH 2020/2081"};
  black.sds_reference = "SDS-K1-2025";

  // Measured on a 5 nm grid: the host resamples it onto 380..730 at 10 nm.
  std::vector<double> wavelengths;
  for (int nm = 380; nm <= 730; nm += 5)
    wavelengths.push_back(nm);
  std::vector<double> values;
  for (const double nm : wavelengths)
    values.push_back(0.1 + 0.6 * (nm - 380) / 350.0);
  pp::PigmentData red{.code = "R1", .name = "Red iron oxide"};
  red.ci_numbers = {"CI 77491"};
  red.measurements.push_back({.concentration = 1.0,
                              .substrate = "white card",
                              .reflectance = pp::SpectrumData{values, wavelengths},
                              .lab_d50 = std::nullopt});

  pp::PigmentData diluent{.code = "D", .name = "Diluent", .is_diluent = true};

  catalog.pigments = {black, red, diluent};
  pp::CatalogSet set;
  set.add(std::move(catalog));
  return set;
}

// ".pgtest": first line "catalog ID VENDOR NAME", then one "CODE NAME REFLECTANCE" per pigment
// (a flat spectrum). Every malformed line is a diagnostic with its line number.
pp::CatalogSet read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw pp::Failure(PIGMATCH_ERROR_IO, "cannot open " + path.string());
  pp::CatalogSet set;
  pp::CatalogData catalog;
  std::string line;
  std::uint32_t number = 0;
  bool errors = false;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    if (number == 1) {
      std::string keyword;
      if (!(fields >> keyword >> catalog.id >> catalog.vendor >> catalog.name) ||
          keyword != "catalog") {
        set.add(pp::DiagnosticData{
            .where = "header", .line = number, .message = "expected 'catalog ID VENDOR NAME'"});
        errors = true;
      }
      continue;
    }
    pp::PigmentData pigment;
    double reflectance = 0;
    if (!(fields >> pigment.code >> pigment.name >> reflectance)) {
      set.add(pp::DiagnosticData{
          .where = "pigment", .line = number, .message = "expected 'CODE NAME REFLECTANCE'"});
      errors = true;
      continue;
    }
    pigment.measurements.push_back(
        {.concentration = 1.0,
         .substrate = "",
         .reflectance = pp::SpectrumData{ramp(reflectance, reflectance, 36), {}},
         .lab_d50 = std::nullopt});
    catalog.pigments.push_back(std::move(pigment));
  }
  if (!errors)
    set.add(std::move(catalog));
  return set;
}

// Additive mixing of the masstone reflectances: R = Σ c_i R_i. Not physics; a model whose
// output a test can compute independently. Parameter "fail" > 0 makes predict throw.
class AdditiveState : public pp::MixingState {
 public:
  std::vector<std::vector<double>> masstones;
};

class AdditiveModel : public pp::MixingModel {
 public:
  AdditiveModel()
      : pp::MixingModel({.id = "test-additive",
                         .name = "Additive (test)",
                         .description = "R = sum of c_i R_i",
                         .outputs = PIGMATCH_OUTPUT_REFLECTANCE,
                         .needs = PIGMATCH_NEEDS_SPECTRAL}) {}

  std::unique_ptr<pp::MixingState> prepare(std::span<const pigmatch_pigment* const> pigments,
                                           std::span<const pigmatch_parameter>) const override {
    auto state = std::make_unique<AdditiveState>();
    for (const pigmatch_pigment* p : pigments) {
      std::vector<double> r(PIGMATCH_BAND_COUNT, 1.0);  // the diluent: a white that thins
      if (!p->is_diluent) {
        if (p->measurement_count == 0 || p->measurements[0]->reflectance == nullptr) {
          throw pp::Failure(PIGMATCH_ERROR_UNSUPPORTED,
                            std::string("pigment ") + p->code + " has no reflectance");
        }
        const pigmatch_spectrum* s = p->measurements[0]->reflectance;
        r.assign(s->values, s->values + s->count);
      }
      state->masstones.push_back(std::move(r));
    }
    return state;
  }

  void predict(const pp::MixingState& base, std::span<const double> concentrations,
               const pigmatch_mix_conditions& conditions, pigmatch_prediction& out) const override {
    for (std::size_t i = 0; i < conditions.parameter_count; ++i) {
      if (std::string(conditions.parameters[i].name) == "fail" &&
          conditions.parameters[i].value > 0) {
        throw std::runtime_error("asked to fail");
      }
    }
    const auto& state = static_cast<const AdditiveState&>(base);
    for (std::size_t band = 0; band < PIGMATCH_BAND_COUNT; ++band) {
      double r = 0;
      for (std::size_t i = 0; i < concentrations.size(); ++i) {
        r += concentrations[i] * state.masstones[i][band];
      }
      out.reflectance[band] = r;
    }
    out.has = PIGMATCH_OUTPUT_REFLECTANCE;
  }
};

const pp::Plugin& make_plugin() {
  static const pp::CatalogProvider builtin_provider{"builtin", "the built-in test catalog",
                                                    builtin};
  static const pp::CatalogProvider file_provider{
      "pgtest", "reads .pgtest files", {}, {".pgtest"}, read_file};
  static const AdditiveModel model;
  static const pp::Plugin plugin(
      {.id = TEST_PLUGIN_ID, .name = "Good test plugin", .version = "1.0", .vendor = "pigmatch"},
      {&builtin_provider, &file_provider}, {&model});
  return plugin;
}

}  // namespace

PIGMATCH_DEFINE_PLUGIN_FROM(make_plugin())
