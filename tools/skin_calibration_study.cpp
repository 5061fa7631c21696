// skin_calibration_study: how well a chart calibration reads skin it has never seen, with and
// without skin reflectances added to the fit — the parameter study behind calibration.h's skin
// training, made on noise-free surfaces rather than on the benchmark's photos.
//
// Input: files written by `render_photo --surfaces-out` (one per camera × illuminant): the 24
// chart patches and Vrhel's 16 skins as the camera sees them (linear sRGB, no noise, no light
// fall-off), with their spectra and D50 colorimetry. For each file the chart is calibrated as
// `pigmatch measure` would (sRGB-encoded patch values, the chart's own D50 colorimetry as
// reference values, with or without its spectra) and every skin is read through the resulting
// ICC profile with Little CMS. With skin training, each skin is read with a calibration fitted
// WITHOUT that skin (leave-one-skin-out), so the figures are for skins the fit has not seen.
//
// Usage: skin_calibration_study [--weights 0,0.5,1,2,4] [--reconstruct | --chart-spectra
// CHART.json]
//        SURFACES.json...
// Prints, per skin weight, the median / mean / p90 / max ΔE00 of the held-out skins against their
// D50 colorimetry, overall and per illuminant (Markdown).
#include <lcms2.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pigmatch/calibration/calibration.h"
#include "pigmatch/calibration/chart.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/colour/spectrum.h"

namespace {

using pigmatch::Lab;
using pigmatch::Spectrum;
using Json = nlohmann::json;

struct Surface {
  std::string kind, name;
  std::array<double, 3> linear{};
  Lab truth;
  Spectrum reflectance;
};

struct Condition {
  std::string camera, illuminant;
  std::vector<Surface> chart, skins;
};

Condition load(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  const Json doc = Json::parse(in);
  const std::vector<double> wavelengths = doc.at("wavelengths_nm").get<std::vector<double>>();
  Condition c{doc.at("camera").get<std::string>(), doc.at("illuminant").get<std::string>(), {}, {}};
  for (const Json& s : doc.at("surfaces")) {
    const auto lab = s.at("lab_d50_colorimetric").get<std::vector<double>>();
    const auto values = s.at("reflectance").get<std::vector<double>>();
    Surface surface{s.at("kind").get<std::string>(),
                    s.at("name").get<std::string>(),
                    s.at("linear_srgb").get<std::array<double, 3>>(),
                    {lab[0], lab[1], lab[2]},
                    pigmatch::resample(wavelengths, values, path)};
    if (surface.kind == "chart")
      c.chart.push_back(surface);
    else if (surface.kind == "skin")
      c.skins.push_back(surface);
  }
  if (c.chart.size() != 24)
    throw std::runtime_error(path + ": expected 24 chart patches");
  return c;
}

double srgb_encode(double v) {
  v = std::clamp(v, 0.0, 1.0);
  return v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
}

// Solves a·x = b (n × n, row-major) by Gaussian elimination with partial pivoting.
std::vector<double> solve(std::vector<double> a, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(a[r * n + c]) > std::abs(a[p * n + c]))
        p = r;
    for (std::size_t k = 0; k < n; ++k)
      std::swap(a[c * n + k], a[p * n + k]);
    std::swap(b[c], b[p]);
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c)
        continue;
      const double f = a[r * n + c] / a[c * n + c];
      for (std::size_t k = 0; k < n; ++k)
        a[r * n + k] -= f * a[c * n + k];
      b[r] -= f * b[c];
    }
  }
  for (std::size_t c = 0; c < n; ++c)
    b[c] /= a[c * n + c];
  return b;
}

