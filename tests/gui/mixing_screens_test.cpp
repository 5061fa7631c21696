// The Match, mixing-record editor and Touch-up screens: real widgets on a real SQLite file, with
// the catalogs and mixing models plugin of the build tree. Each screen is checked against the
// real `pigmatch` executable on the same database (match --json, match --save, touchup --json),
// and the editor's prediction against a Kubelka–Munk mixer built here from the catalog.
//
// With PIGMATCH_SCREENSHOT_DIR set, the screens are also saved there as PNG
// (scripts/screenshots.sh).
#include <sqlite3.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "background_task.h"
#include "client_list.h"
#include "formula_editor.h"
#include "gui_fixture.h"
#include "main_window.h"
#include "match_page.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/formulation/mixing.h"
#include "pigmatch/formulation/model_fit.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "pigmatch/store/store.h"
#include "process.h"
#include "swatch_widget.h"
#include "touchup_page.h"

using namespace pigmatch;
using gui::test::pump_until;
using gui::test::save_screenshot;
using json = nlohmann::json;

namespace {

// The catalogs and models `pigmatch` finds when run from the build tree (and nothing of the
// user's: XDG_DATA_HOME points into the fixture's folder).
SearchPaths build_tree_paths() {
  SearchPaths paths;
  paths.plugin_directories.push_back(
      {std::filesystem::path(PIGMATCH_BINARY_DIR) / "plugins", Origin::builtin});
  paths.catalog_directories.push_back(
      {std::filesystem::path(PIGMATCH_SOURCE_DIR) / "data" / "catalogs", Origin::builtin});
  return paths;
}

test::ProcessResult run_cli(const std::vector<std::string>& args) {
  return test::run_process(PIGMATCH_EXE, args);
}

Lab lab_of(const json& j) {
  return {j.at("L").get<double>(), j.at("a").get<double>(), j.at("b").get<double>()};
}

// Replaces a spin box's text by typing, as a user does.
void type_into(QAbstractSpinBox* box, const QString& text) {
  box->setFocus();
  QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClick(box, Qt::Key_Backspace);
  QTest::keyClicks(box, text);
  QTest::keyClick(box, Qt::Key_Enter);
}

// Ticks only the catalog `id` in the Match screen's list (clicking the check boxes).
void tick_only(QListWidget* list, const QString& id) {
  for (int i = 0; i < list->count(); ++i) {
    QListWidgetItem* item = list->item(i);
    const bool wanted = item->data(Qt::UserRole).toString() == id;
    if ((item->checkState() == Qt::Checked) != wanted) {
      const QRect rect = list->visualItemRect(item);
      // The check box sits at the start of the row.
      QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                        QPoint(rect.left() + rect.height() / 2, rect.center().y()));
    }
  }
}

// Rows of a query on the database itself (not through pigmatch::Store).
std::vector<std::vector<std::string>> sql_rows(const std::string& db, const std::string& query) {
#ifdef PIGMATCH_GUI_ON_POSTGRES
  return pigmatch::test::PgRaw(db).rows(query);
#else
  sqlite3* handle = nullptr;
  std::vector<std::vector<std::string>> rows;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return rows;
  }
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle, query.c_str(), -1, &statement, nullptr) == SQLITE_OK) {
    while (sqlite3_step(statement) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(statement); ++c) {
        const auto* text = sqlite3_column_text(statement, c);
        row.emplace_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
      }
      rows.push_back(std::move(row));
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return rows;
#endif
}

}  // namespace

class MixingScreensTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void topRecipeIsTheCliTopRecipe();
  void searchCanBeCancelled();
  void badTargetIsAMessage();
  void measuredTargetCarriesItsUncertainty();
  void editorPredictsAndSavesANewVersion();
  void touchupCorrectionIsTheCliCorrection();
  void mainWindowOpensTheScreens();
  void learntSkinModelIsTheClisProfile();

 private:
  std::unique_ptr<gui::MatchPage> matchPage(store::Store& store) const {
    auto page = std::make_unique<gui::MatchPage>(store, registry_, gui::test::srgb_display());
    page->resize(1100, 600);
    page->show();
    return page;
  }
  std::vector<Catalog> catalogs() const {
    std::vector<Catalog> out;
    for (const CatalogEntry& e : registry_->catalogs())
      out.push_back(e.catalog);
    return out;
  }
  // Every column header of the recipe table reads whole: no section narrower than its title,
  // none scrolled out of view.
  static bool headers_read_whole(gui::MatchPage& page) {
    QHeaderView* header = page.recipeTable()->horizontalHeader();
    if (page.recipeTable()->horizontalScrollBar()->value() != 0) {
      qWarning("the recipe table is scrolled sideways");
      return false;
    }
    for (int i = 0; i < header->count(); ++i) {
      const QString title = page.recipeTable()->horizontalHeaderItem(i)->text();
      if (header->sectionSize(i) < header->fontMetrics().horizontalAdvance(title) + 8 ||
          header->sectionViewportPosition(i) < 0 ||
          header->sectionViewportPosition(i) + header->sectionSize(i) >
              header->viewport()->width()) {
        qWarning("column '%s' is %d px at %d of %d", qPrintable(title), header->sectionSize(i),
                 header->sectionViewportPosition(i), header->viewport()->width());
        return false;
      }
    }
    return true;
  }
  // Runs the search the page is set up for and waits for its end.
  static bool find(gui::MatchPage& page) {
    QTest::mouseClick(page.findButton(), Qt::LeftButton);
    return pump_until([&] { return !page.task()->isRunning(); }, 60000);
  }

  gui::test::GuiFixture fixture_;
  std::shared_ptr<const PluginRegistry> registry_;
  // The recipe the Match test saved (the editor and touch-up start from it).
  store::Id saved_formula_ = 0;
  Lab target_{35, 1, 3};
};

void MixingScreensTest::initTestCase() {
  QVERIFY(fixture_.dir.isValid());
  PIGMATCH_GUI_CREATE_FIXTURE(fixture_);
  // The CLI run by the tests must see exactly the GUI's catalogs and plugins.
  qputenv("XDG_DATA_HOME", QByteArray::fromStdString(fixture_.path(QStringLiteral("xdg"))));
  qunsetenv("PIGMATCH_PLUGIN_PATH");
  registry_ = std::make_shared<const PluginRegistry>(build_tree_paths());
  QVERIFY(registry_->find_catalog("demo-smp-carbon") != nullptr);
  QVERIFY(registry_->find_catalog("demo-camouflage") != nullptr);
}

