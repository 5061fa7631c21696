// pigmatch-gui: the real widgets against a real SQLite file written through pigmatch::Store.
// Colours are checked against Little CMS's own sRGB conversion (a 16-bit integer transform, not
// the GUI's double path), and gamut against linear RGB from the sRGB profile's primaries.
//
// The store, the window and the helpers are tests/gui/gui_fixture.h. With PIGMATCH_SCREENSHOT_DIR
// set, the screens are also saved there as PNG (scripts/screenshots.sh).
#include <lcms2.h>
#include <sqlite3.h>

#include <QAction>
#include <QComboBox>
#include <QDate>
#include <QFileDialog>
#include <QImage>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMouseEvent>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <optional>

#include "client_list.h"
#include "client_page.h"
#include "database.h"
#include "database_session.h"
#include "display_color.h"
#include "gui_fixture.h"
#include "main_window.h"
#include "photo_page.h"
#include "photo_view.h"
#include "pigmatch/image/image.h"
#include "pigmatch/regions/skintone.h"
#include "pigmatch/store/store.h"
#include "record_forms.h"
#include "swatch_widget.h"

using namespace pigmatch;
using pigmatch::gui::test::click_item;
using pigmatch::gui::test::hover;
using pigmatch::gui::test::item_named;
using pigmatch::gui::test::pump_until;
using pigmatch::gui::test::save_screenshot;

namespace {

// Little CMS's sRGB for a Lab D50 colour, 16 bits per channel, and where the colour lies
// relative to the sRGB gamut: its linear RGB from the profile's own colorant tags (D50-adapted
// primaries), M · rgb = XYZ solved by Cramer's rule, so the reference is not clipped.
struct ReferenceRgb {
  std::array<double, 3> rgb255{};
  bool inside_srgb = true;    ///< every linear channel in [0, 1]
  bool outside_srgb = false;  ///< some linear channel beyond [0, 1] by more than 0.05
};

double det3(const std::array<std::array<double, 3>, 3>& m) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
         m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

ReferenceRgb lcms_srgb(const Lab& lab) {
  cmsHPROFILE lab_profile = cmsCreateLab4Profile(nullptr);
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHTRANSFORM to_16 = cmsCreateTransform(lab_profile, TYPE_Lab_DBL, srgb, TYPE_RGB_16,
                                           INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  const std::array<double, 3> in{lab.L, lab.a, lab.b};
  std::array<cmsUInt16Number, 3> out16{};
  cmsDoTransform(to_16, in.data(), out16.data(), 1);
  const std::array<cmsTagSignature, 3> tags{cmsSigRedColorantTag, cmsSigGreenColorantTag,
                                            cmsSigBlueColorantTag};
  std::array<std::array<double, 3>, 3> m{};  // columns: the primaries' XYZ
  for (int c = 0; c < 3; ++c) {
    const auto* primary = static_cast<const cmsCIEXYZ*>(cmsReadTag(srgb, tags[c]));
    m[0][c] = primary->X;
    m[1][c] = primary->Y;
    m[2][c] = primary->Z;
  }
  const cmsCIELab lab_in{lab.L, lab.a, lab.b};
  cmsCIEXYZ xyz{};
  cmsLab2XYZ(cmsD50_XYZ(), &xyz, &lab_in);
  const std::array<double, 3> target{xyz.X, xyz.Y, xyz.Z};
  const double d = det3(m);
  ReferenceRgb ref;
  for (int c = 0; c < 3; ++c) {
    auto mc = m;
    for (int r = 0; r < 3; ++r)
      mc[r][c] = target[r];
    const double linear = det3(mc) / d;
    ref.rgb255[c] = out16[c] / 257.0;
    ref.inside_srgb = ref.inside_srgb && linear >= 0.0 && linear <= 1.0;
    ref.outside_srgb = ref.outside_srgb || linear < -0.05 || linear > 1.05;
  }
  cmsDeleteTransform(to_16);
  cmsCloseProfile(srgb);
  cmsCloseProfile(lab_profile);
  return ref;
}

}  // namespace

class GuiTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void searchFiltersTheList();
  void selectingAClientShowsTheirRecord();
  void outOfGamutSwatchIsMarked();
  void swatchMatchesLittleCms();
  void databaseErrorsAreMessages();
  void displayProfileFromFile();
  void photoShowsLabUnderCursor();
  void badPhotoIsAMessage();
  void newStudioStartsInTheGui();
  void fileMenuStartsAndOpensDatabases();

