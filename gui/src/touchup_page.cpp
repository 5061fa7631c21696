#include "touchup_page.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>

#include "pigmatch/error.h"
#include "swatch_widget.h"
#include "text.h"

namespace pigmatch::gui {
namespace {

QLabel* caption(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  label->setAlignment(Qt::AlignHCenter);
  return label;
}

}  // namespace

TouchupPage::TouchupPage(store::Store& store, std::vector<Catalog> catalogs,
                         std::shared_ptr<const DisplayColor> display, QWidget* parent)
    : QWidget(parent), store_(store), catalogs_(std::move(catalogs)), display_(std::move(display)) {
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  measurement_ = new QComboBox(this);
  measurement_->setObjectName(QStringLiteral("healedMeasurement"));
  formula_ = new QComboBox(this);
  formula_->setObjectName(QStringLiteral("touchupFormula"));
  form->addRow(QStringLiteral("Healed measurement"), measurement_);
  form->addRow(QStringLiteral("Formula"), formula_);
  layout->addLayout(form);

  auto* swatches = new QGridLayout;
  target_ = new SwatchWidget(display_, this);
  target_->setObjectName(QStringLiteral("touchupTarget"));
  healed_ = new SwatchWidget(display_, this);
  healed_->setObjectName(QStringLiteral("touchupHealed"));
  expected_ = new SwatchWidget(display_, this);
  expected_->setObjectName(QStringLiteral("touchupExpected"));
  swatches->addWidget(target_, 0, 0);
  swatches->addWidget(healed_, 0, 1);
  swatches->addWidget(expected_, 0, 2);
  swatches->addWidget(caption(QStringLiteral("target"), this), 1, 0);
  swatches->addWidget(caption(QStringLiteral("healed"), this), 1, 1);
  swatches->addWidget(caption(QStringLiteral("corrected, expected to heal"), this), 1, 2);
  swatches->setColumnStretch(3, 1);
  layout->addLayout(swatches);

  comparison_ = new QLabel(this);
  comparison_->setObjectName(QStringLiteral("touchupComparison"));
  comparison_->setWordWrap(true);
  comparison_->setTextFormat(Qt::RichText);
  comparison_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
  layout->addWidget(comparison_);
  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName(QStringLiteral("correction"));
  table_->setHorizontalHeaderLabels({QStringLiteral("Vendor"), QStringLiteral("Pigment"),
                                     QStringLiteral("Drops"), QStringLiteral("ml")});
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  layout->addWidget(table_);
  status_ = new QLabel(QStringLiteral("Select a client."), this);
  status_->setObjectName(QStringLiteral("touchupStatus"));
  status_->setWordWrap(true);
  layout->addWidget(status_);
  layout->addStretch(1);
  save_ = new QPushButton(QStringLiteral("Save correction as new version"), this);
  save_->setObjectName(QStringLiteral("saveCorrection"));
  save_->setEnabled(false);
  layout->addWidget(save_);

  connect(measurement_, &QComboBox::currentIndexChanged, this, [this] {
    chooseFormulaForMeasurement();
    compare();
  });
  connect(formula_, &QComboBox::currentIndexChanged, this, &TouchupPage::compare);
  connect(save_, &QPushButton::clicked, this, [this] { (void)saveCorrection(); });
}

void TouchupPage::showClient(store::Id id) {
  std::vector<store::Measurement> measurements;
  std::vector<store::Formula> current;
  try {
    current = current_formulas(store_, id);
    measurements = store_.client_record(id).measurements;
  } catch (const std::exception& e) {
    emit failed(
        QStringLiteral("Cannot read client %1: %2").arg(id).arg(QString::fromUtf8(e.what())));
    return;
  }
  // Healed results first (newest first): they are what a touch-up compares.
  std::stable_sort(measurements.begin(), measurements.end(), [](const auto& a, const auto& b) {
    const bool ha = a.kind == store::MeasurementKind::healed;
    const bool hb = b.kind == store::MeasurementKind::healed;
    return ha != hb ? ha : a.id > b.id;
  });
  client_id_ = id;
  measurements_ = std::move(measurements);
  formulas_ = std::move(current);
  measurement_->blockSignals(true);
  formula_->blockSignals(true);
  measurement_->clear();
  for (const store::Measurement& m : measurements_) {
    measurement_->addItem(QStringLiteral("%1 %2 #%3 · %4 · %5")
                              .arg(qs(std::string(to_string(m.kind))), qs(m.region))
                              .arg(m.id)
                              .arg(qs(m.taken_at), lab_text(m.lab)));
  }
  formula_->clear();
  for (auto it = formulas_.rbegin(); it != formulas_.rend(); ++it) {
    QString text = QStringLiteral("#%1").arg(it->id);
    if (!it->region.empty())
      text += QLatin1Char(' ') + qs(it->region);
    text += QStringLiteral(" · %1 · %2 · ΔE00 %3")
                .arg(qs(it->created_at), qs(it->model))
                .arg(it->delta_e00, 0, 'f', 2);
    formula_->addItem(text, QVariant::fromValue<qlonglong>(it->id));
  }
  measurement_->blockSignals(false);
  formula_->blockSignals(false);
  chooseFormulaForMeasurement();
  compare();
}

// The formula the healed area is the result of, chosen as `pigmatch touchup` chooses it
// (libcore's formula_to_correct); when the rule names none, whichever the user had chosen.
void TouchupPage::chooseFormulaForMeasurement() {
  const int index = measurement_->currentIndex();
  if (index < 0 || client_id_ == 0)
    return;
  try {
    const FormulaToCorrect chosen =
        formula_to_correct(store_, client_id_, measurements_[std::size_t(index)].region);
    const QSignalBlocker block(formula_);
    formula_->setCurrentIndex(
        formula_->findData(QVariant::fromValue<qlonglong>(chosen.formula.id)));
  } catch (const Error& e) {
    if (e.code() != ErrorCode::not_found)
      emit failed(QString::fromUtf8(e.what()));
  } catch (const std::exception& e) {
    emit failed(QString::fromUtf8(e.what()));
  }
}

void TouchupPage::compare() {
  correction_.reset();
  save_->setEnabled(false);
  table_->setRowCount(0);
  comparison_->clear();
  const int m = measurement_->currentIndex();
  const int f = formula_->currentIndex();
  if (m < 0 || f < 0) {
    status_->setText(measurements_.empty()
                         ? QStringLiteral("This client has no measurement: measure the healed "
                                          "area (Photo, or 'pigmatch measure --kind healed').")
                         : QStringLiteral("This client has no formula to compare with."));
    return;
  }
  const store::Id formula_id = formula_->currentData().toLongLong();
  const auto formula = std::find_if(formulas_.begin(), formulas_.end(),
                                    [&](const store::Formula& x) { return x.id == formula_id; });
  const store::Measurement& healed = measurements_[std::size_t(m)];
  try {
    CorrectionInputs inputs;
    inputs.catalogs = catalogs_;
    inputs.skin_d50 = stored_skin(store_, client_id_, healed.region);
    correction_ = correct_formula(*formula, healed.lab, inputs);
  } catch (const std::exception& e) {
    status_->setText(QStringLiteral("No correction: %1").arg(QString::fromUtf8(e.what())));
    return;
  }
  showCorrection();
}

void TouchupPage::showCorrection() {
  const TouchupCorrection& c = *correction_;
  const HealedComparison& h = c.comparison;
  target_->setLab(h.target);
  healed_->setLab(h.healed);
  expected_->setLab(c.expected_healed);
  comparison_->setText(
      QStringLiteral("Healed %1<br>against the target %2: healed is <b>%3</b><br>against the "
                     "prediction %4: healed is <b>%5</b><br>Corrected recipe aimed at %6 = "
                     "target − (healed − predicted); expected to heal at %7, ΔE00 %8 to the "
                     "target.")
          .arg(lab_text(h.healed), lab_text(h.target), qs(to_string(h.vs_target)),
               lab_text(h.predicted), qs(to_string(h.vs_predicted)), lab_text(c.aim),
               lab_text(c.expected_healed))
          .arg(c.expected_de00, 0, 'f', 2));
  table_->setRowCount(static_cast<int>(c.formula.components.size()));
  for (int r = 0; r < table_->rowCount(); ++r) {
    const store::Component& comp = c.formula.components[std::size_t(r)];
    table_->setItem(r, 0, new QTableWidgetItem(qs(comp.vendor)));
    table_->setItem(r, 1, new QTableWidgetItem(qs(comp.code)));
    table_->setItem(r, 2, new QTableWidgetItem(QString::number(comp.drops, 'g', 4)));
    table_->setItem(r, 3, new QTableWidgetItem(QString::number(comp.ml, 'f', 3)));
  }
  table_->resizeColumnsToContents();
  // As tall as its rows: the page, not the table, has the spare room.
  table_->setFixedHeight(table_->horizontalHeader()->height() + 4 +
                         table_->verticalHeader()->defaultSectionSize() * table_->rowCount());
  if (!c.improves) {
    // Saving would store the same recipe (or one no better) as a new version.
    status_->setText(QStringLiteral("No correction: ") + qs(c.advice));
    save_->setEnabled(false);
    return;
  }
  status_->setText(c.warning.empty() ? QStringLiteral("Not saved yet.")
                                     : QStringLiteral("Warning: ") + qs(c.warning));
  save_->setEnabled(true);
}

std::optional<store::Id> TouchupPage::saveCorrection() {
  if (!correction_) {
    emit failed(
        QStringLiteral("There is no correction to save: choose a healed measurement "
                       "and a formula."));
    return std::nullopt;
  }
  if (!correction_->improves) {
    emit failed(QStringLiteral("There is no correction to save: ") + qs(correction_->advice));
    return std::nullopt;
  }
  try {
    store::Formula f = correction_->formula;
    // The visit of the healed measurement (the touch-up session), else the client's latest.
    f.visit_id = measurements_[std::size_t(measurement_->currentIndex())].visit_id;
    if (!f.visit_id) {
      if (const auto latest = store_.latest_visit(client_id_))
        f.visit_id = latest->id;
    }
    const store::Id id = store_.save_formula(f);
    const store::Id client = client_id_;
    showClient(client);  // the new version is now the current one
    status_->setText(
        QStringLiteral("Saved as formula #%1 (corrects #%2).").arg(id).arg(f.replaces.value_or(0)));
    emit formulaSaved(client, id);
    return id;
  } catch (const std::exception& e) {
    emit failed(
        QStringLiteral("The correction was not saved: %1").arg(QString::fromUtf8(e.what())));
    return std::nullopt;
  }
}

}  // namespace pigmatch::gui