void MixingScreensTest::topRecipeIsTheCliTopRecipe() {
  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  auto page = matchPage(*opened.store);
  page->showClient(fixture_.ana);
  // Every catalog found is offered and ticked; the load problems (none here) are shown.
  QCOMPARE(page->catalogList()->count(), static_cast<int>(registry_->catalogs().size()));
  QCOMPARE(page->loadProblems()->text(), QStringLiteral("Every catalog loaded."));
  tick_only(page->catalogList(), QStringLiteral("demo-smp-carbon"));
  type_into(page->targetL(), QStringLiteral("35"));
  type_into(page->targetA(), QStringLiteral("1"));
  type_into(page->targetB(), QStringLiteral("3"));
  type_into(page->maxPigments(), QStringLiteral("2"));
  QCOMPARE(page->modeBox()->currentText(), QStringLiteral("custom"));
  QSignalSpy progressed(page->task(), &gui::BackgroundTask::progressed);
  QVERIFY(find(*page));
  QVERIFY2(!page->recipes().empty(), qPrintable(page->status()->text()));
  QVERIFY(progressed.count() >= 1);

  const test::ProcessResult cli = run_cli({"match", "--target", "35,1,3", "--catalog",
                                           "demo-smp-carbon", "--max-pigments", "2", "--json"});
  QVERIFY2(cli.exit_code == 0, cli.err.c_str());
  const json expected = json::parse(cli.out);
  QCOMPARE(static_cast<std::size_t>(page->recipeTable()->rowCount()),
           expected.at("recipes").size());
  for (std::size_t rank = 0; rank < page->recipes().size(); ++rank) {
    const Recipe& shown = page->recipes()[rank];
    const json& r = expected.at("recipes").at(rank);
    QCOMPARE(shown.de00, r.at("de00").get<double>());
    QCOMPARE(shown.components.size(), r.at("components").size());
    for (std::size_t i = 0; i < shown.components.size(); ++i) {
      QCOMPARE(QString::fromStdString(shown.components[i].code),
               QString::fromStdString(r.at("components").at(i).at("code").get<std::string>()));
      QCOMPARE(shown.components[i].drops, r.at("components").at(i).at("drops").get<int>());
    }
  }
  // The first row: target and predicted healed colour side by side, the CLI's numbers.
  const Lab cli_predicted = lab_of(expected.at("recipes").at(0).at("predicted"));
  auto* target = page->findChild<gui::SwatchWidget*>(QStringLiteral("recipeTarget0"));
  auto* predicted = page->findChild<gui::SwatchWidget*>(QStringLiteral("recipePredicted0"));
  QVERIFY(target != nullptr && predicted != nullptr);
  QCOMPARE(target->lab().L, 35.0);
  QCOMPARE(predicted->lab().L, cli_predicted.L);
  QCOMPARE(predicted->lab().a, cli_predicted.a);
  QCOMPARE(predicted->lab().b, cli_predicted.b);
  QVERIFY(target->mapTo(page.get(), QPoint()).x() < predicted->mapTo(page.get(), QPoint()).x());
  QCOMPARE(page->recipeTable()->item(0, 1)->text(),
           QString::number(expected.at("recipes").at(0).at("de00").get<double>(), 'f', 2));
  QCOMPARE(page->recipeTable()->item(0, 2)->text(),
           QString::number(expected.at("recipes").at(0).at("objective").get<double>(), 'f', 2));
  save_screenshot(page.get(), "match.png");
  QVERIFY(headers_read_whole(*page));

  // Saved into Ana's first visit: the row in the file is the one `match --save` writes.
  page->visitBox()->setCurrentIndex(
      page->visitBox()->findData(QVariant::fromValue<qlonglong>(fixture_.ana_first_visit)));
  QVERIFY(page->saveButton()->isEnabled());
  QTest::mouseClick(page->saveButton(), Qt::LeftButton);
  const auto rows = sql_rows(fixture_.db,
                             "SELECT id, visit_id, model, catalog, predicted_L "
                             "FROM formulas ORDER BY id DESC LIMIT 1");
  QCOMPARE(rows.size(), std::size_t(1));
  saved_formula_ = std::stoll(rows[0][0]);
  QVERIFY(saved_formula_ != fixture_.ana_formula);
  QCOMPARE(rows[0][1], std::to_string(fixture_.ana_first_visit));
  QCOMPARE(rows[0][2], std::string("km"));
  QCOMPARE(rows[0][3], std::string("demo-smp-carbon"));
  QVERIFY(std::abs(std::stod(rows[0][4]) - cli_predicted.L) < 1e-9);
  QVERIFY(page->editButton()->isEnabled());

  // The CLI saving the same search into the same visit finds the GUI's row to be its own recipe
  // (store::Store::save_formula_once compares every component's drops and lot) and writes
  // nothing; what it would have written agrees with the row in prediction too.
  const std::size_t formulas_before =
      store::Store::open(fixture_.db).formula_history(fixture_.ana).size();
  const test::ProcessResult saved =
      run_cli({"match", "--target", "35,1,3", "--catalog", "demo-smp-carbon", "--max-pigments", "2",
               "--client", std::to_string(fixture_.ana), "--save", "--visit",
               std::to_string(fixture_.ana_first_visit), "--json", "--db", fixture_.db});
  QVERIFY2(saved.exit_code == 0, saved.err.c_str());
  const std::string said = "already saved as formula #" + std::to_string(saved_formula_);
  QVERIFY2(saved.err.find(said) != std::string::npos, saved.err.c_str());
  store::Store check = store::Store::open(fixture_.db);
  QCOMPARE(check.formula_history(fixture_.ana).size(), formulas_before);
  const store::Formula by_gui = check.formula(saved_formula_);
  const json by_cli = json::parse(saved.out).at("recipes").at(0);
  QCOMPARE(by_gui.predicted.L, lab_of(by_cli.at("predicted")).L);
  QCOMPARE(by_gui.predicted.a, lab_of(by_cli.at("predicted")).a);
  QCOMPARE(by_gui.delta_e00, by_cli.at("de00").get<double>());
  QCOMPARE(by_gui.components.size(), by_cli.at("components").size());
}