 private:
  gui::test::GuiFixture fx_;
};

void GuiTest::initTestCase() {
  QVERIFY(fx_.dir.isValid());
  PIGMATCH_GUI_CREATE_FIXTURE(fx_);
}

void GuiTest::searchFiltersTheList() {
  gui::test::GuiSession session(fx_.db);
  QVERIFY2(session.ok(), qPrintable(session.opened.error));
  gui::MainWindow& window = *session.window;
  window.show();
  QListWidget* list = window.clientList()->list();
  QCOMPARE(list->count(), 2);
  QTest::keyClicks(window.clientList()->searchBox(), QStringLiteral("bru"));
  QCOMPARE(list->count(), 1);
  QVERIFY(list->item(0)->text().startsWith(QStringLiteral("Bruno Lima")));
  window.clientList()->searchBox()->clear();
  QCOMPARE(list->count(), 2);
  QTest::keyClicks(window.clientList()->searchBox(), QStringLiteral("SOUSA"));  // any case
  QCOMPARE(list->count(), 1);
  QVERIFY(list->item(0)->text().startsWith(QStringLiteral("Ana Sousa")));
  QTest::keyClicks(window.clientList()->searchBox(), QStringLiteral("x"));
  QCOMPARE(list->count(), 0);
  window.clientList()->searchBox()->clear();
  QTest::keyClicks(window.clientList()->searchBox(), QStringLiteral("an"));
  QCOMPARE(list->count(), 1);
  save_screenshot(&window, "client_list.png");
}

void GuiTest::selectingAClientShowsTheirRecord() {
  gui::test::GuiSession session(fx_.db);
  QVERIFY2(session.ok(), qPrintable(session.opened.error));
  gui::MainWindow& window = *session.window;
  window.show();
  QListWidget* list = window.clientList()->list();
  const QString components = QStringLiteral("formulaComponents%1").arg(fx_.ana_formula);

  click_item(list, item_named(list, QStringLiteral("Bruno")));
  QCOMPARE(window.clientPage()->clientId(), fx_.bruno);
  QVERIFY(window.findChild<QTableWidget*>(components) == nullptr);  // not Bruno's formula

  click_item(list, item_named(list, QStringLiteral("Ana")));
  QCOMPARE(window.clientPage()->clientId(), fx_.ana);
  auto* table = window.findChild<QTableWidget*>(components);
  QVERIFY(table != nullptr);
  QCOMPARE(table->rowCount(), 2);
  QCOMPARE(table->item(0, 1)->text(), QStringLiteral("CB-01"));
  QCOMPARE(table->item(0, 2)->text(), QStringLiteral("L2301"));
  QCOMPARE(table->item(0, 3)->text().toDouble(), 3.0);
  QCOMPARE(table->item(1, 1)->text(), QStringLiteral("DIL-9"));
  QCOMPARE(table->item(1, 3)->text().toDouble(), 9.0);

  auto* swatch =
      window.findChild<gui::SwatchWidget*>(QStringLiteral("measurementSwatch%1").arg(fx_.ana_skin));
  QVERIFY(swatch != nullptr);
  const ReferenceRgb ref = lcms_srgb(fx_.ana_skin_lab);
  const QColor shown = swatch->displayColor();
  QVERIFY2(std::abs(shown.red() - ref.rgb255[0]) <= 1.0, qPrintable(shown.name()));
  QVERIFY2(std::abs(shown.green() - ref.rgb255[1]) <= 1.0, qPrintable(shown.name()));
  QVERIFY2(std::abs(shown.blue() - ref.rgb255[2]) <= 1.0, qPrintable(shown.name()));
  QVERIFY(!swatch->isOutOfGamut());
  // What is painted is that colour (the middle pixel of the rendered swatch).
  const QImage painted = swatch->grab().toImage();
  QCOMPARE(painted.pixelColor(painted.rect().center()).rgb(), shown.rgb());

  // The skin tone shown is libcore's for the stored Lab.
  auto* text = window.findChild<QLabel*>(QStringLiteral("measurementText%1").arg(fx_.ana_skin));
  QVERIFY(text != nullptr);
  const SkinTone tone = assess_skin_tone(fx_.ana_skin_lab);
  QVERIFY2(text->text().contains(QString::fromUtf8(to_string(tone.ita_class).data())),
           qPrintable(text->text()));
  QVERIFY2(text->text().contains(QStringLiteral("Monk %1").arg(tone.monk.index)),
           qPrintable(text->text()));
  QVERIFY(text->text().contains(QStringLiteral("66.00")));
  auto* consents = window.findChild<QLabel*>(QStringLiteral("consents"));
  QVERIFY(consents != nullptr);
  QVERIFY(consents->text().contains(QStringLiteral("treatment")));
  save_screenshot(&window, "client_page.png");
}

