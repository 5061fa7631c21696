// holdout_calibration: calibrates a photo as `pigmatch measure --chart auto` does, but with some
// of the built-in skin reflectances left out of the skin training (calibration.h), and saves the
// profile. The accuracy benchmark uses it to measure skins the calibration has not been trained
// on: `pigmatch measure IMAGE --profile OUT.icc` then reads the regions with that profile.
//
// Usage: holdout_calibration IMAGE --chart-file CHART.json --profile-out OUT.icc
//                            [--exclude-skin N]... [--skin-weight W]
// N is a Vrhel sample number (the number before the colon in vrhel_skin_spectra()'s names and in
// render_photo's truth files). Prints the calibration's figures as JSON.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pigmatch/calibration/calibration.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/calibration/skin_spectra.h"
#include "pigmatch/error.h"
#include "pigmatch/image/image.h"

namespace {

struct Options {
  std::string image, chart_file, profile_out;
  std::vector<int> excluded;
  double skin_weight = pigmatch::CalibrationOptions{}.skin_weight;
};

// "Vrhel 82: skin -- …" → 82.
int vrhel_number(std::string_view name) {
  const auto space = name.find(' ');
  return std::stoi(std::string(name.substr(space + 1)));
}

int run(const Options& o) {
  const pigmatch::Image image = pigmatch::decode_image(o.image);
  const pigmatch::ChartDefinition chart = pigmatch::load_chart(o.chart_file);
  pigmatch::CalibrationOptions options;
  options.skin_weight = o.skin_weight;
  for (const pigmatch::NamedSpectrum& skin : pigmatch::vrhel_skin_spectra()) {
    if (std::find(o.excluded.begin(), o.excluded.end(), vrhel_number(skin.name)) ==
        o.excluded.end())
      options.skin_spectra.push_back(skin.reflectance);
  }
  std::string failures;
  for (const pigmatch::ChartDetection& found : pigmatch::detect_chart(image, chart)) {
    try {
      const auto calibration = pigmatch::calibrate_from_photo(image, chart, found.corners, options);
      calibration.save_profile(o.profile_out);
      const auto& r = calibration.report();
      nlohmann::json corners = nlohmann::json::array();
      for (const auto& c : r.corners)
        corners.push_back({c.x, c.y});
      std::cout << nlohmann::json{{"model", std::string(to_string(r.model))},
                                  {"mean_de00", r.mean_de00},
                                  {"max_de00", r.max_de00},
                                  {"loo_mean_de00", r.loo_mean_de00},
                                  {"skin_spectra_fitted", r.skin_spectra_fitted},
                                  {"corners", corners}}
                << "\n";
      return 0;
    } catch (const pigmatch::Error& e) {
      failures += found.method + ": " + e.what() + "; ";
    }
  }
  std::cerr << "holdout_calibration: no usable chart in " << o.image << " (" << failures << ")\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Calibrates a photo with some built-in skin reflectances left out of the fit"};
  app.add_option("IMAGE", o.image)->required();
  app.add_option("--chart-file", o.chart_file, "chart description")->required();
  app.add_option("--profile-out", o.profile_out, "where to write the ICC profile")->required();
  app.add_option("--exclude-skin", o.excluded, "Vrhel sample number to leave out (repeatable)");
  app.add_option("--skin-weight", o.skin_weight, "weight of each skin in the fit");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "holdout_calibration: " << e.what() << "\n";
    return 1;
  }
}