void MixingScreensTest::searchCanBeCancelled() {
  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  auto page = matchPage(*opened.store);
  // Every catalog, up to 4 pigments: a search of seconds.
  type_into(page->maxPigments(), QStringLiteral("4"));
  QSignalSpy cancelled(page->task(), &gui::BackgroundTask::cancelled);
  QSignalSpy succeeded(page->task(), &gui::BackgroundTask::succeeded);
  QTest::mouseClick(page->findButton(), Qt::LeftButton);
  QVERIFY(page->task()->isRunning());
  QVERIFY(!page->findButton()->isEnabled());
  QVERIFY(page->progress()->cancelButton()->isVisible());
  QTest::mouseClick(page->progress()->cancelButton(), Qt::LeftButton);
  QVERIFY(pump_until([&] { return !page->task()->isRunning(); }, 20000));
  QCOMPARE(cancelled.count(), 1);
  QCOMPARE(succeeded.count(), 0);
  QVERIFY(page->recipes().empty());
  QCOMPARE(page->recipeTable()->rowCount(), 0);
  QVERIFY2(page->status()->text().contains(QStringLiteral("cancelled")),
           qPrintable(page->status()->text()));
  QVERIFY(pump_until([&] { return page->findButton()->isEnabled(); }));
}

// A stored measurement's uncertainty is shown with it and with the target, and recipes the
// measurement cannot tell apart are said to be so.
void MixingScreensTest::measuredTargetCarriesItsUncertainty() {
  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  auto page = matchPage(*opened.store);
  page->showClient(fixture_.ana);
  page->targetSource()->setCurrentIndex(1);  // Ana's skin, ± 1.8 ΔE00
  QVERIFY2(page->targetSource()->currentText().contains(QStringLiteral("± 1.8")),
           qPrintable(page->targetSource()->currentText()));
  QCOMPARE(page->modeBox()->currentText(), QStringLiteral("camouflage"));
  tick_only(page->catalogList(), QStringLiteral("demo-camouflage"));
  QVERIFY(find(*page));
  const QString status = page->status()->text();
  QVERIFY2(status.contains(QStringLiteral("± 1.8")), qPrintable(status));
  const auto& recipes = page->recipes();
  QVERIFY(recipes.size() >= 2);
  std::size_t alike = 0;
  for (const Recipe& r : recipes)
    alike += r.de00 <= recipes.front().de00 + 1.8 ? 1 : 0;
  QVERIFY(alike >= 2);  // camouflage recipes within 1.8 of the best: the note must say so
  QVERIFY2(status.contains(QStringLiteral("cannot tell")), qPrintable(status));
}

void MixingScreensTest::badTargetIsAMessage() {
  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  auto page = matchPage(*opened.store);
  page->showClient(fixture_.ana);
  QSignalSpy failed(page.get(), &gui::MatchPage::failed);
  // Ana's skin measurement in follicle mode: a plain region has no hair to match.
  page->targetSource()->setCurrentIndex(1);
  QCOMPARE(page->modeBox()->currentText(), QStringLiteral("camouflage"));
  page->modeBox()->setCurrentIndex(page->modeBox()->findText(QStringLiteral("follicle")));
  QTest::mouseClick(page->findButton(), Qt::LeftButton);
  QCOMPARE(failed.count(), 1);
  QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("stubble")),
           qPrintable(failed.at(0).at(0).toString()));
  QVERIFY(!page->task()->isRunning());
  // No catalog ticked: said, not searched.
  page->modeBox()->setCurrentIndex(page->modeBox()->findText(QStringLiteral("camouflage")));
  tick_only(page->catalogList(), QStringLiteral("no such catalog"));
  QTest::mouseClick(page->findButton(), Qt::LeftButton);
  QCOMPARE(failed.count(), 2);
  QVERIFY(failed.at(1).at(0).toString().contains(QStringLiteral("catalog")));
}

