// main_window — the screens as tabs (Clients: the list beside the selected client's page;
// Photo; Match; Touch-up), the mixing-record editor as a dialog; errors as messages. The File
// menu asks which database to start or open; DatabaseSession opens it.
#pragma once

#include <QMainWindow>
#include <memory>
#include <vector>

#include "display_color.h"
#include "pigmatch/formulation/catalog.h"
#include "pigmatch/plugin_host/plugin_host.h"
#include "pigmatch/store/store.h"

class QTabWidget;

namespace pigmatch::gui {

class ClientList;
class ClientPage;
class MatchPage;
class TouchupPage;
class PhotoPage;
class PhotoView;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  /// A window over `store` (which must outlive it); swatches convert through `display`.
  MainWindow(store::Store& store, std::shared_ptr<const DisplayColor> display,
             QWidget* parent = nullptr);

  ClientList* clientList() const noexcept { return list_; }
  ClientPage* clientPage() const noexcept { return page_; }
  PhotoPage* photoPage() const noexcept { return photo_; }
  /// The photo the Photo screen shows.
  PhotoView* photoView() const noexcept;
  MatchPage* matchPage() const noexcept { return match_; }
  TouchupPage* touchupPage() const noexcept { return touchup_; }
  /// The last error shown in a message box (empty when none), for tests.
  const QString& lastError() const noexcept { return last_error_; }

 signals:
  /// File › New database… (`create`), Open database… or Open studio server…: the practitioner
  /// chose `location` (a file, or a PostgreSQL location).
  void databaseRequested(const QString& location, bool create);

 public slots:
  /// Shows `message` in a window-modal (non-blocking) message box.
  void showError(const QString& message);
  /// Opens the mixing-record editor on formula `id` (a non-modal dialog).
  void editFormula(pigmatch::store::Id id);

 private:
  void addMatchAndTouchup(QTabWidget* tabs);
  void addFileMenu();
  /// A window-modal file dialog for a database file to start (`create`) or open.
  void askForDatabaseFile(bool create);
  void askForServer();

  ClientList* list_;
  ClientPage* page_;
  PhotoPage* photo_;
  std::shared_ptr<const PluginRegistry> registry_;  // catalogs and models of Match, Touch-up
  std::vector<Catalog> catalogs_;
  std::shared_ptr<const DisplayColor> display_;
  store::Store& store_;
  MatchPage* match_;
  TouchupPage* touchup_;
  QString last_error_;
};

}  // namespace pigmatch::gui
