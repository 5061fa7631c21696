// calibration_report — how well a photo's calibration fits its chart, for the practitioner to
// judge before trusting the colours: where the colours come from, the model, mean / max /
// leave-one-out ΔE00, how many skin reflectances were fitted beside the chart, the warnings, and
// a row per patch (reference and fitted colour side by side, ΔE00, leave-one-out ΔE00, used).
// The figures are libcore's CalibrationReport, shown as they are.
#pragma once

#include <QWidget>
#include <memory>

#include "display_color.h"
#include "pigmatch/regions/photo_measurement.h"

class QLabel;
class QTableWidget;

namespace pigmatch::gui {

class CalibrationReportWidget : public QWidget {
  Q_OBJECT

 public:
  /// Patch columns, in order.
  enum Column { patch_id, patch_name, colours, de00, loo_de00, used, column_count };

  explicit CalibrationReportWidget(std::shared_ptr<const DisplayColor> display,
                                   QWidget* parent = nullptr);

  /// Shows `calibration`'s report, or "not calibrated" when null.
  void setCalibration(const PhotoCalibration* calibration);

  QLabel* summary() const noexcept { return summary_; }
  QLabel* warnings() const noexcept { return warnings_; }
  QTableWidget* patches() const noexcept { return patches_; }

 private:
  std::shared_ptr<const DisplayColor> display_;
  QLabel* summary_;
  QLabel* warnings_;
  QTableWidget* patches_;
};

}  // namespace pigmatch::gui