void MixingScreensTest::editorPredictsAndSavesANewVersion() {
  QVERIFY2(saved_formula_ != 0, "the Match test saves the formula edited here");
  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  const store::Formula old = opened.store->formula(saved_formula_);
  gui::FormulaEditor editor(*opened.store, catalogs(), gui::test::srgb_display(), saved_formula_);
  editor.show();
  QVERIFY2(editor.saveButton()->isEnabled(), qPrintable(editor.status()->text()));
  // Opened: the stored drops give the stored prediction.
  const Lab opened_lab = editor.predictedSwatch()->lab();
  QVERIFY(delta_e2000(opened_lab, old.predicted) < 1e-6);

  // A Kubelka–Munk film on the catalog's card built here from the catalog: the reference.
  const Catalog* catalog = &registry_->find_catalog("demo-smp-carbon")->catalog;
  std::vector<Pigment> pigments;
  for (const store::Component& c : old.components)
    pigments.push_back(*find_pigment(*catalog, c.code));
  MixerConditions card;
  card.substrate = Spectrum::constant(KmOptions{}.card_reflectance);
  const auto reference = make_builtin_mixer(BuiltinModel::km, pigments, card);
  const auto reference_lab = [&](const std::vector<double>& drops) {
    double total = 0;
    for (std::size_t i = 0; i < drops.size(); ++i)
      total += drops[i] * old.components[i].ml / old.components[i].drops;
    std::vector<std::size_t> index;
    std::vector<double> fraction;
    for (std::size_t i = 0; i < drops.size(); ++i) {
      index.push_back(i);
      fraction.push_back(drops[i] * old.components[i].ml / old.components[i].drops / total);
    }
    return to_lab(*reference->mix({index, fraction}).reflectance);
  };

  // Two more drops of the first pigment (the darkest part of an SMP mix), by keyboard.
  QSpinBox* first = editor.dropsBox(0);
  QVERIFY(first != nullptr);
  first->setFocus();
  QTest::keyClick(first, Qt::Key_Up);
  QTest::keyClick(first, Qt::Key_Up);
  std::vector<double> drops;
  for (const store::Component& c : old.components)
    drops.push_back(c.drops);
  drops[0] += 2;
  QCOMPARE(double(first->value()), drops[0]);
  const Lab edited = editor.predictedSwatch()->lab();
  QVERIFY2(delta_e2000(edited, opened_lab) > 0.5, "the predicted colour follows the drops");
  QVERIFY(delta_e2000(edited, reference_lab(drops)) < 1e-6);
  const double de = delta_e2000(old.target, edited);
  QCOMPARE(editor.deltaE()->text(), QStringLiteral("ΔE00 %1 to the target").arg(de, 0, 'f', 2));
  QVERIFY(editor.predictedSwatch()->displayColor() != QColor());
  QTest::qWait(50);
  save_screenshot(&editor, "formula_editor.png");

  QSignalSpy saved(&editor, &gui::FormulaEditor::saved);
  QTest::mouseClick(editor.saveButton(), Qt::LeftButton);
  QCOMPARE(saved.count(), 1);
  const store::Id new_id = saved.at(0).at(1).value<store::Id>();
  // Both versions in the file; the old one exactly as it was.
  const std::string versions =
      "SELECT id, replaces, predicted_L, predicted_a, predicted_b, delta_e00 FROM formulas "
      "WHERE id IN (" +
      std::to_string(old.id) + ", " + std::to_string(new_id) + ") ORDER BY id";
  const auto rows = sql_rows(fixture_.db, versions);
  QCOMPARE(rows.size(), std::size_t(2));
  QCOMPARE(rows[0][0], std::to_string(old.id));
  QCOMPARE(rows[0][1], std::string("NULL"));
  QCOMPARE(std::stod(rows[0][2]), old.predicted.L);
  QCOMPARE(std::stod(rows[0][5]), old.delta_e00);
  QCOMPARE(rows[1][1], std::to_string(old.id));
  QVERIFY(std::abs(std::stod(rows[1][2]) - edited.L) < 1e-9);
  QVERIFY(std::abs(std::stod(rows[1][5]) - de) < 1e-9);
  const auto component = [&](store::Id id) {
    return sql_rows(fixture_.db, "SELECT code, drops FROM formula_components WHERE formula_id = " +
                                     std::to_string(id) + " ORDER BY position");
  };
  QCOMPARE(std::stod(component(old.id).at(0).at(1)), old.components[0].drops);
  QCOMPARE(component(new_id).at(0).at(0), old.components[0].code);
  QCOMPARE(std::stod(component(new_id).at(0).at(1)), drops[0]);
  QVERIFY(!editor.saveButton()->isEnabled());
  // The old version cannot be adjusted again: it is no longer current.
  gui::FormulaEditor again(*opened.store, catalogs(), gui::test::srgb_display(), old.id);
  QVERIFY(!again.saveButton()->isEnabled());
  QVERIFY(again.status()->text().contains(QString::number(new_id)));
}

