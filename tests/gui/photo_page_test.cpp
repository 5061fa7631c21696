// The Photo screen driven through its real widgets (offscreen) on the sample photo
// data/samples/scalp-canon40d-f11.jpg (a rendered ColorChecker beside skin and stubble), against
// a real SQLite file and the real `pigmatch` executable:
//  - "Find chart" (off the UI thread) shows the calibration report `pigmatch measure --json`
//    prints for the same photo, patch by patch;
//  - four clicks at the chart's corners calibrate as the found chart does, within a tolerance;
//  - dragged regions read what libcore's sample_region / sample_stubble and the CLI read;
//  - "Save to visit" writes the rows `pigmatch measure --client --save` writes (read back with
//    SQLite; the photo's SHA-256 checked with Qt's own hash);
//  - Cancel, a corrupt photo, a photo without a chart and closing the window mid-detection leave
//    the screen usable and the database unchanged.
//
// With PIGMATCH_SCREENSHOT_DIR set, the screen is saved there (scripts/screenshots.sh).
#include "photo_page.h"

#include <sqlite3.h>

#include <QComboBox>
#include <QCryptographicHash>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "background_task.h"
#include "calibration_report.h"
#include "client_list.h"
#include "gui_fixture.h"
#include "photo_view.h"
#include "pigmatch/image/image.h"
#include "pigmatch/regions/sampling.h"
#include "process.h"
#include "swatch_widget.h"

using namespace pigmatch;
using gui::test::pump_until;
using Json = nlohmann::json;

