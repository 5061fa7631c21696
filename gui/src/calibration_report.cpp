#include "calibration_report.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "swatch_widget.h"
#include "text.h"

namespace pigmatch::gui {
namespace {

QTableWidgetItem* number_item(double value) {
  auto* item = new QTableWidgetItem(QString::number(value, 'f', 2));
  item->setData(Qt::UserRole, value);  // the exact figure, for sorting and for tests
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QString lab_tip(const char* what, const Lab& lab) {
  return QStringLiteral("%1: %2").arg(QLatin1String(what), lab_text(lab));
}

}  // namespace

CalibrationReportWidget::CalibrationReportWidget(std::shared_ptr<const DisplayColor> display,
                                                 QWidget* parent)
    : QWidget(parent),
      display_(std::move(display)),
      summary_(new QLabel(this)),
      warnings_(new QLabel(this)),
      patches_(new QTableWidget(0, column_count, this)) {
  summary_->setObjectName(QStringLiteral("calibrationSummary"));
  warnings_->setObjectName(QStringLiteral("calibrationWarnings"));
  patches_->setObjectName(QStringLiteral("calibrationPatches"));
  summary_->setWordWrap(true);
  warnings_->setWordWrap(true);
  // The patch table scrolls; the summary and warnings must never be squeezed under their text.
  summary_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
  warnings_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
  warnings_->setStyleSheet(QStringLiteral("color: #a05a00;"));
  patches_->setHorizontalHeaderLabels({QStringLiteral("#"), QStringLiteral("Patch"),
                                       QStringLiteral("Reference | fitted"), QStringLiteral("ΔE00"),
                                       QStringLiteral("LOO ΔE00"), QStringLiteral("Used")});
  patches_->verticalHeader()->hide();
  patches_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  patches_->setSelectionMode(QAbstractItemView::NoSelection);
  patches_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(summary_);
  layout->addWidget(warnings_);
  layout->addWidget(patches_, 1);
  setCalibration(nullptr);
}

void CalibrationReportWidget::setCalibration(const PhotoCalibration* calibration) {
  patches_->setRowCount(0);
  warnings_->clear();
  if (calibration == nullptr) {
    summary_->setText(QStringLiteral("Not calibrated: find the chart or click its corners."));
    return;
  }
  QStringList warnings;
  for (const std::string& w : calibration->warnings)
    warnings << QStringLiteral("⚠ %1").arg(QString::fromStdString(w));
  warnings_->setText(warnings.join(QLatin1Char('\n')));
  if (!calibration->calibration) {
    summary_->setText(
        QStringLiteral("Colours from: %1 (no chart fit)").arg(qs(to_string(calibration->source))));
    return;
  }
  const CalibrationReport& r = calibration->calibration->report();
  const QString how = calibration->method == "user"
                          ? QStringLiteral("corners clicked")
                          : QStringLiteral("found by %1").arg(qs(calibration->method));
  QString text = QStringLiteral("Chart (%1), %2 fit: mean ΔE00 %3, max %4, leave-one-out mean %5")
                     .arg(how, qs(calibration->model))
                     .arg(r.mean_de00, 0, 'f', 2)
                     .arg(r.max_de00, 0, 'f', 2)
                     .arg(r.loo_mean_de00, 0, 'f', 2);
  text += r.skin_spectra_fitted > 0
              ? QStringLiteral("\nSkin-trained: %1 skin reflectances fitted beside the chart.")
                    .arg(r.skin_spectra_fitted)
              : QStringLiteral("\nSkin-trained: no (the chart carries no spectra).");
  text += QStringLiteral("\nPixels read %1 (tone exponents %2, %3, %4).")
              .arg(qs(describe(r.encoding)))
              .arg(r.tone_exponent[0], 0, 'f', 2)
              .arg(r.tone_exponent[1], 0, 'f', 2)
              .arg(r.tone_exponent[2], 0, 'f', 2);
  summary_->setText(text);

  patches_->setRowCount(static_cast<int>(r.patches.size()));
  for (int row = 0; row < patches_->rowCount(); ++row) {
    const PatchResidual& p = r.patches[static_cast<std::size_t>(row)];
    patches_->setItem(row, patch_id, new QTableWidgetItem(QString::number(p.patch_id)));
    patches_->setItem(row, patch_name, new QTableWidgetItem(QString::fromStdString(p.name)));
    auto* pair = new QWidget;
    auto* pair_layout = new QHBoxLayout(pair);
    pair_layout->setContentsMargins(2, 1, 2, 1);
    pair_layout->setSpacing(0);  // side by side, touching: differences show at the seam
    for (const auto& [lab, what, name] : {std::tuple{p.reference, "reference", "referenceSwatch"},
                                          std::tuple{p.fitted, "fitted", "fittedSwatch"}}) {
      auto* swatch = new SwatchWidget(display_, pair);
      swatch->setObjectName(QLatin1String(name));
      swatch->setLab(lab);
      swatch->setToolTip(lab_tip(what, lab) + QLatin1Char('\n') + swatch->toolTip());
      swatch->setFixedSize(36, 22);
      pair_layout->addWidget(swatch);
    }
    patches_->setCellWidget(row, colours, pair);
    patches_->setItem(row, de00, number_item(p.de00));
    if (p.used)
      patches_->setItem(row, loo_de00, number_item(p.loo_de00));
    else
      patches_->setItem(row, loo_de00, new QTableWidgetItem(QStringLiteral("—")));
    patches_->setItem(
        row, used,
        new QTableWidgetItem(p.used ? QStringLiteral("yes") : QStringLiteral("no (clipped)")));
  }
}

}  // namespace pigmatch::gui