void GuiTest::outOfGamutSwatchIsMarked() {
  QVERIFY(lcms_srgb(fx_.bruno_vivid_lab).outside_srgb);
  QVERIFY(lcms_srgb(fx_.ana_skin_lab).inside_srgb);
  gui::test::GuiSession session(fx_.db);
  QVERIFY2(session.ok(), qPrintable(session.opened.error));
  gui::MainWindow& window = *session.window;
  window.show();
  QListWidget* list = window.clientList()->list();
  click_item(list, item_named(list, QStringLiteral("Bruno")));
  auto* swatch = window.findChild<gui::SwatchWidget*>(
      QStringLiteral("measurementSwatch%1").arg(fx_.bruno_hair));
  QVERIFY(swatch != nullptr);
  QVERIFY(swatch->isOutOfGamut());
  QVERIFY(swatch->toolTip().contains(QStringLiteral("gamut")));
  auto* text = window.findChild<QLabel*>(QStringLiteral("measurementText%1").arg(fx_.bruno_hair));
  QVERIFY(text != nullptr);
  QVERIFY(text->text().contains(QStringLiteral("outside the display's gamut")));
  QVERIFY(!text->text().contains(QStringLiteral("ITA")));  // hair has no skin tone
  // The marker is painted: the top-right corner is not the swatch colour, the middle is.
  const QImage painted = swatch->grab().toImage();
  QCOMPARE(painted.pixelColor(painted.rect().center()).rgb(), swatch->displayColor().rgb());
  QVERIFY(painted.pixelColor(painted.width() - 3, 2).rgb() != swatch->displayColor().rgb());
  save_screenshot(&window, "client_page_out_of_gamut.png");
}

void GuiTest::swatchMatchesLittleCms() {
  // A spread of colours, in and out of sRGB: 8-bit value within 1/255 of lcms's 16-bit result;
  // marked when the linear RGB leaves [0, 1] by more than 0.05, never when it stays inside.
  const auto display = gui::test::srgb_display();
  gui::SwatchWidget swatch(display);
  int marked = 0;
  for (double L : {5.0, 30.0, 55.0, 80.0, 97.0}) {
    for (double a : {-80.0, -20.0, 0.0, 25.0, 70.0}) {
      for (double b : {-80.0, -10.0, 0.0, 30.0, 90.0}) {
        const Lab lab{L, a, b};
        swatch.setLab(lab);
        const ReferenceRgb ref = lcms_srgb(lab);
        const QColor c = swatch.displayColor();
        const QString where =
            QStringLiteral("Lab %1 %2 %3 → %4").arg(L).arg(a).arg(b).arg(c.name());
        QVERIFY2(std::abs(c.red() - ref.rgb255[0]) <= 1.0, qPrintable(where));
        QVERIFY2(std::abs(c.green() - ref.rgb255[1]) <= 1.0, qPrintable(where));
        QVERIFY2(std::abs(c.blue() - ref.rgb255[2]) <= 1.0, qPrintable(where));
        if (ref.outside_srgb)
          QVERIFY2(swatch.isOutOfGamut(), qPrintable(where));
        if (ref.inside_srgb)
          QVERIFY2(!swatch.isOutOfGamut(), qPrintable(where));
        marked += swatch.isOutOfGamut() ? 1 : 0;
      }
    }
  }
  QVERIFY(marked > 0);
  QVERIFY(marked < 125);
}

