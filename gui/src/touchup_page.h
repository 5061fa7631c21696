// touchup_page — the Touch-up screen: for the selected client, a healed measurement (chosen
// from theirs) against the formula it is the result of (the client's current formulas, the one
// for the measurement's region first): the difference in plain words, and the corrected recipe
// of the same pigments, from libcore's touchup module (what `pigmatch touchup` prints). Saving
// stores the correction as a new version replacing the old one, as `touchup --save` does; the
// healed measurement is already in the store, so it is not written again.
#pragma once

#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "display_color.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/formulation/touchup.h"
#include "pigmatch/store/store.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace pigmatch::gui {

class SwatchWidget;

class TouchupPage : public QWidget {
  Q_OBJECT

 public:
  /// A page over `store` (which must outlive it), looking pigments up in `catalogs`.
  TouchupPage(store::Store& store, std::vector<Catalog> catalogs,
              std::shared_ptr<const DisplayColor> display, QWidget* parent = nullptr);

  /// Offers client `id`'s measurements (healed ones first) and current formulas.
  void showClient(store::Id id);
  store::Id clientId() const noexcept { return client_id_; }

  /// Saves the correction shown (what the button does): the new formula's id, or none after
  /// showing why not.
  std::optional<store::Id> saveCorrection();

  QComboBox* measurementBox() const noexcept { return measurement_; }
  QComboBox* formulaBox() const noexcept { return formula_; }
  QLabel* comparison() const noexcept { return comparison_; }
  QTableWidget* correctionTable() const noexcept { return table_; }
  QLabel* status() const noexcept { return status_; }
  QPushButton* saveButton() const noexcept { return save_; }
  /// The correction shown, if any.
  const std::optional<TouchupCorrection>& correction() const noexcept { return correction_; }

 signals:
  void failed(const QString& message);
  void formulaSaved(pigmatch::store::Id client, pigmatch::store::Id formula);

 private:
  void chooseFormulaForMeasurement();
  void compare();
  void showCorrection();

  store::Store& store_;
  std::vector<Catalog> catalogs_;
  std::shared_ptr<const DisplayColor> display_;
  store::Id client_id_ = 0;
  std::vector<store::Measurement> measurements_;
  std::vector<store::Formula> formulas_;  // the client's current versions

  QComboBox* measurement_;
  QComboBox* formula_;
  SwatchWidget* target_;
  SwatchWidget* healed_;
  SwatchWidget* expected_;
  QLabel* comparison_;
  QTableWidget* table_;
  QLabel* status_;
  QPushButton* save_;
  std::optional<TouchupCorrection> correction_;
};

}  // namespace pigmatch::gui
