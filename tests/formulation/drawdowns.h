// Drawdown readings for catalog-build tests: pigments with known K and S "measured" through an
// independent Kubelka–Munk film on a card that is not flat, with a spectrophotometer's noise,
// written as real CGATS files by Little CMS's IT8 writer (i1Profiler style, named by
// SAMPLE_NAME; or Argyll style in percent, named by a layout file).
#pragma once

#include <lcms2.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "independent_km.h"
#include "pigmatch/colour/spectrum.h"
#include "pigmatch/formulation/catalog.h"

namespace pigmatch::test {

constexpr std::size_t pigment_count = 8;
inline const std::vector<double> series{1.0, 0.5, 0.25, 0.1};

// A drawdown card a little warmer at the red end than at the blue, as real card stock is.
inline double card_at(std::size_t band) {
  return 0.84 + 0.06 * static_cast<double>(band) / (Spectrum::band_count - 1);
}

struct Row {
  std::string name;  // SAMPLE_NAME
  Spectrum reflectance;
};

// Every pigment's series and the card, each drawdown read `repeats` times with reading noise of
// sd `noise` (an i1Pro 2's repeatability is about 0.1 % reflectance).
inline std::vector<Row> readings(const Catalog& truth, double noise, unsigned seed,
                                 int repeats = 1) {
  std::mt19937 random(seed);
  std::normal_distribution<double> error(0, noise);
  std::vector<Row> rows;
  for (int i = 0; i < 3; ++i) {
    Spectrum::Values v{};
    for (std::size_t b = 0; b < Spectrum::band_count; ++b)
      v[b] = card_at(b) + error(random);
    rows.push_back({"card", Spectrum(v)});
  }
  for (std::size_t p = 0; p < pigment_count; ++p) {
    const Pigment& pigment = truth.pigments[p];
    for (const double c : series) {
      for (int repeat = 0; repeat < repeats; ++repeat) {
        Spectrum::Values v{};
        for (std::size_t b = 0; b < Spectrum::band_count; ++b)
          v[b] = test::independent_film(c * (*pigment.k)[b], c * (*pigment.s)[b], card_at(b)) +
                 error(random);
        rows.push_back({pigment.code + "@" + std::to_string(c), Spectrum(v)});
      }
    }
  }
  return rows;
}

struct It8Free {
  void operator()(void* h) const { cmsIT8Free(h); }
};

// Writes `rows` with Little CMS's IT8 writer: i1Profiler style (SAMPLE_ID, SAMPLE_NAME,
// SPECTRAL_NM380 … in 0–1) or Argyll style (SAMPLE_ID, SPEC_380 … in percent, no names).
inline void write_cgats(const std::filesystem::path& path, const std::vector<Row>& rows,
                        bool argyll) {
  const std::unique_ptr<void, It8Free> it8(cmsIT8Alloc(nullptr));
  cmsIT8SetSheetType(it8.get(), argyll ? "CTI3" : "CGATS.17");
  cmsIT8SetPropertyStr(it8.get(), "ORIGINATOR", argyll ? "Argyll chartread" : "i1Profiler");
  const std::size_t fields = Spectrum::band_count + (argyll ? 1 : 2);
  cmsIT8SetPropertyDbl(it8.get(), "NUMBER_OF_FIELDS", static_cast<double>(fields));
  cmsIT8SetPropertyDbl(it8.get(), "NUMBER_OF_SETS", static_cast<double>(rows.size()));
  int column = 0;
  cmsIT8SetDataFormat(it8.get(), column++, "SAMPLE_ID");
  if (!argyll)
    cmsIT8SetDataFormat(it8.get(), column++, "SAMPLE_NAME");
  for (std::size_t b = 0; b < Spectrum::band_count; ++b) {
    const std::string field = (argyll ? "SPEC_" : "SPECTRAL_NM") +
                              std::to_string(static_cast<int>(Spectrum::wavelength(b)));
    cmsIT8SetDataFormat(it8.get(), column++, field.c_str());
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const int row = static_cast<int>(r);
    int col = 0;
    cmsIT8SetDataRowCol(it8.get(), row, col++, std::to_string(r + 1).c_str());
    if (!argyll)
      cmsIT8SetDataRowCol(it8.get(), row, col++, rows[r].name.c_str());
    for (std::size_t b = 0; b < Spectrum::band_count; ++b)
      cmsIT8SetDataRowColDbl(it8.get(), row, col++,
                             rows[r].reflectance[b] * (argyll ? 100.0 : 1.0));
  }
  REQUIRE(cmsIT8SaveToFile(it8.get(), path.c_str()));
}

inline void write_layout(const std::filesystem::path& path, const std::vector<Row>& rows) {
  std::ofstream out(path);
  out << "sample_id,code,concentration\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& name = rows[r].name;
    const auto at = name.find('@');
    if (at == std::string::npos)
      out << r + 1 << ",card\n";
    else
      out << r + 1 << "," << name.substr(0, at) << "," << name.substr(at + 1) << "\n";
  }
}

}  // namespace pigmatch::test