void MixingScreensTest::touchupCorrectionIsTheCliCorrection() {
  // A client of their own: one formula from the Match rules, then a healed measurement 3 darker
  // and 1.5 bluer than predicted.
  store::Id client = 0, visit = 0, formula = 0;
  Lab healed{};
  // A healed measurement of the crown in the client's visit.
  const auto add_healed = [&](store::Store& s, const Lab& lab) {
    store::Measurement m;
    m.client_id = client;
    m.visit_id = visit;
    m.kind = store::MeasurementKind::healed;
    m.region = "crown";
    m.lab = lab;
    s.add_measurement(m);
  };
  {
    store::Store s = store::Store::open(fixture_.db);
    client = s.add_client({0, "Cy Touch", "", "", "", "", ""});
    visit = s.add_visit({0, client, store::VisitKind::initial, "2021-04-12", "crown", "", "", ""});
    const test::ProcessResult saved =
        run_cli({"match", "--target", "35,1,3", "--catalog", "demo-smp-carbon", "--max-pigments",
                 "2", "--client", std::to_string(client), "--save", "--db", fixture_.db});
    QVERIFY2(saved.exit_code == 0, saved.err.c_str());
    const store::Formula f = s.formula_history(client).at(0);
    formula = f.id;
    healed = {f.predicted.L - 3, f.predicted.a, f.predicted.b - 1.5};
    add_healed(s, healed);
  }
  const std::string measure = fixture_.path(QStringLiteral("healed.json"));
  std::ofstream(measure) << json{{"image", "healed.jpg"},
                                 {"regions",
                                  json::array({json{{"name", "crown"},
                                                    {"kind", "plain"},
                                                    {"lab_d50", {healed.L, healed.a, healed.b}}}})}}
                                .dump();
  const test::ProcessResult cli =
      run_cli({"touchup", std::to_string(client), "--from", measure, "--region", "crown",
               "--catalog", "demo-smp-carbon", "--json", "--db", fixture_.db});
  QVERIFY2(cli.exit_code == 0, cli.err.c_str());
  const json expected = json::parse(cli.out);

  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  gui::TouchupPage page(*opened.store, catalogs(), gui::test::srgb_display());
  page.resize(900, 600);
  page.show();
  page.showClient(client);
  QCOMPARE(page.measurementBox()->count(), 1);
  QCOMPARE(page.formulaBox()->currentData().toLongLong(), formula);
  QVERIFY2(page.correction().has_value(), qPrintable(page.status()->text()));
  const TouchupCorrection& c = *page.correction();
  // The difference in words, as the CLI says it.
  const QString text = page.comparison()->text();
  for (const auto& word : expected.at("vs_predicted").at("words"))
    QVERIFY2(text.contains(QString::fromStdString(word.get<std::string>())), qPrintable(text));
  QVERIFY(text.contains(QString::fromStdString(expected.at("vs_target").at("text"))));
  // The correction: the CLI's aim, drops and prediction.
  QCOMPARE(c.aim.L, expected.at("aim").at("L").get<double>());
  QCOMPARE(c.aim.b, expected.at("aim").at("b").get<double>());
  const json& correction = expected.at("correction");
  QCOMPARE(static_cast<std::size_t>(page.correctionTable()->rowCount()),
           correction.at("components").size());
  for (std::size_t i = 0; i < correction.at("components").size(); ++i) {
    const json& comp = correction.at("components").at(i);
    const int row = static_cast<int>(i);
    QCOMPARE(page.correctionTable()->item(row, 1)->text().toStdString(),
             comp.at("code").get<std::string>());
    QCOMPARE(page.correctionTable()->item(row, 2)->text().toDouble(),
             comp.at("drops").get<double>());
  }
  QCOMPARE(c.formula.predicted.L, correction.at("predicted").at("L").get<double>());
  QCOMPARE(c.expected_de00, expected.at("expected_de00").get<double>());
  QTest::qWait(50);  // the layout takes the new texts' heights from the event loop
  save_screenshot(&page, "touchup.png");

  QSignalSpy saved(&page, &gui::TouchupPage::formulaSaved);
  QTest::mouseClick(page.saveButton(), Qt::LeftButton);
  QCOMPARE(saved.count(), 1);
  const store::Id new_id = saved.at(0).at(1).value<store::Id>();
  const auto rows = sql_rows(fixture_.db,
                             "SELECT replaces, visit_id, predicted_L FROM formulas "
                             "WHERE id = " +
                                 std::to_string(new_id));
  QCOMPARE(rows.size(), std::size_t(1));
  QCOMPARE(rows[0][0], std::to_string(formula));
  QCOMPARE(rows[0][1], std::to_string(visit));
  QVERIFY(std::abs(std::stod(rows[0][2]) - correction.at("predicted").at("L").get<double>()) <
          1e-9);
  // The CLI now touches up the new version.
  const test::ProcessResult next =
      run_cli({"touchup", std::to_string(client), "--from", measure, "--region", "crown",
               "--catalog", "demo-smp-carbon", "--json", "--db", fixture_.db});
  QVERIFY2(next.exit_code == 0, next.err.c_str());
  QCOMPARE(json::parse(next.out).at("formula").at("id").get<store::Id>(), new_id);

  // Healed at the target: no correction, as the CLI says, and nothing to save.
  const Lab target = opened.store->formula(new_id).target;
  {
    store::Store s = store::Store::open(fixture_.db);
    add_healed(s, target);
  }
  page.showClient(client);
  for (int i = 0; i < page.measurementBox()->count(); ++i) {
    page.measurementBox()->setCurrentIndex(i);
    if (page.correction() && page.correction()->comparison.healed.L == target.L)
      break;
  }
  QVERIFY(page.correction().has_value());
  QCOMPARE(page.correction()->comparison.healed.L, target.L);
  QVERIFY(!page.correction()->improves);
  QVERIFY2(page.status()->text().startsWith(QStringLiteral("No correction: ")),
           qPrintable(page.status()->text()));
  QVERIFY(page.status()->text().contains(QStringLiteral("keep the formula")));
  QVERIFY(!page.saveButton()->isEnabled());
}