namespace {

const QString sample = QStringLiteral(PIGMATCH_SOURCE_DIR "/data/samples/scalp-canon40d-f11.jpg");
// The regions of the sample's truth file (data/samples/scalp-canon40d-f11.truth.json).
const QRect skin_rect(683, 455, 193, 257);
const QRect scalp_rect(683, 80, 433, 304);
constexpr int detection_timeout_ms = 120000;  // generous: the asan build is slow

std::string rect_arg(const char* name, const QRect& r) {
  return std::string(name) + "=" + std::to_string(r.x()) + "," + std::to_string(r.y()) + "," +
         std::to_string(r.width()) + "," + std::to_string(r.height());
}

// One stored measurement, as read back from the database itself.
struct Row {
  std::string kind, region;
  double L = 0, a = 0, b = 0;
  std::optional<double> calibration_de00;
  std::string photo_path, photo_sha256;
};

std::vector<Row> rows_of_visit(const std::string& db, store::Id visit) {
#ifdef PIGMATCH_GUI_ON_POSTGRES
  std::vector<Row> rows;
  for (const auto& cells : pigmatch::test::PgRaw(db).rows(
           "SELECT kind, region, L, a, b, calibration_de00, coalesce(photo_path, ''), "
           "coalesce(photo_sha256, '') FROM measurements WHERE visit_id = " +
           std::to_string(visit) + " ORDER BY id")) {
    Row r;
    r.kind = cells[0];
    r.region = cells[1];
    r.L = std::stod(cells[2]);
    r.a = std::stod(cells[3]);
    r.b = std::stod(cells[4]);
    if (cells[5] != "NULL")
      r.calibration_de00 = std::stod(cells[5]);
    r.photo_path = cells[6];
    r.photo_sha256 = cells[7];
    rows.push_back(r);
  }
  return rows;
#else
  sqlite3* handle = nullptr;
  std::vector<Row> rows;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return rows;
  }
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(handle,
                     "SELECT kind, region, L, a, b, calibration_de00, photo_path, photo_sha256 "
                     "FROM measurements WHERE visit_id = ? ORDER BY id",
                     -1, &statement, nullptr);
  sqlite3_bind_int64(statement, 1, visit);
  const auto text = [&](int column) {
    const unsigned char* t = sqlite3_column_text(statement, column);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while (sqlite3_step(statement) == SQLITE_ROW) {
    Row r;
    r.kind = text(0);
    r.region = text(1);
    r.L = sqlite3_column_double(statement, 2);
    r.a = sqlite3_column_double(statement, 3);
    r.b = sqlite3_column_double(statement, 4);
    if (sqlite3_column_type(statement, 5) != SQLITE_NULL)
      r.calibration_de00 = sqlite3_column_double(statement, 5);
    r.photo_path = text(6);
    r.photo_sha256 = text(7);
    rows.push_back(r);
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return rows;
#endif
}

int measurement_count(const std::string& db) {
#ifdef PIGMATCH_GUI_ON_POSTGRES
  return std::stoi(pigmatch::test::PgRaw(db).scalar("SELECT count(*) FROM measurements"));
#else
  sqlite3* handle = nullptr;
  sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(handle, "SELECT count(*) FROM measurements", -1, &statement, nullptr);
  const int n = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int(statement, 0) : -1;
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return n;
#endif
}

Lab lab_of(const Json& triple) {
  return Lab{triple.at(0).get<double>(), triple.at(1).get<double>(), triple.at(2).get<double>()};
}

bool near(const Lab& x, const Lab& y, double tolerance = 1e-9) {
  return std::abs(x.L - y.L) <= tolerance && std::abs(x.a - y.a) <= tolerance &&
         std::abs(x.b - y.b) <= tolerance;
}

QString lab_string(const Lab& lab) {
  return QStringLiteral("%1 %2 %3").arg(lab.L).arg(lab.a).arg(lab.b);
}

// A window on the Photo tab, a photo opened through the page (decoded off the UI thread).
struct PhotoScreen {
  gui::test::GuiSession session;
  gui::PhotoPage* page = nullptr;

  explicit PhotoScreen(const std::string& db) : session(db) {
    if (!session.ok())
      return;
    session.window->resize(1500, 950);
    session.window->findChild<QTabWidget*>(QStringLiteral("screens"))
        ->setCurrentWidget(session.window->photoPage());
    session.window->show();
    page = session.window->photoPage();
  }
  gui::MainWindow& window() { return *session.window; }
  QPushButton* button(const char* name) {
    return window().findChild<QPushButton*>(QLatin1String(name));
  }
  bool open(const QString& path) {
    QSignalSpy opened(page, &gui::PhotoPage::photoOpened);
    page->openPhoto(path.toStdString());
    const bool ok = pump_until([&] { return !page->task()->isRunning(); }) && opened.count() == 1;
    page->view()->setZoom(1.0);  // canvas pixel = image pixel, so clicks land on known pixels
    return ok;
  }
  bool findChart() {
    QSignalSpy calibrated(page, &gui::PhotoPage::calibrated);
    QTest::mouseClick(button("findChart"), Qt::LeftButton);
    return pump_until([&] { return !page->task()->isRunning(); }, detection_timeout_ms) &&
           calibrated.count() == 1;
  }
  // Drags a rectangle over the photo with the mouse (press, move with the button held, release).
  void drag(const QRect& rect) {
    QWidget* canvas = page->view()->canvas();
    QTest::mousePress(canvas, Qt::LeftButton, {}, rect.topLeft());
    const QPoint end = rect.bottomRight();
    QMouseEvent move(QEvent::MouseMove, QPointF(end), QPointF(canvas->mapToGlobal(end)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(canvas, &move);
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, end);
  }
  // kind: the region-kind menu's row (0 skin, 1 stubble, 2 grey card).
  void addRegion(const QString& name, int kind, const QRect& rect) {
    auto* draw = button("drawRegion");
    if (!draw->isChecked())
      QTest::mouseClick(draw, Qt::LeftButton);
    auto* name_box = window().findChild<QLineEdit*>(QStringLiteral("regionName"));
    name_box->clear();
    QTest::keyClicks(name_box, name);
    window().findChild<QComboBox*>(QStringLiteral("regionKind"))->setCurrentIndex(kind);
    drag(rect);
  }
  void addRegion(const QString& name, bool stubble, const QRect& rect) {
    addRegion(name, stubble ? 1 : 0, rect);
  }
};

}  // namespace

class PhotoPageTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void findChartShowsTheCliReport();
  void clickedCornersCalibrateLikeTheFoundChart();
  void draggedRegionsReadLikeLibcoreAndTheCli();
  void saveWritesWhatTheCliSaves();
  void cancelledDetectionChangesNothing();
  void corruptPhotoIsAMessage();
  void photoWithoutChartIsAMessage();
  void closingMidDetectionIsClean();
  void zoomedViewMapsToImagePixels();
  void busyDatabaseIsAMessage();
  void greyCardCorrectsLikeTheCli();
  void windowFitsA1366By768Screen();

 private:
  gui::test::GuiFixture fx_;
  Json cli_;  // pigmatch measure SAMPLE --chart auto --region skin=… --stubble scalp=… --json
};

void PhotoPageTest::initTestCase() {
  QVERIFY(fx_.dir.isValid());
  PIGMATCH_GUI_CREATE_FIXTURE(fx_);
  QVERIFY2(QFile::exists(sample), qPrintable(sample));
  const auto result = pigmatch::test::run_pigmatch(
      {"measure", sample.toStdString(), "--chart", "auto", "--region", rect_arg("skin", skin_rect),
       "--stubble", rect_arg("scalp", scalp_rect), "--json"});
  QVERIFY2(result.exit_code == 0, result.err.c_str());
  cli_ = Json::parse(result.out);
  QCOMPARE(cli_["calibration"]["source"].get<std::string>(), std::string("chart"));
  QCOMPARE(cli_["calibration"]["patches"].size(), std::size_t{24});
}

void PhotoPageTest::findChartShowsTheCliReport() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(!screen.button("findChart")->isEnabled());  // no photo yet
  QVERIFY(screen.open(sample));
  QVERIFY(screen.button("findChart")->isEnabled());
  QSignalSpy progressed(screen.page->task(), &gui::BackgroundTask::progressed);
  QVERIFY(screen.findChart());
  QVERIFY(progressed.count() > 0);  // the detection reported its stages
  QVERIFY(screen.window().lastError().isEmpty());

