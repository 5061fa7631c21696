// pigmatch-gui: the practitioner's desktop tool (clients and their mixing records).
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <exception>
#include <filesystem>
#include <memory>
#include <utility>

#include "database.h"
#include "database_session.h"
#include "display_color.h"
#include "main_window.h"
#include "pigmatch/error.h"

namespace {

// The display's profile when the user names one; Qt 6.4 does not report the screen's profile,
// so without --display-profile the swatches assume an sRGB screen.
std::shared_ptr<const pigmatch::gui::DisplayColor> display_color(const QString& icc_file) {
  using pigmatch::gui::DisplayColor;
  if (icc_file.isEmpty())
    return std::make_shared<const DisplayColor>(DisplayColor::srgb());
  try {
    return std::make_shared<const DisplayColor>(
        DisplayColor::from_icc_file(icc_file.toStdString()));
  } catch (const pigmatch::Error& e) {
    QMessageBox::warning(nullptr, QStringLiteral("pigmatch"),
                         QStringLiteral("%1\n\nSwatches will assume an sRGB display.")
                             .arg(QString::fromStdString(e.what())));
    return std::make_shared<const DisplayColor>(DisplayColor::srgb());
  }
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("pigmatch-gui"));
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("pigmatch: clients and their mixing records"));
  parser.addHelpOption();
  const QCommandLineOption db({QStringLiteral("db")},
                              QStringLiteral("database file, or a PostgreSQL server's database "
                                             "(postgresql://USER@HOST/DB; docs/postgresql.md) "
                                             "(default: $PIGMATCH_DB, else "
                                             "$XDG_DATA_HOME/pigmatch/pigmatch.db)"),
                              QStringLiteral("FILE"));
  const QCommandLineOption profile({QStringLiteral("display-profile")},
                                   QStringLiteral("the display's ICC profile (default: sRGB)"),
                                   QStringLiteral("FILE"));
  parser.addOption(db);
  parser.addOption(profile);
  parser.process(app);

  pigmatch::gui::OpenedDatabase opened;
  try {
    const std::filesystem::path path = pigmatch::gui::database_path(parser.value(db));
    opened = pigmatch::gui::open_database(path);
    if (opened.missing) {
      // A new studio: its first start creates the database, once the practitioner agrees.
      const QString where = QString::fromStdString(path.string());
      const auto answer = QMessageBox::question(
          nullptr, QStringLiteral("pigmatch"),
          QStringLiteral("There is no client database at %1 yet.\n\nStart a new one there?")
              .arg(where));
      if (answer == QMessageBox::Yes)
        opened = pigmatch::gui::open_database(path, true);
    }
  } catch (const std::exception& e) {  // e.g. no home folder to find the default database in
    opened.error = QString::fromStdString(e.what());
  }
  if (!opened.store) {
    QMessageBox::critical(nullptr, QStringLiteral("pigmatch"), opened.error);
    return 1;
  }
  pigmatch::gui::DatabaseSession session(std::move(*opened.store),
                                         display_color(parser.value(profile)));
  session.window().show();
  return QApplication::exec();
}
