// database_session — the open client database and the window over it. "New database…" and
// "Open database…" open the other database first and replace the window only once it is open,
// so a database that cannot be opened leaves the practitioner where they were, with the reason.
#pragma once

#include <QObject>
#include <QString>
#include <memory>

#include "display_color.h"
#include "pigmatch/store/store.h"

namespace pigmatch::gui {

class MainWindow;

class DatabaseSession : public QObject {
  Q_OBJECT

 public:
  /// A session over `store`; its window is created (not shown) here.
  DatabaseSession(store::Store store, std::shared_ptr<const DisplayColor> display);
  ~DatabaseSession() override;
  DatabaseSession(const DatabaseSession&) = delete;
  DatabaseSession& operator=(const DatabaseSession&) = delete;

  /// The window over the open database (another one after each switch).
  MainWindow& window() const noexcept { return *window_; }
  const store::Store& store() const noexcept { return *store_; }

 public slots:
  /// Opens the database at `location` (a file, or a PostgreSQL location); with `create`, starts
  /// a new one there, refusing a file that already exists. On success a new window over it
  /// replaces the current one; otherwise the current window shows why. Returns whether it did.
  bool switchTo(const QString& location, bool create);

 private:
  void showWindow();

  std::shared_ptr<const DisplayColor> display_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<MainWindow> window_;  // declared after store_: destroyed before it
};

}  // namespace pigmatch::gui