  const Json& c = cli_["calibration"];
  const auto& calibration = screen.page->calibration();
  QVERIFY(calibration && calibration->calibration);
  const CalibrationReport& report = calibration->calibration->report();
  QCOMPARE(QString::fromStdString(calibration->method),
           QString::fromStdString(c["detection"].get<std::string>()));
  QCOMPARE(report.mean_de00, c["mean_de00"].get<double>());
  QCOMPARE(report.max_de00, c["max_de00"].get<double>());
  QCOMPARE(report.loo_mean_de00, c["loo_mean_de00"].get<double>());

  // The report as shown: summary figures, then every patch row against the CLI's.
  auto* shown = screen.page->report();
  const QString summary = shown->summary()->text();
  for (const char* key : {"mean_de00", "max_de00", "loo_mean_de00"}) {
    QVERIFY2(summary.contains(QString::number(c[key].get<double>(), 'f', 2)), qPrintable(summary));
  }
  QVERIFY2(summary.contains(QString::fromStdString(c["model"].get<std::string>())),
           qPrintable(summary));
  QVERIFY2(summary.contains(QStringLiteral("Skin-trained")), qPrintable(summary));
  // How the pixels were read, with the CLI's tone exponents.
  QVERIFY2(summary.contains(QStringLiteral("Pixels read through the photo's profile")),
           qPrintable(summary));
  QCOMPARE(QString::fromStdString(c["encoding"]["read"].get<std::string>()),
           QStringLiteral("profile"));
  for (const Json& e : c["encoding"]["tone_exponents"])
    QVERIFY2(summary.contains(QString::number(e.get<double>(), 'f', 2)), qPrintable(summary));
  QTableWidget* table = shown->patches();
  QCOMPARE(table->rowCount(), 24);
  using Col = gui::CalibrationReportWidget;
  for (int row = 0; row < 24; ++row) {
    const Json& p = c["patches"][static_cast<std::size_t>(row)];
    const QString where = QStringLiteral("patch row %1").arg(row);
    QCOMPARE(table->item(row, Col::patch_id)->text().toInt(), p["id"].get<int>());
    QCOMPARE(table->item(row, Col::patch_name)->text(),
             QString::fromStdString(p["name"].get<std::string>()));
    QCOMPARE(table->item(row, Col::de00)->data(Qt::UserRole).toDouble(), p["de00"].get<double>());
    QCOMPARE(table->item(row, Col::de00)->text(), QString::number(p["de00"].get<double>(), 'f', 2));
    QCOMPARE(table->item(row, Col::used)->text() == QStringLiteral("yes"), p["used"].get<bool>());
    if (p["used"].get<bool>()) {
      QCOMPARE(table->item(row, Col::loo_de00)->data(Qt::UserRole).toDouble(),
               p["loo_de00"].get<double>());
    }
    QWidget* pair = table->cellWidget(row, Col::colours);
    QVERIFY(pair != nullptr);
    auto* reference = pair->findChild<gui::SwatchWidget*>(QStringLiteral("referenceSwatch"));
    auto* fitted = pair->findChild<gui::SwatchWidget*>(QStringLiteral("fittedSwatch"));
    QVERIFY(reference && fitted);
    QVERIFY2(near(reference->lab(), lab_of(p["reference"])), qPrintable(where));
    QVERIFY2(near(fitted->lab(), lab_of(p["fitted"])), qPrintable(where));
  }
  // Lab under the cursor now goes through the calibration: the middle of patch 2 (light skin)
  // reads close to its reference.
  const Json& corners = c["corners"];
  ChartCorners chart_corners;
  for (std::size_t i = 0; i < 4; ++i)
    chart_corners[i] = {corners[i][0].get<double>(), corners[i][1].get<double>()};
  const ChartDefinition chart = builtin_chart();
  const Point centre = chart_to_image(chart_corners, chart.patches[1].center);  // light skin
  gui::test::hover(screen.page->view()->canvas(),
                   QPoint(static_cast<int>(centre.x), static_cast<int>(centre.y)));
  QVERIFY(screen.page->view()->cursorLab().has_value());
  const double de =
      delta_e2000(*screen.page->view()->cursorLab(), lab_of(c["patches"][1]["reference"]));
  QVERIFY2(de < 4.0, qPrintable(QString::number(de)));
  screen.page->view()->zoomToFit();
  gui::test::save_screenshot(&screen.window(), "photo_report.png");
}

