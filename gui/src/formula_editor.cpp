#include "formula_editor.h"

#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>
#include <exception>

#include "pigmatch/error.h"
#include "swatch_widget.h"
#include "text.h"

namespace pigmatch::gui {

FormulaEditor::FormulaEditor(store::Store& store, std::vector<Catalog> catalogs,
                             std::shared_ptr<const DisplayColor> display, store::Id formula,
                             QWidget* parent)
    : QDialog(parent), store_(store), catalogs_(std::move(catalogs)), display_(std::move(display)) {
  setObjectName(QStringLiteral("formulaEditor"));
  QString problem;
  try {
    // The touch-up's rule (libcore): a version already corrected is not the one to adjust.
    const store::Formula asked = store_.formula(formula);
    formula_ = formula_to_correct(store_, asked.client_id, asked.region, formula).formula;
    CorrectionInputs inputs;
    inputs.catalogs = catalogs_;
    inputs.skin_d50 = stored_skin(store_, formula_.client_id, formula_.region);
    mixer_ = std::make_unique<FormulaMixer>(formula_, inputs);
  } catch (const std::exception& e) {
    problem = QString::fromUtf8(e.what());
  }
  setWindowTitle(QStringLiteral("Formula #%1 — adjust drops").arg(formula));
  buildUi();
  if (!problem.isEmpty()) {
    save_->setEnabled(false);
    status_->setText(QStringLiteral("This formula cannot be adjusted here: %1").arg(problem));
    return;
  }
  predict();
}

FormulaEditor::~FormulaEditor() = default;

void FormulaEditor::buildUi() {
  auto* layout = new QVBoxLayout(this);
  QString title = QStringLiteral("<b>Formula #%1</b>").arg(formula_.id);
  if (!formula_.region.empty())
    title += QStringLiteral(" · ") + qs(formula_.region).toHtmlEscaped();
  title += QStringLiteral(" · model %1 · catalog %2")
               .arg(qs(formula_.model), qs(formula_.catalog).toHtmlEscaped());
  if (formula_.replaces)
    title += QStringLiteral(" (replaces #%1)").arg(*formula_.replaces);
  layout->addWidget(new QLabel(title, this));

  auto* colours = new QGridLayout;
  target_ = new SwatchWidget(display_, this);
  target_->setObjectName(QStringLiteral("editorTarget"));
  target_->setLab(formula_.target);
  predicted_ = new SwatchWidget(display_, this);
  predicted_->setObjectName(QStringLiteral("editorPredicted"));
  predicted_->setLab(formula_.predicted);
  predicted_lab_ = new QLabel(this);
  predicted_lab_->setObjectName(QStringLiteral("editorPredictedLab"));
  delta_e_ = new QLabel(this);
  delta_e_->setObjectName(QStringLiteral("editorDeltaE"));
  colours->addWidget(target_, 0, 0);
  colours->addWidget(
      new QLabel(QStringLiteral("target<br>%1").arg(lab_text(formula_.target)), this), 0, 1);
  colours->addWidget(predicted_, 0, 2);
  colours->addWidget(predicted_lab_, 0, 3);
  colours->addWidget(delta_e_, 1, 2, 1, 2);
  colours->setColumnStretch(3, 1);
  layout->addLayout(colours);

  auto* grid = new QGridLayout;
  grid->addWidget(new QLabel(QStringLiteral("<b>Pigment</b>"), this), 0, 0);
  grid->addWidget(new QLabel(QStringLiteral("<b>Lot</b>"), this), 0, 1);
  grid->addWidget(new QLabel(QStringLiteral("<b>Drops</b>"), this), 0, 2);
  for (std::size_t i = 0; i < formula_.components.size(); ++i) {
    const store::Component& c = formula_.components[i];
    const int row = static_cast<int>(i) + 1;
    grid->addWidget(new QLabel(QStringLiteral("%1 %2").arg(qs(c.vendor), qs(c.code)), this), row,
                    0);
    grid->addWidget(new QLabel(c.lot.empty() ? QStringLiteral("(not recorded)") : qs(c.lot), this),
                    row, 1);
    auto* spin = new QSpinBox(this);
    spin->setObjectName(QStringLiteral("drops%1").arg(i));
    spin->setRange(0, 999);
    spin->setValue(static_cast<int>(std::lround(c.drops)));
    connect(spin, &QSpinBox::valueChanged, this, &FormulaEditor::predict);
    grid->addWidget(spin, row, 2);
    drops_.push_back(spin);
  }
  layout->addLayout(grid);

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("editorStatus"));
  status_->setWordWrap(true);
  layout->addWidget(status_);
  save_ = new QPushButton(QStringLiteral("Save as new version"), this);
  save_->setObjectName(QStringLiteral("saveVersion"));
  connect(save_, &QPushButton::clicked, this, [this] { (void)saveNewVersion(); });
  layout->addWidget(save_);
}

QSpinBox* FormulaEditor::dropsBox(int index) const {
  return index >= 0 && index < static_cast<int>(drops_.size()) ? drops_[std::size_t(index)]
                                                               : nullptr;
}

std::vector<double> FormulaEditor::drops() const {
  std::vector<double> out;
  for (const QSpinBox* s : drops_)
    out.push_back(s->value());
  return out;
}

void FormulaEditor::predict() {
  if (!mixer_)
    return;
  try {
    const FormulaMixer::Prediction p = mixer_->predict(drops());
    predicted_->setLab(p.predicted_d50);
    predicted_lab_->setText(
        QStringLiteral("predicted healed<br>%1").arg(lab_text(p.predicted_d50)));
    delta_e_->setText(QStringLiteral("ΔE00 %1 to the target").arg(p.de00, 0, 'f', 2));
    status_->clear();
    save_->setEnabled(true);
  } catch (const std::exception& e) {
    // e.g. every pigment at 0 drops: nothing to predict or save until a drop is back.
    delta_e_->setText(QStringLiteral("ΔE00 —"));
    status_->setText(QString::fromUtf8(e.what()));
    save_->setEnabled(false);
  }
}

std::optional<store::Id> FormulaEditor::saveNewVersion() {
  if (!mixer_) {
    fail(QStringLiteral("This formula cannot be adjusted: ") + status_->text());
    return std::nullopt;
  }
  try {
    const store::Id id = store_.save_formula(mixer_->new_version(drops()));
    status_->setText(QStringLiteral("Saved as formula #%1 (replaces #%2); #%2 is kept unchanged.")
                         .arg(id)
                         .arg(formula_.id));
    save_->setEnabled(false);
    emit saved(formula_.client_id, id);
    return id;
  } catch (const std::exception& e) {
    fail(QStringLiteral("The new version was not saved: %1").arg(QString::fromUtf8(e.what())));
    return std::nullopt;
  }
}

void FormulaEditor::fail(const QString& message) {
  status_->setText(message);
  emit failed(message);
}

}  // namespace pigmatch::gui
