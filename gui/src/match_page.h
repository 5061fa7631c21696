// match_page — the Match screen: a target (a measurement of the selected client, or a typed
// L,a,b), the catalogs, mode, model and pigment count; "Find recipes" runs libcore's formulator
// off the UI thread with progress and Cancel; the ranked recipes show the target and the
// predicted healed colour side by side with ΔE00 and drops; the chosen one is saved as a visit's
// formula. Every rule (targets per mode, model, conditions, catalogs, the saved formula) is
// libcore's match.h, the same `pigmatch match` uses.
#pragma once

#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "display_color.h"
#include "pigmatch/formulation/formulate.h"
#include "pigmatch/formulation/match.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "pigmatch/store/store.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace pigmatch::gui {

class BackgroundTask;
class TaskProgressWidget;

class MatchPage : public QWidget {
  Q_OBJECT

 public:
  /// A page over `store` (which must outlive it), matching with the catalogs and models of
  /// `registry`; swatches convert through `display`.
  MatchPage(store::Store& store, std::shared_ptr<const PluginRegistry> registry,
            std::shared_ptr<const DisplayColor> display, QWidget* parent = nullptr);
  ~MatchPage() override;

  /// Offers client `id`'s measurements as targets and visits to save into.
  void showClient(store::Id id);
  store::Id clientId() const noexcept { return client_id_; }

  /// Starts the search with what the controls say (what "Find recipes" does).
  void findRecipes();
  /// Saves the selected recipe as a formula of the chosen visit (what "Save" does); returns
  /// its id, or none after showing why not.
  std::optional<store::Id> saveSelected();

  // The controls, for tests.
  QComboBox* targetSource() const noexcept { return target_source_; }
  QDoubleSpinBox* targetL() const noexcept { return target_l_; }
  QDoubleSpinBox* targetA() const noexcept { return target_a_; }
  QDoubleSpinBox* targetB() const noexcept { return target_b_; }
  QListWidget* catalogList() const noexcept { return catalogs_; }
  QLabel* loadProblems() const noexcept { return load_problems_; }
  QComboBox* modeBox() const noexcept { return mode_; }
  QComboBox* modelBox() const noexcept { return model_; }
  /// "defaults", then every saved model profile (pigmatch model fit), by name.
  QComboBox* profileBox() const noexcept { return profile_; }
  QSpinBox* maxPigments() const noexcept { return max_pigments_; }
  QPushButton* findButton() const noexcept { return find_; }
  TaskProgressWidget* progress() const noexcept { return progress_; }
  BackgroundTask* task() const noexcept { return task_; }
  QTableWidget* recipeTable() const noexcept { return table_; }
  QComboBox* visitBox() const noexcept { return visit_; }
  QPushButton* saveButton() const noexcept { return save_; }
  QPushButton* editButton() const noexcept { return edit_; }
  QLabel* status() const noexcept { return status_; }
  /// The recipes shown, best first (empty before a search or after a cancelled one).
  const std::vector<Recipe>& recipes() const noexcept { return recipes_; }

 signals:
  /// Something went wrong; `message` says what to do.
  void failed(const QString& message);
  /// A recipe was saved as formula `formula` of client `client`.
  void formulaSaved(pigmatch::store::Id client, pigmatch::store::Id formula);
  /// The user wants to adjust the drops of a saved formula.
  void editFormulaRequested(pigmatch::store::Id formula);

 protected:
  /// Shown again (another screen was in front): profiles that `pigmatch model fit` saved since
  /// appear in the list.
  void showEvent(QShowEvent* event) override;

 private:
  // What one search was asked for (kept to save its recipes).
  struct Search {
    MatchTarget target;
    BuiltinModel model = BuiltinModel::km;
    MixConditions conditions;  // the model's, with a learnt profile's parameters
    std::vector<Catalog> catalogs;
    FormulationRequest request;
  };

  QWidget* buildInputs();
  QWidget* buildResults();
  void fillCatalogs();
  void fillModels();
  /// The saved model profiles, the chosen one kept when it is still there.
  void refreshProfiles();
  Search searchFromControls();
  MatchTarget targetFromControls(FormulationMode mode);
  void showResult(Search search, FormulationResult result);
  void showRecipes();
  void fail(const QString& message);

  store::Store& store_;
  std::shared_ptr<const PluginRegistry> registry_;
  std::shared_ptr<const DisplayColor> display_;
  store::Id client_id_ = 0;
  std::vector<store::Measurement> measurements_;  // the target list's, after "typed"
  std::vector<store::Visit> visits_;              // the visit list's, before "new visit"

  QComboBox* target_source_;
  QDoubleSpinBox* target_l_;
  QDoubleSpinBox* target_a_;
  QDoubleSpinBox* target_b_;
  QListWidget* catalogs_;
  QLabel* load_problems_;
  QComboBox* mode_;
  QComboBox* model_;
  QComboBox* profile_;
  QSpinBox* max_pigments_;
  QPushButton* find_;
  TaskProgressWidget* progress_;
  BackgroundTask* task_;
  QTableWidget* table_;
  QComboBox* visit_;
  QPushButton* save_;
  QPushButton* edit_;
  QLabel* status_;

  std::optional<Search> shown_;  // the search whose recipes are shown
  std::vector<Recipe> recipes_;
  std::optional<store::Id> saved_formula_;
};

}  // namespace pigmatch::gui