void PhotoPageTest::clickedCornersCalibrateLikeTheFoundChart() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(sample));
  QTest::mouseClick(screen.button("clickCorners"), Qt::LeftButton);
  QCOMPARE(screen.page->view()->mode(), gui::PhotoView::Mode::corners);
  QLabel* canvas = screen.page->view()->canvas();
  QSignalSpy calibrated(screen.page, &gui::PhotoPage::calibrated);
  const Json& corners = cli_["calibration"]["corners"];
  // Clicked in the reverse order, starting from the third corner: the orientation is resolved
  // by the calibration, whatever corner comes first.
  for (const std::size_t i : {2u, 1u, 0u, 3u}) {
    const QPoint at(static_cast<int>(std::lround(corners[i][0].get<double>())),
                    static_cast<int>(std::lround(corners[i][1].get<double>())));
    const QImage before = canvas->pixmap().toImage();
    QTest::mouseClick(canvas, Qt::LeftButton, {}, at);
    const QImage after = canvas->pixmap().toImage();
    // The corner is drawn where it was placed: pixels around it changed.
    int changed = 0;
    for (int y = at.y() - 6; y <= at.y() + 6; ++y) {
      for (int x = at.x() - 6; x <= at.x() + 6; ++x)
        changed += before.pixel(x, y) != after.pixel(x, y) ? 1 : 0;
    }
    QVERIFY2(changed > 10, qPrintable(QString::number(changed)));
  }
  QVERIFY(pump_until([&] { return !screen.page->task()->isRunning(); }, detection_timeout_ms));
  QCOMPARE(calibrated.count(), 1);
  const auto& calibration = screen.page->calibration();
  QVERIFY(calibration && calibration->calibration);
  QCOMPARE(QString::fromStdString(calibration->method), QStringLiteral("user"));
  const CalibrationReport& report = calibration->calibration->report();
  const Json& c = cli_["calibration"];
  QVERIFY2(std::abs(report.mean_de00 - c["mean_de00"].get<double>()) < 0.25,
           qPrintable(QString::number(report.mean_de00)));
  QCOMPARE(report.patches.size(), std::size_t{24});
  for (std::size_t i = 0; i < 24; ++i) {
    // Half a pixel from the found corners moves each fitted colour by far less than 1 ΔE00.
    const double de = delta_e2000(report.patches[i].fitted, lab_of(c["patches"][i]["fitted"]));
    QVERIFY2(de < 1.0, qPrintable(QStringLiteral("patch %1: %2").arg(i + 1).arg(de)));
    QCOMPARE(report.patches[i].patch_id, c["patches"][i]["id"].get<int>());
  }
  QVERIFY(screen.page->report()->summary()->text().contains(QStringLiteral("corners clicked")));
  QCOMPARE(screen.page->view()->mode(), gui::PhotoView::Mode::inspect);
}

void PhotoPageTest::draggedRegionsReadLikeLibcoreAndTheCli() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(sample));
  QVERIFY(screen.findChart());
  screen.addRegion(QStringLiteral("skin"), false, skin_rect);
  screen.addRegion(QStringLiteral("scalp"), true, scalp_rect);
  QVERIFY(screen.window().lastError().isEmpty());
  const auto& regions = screen.page->regions();
  QCOMPARE(regions.size(), std::size_t{2});
  QTableWidget* table = screen.page->regionTable();
  QCOMPARE(table->rowCount(), 2);

  // The plain region: libcore's sample_region through the calibration, and the CLI's figure.
  const RegionMeasurement& skin = regions[0];
  QCOMPARE(skin.region.rect.x, skin_rect.x());
  QCOMPARE(skin.region.rect.w, skin_rect.width());
  QCOMPARE(skin.region.rect.h, skin_rect.height());
  const Image& image = *screen.page->view()->image();
  const RobustLabStatistics direct = sample_region(
      image, screen.page->calibration()->transform,
      Region::rectangle({skin_rect.x(), skin_rect.y(), skin_rect.width(), skin_rect.height()}));
  QVERIFY2(near(skin.lab_d50, direct.median), qPrintable(lab_string(skin.lab_d50)));
  const Json& cli_skin = cli_["regions"][0];
  QCOMPARE(cli_skin["name"].get<std::string>(), std::string("skin"));
  QVERIFY2(near(skin.lab_d50, lab_of(cli_skin["lab_d50"])), qPrintable(lab_string(skin.lab_d50)));
  QCOMPARE(table->item(0, gui::PhotoPage::region_name)->text(), QStringLiteral("skin"));
  QVERIFY(table->item(0, gui::PhotoPage::region_lab)
              ->text()
              .contains(QString::number(direct.median.L, 'f', 2)));
  const QString tone = table->item(0, gui::PhotoPage::region_tone)->text();
  QVERIFY2(tone.contains(QString::fromStdString(cli_skin["ita_class"].get<std::string>())),
           qPrintable(tone));
  QVERIFY2(tone.contains(QStringLiteral("Monk %1").arg(cli_skin["monk"].get<int>())),
           qPrintable(tone));
  auto* swatch = table->cellWidget(0, gui::PhotoPage::region_colour)
                     ->findChild<gui::SwatchWidget*>(QStringLiteral("regionSwatch"));
  QVERIFY(swatch && near(swatch->lab(), skin.lab_d50));

  // The stubble region: hair and skin apart, as libcore's sample_stubble and the CLI read them.
  const RegionMeasurement& scalp = regions[1];
  QVERIFY(scalp.stubble.has_value());
  const StubbleSample direct_stubble = sample_stubble(
      image, screen.page->calibration()->transform,
      Region::rectangle({scalp_rect.x(), scalp_rect.y(), scalp_rect.width(), scalp_rect.height()}));
  QVERIFY(direct_stubble.separated && scalp.stubble->separated);
  QVERIFY(near(scalp.stubble->hair, direct_stubble.hair));
  QVERIFY(near(scalp.lab_d50, direct_stubble.skin));
  const Json& cli_scalp = cli_["regions"][1];
  QVERIFY(near(scalp.stubble->hair, lab_of(cli_scalp["hair"]["lab_d50"])));
  QVERIFY(near(scalp.lab_d50, lab_of(cli_scalp["skin"]["lab_d50"])));
  QCOMPARE(scalp.stubble->coverage, cli_scalp["hair"]["coverage"].get<double>());
  QCOMPARE(scalp.stubble->confidence, cli_scalp["hair"]["confidence"].get<double>());
  const QString hair = table->item(1, gui::PhotoPage::region_hair)->text();
  QVERIFY2(hair.contains(QString::number(scalp.stubble->hair.L, 'f', 2)), qPrintable(hair));
  QVERIFY2(hair.contains(QStringLiteral("coverage %1 %")
                             .arg(100 * cli_scalp["hair"]["coverage"].get<double>(), 0, 'f', 0)),
           qPrintable(hair));
  QVERIFY(table->cellWidget(1, gui::PhotoPage::region_colour)
              ->findChild<gui::SwatchWidget*>(QStringLiteral("hairSwatch")) != nullptr);
  screen.page->view()->zoomToFit();
  gui::test::save_screenshot(&screen.window(), "photo_regions.png");

  // Removing a region takes it out of the table and of what would be saved.
  table->selectRow(0);
  QTest::mouseClick(screen.button("removeRegion"), Qt::LeftButton);
  QCOMPARE(screen.page->regions().size(), std::size_t{1});
  QCOMPARE(screen.page->regions()[0].region.name, std::string("scalp"));
  QCOMPARE(table->rowCount(), 1);
}

