#include "pigmatch/store/measurement_records.h"

#include <fmt/format.h>

#include <system_error>
#include <utility>

#include "pigmatch/error.h"

namespace pigmatch {

void record_photo(store::Measurement& m, const std::filesystem::path& photo) {
  if (photo.empty())
    return;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(photo, ec);
  m.photo_path = ec ? photo.string() : absolute.string();
  m.photo_sha256 = file_sha256(photo);
}

std::vector<store::Measurement> measurement_rows(const std::filesystem::path& photo,
                                                 std::optional<double> calibration_de00,
                                                 std::span<const RegionMeasurement> regions,
                                                 SavedAs kind, store::Id client, store::Id visit,
                                                 std::vector<std::string>* notes) {
  store::Measurement base;
  base.client_id = client;
  base.visit_id = visit;
  base.calibration_de00 = calibration_de00;
  record_photo(base, photo);
  const bool healed = kind == SavedAs::healed;
  std::vector<store::Measurement> rows;
  const auto add = [&](const RegionMeasurement& r, store::MeasurementKind k, const Lab& lab,
                       const std::optional<ColourUncertainty>& u) {
    store::Measurement m = base;
    m.kind = k;
    m.region = r.region.name;
    m.lab = lab;
    if (u)
      m.uncertainty_de00 = u->total;
    rows.push_back(std::move(m));
  };
  for (const RegionMeasurement& r : regions) {
    const bool has_hair = r.stubble && r.stubble->separated;
    if (!r.stubble) {
      add(r, healed ? store::MeasurementKind::healed : store::MeasurementKind::skin, r.lab_d50,
          r.uncertainty);
    } else if (healed) {
      if (!has_hair) {
        throw Error(ErrorCode::unsupported,
                    fmt::format("region '{}': no dots were told apart from the skin, so there is "
                                "no healed colour to save; nothing was saved. Measure a region "
                                "with visible dots",
                                r.region.name));
      }
      add(r, store::MeasurementKind::healed, r.stubble->hair, r.hair_uncertainty);
    } else {
      add(r, store::MeasurementKind::skin, r.lab_d50, r.uncertainty);
      if (has_hair) {
        add(r, store::MeasurementKind::hair, r.stubble->hair, r.hair_uncertainty);
      } else if (notes != nullptr) {
        notes->push_back(
            fmt::format("region '{}': no hair told apart; only its skin is saved", r.region.name));
      }
    }
  }
  return rows;
}

}  // namespace pigmatch
