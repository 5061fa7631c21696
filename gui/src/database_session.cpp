#include "database_session.h"

#include <QByteArray>
#include <filesystem>
#include <system_error>
#include <utility>

#include "database.h"
#include "main_window.h"

namespace pigmatch::gui {
namespace {

// The window and store a switch left behind. The switch runs inside the old window's own menu
// action, so both are destroyed later, from the event loop: the window first (its pages hold
// the store), then the store.
class RetiredDatabase : public QObject {
 public:
  RetiredDatabase(std::unique_ptr<MainWindow> window, std::unique_ptr<store::Store> store)
      : store_(std::move(store)), window_(std::move(window)) {}

 private:
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<MainWindow> window_;  // declared after store_: destroyed before it
};

// "New database…" on a file that exists would quietly open it instead: say so.
QString refuse_existing(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return {};
  return QStringLiteral(
             "%1 already exists, so no new database was started there.\n\nChoose another "
             "name, or open it with File › Open database…")
      .arg(QString::fromStdString(path.string()));
}

}  // namespace

DatabaseSession::DatabaseSession(store::Store store, std::shared_ptr<const DisplayColor> display)
    : display_(std::move(display)), store_(std::make_unique<store::Store>(std::move(store))) {
  showWindow();
}

DatabaseSession::~DatabaseSession() = default;

void DatabaseSession::showWindow() {
  window_ = std::make_unique<MainWindow>(*store_, display_);
  connect(window_.get(), &MainWindow::databaseRequested, this, &DatabaseSession::switchTo);
}

bool DatabaseSession::switchTo(const QString& location, bool create) {
  const std::filesystem::path path = location.toStdString();
  const bool on_server = store::is_server_location(path.native());
  if (create && !on_server) {
    if (const QString refusal = refuse_existing(path); !refusal.isEmpty()) {
      window_->showError(refusal);
      return false;
    }
  }
  OpenedDatabase opened = open_database(path, create);
  if (!opened.store) {
    window_->showError(opened.error);
    return false;
  }
  const QByteArray geometry = window_->saveGeometry();
  const bool was_visible = window_->isVisible();
  window_->hide();
  (new RetiredDatabase(std::move(window_), std::move(store_)))->deleteLater();
  store_ = std::make_unique<store::Store>(std::move(*opened.store));
  showWindow();
  window_->restoreGeometry(geometry);
  if (was_visible)
    window_->show();
  return true;
}

}  // namespace pigmatch::gui