void PhotoPageTest::saveWritesWhatTheCliSaves() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(sample));
  QVERIFY(screen.findChart());
  screen.addRegion(QStringLiteral("skin"), false, skin_rect);
  screen.addRegion(QStringLiteral("scalp"), true, scalp_rect);

  // No client chosen yet: a message, nothing saved.
  const int before = measurement_count(fx_.db);
  QTest::mouseClick(screen.button("saveToVisit"), Qt::LeftButton);
  QVERIFY2(screen.window().lastError().contains(QStringLiteral("Choose the client")),
           qPrintable(screen.window().lastError()));
  QCOMPARE(measurement_count(fx_.db), before);

  // Choose Ana in the Clients tab, then her first visit.
  auto* tabs = screen.window().findChild<QTabWidget*>(QStringLiteral("screens"));
  tabs->setCurrentIndex(0);
  QListWidget* list = screen.window().clientList()->list();
  gui::test::click_item(list, gui::test::item_named(list, QStringLiteral("Ana")));
  tabs->setCurrentWidget(screen.page);
  QCOMPARE(screen.page->client(), fx_.ana);
  auto* visits = screen.window().findChild<QComboBox*>(QStringLiteral("visitChoice"));
  QCOMPARE(visits->count(), 2);
  visits->setCurrentIndex(visits->findData(QVariant::fromValue<qlonglong>(fx_.ana_first_visit)));
  QTest::mouseClick(screen.button("saveToVisit"), Qt::LeftButton);
  QVERIFY2(screen.page->status()->text().startsWith(QStringLiteral("Saved 3")),
           qPrintable(screen.page->status()->text()));
  const std::vector<Row> gui_rows = rows_of_visit(fx_.db, fx_.ana_first_visit);
  // The visit already held Ana's earlier skin measurement; the three new rows follow it.
  QCOMPARE(gui_rows.size(), std::size_t{4});

  // The CLI saves the same photo and regions into her touch-up visit.
  const auto result = pigmatch::test::run_pigmatch(
      {"measure", sample.toStdString(), "--chart", "auto", "--region", rect_arg("skin", skin_rect),
       "--stubble", rect_arg("scalp", scalp_rect), "--client", std::to_string(fx_.ana), "--visit",
       std::to_string(fx_.ana_touchup_visit), "--save", "--db", fx_.db});
  QVERIFY2(result.exit_code == 0, result.err.c_str());
  const std::vector<Row> cli_rows = rows_of_visit(fx_.db, fx_.ana_touchup_visit);
  QCOMPARE(cli_rows.size(), std::size_t{3});

  QFile photo(sample);
  QVERIFY(photo.open(QIODevice::ReadOnly));
  const std::string sha =
      QCryptographicHash::hash(photo.readAll(), QCryptographicHash::Sha256).toHex().toStdString();
  for (std::size_t i = 0; i < 3; ++i) {
    const Row& g = gui_rows[i + 1];
    const Row& c = cli_rows[i];
    const QString where =
        QStringLiteral("row %1: %2 %3").arg(i).arg(g.kind.c_str(), g.region.c_str());
    QCOMPARE(g.kind, c.kind);
    QCOMPARE(g.region, c.region);
    QVERIFY2(near(Lab{g.L, g.a, g.b}, Lab{c.L, c.a, c.b}), qPrintable(where));
    QCOMPARE(g.calibration_de00, c.calibration_de00);
    QVERIFY(g.calibration_de00.has_value());
    QCOMPARE(g.photo_path, c.photo_path);
    QCOMPARE(g.photo_path, sample.toStdString());
    QCOMPARE(g.photo_sha256, sha);
    QCOMPARE(c.photo_sha256, sha);
  }
  QCOMPARE(gui_rows[1].kind, std::string("skin"));
  QCOMPARE(gui_rows[2].kind, std::string("skin"));
  QCOMPARE(gui_rows[3].kind, std::string("hair"));

  // A new visit from the screen, then a save as the healed result into it.
  const int visits_before = visits->count();
  QTest::mouseClick(screen.button("newVisit"), Qt::LeftButton);
  QCOMPARE(visits->count(), visits_before + 1);
  const auto new_visit = static_cast<store::Id>(visits->currentData().toLongLong());
  QVERIFY(new_visit != fx_.ana_first_visit && new_visit != fx_.ana_touchup_visit);
  screen.window().findChild<QComboBox*>(QStringLiteral("saveAs"))->setCurrentIndex(1);
  QTest::mouseClick(screen.button("saveToVisit"), Qt::LeftButton);
  const std::vector<Row> healed = rows_of_visit(fx_.db, new_visit);
  QCOMPARE(healed.size(), std::size_t{2});  // the plain region, and the stubble's dots
  QCOMPARE(healed[0].kind, std::string("healed"));
  QCOMPARE(healed[1].kind, std::string("healed"));
  QVERIFY(
      near(Lab{healed[1].L, healed[1].a, healed[1].b}, screen.page->regions()[1].stubble->hair));
}

