// Vrhel et al. 1994's 16 measured skin reflectances from ../shared/data, resampled to pigmatch's
// 36-band grid: the reference skins that several tests read independently of the product's own
// built-in copy (libcore's skin_spectra). Test support only.
#pragma once

#include <filesystem>
#include <vector>

#include "csv.h"
#include "pigmatch/colour/spectrum.h"

namespace pigmatch::test {

/// The 16 skin columns (1–16) of skin-hair/vrhel1994_skin_hair_390-730_2nm.csv under `shared_dir`.
inline std::vector<Spectrum> read_vrhel_skins(const std::filesystem::path& shared_dir) {
  const auto table = read_csv(shared_dir / "skin-hair/vrhel1994_skin_hair_390-730_2nm.csv");
  std::vector<Spectrum> skins;
  for (std::size_t col = 1; col <= 16; ++col) {
    std::vector<double> wl, v;
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
      wl.push_back(table.number(row, 0));
      v.push_back(table.number(row, col));
    }
    skins.push_back(resample(wl, v, "vrhel", {10.0}));
  }
  return skins;
}

}  // namespace pigmatch::test
