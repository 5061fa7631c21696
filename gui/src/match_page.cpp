#include "match_page.h"

#include <QComboBox>
#include <QDate>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QShowEvent>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>
#include <filesystem>
#include <optional>

#include "background_task.h"
#include "pigmatch/error.h"
#include "pigmatch/formulation/model_fit.h"
#include "swatch_widget.h"
#include "text.h"

namespace pigmatch::gui {
namespace {

// ± the measured colour's uncertainty (ΔE00), when it was recorded.
QString uncertainty_text(const std::optional<double>& u) {
  return u ? QStringLiteral(" ± %1").arg(*u, 0, 'f', 1) : QString();
}

QString measurement_text(const store::Measurement& m) {
  return QStringLiteral("%1 %2 #%3 · %4%5")
      .arg(qs(to_string(m.kind)), qs(m.region))
      .arg(m.id)
      .arg(lab_text(m.lab), uncertainty_text(m.uncertainty_de00));
}

QString visit_text(const store::Visit& v) {
  QString text = QStringLiteral("%1 %2").arg(qs(v.date), qs(to_string(v.kind)));
  if (!v.area.empty())
    text += QStringLiteral(" — ") + qs(v.area);
  return text;
}

QString components_text(const Recipe& recipe) {
  QStringList lines;
  for (const RecipeComponent& c : recipe.components) {
    lines << QStringLiteral("%1 %2 %3 %4 (%5 ml)")
                 .arg(c.drops)
                 .arg(c.drops == 1 ? QStringLiteral("drop") : QStringLiteral("drops"))
                 .arg(qs(c.code), qs(c.name))
                 .arg(c.ml, 0, 'f', 2);
  }
  return lines.join(QLatin1Char('\n'));
}

constexpr int typed_target = 0;  // the target list's first entry; measurements follow

}  // namespace

MatchPage::MatchPage(store::Store& store, std::shared_ptr<const PluginRegistry> registry,
                     std::shared_ptr<const DisplayColor> display, QWidget* parent)
    : QWidget(parent),
      store_(store),
      registry_(std::move(registry)),
      display_(std::move(display)),
      task_(new BackgroundTask(this)) {
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(buildInputs());
  layout->addWidget(buildResults(), 1);
  fillCatalogs();
  fillModels();
  refreshProfiles();
  connect(find_, &QPushButton::clicked, this, &MatchPage::findRecipes);
  connect(save_, &QPushButton::clicked, this, [this] { (void)saveSelected(); });
  connect(edit_, &QPushButton::clicked, this, [this] {
    if (saved_formula_)
      emit editFormulaRequested(*saved_formula_);
  });
  connect(table_, &QTableWidget::itemSelectionChanged, this,
          [this] { save_->setEnabled(client_id_ != 0 && table_->currentRow() >= 0); });
  connect(task_, &BackgroundTask::failed, this, &MatchPage::fail);
  connect(task_, &BackgroundTask::cancelled, this, [this] {
    status_->setText(
        QStringLiteral("Search cancelled: no recipes. Press Find recipes to start "
                       "again."));
  });
  connect(task_, &BackgroundTask::finished, this, [this] { find_->setEnabled(true); });
}

// The search is joined before the members it delivers into go.
MatchPage::~MatchPage() {
  delete task_;
}

QWidget* MatchPage::buildInputs() {
  auto* box = new QWidget(this);
  auto* layout = new QVBoxLayout(box);

  auto* target = new QGroupBox(QStringLiteral("Target"), box);
  auto* form = new QFormLayout(target);
  target_source_ = new QComboBox(target);
  target_source_->setObjectName(QStringLiteral("targetSource"));
  target_source_->addItem(QStringLiteral("Typed L*a*b* (D50)"));
  form->addRow(QStringLiteral("Colour"), target_source_);
  const auto spin = [&](const char* name, double low, double high, double value) {
    auto* s = new QDoubleSpinBox(target);
    s->setObjectName(QLatin1String(name));
    s->setRange(low, high);
    s->setDecimals(2);
    s->setValue(value);
    return s;
  };
  target_l_ = spin("targetL", 0, 100, 35);
  target_a_ = spin("targetA", -128, 128, 1);
  target_b_ = spin("targetB", -128, 128, 3);
  auto* lab_row = new QHBoxLayout;
  lab_row->addWidget(target_l_);
  lab_row->addWidget(target_a_);
  lab_row->addWidget(target_b_);
  form->addRow(QStringLiteral("L* a* b*"), lab_row);
  mode_ = new QComboBox(target);
  mode_->setObjectName(QStringLiteral("mode"));
  for (const FormulationMode m :
       {FormulationMode::custom, FormulationMode::follicle, FormulationMode::camouflage})
    mode_->addItem(qs(to_string(m)), static_cast<int>(m));
  mode_->setToolTip(
      QStringLiteral("follicle: the hair of a stubble measurement seen on its skin; camouflage: "
                     "the skin (scars); custom: the typed colour"));
  form->addRow(QStringLiteral("Mode"), mode_);
  // A measurement chosen: its mode by default (libcore's rule); typed: custom.
  connect(target_source_, &QComboBox::currentIndexChanged, this, [this](int index) {
    const bool typed = index == typed_target;
    for (QDoubleSpinBox* s : {target_l_, target_a_, target_b_})
      s->setEnabled(typed);
    const bool hair = !typed && index - 1 < static_cast<int>(measurements_.size()) &&
                      measurements_[std::size_t(index - 1)].kind == store::MeasurementKind::hair;
    const FormulationMode mode = typed  ? FormulationMode::custom
                                 : hair ? FormulationMode::follicle
                                        : FormulationMode::camouflage;
    mode_->setCurrentIndex(mode_->findData(static_cast<int>(mode)));
  });
  layout->addWidget(target);

  auto* catalogs = new QGroupBox(QStringLiteral("Catalogs"), box);
  auto* catalog_layout = new QVBoxLayout(catalogs);
  catalogs_ = new QListWidget(catalogs);
  catalogs_->setObjectName(QStringLiteral("catalogList"));
  load_problems_ = new QLabel(catalogs);
  load_problems_->setObjectName(QStringLiteral("loadProblems"));
  load_problems_->setWordWrap(true);
  catalog_layout->addWidget(catalogs_);
  catalog_layout->addWidget(load_problems_);
  layout->addWidget(catalogs);

  auto* search = new QGroupBox(QStringLiteral("Search"), box);
  auto* search_form = new QFormLayout(search);
  model_ = new QComboBox(search);
  model_->setObjectName(QStringLiteral("model"));
  search_form->addRow(QStringLiteral("Model"), model_);
  profile_ = new QComboBox(search);
  profile_->setObjectName(QStringLiteral("modelProfile"));
  profile_->setToolTip(
      QStringLiteral("The skin model as learnt from your healed results (pigmatch model fit)"));
  search_form->addRow(QStringLiteral("Learnt skin model"), profile_);
  max_pigments_ = new QSpinBox(search);
  max_pigments_->setObjectName(QStringLiteral("maxPigments"));
  max_pigments_->setRange(1, 4);
  max_pigments_->setValue(3);
  search_form->addRow(QStringLiteral("Max pigments"), max_pigments_);
  find_ = new QPushButton(QStringLiteral("Find recipes"), search);
  find_->setObjectName(QStringLiteral("findRecipes"));
  search_form->addRow(find_);
  progress_ = new TaskProgressWidget(search);
  progress_->setObjectName(QStringLiteral("matchProgress"));
  progress_->attach(task_);
  search_form->addRow(progress_);
  layout->addWidget(search);
  layout->addStretch(1);
  return box;
}

QWidget* MatchPage::buildResults() {
  auto* box = new QWidget(this);
  auto* layout = new QVBoxLayout(box);
  status_ = new QLabel(QStringLiteral("Choose a target and press Find recipes."), box);
  status_->setObjectName(QStringLiteral("matchStatus"));
  status_->setWordWrap(true);
  layout->addWidget(status_);
  table_ = new QTableWidget(0, 4, box);
  table_->setObjectName(QStringLiteral("recipes"));
  table_->setHorizontalHeaderLabels({QStringLiteral("Target | predicted healed"),
                                     QStringLiteral("ΔE00"), QStringLiteral("Score"),
                                     QStringLiteral("Recipe (drops)")});
  // The score ranks: a rank whose ΔE00 is below the one above it shows why.
  table_->horizontalHeaderItem(2)->setToolTip(
      QStringLiteral("What ranks the recipes: ΔE00 (in follicle mode with chroma and hue at half "
                     "weight, the healed shade first) + 0.05 for each pigment beyond the first"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setStretchLastSection(true);
  layout->addWidget(table_, 1);
  auto* save_row = new QHBoxLayout;
  visit_ = new QComboBox(box);
  visit_->setObjectName(QStringLiteral("saveVisit"));
  save_ = new QPushButton(QStringLiteral("Save as visit's formula"), box);
  save_->setObjectName(QStringLiteral("saveRecipe"));
  save_->setEnabled(false);
  edit_ = new QPushButton(QStringLiteral("Edit drops…"), box);
  edit_->setObjectName(QStringLiteral("editSaved"));
  edit_->setEnabled(false);
  save_row->addWidget(new QLabel(QStringLiteral("Visit"), box));
  save_row->addWidget(visit_, 1);
  save_row->addWidget(save_);
  save_row->addWidget(edit_);
  layout->addLayout(save_row);
  return box;
}

void MatchPage::fillCatalogs() {
  for (const CatalogEntry& e : registry_->catalogs()) {
    auto* item = new QListWidgetItem(QStringLiteral("%1 — %2 (%3 pigments)")
                                         .arg(qs(e.catalog.id), qs(e.catalog.vendor))
                                         .arg(e.catalog.pigments.size()),
                                     catalogs_);
    item->setData(Qt::UserRole, qs(e.catalog.id));
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
  }
  QStringList problems;
  for (const LoadProblem& p : registry_->problems())
    problems << qs(to_string(p)).toHtmlEscaped();
  load_problems_->setText(problems.isEmpty() ? QStringLiteral("Every catalog loaded.")
                                             : problems.join(QStringLiteral("<br>")));
}

void MatchPage::fillModels() {
  model_->addItem(QStringLiteral("default (skin for follicle, else km)"));
  // Only the models the match rules know the conditions of (match.h); a vendor's other models
  // are listed by `pigmatch plugin list`.
  for (const PluginInfo& plugin : registry_->plugins()) {
    for (const MixingModelInfo& m : plugin.mixing_models) {
      try {
        const BuiltinModel model = parse_builtin_model(m.id);
        if (model_->findData(static_cast<int>(model)) < 0)
          model_->addItem(QStringLiteral("%1 — %2").arg(qs(m.id), qs(m.name)),
                          static_cast<int>(model));
      } catch (const Error&) {
        continue;
      }
    }
  }
}

void MatchPage::refreshProfiles() {
  const QVariant chosen = profile_->currentData();
  profile_->clear();
  profile_->addItem(QStringLiteral("defaults"));
  for (const std::filesystem::path& file : saved_model_profiles())
    profile_->addItem(qs(file.stem().string()), qs(file.string()));
  const int again = chosen.isValid() ? profile_->findData(chosen) : -1;
  profile_->setCurrentIndex(std::max(again, 0));
}

void MatchPage::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refreshProfiles();
}

void MatchPage::showClient(store::Id id) {
  std::vector<store::Measurement> measurements;
  std::vector<store::Visit> visits;
  try {
    const store::ClientRecord record = store_.client_record(id);
    measurements = record.measurements;
    visits = record.visits;
  } catch (const std::exception& e) {
    fail(QStringLiteral("Cannot read client %1: %2").arg(id).arg(QString::fromUtf8(e.what())));
    return;
  }
  // The same client again (after a save): keep the chosen target.
  const int keep = id == client_id_ ? target_source_->currentIndex() : typed_target;
  client_id_ = id;
  measurements_ = std::move(measurements);
  visits_ = std::move(visits);
  target_source_->blockSignals(true);
  while (target_source_->count() > 1)
    target_source_->removeItem(1);
  for (const store::Measurement& m : measurements_)
    target_source_->addItem(measurement_text(m));
  target_source_->setCurrentIndex(-1);
  target_source_->blockSignals(false);
  target_source_->setCurrentIndex(std::min(keep, target_source_->count() - 1));
  visit_->clear();
  for (auto it = visits_.rbegin(); it != visits_.rend(); ++it)
    visit_->addItem(visit_text(*it), QVariant::fromValue<qlonglong>(it->id));
  visit_->addItem(QStringLiteral("New visit today"), QVariant::fromValue<qlonglong>(0));
  save_->setEnabled(table_->currentRow() >= 0);
}

MatchTarget MatchPage::targetFromControls(FormulationMode mode) {
  const int index = target_source_->currentIndex();
  if (index == typed_target || index < 0) {
    if (mode != FormulationMode::custom) {
      throw Error(ErrorCode::invalid_argument,
                  "a typed colour is matched in custom mode; for follicle or camouflage choose "
                  "one of the client's measurements as the colour");
    }
    MatchTarget t;
    t.lab_d50 = {target_l_->value(), target_a_->value(), target_b_->value()};
    return t;
  }
  const store::Measurement& m = measurements_.at(std::size_t(index - 1));
  return target_from_region(stored_region_colours(store_, m), mode,
                            QStringLiteral("measurement #%1").arg(m.id).toStdString());
}

MatchPage::Search MatchPage::searchFromControls() {
  Search s;
  const auto mode = static_cast<FormulationMode>(mode_->currentData().toInt());
  s.target = targetFromControls(mode);
  s.model = model_->currentIndex() <= 0 ? default_model(s.target.mode)
                                        : static_cast<BuiltinModel>(model_->currentData().toInt());
  // A skin model without skin fails here, at once.
  s.conditions = match_conditions(s.model, s.target);
  if (profile_->currentIndex() > 0) {
    if (s.model != BuiltinModel::skin) {
      throw Error(ErrorCode::invalid_argument,
                  "a learnt skin model adjusts the skin model: choose follicle mode or the skin "
                  "model, or the defaults");
    }
    const SkinParameters p =
        parameters_for(read_model_profile_file(profile_->currentData().toString().toStdString()),
                       *s.target.skin_d50);
    s.conditions.parameters = {{"pigment_load", p.pigment_load},
                               {"epidermis_thickness_um", p.epidermis_thickness_um}};
  }
  std::vector<std::string> ids;
  for (int i = 0; i < catalogs_->count(); ++i) {
    const QListWidgetItem* item = catalogs_->item(i);
    if (item->checkState() == Qt::Checked)
      ids.push_back(item->data(Qt::UserRole).toString().toStdString());
  }
  if (ids.empty())
    throw Error(ErrorCode::invalid_argument, "no catalog is ticked: tick the catalogs to use");
  s.catalogs = match_catalogs(*registry_, ids, false);
  s.request = match_request(s.target, std::size_t(max_pigments_->value()));
  return s;
}

void MatchPage::findRecipes() {
  Search search;
  try {
    search = searchFromControls();
  } catch (const std::exception& e) {
    fail(QString::fromUtf8(e.what()));
    return;
  }
  find_->setEnabled(false);
  status_->setText(
      QStringLiteral("Searching recipes for %1…").arg(lab_text(search.target.lab_d50)));
  task_->start(
      [registry = registry_, search](TaskProgress& progress) {
        FormulationRequest request = search.request;
        const auto report = progress.callback();
        request.progress = [report](double done) { return report(done, "searching recipes"); };
        // Follicle recipes from pigments meant for SMP, camouflage from camouflage products.
        PigmentFilter filter;
        filter.use = default_use(search.target.mode);
        const PigmentPool pool = select_pigments(search.catalogs, filter);
        const auto mixer = make_plugin_mixer(match_model(*registry, search.model), pool.pigments(),
                                             search.conditions);
        return formulate(request, pool, *mixer);
      },
      [this, search](FormulationResult result) { showResult(search, std::move(result)); });
}

void MatchPage::showResult(Search search, FormulationResult result) {
  shown_ = std::move(search);
  const std::optional<double>& known = shown_->target.uncertainty_de00;
  // Before the recipes move out of the result.
  const std::size_t alike = known ? recipes_within_uncertainty(result, *known) : 0;
  recipes_ = std::move(result.recipes);
  saved_formula_.reset();
  edit_->setEnabled(false);
  QString text = QStringLiteral("%1 recipes for %2%3 (%4, model %5).")
                     .arg(recipes_.size())
                     .arg(lab_text(shown_->target.lab_d50), uncertainty_text(known),
                          qs(to_string(shown_->target.mode)), qs(to_string(shown_->model)));
  if (const std::string_view use = default_use(shown_->target.mode); !use.empty())
    text += QStringLiteral(" From pigments meant for %1, as their catalogs say.").arg(qs(use));
  if (alike >= 2) {
    text += QStringLiteral(
                "\nRecipes 1–%1 differ by less than the target's own uncertainty: "
                "the photo cannot tell which is closer.")
                .arg(alike);
  }
  if (!result.warning.empty())
    text += QStringLiteral("\nWarning: ") + qs(result.warning);
  status_->setText(text);
  showRecipes();
}

void MatchPage::showRecipes() {
  table_->clearContents();
  table_->setRowCount(static_cast<int>(recipes_.size()));
  for (int row = 0; row < table_->rowCount(); ++row) {
    const Recipe& r = recipes_[std::size_t(row)];
    auto* pair = new QWidget(table_);
    auto* swatches = new QHBoxLayout(pair);
    swatches->setContentsMargins(2, 2, 2, 2);
    auto* target = new SwatchWidget(display_, pair);
    target->setObjectName(QStringLiteral("recipeTarget%1").arg(row));
    target->setLab(shown_->target.lab_d50);
    auto* predicted = new SwatchWidget(display_, pair);
    predicted->setObjectName(QStringLiteral("recipePredicted%1").arg(row));
    predicted->setLab(r.predicted_lab_d50);
    swatches->addWidget(target);
    swatches->addWidget(predicted);
    table_->setCellWidget(row, 0, pair);
    table_->setItem(row, 1, new QTableWidgetItem(QString::number(r.de00, 'f', 2)));
    table_->setItem(row, 2, new QTableWidgetItem(QString::number(r.objective, 'f', 2)));
    table_->setItem(row, 3, new QTableWidgetItem(components_text(r)));
  }
  table_->resizeColumnsToContents();
  table_->resizeRowsToContents();
  if (!recipes_.empty())
    table_->selectRow(0);
}

std::optional<store::Id> MatchPage::saveSelected() {
  const int row = table_->currentRow();
  if (!shown_ || row < 0 || row >= static_cast<int>(recipes_.size()) || client_id_ == 0) {
    fail(QStringLiteral("Select a client and one of the recipes to save."));
    return std::nullopt;
  }
  try {
    store::Formula f =
        recipe_formula(shown_->target, shown_->model, shown_->catalogs, recipes_[std::size_t(row)]);
    f.client_id = client_id_;
    store::Id visit = visit_->currentData().toLongLong();
    if (visit == 0) {
      store::Visit v;
      v.client_id = client_id_;
      v.kind = shown_->target.mode == FormulationMode::camouflage ? store::VisitKind::camouflage
               : visits_.empty()                                  ? store::VisitKind::initial
                                                                  : store::VisitKind::second;
      v.date = QDate::currentDate().toString(Qt::ISODate).toStdString();
      v.area = f.region;
      visit = store_.add_visit(v);
    }
    f.visit_id = visit;
    const store::SaveOutcome saved = store_.save_formula_once(f);
    const store::Id id = saved.id;
    saved_formula_ = id;
    edit_->setEnabled(true);
    status_->setText((saved.written
                          ? QStringLiteral("Saved recipe %1 as formula #%2 of visit %3.")
                          : QStringLiteral("Recipe %1 is already saved as formula #%2 of visit %3; "
                                           "nothing new was written."))
                         .arg(row + 1)
                         .arg(id)
                         .arg(visit));
    const store::Id client = client_id_;
    showClient(client);  // a new visit joins the list
    visit_->setCurrentIndex(visit_->findData(QVariant::fromValue<qlonglong>(visit)));
    emit formulaSaved(client, id);
    return id;
  } catch (const std::exception& e) {
    fail(QStringLiteral("The recipe was not saved: %1").arg(QString::fromUtf8(e.what())));
    return std::nullopt;
  }
}

void MatchPage::fail(const QString& message) {
  status_->setText(message);
  emit failed(message);
}

}  // namespace pigmatch::gui