void PhotoPageTest::cancelledDetectionChangesNothing() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(sample));
  const int before = measurement_count(fx_.db);
  gui::TaskProgressWidget* progress = screen.page->progress();
  QSignalSpy cancelled(screen.page->task(), &gui::BackgroundTask::cancelled);
  QTest::mouseClick(screen.button("findChart"), Qt::LeftButton);
  QVERIFY(progress->cancelButton()->isVisible());
  QVERIFY(!screen.button("findChart")->isEnabled());  // busy
  QTest::mouseClick(progress->cancelButton(), Qt::LeftButton);
  QVERIFY(pump_until([&] { return !screen.page->task()->isRunning(); }, detection_timeout_ms));
  QCOMPARE(cancelled.count(), 1);
  QVERIFY(!screen.page->calibration());
  QVERIFY(screen.window().lastError().isEmpty());  // "cancelled" is not an error box
  QCOMPARE(progress->text()->text(), QStringLiteral("Cancelled."));
  QVERIFY(screen.page->status()->text().contains(QStringLiteral("Cancelled")));
  QVERIFY(screen.page->report()->summary()->text().startsWith(QStringLiteral("Not calibrated")));
  QCOMPARE(measurement_count(fx_.db), before);
  // The screen is usable: the chart is found on a second try.
  QVERIFY(screen.button("findChart")->isEnabled());
  QVERIFY(screen.findChart());
  QVERIFY(screen.page->calibration().has_value());
}

void PhotoPageTest::corruptPhotoIsAMessage() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(sample));
  // The sample cut short: a JPEG whose data stops a few kilobytes in.
  const std::string cut = fx_.path(QStringLiteral("cut-short.jpg"));
  {
    QFile in(sample);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray head = in.read(4000);
    std::ofstream out(cut, std::ios::binary);
    out.write(head.constData(), head.size());
  }
  const std::string garbage = fx_.path(QStringLiteral("notes.png"));
  { std::ofstream(garbage) << "not a photo at all"; }
  for (const std::string& bad : {cut, garbage}) {
    screen.page->openPhoto(bad);
    QVERIFY(pump_until([&] { return !screen.page->task()->isRunning(); }));
    const QString message = screen.window().lastError();
    QVERIFY2(message.contains(QString::fromStdString(bad)), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("Choose a JPEG, PNG, TIFF or HEIC")),
             qPrintable(message));
    // The photo that was open stays open, and the screen works.
    QCOMPARE(screen.page->view()->image()->width, 1200);
    QVERIFY(screen.button("findChart")->isEnabled());
    QVERIFY(screen.button("openPhoto")->isEnabled());
  }
}