void MixingScreensTest::mainWindowOpensTheScreens() {
  gui::test::GuiSession session(fixture_.db);
  QVERIFY2(session.ok(), qPrintable(session.opened.error));
  gui::MainWindow& window = *session.window;
  window.show();
  auto* tabs = window.findChild<QTabWidget*>(QStringLiteral("screens"));
  QVERIFY(tabs != nullptr);
  QVERIFY(tabs->indexOf(window.matchPage()) >= 0);
  QVERIFY(tabs->indexOf(window.touchupPage()) >= 0);
  // Selecting a client shows them on every screen.
  QListWidget* list = window.clientList()->list();
  gui::test::click_item(list, gui::test::item_named(list, QStringLiteral("Ana")));
  QCOMPARE(window.matchPage()->clientId(), fixture_.ana);
  QCOMPARE(window.touchupPage()->clientId(), fixture_.ana);
  // On a laptop's 1366×768 screen the window fits, and the recipes' table reads whole at the
  // width the Match screen gets there (the window's own registry follows the user's folders,
  // which hold no catalog here, so the search runs on a page of that size with the tests').
  window.resize(1366, 768);
  tabs->setCurrentWidget(window.matchPage());
  QTest::qWait(50);
  QVERIFY(window.width() <= 1366 && window.minimumSizeHint().width() <= 1366);
  QVERIFY(window.minimumSizeHint().height() <= 768);
  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  auto match = matchPage(*opened.store);
  match->resize(window.matchPage()->size());
  tick_only(match->catalogList(), QStringLiteral("demo-smp-carbon"));
  type_into(match->targetL(), QStringLiteral("35"));
  type_into(match->targetA(), QStringLiteral("1"));
  type_into(match->targetB(), QStringLiteral("3"));
  type_into(match->maxPigments(), QStringLiteral("2"));
  QVERIFY(find(*match));
  QVERIFY2(!match->recipes().empty(), qPrintable(match->status()->text()));
  QTest::qWait(50);
  QVERIFY(headers_read_whole(*match));
  // The client page's "Adjust drops…" opens the editor on that formula.
  auto* adjust =
      window.findChild<QPushButton*>(QStringLiteral("editFormula%1").arg(fixture_.ana_formula));
  QVERIFY(adjust != nullptr);
  QTest::mouseClick(adjust, Qt::LeftButton);
  auto* editor = window.findChild<gui::FormulaEditor*>();
  QVERIFY(editor != nullptr);
  QCOMPARE(editor->formula().id, fixture_.ana_formula);
  // Its pigments (catalog acme-smp) are in no catalog loaded: said, and nothing can be saved.
  QVERIFY(!editor->saveButton()->isEnabled());
  QVERIFY2(editor->status()->text().contains(QStringLiteral("CB-01")),
           qPrintable(editor->status()->text()));
}

