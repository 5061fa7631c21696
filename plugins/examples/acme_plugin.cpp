// A vendor's native catalog plugin, written with pigmatch's C++ helper (pigmatch/plugin.hpp).
// Acme Inks is fictional and the numbers below are ILLUSTRATIVE: a real vendor would fill the
// catalog from its own measurements (or ship a catalog file instead, like acme-camouflage.json).
//
// What a plugin has to do: build CatalogData values (owning std::string/std::vector types),
// hand them over in a CatalogSet, and declare the plugin with PIGMATCH_DEFINE_PLUGIN. The
// helper exposes them through the C ABI and turns exceptions into error codes and messages.
#include <vector>

#include "pigmatch/plugin.hpp"

namespace pp = pigmatch::plugin;

namespace {

// A near-neutral dark reflectance (factor 0–1) on pigmatch's 36 bands, 380–730 nm at 10 nm,
// slightly warmer (higher) towards the red end, as carbon-black dispersions measure.
std::vector<double> dark_neutral(double at_380, double at_730) {
  std::vector<double> values;
  for (int i = 0; i < 36; ++i)
    values.push_back(at_380 + (at_730 - at_380) * i / 35.0);
  return values;
}

pp::MeasurementData measured(double concentration, std::vector<double> reflectance) {
  return {.concentration = concentration,  // mass fraction of the pigment in the mix, (0, 1]
          .substrate = "white drawdown card",
          .reflectance = pp::SpectrumData{std::move(reflectance), {}},
          .lab_d50 = std::nullopt};
}

pp::CatalogSet acme_smp() {
  pp::CatalogData catalog{.id = "acme.smp",
                          .vendor = "Acme Inks (example)",
                          .name = "Acme SMP Black",
                          .version = "2025.2",
                          .description =
                              "Example catalog from the pigmatch SDK; illustrative "
                              "numbers, not measurements"};

  pp::PigmentData black{.code = "AK-100", .name = "Acme Black", .product_line = "Acme SMP"};
  black.ci_numbers = {"CI 77266"};  // carbon black
  black.measurements = {measured(1.0, dark_neutral(0.045, 0.048)),
                        measured(0.5, dark_neutral(0.080, 0.085)),
                        measured(0.25, dark_neutral(0.190, 0.205))};
  black.drop_volume_ml = 0.05;
  black.price = pp::PriceData{.amount = 32.0, .currency = "EUR", .volume_ml = 15};
  black.lots = {{.lot = "AK100-2503", .expiry = "2028-03"}};
  black.compliance = {"EU REACH 2020/2081"};
  black.sds_reference = "https://acme.example/sds/AK-100.pdf";
  black.uses = {"smp"};  // follicle recipes use it; camouflage recipes do not

  // The diluent thins without colour: no measurements, no Colour Index number.
  pp::PigmentData diluent{.code = "AD-1", .name = "Acme Diluent", .product_line = "Acme SMP"};
  diluent.is_diluent = true;
  diluent.drop_volume_ml = 0.05;
  diluent.uses = {"smp"};

  catalog.pigments = {black, diluent};
  pp::CatalogSet set;
  set.add(std::move(catalog));
  return set;
}

}  // namespace

PIGMATCH_DEFINE_PLUGIN((pp::PluginInfo{.id = "com.acme-inks.catalog",
                                       .name = "Acme Inks catalog",
                                       .version = "1.0.0",
                                       .vendor = "Acme Inks (example)",
                                       .description = "The Acme SMP line, built into the plugin"}),
                       (pp::CatalogProvider{"acme-smp", "Acme SMP Black line", acme_smp}))