void PhotoPageTest::photoWithoutChartIsAMessage() {
  // A 320 × 240 photo of evenly lit skin with a little texture, no chart.
  Image image;
  image.width = 320;
  image.height = 240;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const int t = (x * 7 + y * 13) % 9;
      for (int v : {200 + t, 150 + t, 120 + t})
        image.pixels.push_back(std::byte(static_cast<unsigned char>(v)));
    }
  }
  const std::string file = fx_.path(QStringLiteral("no-chart.tif"));
  image.format = ImageFormat::tiff;
  write_tiff(image, file);

  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(QString::fromStdString(file)));
  QVERIFY(!screen.findChart());
  const QString message = screen.window().lastError();
  QVERIFY2(message.contains(QStringLiteral("not found")), qPrintable(message));
  QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
  QVERIFY2(message.contains(QStringLiteral("Click corners")), qPrintable(message));
  QVERIFY(!screen.page->calibration());
  QVERIFY(screen.button("clickCorners")->isEnabled());
  // Regions still measure through the photo's own profile (sRGB here), without a calibration.
  screen.addRegion(QStringLiteral("cheek"), false, QRect(10, 10, 50, 40));
  QCOMPARE(screen.page->regions().size(), std::size_t{1});
  const RobustLabStatistics direct = sample_region(
      *screen.page->view()->image(), LabTransform::for_image(*screen.page->view()->image()),
      Region::rectangle({10, 10, 50, 40}));
  QVERIFY(near(screen.page->regions()[0].lab_d50, direct.median));
}

void PhotoPageTest::closingMidDetectionIsClean() {
  const int before = measurement_count(fx_.db);
  {
    PhotoScreen screen(fx_.db);
    QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
    QVERIFY(screen.open(sample));
    QTest::mouseClick(screen.button("findChart"), Qt::LeftButton);
    QVERIFY(screen.page->task()->isRunning());
    screen.session.window.reset();  // the window closes while the chart is being looked for
  }
  QTest::qWait(50);  // a delivery still queued would run (and crash) now
  QCOMPARE(measurement_count(fx_.db), before);
}

void PhotoPageTest::zoomedViewMapsToImagePixels() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  gui::PhotoView* view = screen.page->view();
  screen.page->openPhoto(sample.toStdString());  // opened as it is by the button: fitted
  QVERIFY(pump_until([&] { return !screen.page->task()->isRunning(); }));
  QVERIFY2(view->zoom() < 1.0, qPrintable(QString::number(view->zoom())));
  QVERIFY(view->canvas()->width() < 1200);
  view->setZoom(0.5);
  QCOMPARE(view->canvas()->pixmap().width(), 600);
  // The cursor at canvas (350, 260) is over image pixel (700, 520).
  gui::test::hover(view->canvas(), QPoint(350, 260));
  QVERIFY(view->cursorLab().has_value());
  QVERIFY(near(*view->cursorLab(), *view->labAt(700, 520)));
  QVERIFY(!near(*view->cursorLab(), *view->labAt(350, 260), 0.5));
  // A region dragged over canvas (342, 228)–(437, 355) covers image pixels (684, 456)–(875, 711).
  screen.addRegion(QStringLiteral("zoomed"), false, QRect(QPoint(342, 228), QPoint(437, 355)));
  QCOMPARE(screen.page->regions().size(), std::size_t{1});
  const Rect r = screen.page->regions()[0].region.rect;
  QCOMPARE(r.x, 684);
  QCOMPARE(r.y, 456);
  QCOMPARE(r.x + r.w - 1, 875);
  QCOMPARE(r.y + r.h - 1, 711);
}

void PhotoPageTest::busyDatabaseIsAMessage() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(sample));
  screen.addRegion(QStringLiteral("skin"), false, skin_rect);  // uncalibrated: still measurable
  screen.page->setClient(fx_.bruno);
  const int before = measurement_count(fx_.db);
  // Another process holds the write lock past the store's busy timeout (5 s).
#ifdef PIGMATCH_GUI_ON_POSTGRES
  {
    pigmatch::test::PgRaw other(fx_.db);
    QVERIFY(other.exec("BEGIN; LOCK TABLE measurements IN ACCESS EXCLUSIVE MODE"));
    QTest::mouseClick(screen.button("saveToVisit"), Qt::LeftButton);
    QVERIFY(other.exec("ROLLBACK"));
  }
#else
  sqlite3* other = nullptr;
  QCOMPARE(sqlite3_open(fx_.db.c_str(), &other), SQLITE_OK);
  QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  QTest::mouseClick(screen.button("saveToVisit"), Qt::LeftButton);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
#endif
  const QString message = screen.window().lastError();
  QVERIFY2(message.contains(QStringLiteral("Nothing was saved")), qPrintable(message));
  QVERIFY2(message.contains(QStringLiteral("try again")), qPrintable(message));
  QCOMPARE(measurement_count(fx_.db), before);
  // Once the other writer is done, the same click saves.
  QTest::mouseClick(screen.button("saveToVisit"), Qt::LeftButton);
  QCOMPARE(measurement_count(fx_.db), before + 1);
  const std::vector<Row> rows = rows_of_visit(fx_.db, fx_.bruno_visit);
  QCOMPARE(rows.size(), std::size_t{1});
  QVERIFY(!rows[0].calibration_de00);  // no chart calibration: none recorded
  QCOMPARE(rows[0].region, std::string("skin"));
}

