// main_window — the screens as tabs (Clients: the list beside the selected client's page;
// Photo); errors as messages.
#pragma once

#include <QMainWindow>
#include <memory>

#include "display_color.h"
#include "pigmatch/store.h"

namespace pigmatch::gui {

class ClientList;
class ClientPage;
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
  /// The last error shown in a message box (empty when none), for tests.
  const QString& lastError() const noexcept { return last_error_; }

 public slots:
  /// Shows `message` in a window-modal (non-blocking) message box.
  void showError(const QString& message);

 private:
  ClientList* list_;
  ClientPage* page_;
  PhotoPage* photo_;
  QString last_error_;
};

}  // namespace pigmatch::gui
