// What every pigmatch-gui test file sets up: a real SQLite store in a temporary folder with
// clients, visits, measurements, a formula and a consent (written through pigmatch::Store, the
// same path the CLI uses), the sRGB DisplayColor, a MainWindow over the store, and helpers to
// drive widgets and wait for work that finishes later (background tasks) by pumping events.
//
// With PIGMATCH_SCREENSHOT_DIR set, save_screenshot() writes PNGs there (scripts/screenshots.sh).
#pragma once

#include <QApplication>
#include <QDeadlineTimer>
#include <QListWidget>
#include <QMouseEvent>
#include <QString>
#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "database.h"
#include "display_color.h"
#include "main_window.h"
#include "pigmatch/colour/color.h"
#include "pigmatch/store/store.h"
#ifdef PIGMATCH_GUI_ON_POSTGRES
#include "store/postgres_server.h"
#endif

namespace pigmatch::gui::test {

/// A real client database in a temporary folder (removed with the fixture). Call create() once
/// (e.g. in initTestCase) and check isValid() of the folder first.
struct GuiFixture {
  QTemporaryDir dir;
  std::string db;  ///< the database: a file's path, or a server location
  store::Id ana = 0, bruno = 0;
  store::Id ana_first_visit = 0, ana_touchup_visit = 0, bruno_visit = 0;
  store::Id ana_formula = 0, ana_skin = 0, bruno_hair = 0;
  const Lab ana_skin_lab{66.0, 12.0, 17.0};
  const Lab bruno_vivid_lab{50.0, -90.0, -40.0};  // far outside sRGB

  /// A path inside the fixture's temporary folder.
  std::string path(const QString& name) const { return (dir.path() + '/' + name).toStdString(); }

  /// Writes the clients' records: Ana (two visits, a skin measurement, a formula with two
  /// components and lots, a consent) and Bruno (a camouflage visit, an out-of-gamut hair colour),
  /// into `location` (a file or a server's database; default: a file in the folder).
  void create(const std::string& location = {}) {
    db = location.empty() ? path(QStringLiteral("clients.db")) : location;
    store::Store s = store::Store::open(db);
    ana = s.add_client({0, "Ana Sousa", "1984-05-02", "+351 900 000 001", "", "", ""});
    bruno = s.add_client({0, "Bruno Lima", "", "", "bruno@example.org", "", ""});
    ana_first_visit =
        s.add_visit({0, ana, store::VisitKind::initial, "2024-03-01", "crown", "Rita", "3RL", ""});
    ana_touchup_visit = s.add_visit(
        {0, ana, store::VisitKind::touchup, "2026-05-10", "crown", "Rita", "3RL", "faded evenly"});
    bruno_visit = s.add_visit({0, bruno, store::VisitKind::camouflage, "2025-01-20",
                               "scar left temple", "Rita", "1RL", ""});
    store::Measurement skin;
    skin.client_id = ana;
    skin.visit_id = ana_first_visit;
    skin.kind = store::MeasurementKind::skin;
    skin.region = "crown";
    skin.lab = ana_skin_lab;
    skin.calibration_de00 = 0.9;
    skin.uncertainty_de00 = 1.8;
    ana_skin = s.add_measurement(skin);
    store::Measurement vivid;
    vivid.client_id = bruno;
    vivid.kind = store::MeasurementKind::hair;
    vivid.region = "dyed fringe";
    vivid.lab = bruno_vivid_lab;
    bruno_hair = s.add_measurement(vivid);
    store::Formula f;
    f.client_id = ana;
    f.visit_id = ana_first_visit;
    f.region = "crown";
    f.target = Lab{30, 2, 4};
    f.predicted = Lab{30.4, 2.2, 3.6};
    f.delta_e00 = 0.5;
    f.model = "skin";
    f.catalog = "acme-smp";
    f.components = {{"Acme", "CB-01", "L2301", 3, 0.15}, {"Acme", "DIL-9", "D0007", 9, 0.45}};
    ana_formula = s.save_formula(f);
    s.add_consent({0, ana, "treatment", "2024-03-01", "Ana Sousa"});
  }
};

/// In initTestCase: writes `fixture`'s records into a file, or, in the *_postgres test binaries
/// (PIGMATCH_GUI_ON_POSTGRES), into a fresh database on the test server — the same screens over
/// a store on a real PostgreSQL server — skipping the test case with the reason when none starts.
/// A macro because QSKIP returns from the calling test function.
#ifdef PIGMATCH_GUI_ON_POSTGRES
#define PIGMATCH_GUI_CREATE_FIXTURE(fixture)                                                \
  do {                                                                                      \
    pigmatch::test::PostgresServer* server_ = pigmatch::test::PostgresServer::get();        \
    if (server_ == nullptr) {                                                               \
      QSKIP(qPrintable(QStringLiteral("PostgreSQL case skipped: ") +                        \
                       QString::fromStdString(pigmatch::test::PostgresServer::why_not()))); \
    }                                                                                       \
    (fixture).create(server_->new_database());                                              \
  } while (false)
#else
#define PIGMATCH_GUI_CREATE_FIXTURE(fixture) (fixture).create()
#endif

/// The sRGB display every test uses unless it tests display profiles.
inline std::shared_ptr<const DisplayColor> srgb_display() {
  return std::make_shared<const DisplayColor>(DisplayColor::srgb());
}

/// The database opened as pigmatch-gui opens it, and a main window over it. Check `opened.store`
/// (QVERIFY2(session.ok(), ...)) before using `window`.
struct GuiSession {
  OpenedDatabase opened;
  std::unique_ptr<MainWindow> window;

