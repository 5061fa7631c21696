// A real camera photographing real surfaces, from ../shared/data: the camspec sensitivities of a
// camera (CC BY-NC-SA: tests only), a CIE illuminant, BabelColor's ColorChecker spectra and
// Vrhel's skin reflectances, all on pigmatch's 10 nm grid. The camera's linear RGB is computed
// here from the published curves (white balanced on the chart's neutral 6.5 patch, white at 80 %
// in green), independently of pigmatch's own estimation. Test support only.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "csv.h"
#include "pigmatch/colour/spectrum.h"

namespace pigmatch::test {

struct SpectralCamera {
  std::array<Spectrum, 3> response;  // sensitivity × illuminant × white-balance gain × exposure
  std::vector<Spectrum> chart;       // 24 BabelColor average spectra
  std::vector<Spectrum> skins;       // Vrhel's 16 skins
  std::vector<std::string> skin_names;

  std::array<double, 3> rgb(const Spectrum& r) const {
    std::array<double, 3> out{};
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t i = 0; i < Spectrum::band_count; ++i)
        out[c] += response[c][i] * r[i];
    return out;
  }
};

// Linear interpolation of a table column at `nm`; 0 outside the table.
inline double table_at(const CsvTable& t, std::size_t col, double nm) {
  for (std::size_t row = 0; row + 1 < t.rows.size(); ++row) {
    const double x0 = t.number(row, 0), x1 = t.number(row + 1, 0);
    if (nm >= x0 && nm <= x1)
      return t.number(row, col) +
             (nm - x0) / (x1 - x0) * (t.number(row + 1, col) - t.number(row, col));
  }
  return 0.0;
}

inline SpectralCamera load_spectral_camera(const std::filesystem::path& data,
                                           const std::string& camera,
                                           const std::string& illuminant_file) {
  const CsvTable sensitivity = read_csv(data / "cameras" / (camera + ".csv"));
  const CsvTable light = read_csv(data / "cie" / illuminant_file);
  const CsvTable chart =
      read_csv(data / "colorchecker" / "babelcolor_average_spectral_380-730_10nm.csv");
  const CsvTable vrhel = read_csv(data / "skin-hair" / "vrhel1994_skin_hair_390-730_2nm.csv");
  SpectralCamera cam;
  for (std::size_t c = 0; c < 3; ++c) {
    for (std::size_t i = 0; i < Spectrum::band_count; ++i) {
      const double nm = Spectrum::wavelength(i);
      cam.response[c][i] = table_at(sensitivity, c + 1, nm) * table_at(light, 1, nm);
    }
  }
  for (std::size_t p = 1; p <= 24; ++p) {
    Spectrum s;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i)
      s[i] = chart.number(i, p);
    cam.chart.push_back(s);
  }
  for (std::size_t col = 1; col < vrhel.header.size(); ++col) {
    if (vrhel.header[col].find("hair") != std::string::npos)
      continue;
    Spectrum s;
    for (std::size_t i = 0; i < Spectrum::band_count; ++i)
      s[i] = table_at(vrhel, col, std::max(Spectrum::wavelength(i), 390.0));
    cam.skins.push_back(s);
    cam.skin_names.push_back(vrhel.header[col]);
  }
  // White balance on the neutral 6.5 patch (21), then white at 80 % of full scale in green.
  const auto grey = cam.rgb(cam.chart[20]);
  const auto white = cam.rgb(Spectrum::constant(1.0));
  const double gains[3] = {grey[1] / grey[0], 1.0, grey[1] / grey[2]};
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t i = 0; i < Spectrum::band_count; ++i)
      cam.response[c][i] *= gains[c] * 0.8 / white[1];
  return cam;
}

}  // namespace pigmatch::test