void MixingScreensTest::learntSkinModelIsTheClisProfile() {
  // A profile saved where `pigmatch model fit` saves them (this test's XDG_DATA_HOME), learnt
  // load 1.4 against the default 0.5.
  ModelFit learnt;
  learnt.records = 40;
  learnt.all_skins.parameters.pigment_load = 1.4;
  learnt.all_skins.records = 40;
  const std::filesystem::path folder =
      fixture_.path(QStringLiteral("xdg")) + "/pigmatch/model-profiles";
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "studio.json") << model_profile_json(learnt, "studio");

  gui::OpenedDatabase opened = gui::open_database(fixture_.db);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  // Ana's hair on her crown: with her crown skin, a follicle target (added here, the last test).
  store::Measurement hair;
  hair.client_id = fixture_.ana;
  hair.visit_id = fixture_.ana_touchup_visit;
  hair.kind = store::MeasurementKind::hair;
  hair.region = "crown";
  hair.lab = Lab{28, 3, 5};
  opened.store->add_measurement(hair);
  auto page = matchPage(*opened.store);
  page->showClient(fixture_.ana);
  const int profile = page->profileBox()->findText(QStringLiteral("studio"));
  QVERIFY2(profile > 0, "the saved profile is offered");
  QCOMPARE(page->profileBox()->itemText(0), QStringLiteral("defaults"));
  int hair_target = -1;
  for (int i = 0; i < page->targetSource()->count(); ++i) {
    if (page->targetSource()->itemText(i).contains(QStringLiteral("hair")))
      hair_target = i;
  }
  QVERIFY(hair_target > 0);
  page->targetSource()->setCurrentIndex(hair_target);
  QCOMPARE(page->modeBox()->currentText(), QStringLiteral("follicle"));
  tick_only(page->catalogList(), QStringLiteral("demo-smp-carbon"));
  page->profileBox()->setCurrentIndex(profile);
  QVERIFY(find(*page));
  QVERIFY2(!page->recipes().empty(), qPrintable(page->status()->text()));
  const Recipe with_profile = page->recipes().front();

  const test::ProcessResult cli =
      run_cli({"match", "--target", "28,3,5", "--mode", "follicle", "--skin", "66,12,17",
               "--catalog", "demo-smp-carbon", "--model-profile", "studio", "--json"});
  QVERIFY2(cli.exit_code == 0, cli.err.c_str());
  const json expected = json::parse(cli.out);
  QCOMPARE(expected.at("model_profile").at("pigment_load").get<double>(), 1.4);
  const json& top = expected.at("recipes").at(0);
  QCOMPARE(with_profile.de00, top.at("de00").get<double>());
  QCOMPARE(with_profile.components.size(), top.at("components").size());
  for (std::size_t i = 0; i < with_profile.components.size(); ++i)
    QCOMPARE(with_profile.components[i].drops, top.at("components").at(i).at("drops").get<int>());

  // The defaults predict the same hair otherwise: the profile changed the answer.
  page->profileBox()->setCurrentIndex(0);
  QVERIFY(find(*page));
  const Recipe& with_defaults = page->recipes().front();
  QVERIFY(with_defaults.components.size() != with_profile.components.size() ||
          with_defaults.components.front().drops != with_profile.components.front().drops ||
          with_defaults.components.front().code != with_profile.components.front().code);

  // A learnt skin model with another model is said, not searched.
  page->profileBox()->setCurrentIndex(profile);
  page->modelBox()->setCurrentIndex(page->modelBox()->findData(static_cast<int>(BuiltinModel::km)));
  QSignalSpy failed(page.get(), &gui::MatchPage::failed);
  QTest::mouseClick(page->findButton(), Qt::LeftButton);
  QCOMPARE(failed.count(), 1);
  QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("skin model")),
           qPrintable(failed.at(0).at(0).toString()));

  // A profile `model fit` saves while the screen is open is offered when it is shown again,
  // and the chosen one stays chosen.
  std::ofstream(folder / "room-2.json") << model_profile_json(learnt, "room-2");
  QCOMPARE(page->profileBox()->findText(QStringLiteral("room-2")), -1);
  page->hide();
  page->show();
  QVERIFY2(page->profileBox()->findText(QStringLiteral("room-2")) > 0,
           "a profile saved since is offered");
  QCOMPARE(page->profileBox()->currentText(), QStringLiteral("studio"));
}

QTEST_MAIN(MixingScreensTest)
#include "mixing_screens_test.moc"