void GuiTest::databaseErrorsAreMessages() {
  const std::string missing = (fx_.dir.path() + QStringLiteral("/missing.db")).toStdString();
  gui::OpenedDatabase opened = gui::open_database(missing);
  QVERIFY(!opened.store);
  QVERIFY2(opened.error.contains(QString::fromStdString(missing)), qPrintable(opened.error));
  QVERIFY2(opened.error.contains(QStringLiteral("--db")), qPrintable(opened.error));

  const std::string garbage = (fx_.dir.path() + QStringLiteral("/garbage.db")).toStdString();
  {
    std::ofstream out(garbage, std::ios::binary);
    for (int i = 0; i < 4096; ++i)
      out.put(static_cast<char>('A' + i % 26));
  }
  opened = gui::open_database(garbage);
  QVERIFY(!opened.store);
  QVERIFY2(opened.error.contains(QString::fromStdString(garbage)), qPrintable(opened.error));
  QVERIFY2(opened.error.contains(QStringLiteral("backup")), qPrintable(opened.error));

  const std::string future = (fx_.dir.path() + QStringLiteral("/future.db")).toStdString();
  { store::Store::open(future); }
  sqlite3* db = nullptr;
  QCOMPARE(sqlite3_open(future.c_str(), &db), SQLITE_OK);
  const std::string pragma =
      "PRAGMA user_version = " + std::to_string(store::schema_version + 1) + ";";
  QCOMPARE(sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  opened = gui::open_database(future);
  QVERIFY(!opened.store);
  QVERIFY2(opened.error.contains(QStringLiteral("newer pigmatch")), qPrintable(opened.error));

  // The database path rule: --db wins, otherwise libcore's ($PIGMATCH_DB first).
  QCOMPARE(gui::database_path(QStringLiteral("/tmp/x.db")), std::filesystem::path("/tmp/x.db"));
  qputenv("PIGMATCH_DB", QByteArray::fromStdString(garbage));
  QCOMPARE(gui::database_path(QString()), std::filesystem::path(garbage));
  qunsetenv("PIGMATCH_DB");
}

namespace {

// Little CMS's Lab D50 (float path) of an 8-bit sRGB pixel.
Lab lcms_lab_of_srgb(std::array<std::uint8_t, 3> rgb) {
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab_profile = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM t = cmsCreateTransform(srgb, TYPE_RGB_8, lab_profile, TYPE_Lab_DBL,
                                       INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  cmsCIELab out{};
  cmsDoTransform(t, rgb.data(), &out, 1);
  cmsDeleteTransform(t);
  cmsCloseProfile(lab_profile);
  cmsCloseProfile(srgb);
  return Lab{out.L, out.a, out.b};
}

}  // namespace

void GuiTest::displayProfileFromFile() {
  // A wide-gamut display (ProPhoto primaries, D50 white, gamma 1.8) written by Little CMS: the
  // cyan outside sRGB fits it, and swatches follow that profile, not sRGB.
  cmsCIExyYTRIPLE primaries{{0.7347, 0.2653, 1}, {0.1596, 0.8404, 1}, {0.0366, 0.0001, 1}};
  cmsToneCurve* gamma = cmsBuildGamma(nullptr, 1.8);
  cmsToneCurve* curves[3] = {gamma, gamma, gamma};
  cmsHPROFILE wide = cmsCreateRGBProfile(cmsD50_xyY(), &primaries, curves);
  const std::string wide_file = (fx_.dir.path() + QStringLiteral("/wide.icc")).toStdString();
  QVERIFY(cmsSaveProfileToFile(wide, wide_file.c_str()));
  cmsHPROFILE lab_profile = cmsCreateLab4Profile(nullptr);
  cmsHTRANSFORM to_wide = cmsCreateTransform(lab_profile, TYPE_Lab_DBL, wide, TYPE_RGB_16,
                                             INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOCACHE);
  const std::array<double, 3> in{fx_.bruno_vivid_lab.L, fx_.bruno_vivid_lab.a,
                                 fx_.bruno_vivid_lab.b};
  std::array<cmsUInt16Number, 3> expected{};
  cmsDoTransform(to_wide, in.data(), expected.data(), 1);
  cmsDeleteTransform(to_wide);
  cmsCloseProfile(wide);
  cmsFreeToneCurve(gamma);

  const auto display =
      std::make_shared<const gui::DisplayColor>(gui::DisplayColor::from_icc_file(wide_file));
  gui::SwatchWidget swatch(display);
  swatch.setLab(fx_.bruno_vivid_lab);
  QVERIFY(!swatch.isOutOfGamut());
  const QColor c = swatch.displayColor();
  QVERIFY2(std::abs(c.red() - expected[0] / 257.0) <= 1.0, qPrintable(c.name()));
  QVERIFY2(std::abs(c.green() - expected[1] / 257.0) <= 1.0, qPrintable(c.name()));
  QVERIFY2(std::abs(c.blue() - expected[2] / 257.0) <= 1.0, qPrintable(c.name()));

  // Not an RGB display profile, not a profile, no file: errors naming the file.
  const std::string lab_file = (fx_.dir.path() + QStringLiteral("/lab.icc")).toStdString();
  QVERIFY(cmsSaveProfileToFile(lab_profile, lab_file.c_str()));
  cmsCloseProfile(lab_profile);
  const std::string text_file = (fx_.dir.path() + QStringLiteral("/notes.icc")).toStdString();
  { std::ofstream(text_file) << "not a profile"; }
  for (const std::string& bad : {lab_file, text_file, wide_file + ".missing"}) {
    try {
      gui::DisplayColor::from_icc_file(bad);
      QFAIL(qPrintable(QString::fromStdString(bad + " was accepted")));
    } catch (const Error& e) {
      QVERIFY2(QString::fromStdString(e.what()).contains(QString::fromStdString(bad)), e.what());
    }
  }
}

void GuiTest::photoShowsLabUnderCursor() {
  // An untagged 8 × 6 TIFF: left half skin-like, right half blue (read as sRGB).
  const std::array<std::uint8_t, 3> left{200, 150, 120}, right{30, 60, 200};
  Image image;
  image.width = 8;
  image.height = 6;
  image.format = ImageFormat::tiff;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      for (std::uint8_t v : x < 4 ? left : right)
        image.pixels.push_back(std::byte{v});
    }
  }
  const std::string file = (fx_.dir.path() + QStringLiteral("/two-colours.tif")).toStdString();
  write_tiff(image, file);

  gui::test::GuiSession session(fx_.db);
  QVERIFY2(session.ok(), qPrintable(session.opened.error));
  gui::MainWindow& window = *session.window;
  window.findChild<QTabWidget*>(QStringLiteral("screens"))->setCurrentIndex(1);
  window.show();
  gui::PhotoView* photo = window.photoView();
  QVERIFY(photo->loadPhoto(file));
  QVERIFY(!photo->cursorLab());
  auto* readout = window.findChild<QLabel*>(QStringLiteral("labUnderCursor"));
  QVERIFY(readout != nullptr);
  for (const auto& [point, rgb] : {std::pair{QPoint(1, 2), left}, std::pair{QPoint(6, 4), right}}) {
    hover(photo->canvas(), point);
    QVERIFY(photo->cursorLab().has_value());
    const Lab expected = lcms_lab_of_srgb(rgb);
    const double de = delta_e2000(expected, *photo->cursorLab());
    QVERIFY2(de < 0.01, qPrintable(QString::number(de)));
    QVERIFY2(readout->text().contains(QString::number(expected.L, 'f', 2)),
             qPrintable(readout->text()));
  }
  hover(photo->canvas(), QPoint(20, 20));  // outside the 8 × 6 photo
  QVERIFY(!photo->cursorLab());

  const QString sample = QStringLiteral(PIGMATCH_SOURCE_DIR "/data/samples/colorchecker-srgb.jpg");
  if (!qgetenv("PIGMATCH_SCREENSHOT_DIR").isEmpty() && photo->loadPhoto(sample.toStdString())) {
    const double z = photo->zoom();  // zoomed to fit the view
    // The chart's "light skin" patch (x 120…200, y 20…100 of the sample).
    hover(photo->canvas(), QPoint(static_cast<int>(160 * z), static_cast<int>(60 * z)));
    save_screenshot(&window, "photo.png");
  }
}