// A grey card dragged on the photo corrects the regions to the chart's light as
// `pigmatch measure --grey` does, and the table shows each colour's uncertainty.
void PhotoPageTest::greyCardCorrectsLikeTheCli() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  QVERIFY(screen.open(sample));
  // Before a calibration a grey card has no chart light to correct to: a message, no card.
  screen.addRegion(QStringLiteral("card"), 2, QRect(250, 330, 30, 20));
  QVERIFY(screen.window().lastError().contains(QStringLiteral("chart")));
  QVERIFY(screen.findChart());
  screen.addRegion(QStringLiteral("skin"), false, skin_rect);
  const RegionMeasurement before = screen.page->regions().at(0);
  QVERIFY(before.uncertainty.has_value());
  QVERIFY(!before.light.has_value());
  QTableWidget* table = screen.page->regionTable();
  QVERIFY2(table->item(0, gui::PhotoPage::region_lab)
               ->text()
               .contains(QStringLiteral("± %1").arg(before.uncertainty->total, 0, 'f', 1)),
           qPrintable(table->item(0, gui::PhotoPage::region_lab)->text()));

  // A patch of the chart stands in for the card, as in the CLI test; the region is corrected.
  screen.addRegion(QStringLiteral("card"), 2, QRect(250, 330, 30, 20));
  QCOMPARE(screen.page->regions().size(), std::size_t{1});
  const RegionMeasurement& after = screen.page->regions().at(0);
  QVERIFY(after.light.has_value());
  QCOMPARE(after.light->reference, std::string("card"));
  QVERIFY(std::abs(after.light->factor - 1.0) > 1e-3);
  QVERIFY(after.uncertainty && after.uncertainty->light == 0.3);
  const auto cli = pigmatch::test::run_pigmatch({"measure", sample.toStdString(), "--chart", "auto",
                                                 "--region", rect_arg("skin", skin_rect), "--grey",
                                                 "card=250,330,30,20:49.5", "--json"});
  QVERIFY2(cli.exit_code == 0, cli.err.c_str());
  const Json out = Json::parse(cli.out);
  QVERIFY(near(after.lab_d50, lab_of(out["regions"][0]["lab_d50"])));
  QCOMPARE(after.light->factor, out["regions"][0]["light"]["factor"].get<double>());
  QVERIFY(table->item(0, gui::PhotoPage::region_lab)->text().contains(QStringLiteral("light ×")));
}

// A laptop's 1366×768 screen: after finding the chart and measuring regions (long reports and
// status lines), the window neither grows past the screen nor needs to, and "Save to visit"
// and the report stay inside it.
void PhotoPageTest::windowFitsA1366By768Screen() {
  PhotoScreen screen(fx_.db);
  QVERIFY2(screen.session.ok(), qPrintable(screen.session.opened.error));
  const QSize laptop(1366, 768);
  screen.window().resize(laptop);
  const auto fits = [&](const char* when) {
    QTest::qWait(50);  // the layout takes the new texts' sizes from the event loop
    const QSize needed = screen.window().minimumSizeHint();
    QVERIFY2(needed.width() <= laptop.width() && needed.height() <= laptop.height(),
             qPrintable(QStringLiteral("%1: the window needs %2×%3")
                            .arg(QLatin1String(when))
                            .arg(needed.width())
                            .arg(needed.height())));
    QVERIFY2(screen.window().width() <= laptop.width(),
             qPrintable(QStringLiteral("%1: the window grew to %2")
                            .arg(QLatin1String(when))
                            .arg(screen.window().width())));
    const QRect inside = screen.window().rect();
    for (QWidget* w : {static_cast<QWidget*>(screen.button("saveToVisit")),
                       static_cast<QWidget*>(screen.page->report())}) {
      const QRect where(w->mapTo(&screen.window(), QPoint(0, 0)), w->size());
      QVERIFY2(w->isVisible() && inside.contains(where),
               qPrintable(QStringLiteral("%1: %2 at %3,%4 %5×%6 is outside the window")
                              .arg(QLatin1String(when), w->objectName())
                              .arg(where.x())
                              .arg(where.y())
                              .arg(where.width())
                              .arg(where.height())));
    }
  };
  QVERIFY(screen.open(sample));
  QVERIFY(screen.findChart());
  fits("after Find chart");
  screen.addRegion(QStringLiteral("skin"), false, QRect(20, 20, 40, 30));
  screen.addRegion(QStringLiteral("scalp"), true, QRect(80, 20, 40, 30));
  fits("with two regions");
}

QTEST_MAIN(PhotoPageTest)
#include "photo_page_test.moc"