  explicit GuiSession(const std::string& db) : opened(open_database(db)) {
    if (opened.store)
      window = std::make_unique<MainWindow>(*opened.store, srgb_display());
  }
  bool ok() const noexcept { return window != nullptr; }
};

/// Processes events until `done()` holds or `timeout_ms` passed; returns whether it holds.
inline bool pump_until(const std::function<bool()>& done, int timeout_ms = 10000) {
  const QDeadlineTimer deadline(timeout_ms);
  while (!done()) {
    if (deadline.hasExpired())
      return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QTest::qWait(5);
  }
  return true;
}

inline QListWidgetItem* item_named(QListWidget* list, const QString& prefix) {
  for (int i = 0; i < list->count(); ++i) {
    if (list->item(i)->text().startsWith(prefix))
      return list->item(i);
  }
  return nullptr;
}

inline void click_item(QListWidget* list, QListWidgetItem* item) {
  QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());
}

/// A mouse move with no button held (QTest::mouseMove does not deliver one to a widget that is
/// not under the real cursor on the offscreen platform).
inline void hover(QWidget* widget, QPoint position) {
  QMouseEvent move(QEvent::MouseMove, QPointF(position), QPointF(widget->mapToGlobal(position)),
                   Qt::NoButton, Qt::NoButton, Qt::NoModifier);
  QApplication::sendEvent(widget, &move);
}

/// True when screenshots were asked for (scripts/screenshots.sh).
inline bool screenshots_wanted() {
  return !qgetenv("PIGMATCH_SCREENSHOT_DIR").isEmpty();
}

/// Saves `widget` as PIGMATCH_SCREENSHOT_DIR/name (PNG) when screenshots were asked for.
inline void save_screenshot(QWidget* widget, const char* name) {
  const QByteArray dir = qgetenv("PIGMATCH_SCREENSHOT_DIR");
  if (dir.isEmpty())
    return;
  const QString file = QString::fromUtf8(dir) + QLatin1Char('/') + QLatin1String(name);
  QVERIFY2(widget->grab().save(file), qPrintable(file));
}

}  // namespace pigmatch::gui::test
