// formula_editor — the mixing-record editor: a stored formula's drops, one spin box per
// component, with the predicted colour and its ΔE00 to the target following every change
// (libcore's FormulaMixer: the formula's own model over its own pigments, microseconds per
// prediction, so on the UI thread). "Save as new version" stores the drops as a new formula
// that replaces this one; the stored formula is never edited.
#pragma once

#include <QDialog>
#include <memory>
#include <optional>
#include <vector>

#include "display_color.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/touchup.h"
#include "pigmatch/store/store.h"

class QLabel;
class QPushButton;
class QSpinBox;

namespace pigmatch::gui {

class SwatchWidget;

class FormulaEditor : public QDialog {
  Q_OBJECT

 public:
  /// An editor on formula `formula` of `store` (which must outlive it), its pigments looked up
  /// in `catalogs`. When the formula cannot be predicted (a pigment in no catalog, a model
  /// that is not built in) the editor says why and cannot save.
  FormulaEditor(store::Store& store, std::vector<Catalog> catalogs,
                std::shared_ptr<const DisplayColor> display, store::Id formula,
                QWidget* parent = nullptr);
  ~FormulaEditor() override;

  /// Saves the drops shown as a new version (what the button does); its id, or none after
  /// showing why not.
  std::optional<store::Id> saveNewVersion();

  /// The spin box of component `index` (the formula's order), for tests.
  QSpinBox* dropsBox(int index) const;
  SwatchWidget* predictedSwatch() const noexcept { return predicted_; }
  SwatchWidget* targetSwatch() const noexcept { return target_; }
  QLabel* deltaE() const noexcept { return delta_e_; }
  QPushButton* saveButton() const noexcept { return save_; }
  QLabel* status() const noexcept { return status_; }
  /// The formula being edited, as stored.
  const store::Formula& formula() const noexcept { return formula_; }

 signals:
  void saved(pigmatch::store::Id client, pigmatch::store::Id formula);
  void failed(const QString& message);

 private:
  void buildUi();
  std::vector<double> drops() const;
  void predict();
  void fail(const QString& message);

  store::Store& store_;
  std::vector<Catalog> catalogs_;
  std::shared_ptr<const DisplayColor> display_;
  store::Formula formula_;
  std::unique_ptr<FormulaMixer> mixer_;
  std::vector<QSpinBox*> drops_;
  SwatchWidget* target_ = nullptr;
  SwatchWidget* predicted_ = nullptr;
  QLabel* predicted_lab_ = nullptr;
  QLabel* delta_e_ = nullptr;
  QLabel* status_ = nullptr;
  QPushButton* save_ = nullptr;
};

}  // namespace pigmatch::gui