void GuiTest::badPhotoIsAMessage() {
  const std::string file = (fx_.dir.path() + QStringLiteral("/not-a-photo.jpg")).toStdString();
  {
    std::ofstream out(file, std::ios::binary);
    out << "\xff\xd8\xff this is not a JPEG";
  }
  gui::test::GuiSession session(fx_.db);
  QVERIFY2(session.ok(), qPrintable(session.opened.error));
  gui::MainWindow& window = *session.window;
  window.show();
  QVERIFY(!window.photoView()->loadPhoto(file));
  QVERIFY2(window.lastError().contains(QString::fromStdString(file)),
           qPrintable(window.lastError()));
}

// A new studio with nothing but pigmatch-gui: the database started where there was none, a
// client and a visit added through the dialogs, each refusal said in the dialog (which stays
// open with what was typed), and the new visit ready to save a photo's colours into.
void GuiTest::newStudioStartsInTheGui() {
  const std::filesystem::path db =
      std::filesystem::path(fx_.dir.path().toStdString()) / "new-studio" / "pigmatch.db";
  gui::OpenedDatabase opened = gui::open_database(db);
  QVERIFY(!opened.store);
  QVERIFY(opened.missing);
  QVERIFY(!std::filesystem::exists(db));
  opened = gui::open_database(db, true);
  QVERIFY2(opened.store.has_value(), qPrintable(opened.error));
  QVERIFY(std::filesystem::exists(db));
  gui::MainWindow window(*opened.store, gui::test::srgb_display());
  window.show();
  QCOMPARE(window.clientList()->list()->count(), 0);

  QTest::mouseClick(window.clientList()->addButton(), Qt::LeftButton);
  auto* client_form = window.findChild<gui::ClientForm*>();
  QVERIFY(client_form != nullptr && client_form->isVisible());
  QTest::keyClicks(client_form->nameBox(), QStringLiteral("   "));
  QTest::mouseClick(client_form->addButton(), Qt::LeftButton);
  QVERIFY2(client_form->message()->text().contains(QStringLiteral("blank")),
           qPrintable(client_form->message()->text()));
  QVERIFY(client_form->isVisible());
  client_form->nameBox()->setText(QStringLiteral("Ana Lima"));
  QTest::keyClicks(client_form->birthDateBox(), QStringLiteral("1990-02-30"));
  QTest::mouseClick(client_form->addButton(), Qt::LeftButton);
  QVERIFY2(client_form->message()->text().contains(QStringLiteral("not a day of the calendar")),
           qPrintable(client_form->message()->text()));
  QCOMPARE(opened.store->clients().size(), std::size_t(0));
  client_form->birthDateBox()->setText(QStringLiteral("1990-02-28"));
  QTest::mouseClick(client_form->addButton(), Qt::LeftButton);
  QVERIFY(pump_until([&] { return window.findChild<gui::ClientForm*>() == nullptr; }));
  const std::vector<store::Client> clients = opened.store->clients();
  QCOMPARE(clients.size(), std::size_t(1));
  QCOMPARE(clients[0].birth_date, std::string("1990-02-28"));
  QCOMPARE(window.clientList()->list()->count(), 1);
  QCOMPARE(window.clientPage()->clientId(), clients[0].id);  // selected and shown

  auto* add_visit = window.findChild<QPushButton*>(QStringLiteral("addVisit"));
  QVERIFY(add_visit != nullptr);
  QTest::mouseClick(add_visit, Qt::LeftButton);
  auto* visit_form = window.findChild<gui::VisitForm*>();
  QVERIFY(visit_form != nullptr && visit_form->isVisible());
  QCOMPARE(visit_form->dateBox()->text(), QDate::currentDate().toString(Qt::ISODate));
  visit_form->dateBox()->setText(QStringLiteral("2099-01-01"));
  QTest::keyClicks(visit_form->areaBox(), QStringLiteral("crown"));
  QTest::mouseClick(visit_form->addButton(), Qt::LeftButton);
  QVERIFY2(visit_form->message()->text().contains(QStringLiteral("in the future")),
           qPrintable(visit_form->message()->text()));
  visit_form->dateBox()->setText(QDate::currentDate().toString(Qt::ISODate));
  QTest::mouseClick(visit_form->addButton(), Qt::LeftButton);
  QVERIFY(pump_until([&] { return window.findChild<gui::VisitForm*>() == nullptr; }));
  const std::vector<store::Visit> visits = opened.store->client_record(clients[0].id).visits;
  QCOMPARE(visits.size(), std::size_t(1));
  QCOMPARE(visits[0].area, std::string("crown"));
  QVERIFY(window.findChild<QTreeWidget*>(QStringLiteral("visitTimeline"))->topLevelItemCount() ==
          1);
  auto* photo_visits = window.photoPage()->findChild<QComboBox*>(QStringLiteral("visitChoice"));
  QVERIFY(photo_visits != nullptr);
  QCOMPARE(photo_visits->count(), 1);

  // "Edit details…": the form holds her details; a refusal keeps it open; Save corrects the
  // record and the list.
  auto* edit = window.findChild<QPushButton*>(QStringLiteral("editClient"));
  QVERIFY(edit != nullptr);
  QTest::mouseClick(edit, Qt::LeftButton);
  auto* edit_form = window.findChild<gui::ClientForm*>();
  QVERIFY(edit_form != nullptr && edit_form->isVisible());
  QCOMPARE(edit_form->nameBox()->text(), QStringLiteral("Ana Lima"));
  QCOMPARE(edit_form->birthDateBox()->text(), QStringLiteral("1990-02-28"));
  edit_form->nameBox()->setText(QStringLiteral("Ana\u202eamiL"));
  QTest::mouseClick(edit_form->addButton(), Qt::LeftButton);
  QVERIFY2(edit_form->message()->text().contains(QStringLiteral("U+202E")),
           qPrintable(edit_form->message()->text()));
  edit_form->nameBox()->setText(QStringLiteral("Ana Lima Souza"));
  QTest::mouseClick(edit_form->addButton(), Qt::LeftButton);
  QVERIFY(pump_until([&] { return window.findChild<gui::ClientForm*>() == nullptr; }));
  const store::Client corrected = opened.store->client(clients[0].id);
  QCOMPARE(corrected.name, std::string("Ana Lima Souza"));
  QCOMPARE(corrected.created_at, clients[0].created_at);
  QCOMPARE(opened.store->clients().size(), std::size_t(1));
  QVERIFY(
      window.clientList()->list()->item(0)->text().startsWith(QStringLiteral("Ana Lima Souza")));
  QCOMPARE(window.clientPage()->clientId(), clients[0].id);
}