// The smoothest reflectance (least squared second difference) with the given D50 colorimetry:
// what a chart description without spectra lets one guess.
Spectrum smoothest_reflectance(const Lab& lab) {
  constexpr std::size_t n = Spectrum::band_count, m = n + 3;
  const auto& w =
      pigmatch::weighting_table(pigmatch::Illuminant::d50, pigmatch::Observer::cie1931_2deg);
  const pigmatch::Xyz xyz = pigmatch::to_xyz(lab);
  std::vector<double> a(m * m, 0.0), b(m, 0.0);
  constexpr double stencil[3] = {1, -2, 1};
  for (std::size_t row = 0; row + 2 < n; ++row)
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        a[(row + i) * m + row + j] += stencil[i] * stencil[j];
  for (std::size_t i = 0; i < n; ++i) {
    a[i * m + i] += 1e-6;
    const double rows[3] = {w.x[i], w.y[i], w.z[i]};
    for (std::size_t k = 0; k < 3; ++k) {
      a[i * m + n + k] = rows[k];
      a[(n + k) * m + i] = rows[k];
    }
  }
  b[n] = xyz.X;
  b[n + 1] = xyz.Y;
  b[n + 2] = xyz.Z;
  const auto x = solve(a, b);
  Spectrum r;
  for (std::size_t i = 0; i < n; ++i)
    r[i] = std::clamp(x[i], 0.0, 1.0);
  return r;
}

// The built-in layout with the rendered chart's own D50 colorimetry and, if asked, its spectra.
// (reconstructed: the smoothest spectra matching its Lab, as a chart description without spectra
// would allow; substitute, when not empty: another description's spectra, such as the built-in
// chart's, which are not the painted chart's).
pigmatch::ChartDefinition chart_for(const Condition& c, bool with_spectra, bool reconstruct,
                                    const std::vector<Spectrum>& substitute) {
  pigmatch::ChartDefinition chart = pigmatch::builtin_chart();
  pigmatch::ChartReference own{"rendered", "rendered chart", "render_photo", {}};
  for (const Surface& s : c.chart) {
    own.lab_d50.push_back(s.truth);
    if (with_spectra)
      chart.spectra.push_back(reconstruct ? smoothest_reflectance(s.truth) : s.reflectance);
  }
  if (with_spectra && !substitute.empty())
    chart.spectra = substitute;
  chart.references.insert(chart.references.begin(), own);
  return chart;
}

// Lab through the calibration's ICC profile, as Little CMS (and so pigmatch measure) reads it.
Lab read_through(const pigmatch::Calibration& calibration, const std::array<double, 3>& linear) {
  const auto& icc = calibration.icc_profile();
  cmsHPROFILE profile = cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size()));
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM t = cmsCreateTransform(profile, TYPE_RGB_DBL, lab, TYPE_Lab_DBL,
                                       INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  const double in[3] = {srgb_encode(linear[0]), srgb_encode(linear[1]), srgb_encode(linear[2])};
  cmsCIELab out{};
  cmsDoTransform(t, in, &out, 1);
  cmsDeleteTransform(t);
  cmsCloseProfile(lab);
  cmsCloseProfile(profile);
  return {out.L, out.a, out.b};
}

std::vector<pigmatch::PatchSample> samples_of(const Condition& c) {
  std::vector<pigmatch::PatchSample> samples;
  for (const Surface& s : c.chart) {
    pigmatch::PatchSample p;
    for (std::size_t k = 0; k < 3; ++k)
      p.device[k] = srgb_encode(s.linear[k]);
    p.clipped = *std::max_element(s.linear.begin(), s.linear.end()) >= 1.0;
    samples.push_back(p);
  }
  return samples;
}

// ΔE00 of every skin of `c` read with calibrations fitted without it (weight 0: one calibration
// with no skins; the chart then carries no spectra, as with --no-skin-training).
struct ChartFigures {
  std::string model;
  double mean = 0, loo = 0;  // of the chart's patches, last calibration made
};

ChartFigures figures_of(const pigmatch::Calibration& cal) {
  return {std::string(to_string(cal.report().model)), cal.report().mean_de00,
          cal.report().loo_mean_de00};
}

std::vector<double> held_out_errors(const Condition& c, double weight, bool reconstruct,
                                    const std::vector<Spectrum>& substitute,
                                    ChartFigures& figures) {
  const auto samples = samples_of(c);
  std::vector<double> errors;
  if (weight == 0) {
    const auto cal = pigmatch::calibrate(samples, chart_for(c, false, false, {}), {});
    figures = figures_of(cal);
    for (const Surface& skin : c.skins)
      errors.push_back(pigmatch::delta_e2000(skin.truth, read_through(cal, skin.linear)));
    return errors;
  }
  const auto chart = chart_for(c, true, reconstruct, substitute);
  for (std::size_t k = 0; k < c.skins.size(); ++k) {
    pigmatch::CalibrationOptions options;
    options.skin_weight = weight;
    for (std::size_t j = 0; j < c.skins.size(); ++j) {
      if (j != k)
        options.skin_spectra.push_back(c.skins[j].reflectance);
    }
    const auto cal = pigmatch::calibrate(samples, chart, {}, options);
    figures = figures_of(cal);
    errors.push_back(pigmatch::delta_e2000(c.skins[k].truth, read_through(cal, c.skins[k].linear)));
  }
  return errors;
}

std::string summary(std::vector<double> v) {
  if (v.empty())
    return "–";
  std::sort(v.begin(), v.end());
  const double median =
      v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  double mean = 0;
  for (const double x : v)
    mean += x / static_cast<double>(v.size());
  const std::size_t p90 = std::min(
      v.size() - 1, static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(v.size()))) - 1);
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(2);
  out << median << " / " << mean << " / " << v[p90] << " / " << v.back();
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string weight_list = "0,0.5,1,2,4";
  bool reconstruct = false;
  std::vector<std::string> files;
  CLI::App app{"Held-out skin accuracy of chart calibrations with and without skin training"};
  app.add_option("--weights", weight_list, "skin weights to compare, comma-separated (0: none)");
  app.add_option("files", files, "render_photo --surfaces-out files")->required();
  app.add_flag("--reconstruct", reconstruct,
               "give the chart the smoothest spectra matching its Lab instead of its own");
  std::string substitute_file;
  app.add_option("--chart-spectra", substitute_file,
                 "give the chart this description's spectra instead of its own (e.g. "
                 "data/charts/colorchecker-classic.json, the built-in chart's reconstruction)");
  CLI11_PARSE(app, argc, argv);
  try {
    std::vector<double> weights;
    std::stringstream list(weight_list);
    for (std::string w; std::getline(list, w, ',');)
      weights.push_back(std::stod(w));
    const std::vector<Spectrum> substitute = substitute_file.empty()
                                                 ? std::vector<Spectrum>{}
                                                 : pigmatch::load_chart(substitute_file).spectra;
    if (!substitute_file.empty() && substitute.size() != 24)
      throw std::runtime_error(substitute_file + ": no spectra for 24 patches");
    std::vector<Condition> conditions;
    for (const auto& f : files)
      conditions.push_back(load(f));
    std::cout << "| skin weight | held-out skins, median / mean / p90 / max ΔE00 |";
    std::vector<std::string> illuminants;
    for (const auto& c : conditions) {
      if (std::find(illuminants.begin(), illuminants.end(), c.illuminant) == illuminants.end())
        illuminants.push_back(c.illuminant);
    }
    for (const auto& i : illuminants)
      std::cout << " " << i << " (median) |";
    std::cout << " chart fit mean / LOO (medians) | models |\n|---|---|---|";
    for (std::size_t i = 0; i < illuminants.size(); ++i)
      std::cout << "---|";
    std::cout << "---|\n";
    for (const double w : weights) {
      std::vector<double> all;
      std::map<std::string, std::vector<double>> by_illuminant;
      std::map<std::string, int> models;
      std::vector<double> means, loos;
      for (const auto& c : conditions) {
        ChartFigures figures;
        const auto errors = held_out_errors(c, w, reconstruct, substitute, figures);
        ++models[figures.model];
        means.push_back(figures.mean);
        loos.push_back(figures.loo);
        all.insert(all.end(), errors.begin(), errors.end());
        auto& mine = by_illuminant[c.illuminant];
        mine.insert(mine.end(), errors.begin(), errors.end());
      }
      std::cout << "| " << w << " | " << summary(all) << " |";
      for (const auto& i : illuminants) {
        const std::string s = summary(by_illuminant[i]);
        std::cout << " " << s.substr(0, s.find(' ')) << " |";
      }
      const std::string fit = summary(means), loo = summary(loos);
      std::cout << " " << fit.substr(0, fit.find(' ')) << " / " << loo.substr(0, loo.find(' '))
                << " | ";
      for (const auto& [m, n] : models)
        std::cout << m << " × " << n << " ";
      std::cout << "|\n" << std::flush;
    }
  } catch (const std::exception& e) {
    std::cerr << "skin_calibration_study: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