namespace {

// Chooses `file` in the window's database file dialog (opened by `action`), as a user would.
// False when there is no such action or dialog.
bool choose_database_file(gui::MainWindow& window, const char* action, const QString& file) {
  auto* menu_action = window.findChild<QAction*>(QString::fromLatin1(action));
  if (menu_action == nullptr)
    return false;
  menu_action->trigger();
  // The dialog just opened (an earlier one may still wait for its deferred delete, hidden).
  for (auto* dialog : window.findChildren<QFileDialog*>(QStringLiteral("databaseFileDialog"))) {
    if (dialog->isVisible()) {
      dialog->selectFile(file);
      static_cast<QDialog*>(dialog)->accept();  // as OK: QFileDialog's own accept() runs
      return true;
    }
  }
  return false;
}

}  // namespace

void GuiTest::fileMenuStartsAndOpensDatabases() {
  std::optional<store::Store> first = store::Store::open(fx_.db);
  gui::DatabaseSession session(std::move(*first), gui::test::srgb_display());
  session.window().show();
  QCOMPARE(session.window().clientList()->list()->count(), 2);
  const QString folder = fx_.dir.path();
  const QString fresh = folder + QStringLiteral("/menu-new.db");

  // File › New database…: a new, empty database in a new window.
  gui::MainWindow* before = &session.window();
  QVERIFY(choose_database_file(session.window(), "newDatabase", fresh));
  QVERIFY(&session.window() != before);
  QVERIFY(std::filesystem::exists(fresh.toStdString()));
  QCOMPARE(session.store().path().string(), fresh.toStdString());
  QVERIFY(session.window().isVisible());
  QVERIFY(session.window().windowTitle().contains(fresh));
  QCOMPARE(session.window().clientList()->list()->count(), 0);
  // The old window and its store are gone once the event loop ran.
  const auto windows = [] {
    const QWidgetList all = QApplication::topLevelWidgets();
    return std::count_if(all.begin(), all.end(),
                         [](QWidget* w) { return qobject_cast<gui::MainWindow*>(w) != nullptr; });
  };
  QVERIFY(pump_until([&] { return windows() == 1; }));

  // New on a file that exists: refused, nothing replaced, the window stays.
  before = &session.window();
  QVERIFY(choose_database_file(session.window(), "newDatabase", fresh));
  QCOMPARE(&session.window(), before);
  QVERIFY2(before->lastError().contains(QStringLiteral("already exists")),
           qPrintable(before->lastError()));

  // Open on a file that is not a pigmatch database: the reason, and the window stays.
  const QString garbage = folder + QStringLiteral("/not-a-database.db");
  {
    std::ofstream out(garbage.toStdString(), std::ios::binary);
    out << std::string(4096, 'x');
  }
  QVERIFY(choose_database_file(session.window(), "openDatabase", garbage));
  QCOMPARE(&session.window(), before);
  QVERIFY2(before->lastError().contains(QStringLiteral("not a pigmatch database")),
           qPrintable(before->lastError()));
  QCOMPARE(session.store().path().string(), fresh.toStdString());

  // A typed server location that is not one: said plainly.
  auto* server = session.window().findChild<QAction*>(QStringLiteral("openServer"));
  QVERIFY(server != nullptr);
  server->trigger();
  auto* typed = session.window().findChild<QInputDialog*>(QStringLiteral("serverDialog"));
  QVERIFY(typed != nullptr);
  typed->setTextValue(QStringLiteral("studio.db"));
  typed->accept();
  QVERIFY2(before->lastError().contains(QStringLiteral("not a PostgreSQL location")),
           qPrintable(before->lastError()));
  QCOMPARE(&session.window(), before);

  // Back to the studio's database (File › Open database…, or its server): its clients again.
  if (store::is_server_location(fx_.db)) {
    server->trigger();
    typed = session.window().findChild<QInputDialog*>(QStringLiteral("serverDialog"));
    QVERIFY(typed != nullptr);
    typed->setTextValue(QString::fromStdString(fx_.db));
    typed->accept();
  } else {
    QVERIFY(choose_database_file(session.window(), "openDatabase", QString::fromStdString(fx_.db)));
  }
  QVERIFY(&session.window() != before);
  if (!store::is_server_location(fx_.db))
    QCOMPARE(session.store().path().string(), fx_.db);
  QCOMPARE(session.window().clientList()->list()->count(), 2);
}

QTEST_MAIN(GuiTest)
#include "gui_test.moc"
