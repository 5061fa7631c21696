#include "main_window.h"

#include <QLabel>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>

#include "client_list.h"
#include "client_page.h"
#include "photo_page.h"
#include "photo_view.h"

namespace pigmatch::gui {

MainWindow::MainWindow(store::Store& store, std::shared_ptr<const DisplayColor> display,
                       QWidget* parent)
    : QMainWindow(parent) {
  setWindowTitle(
      QStringLiteral("pigmatch — %1").arg(QString::fromStdString(store.path().string())));
  auto* splitter = new QSplitter(this);
  list_ = new ClientList(store, splitter);
  page_ = new ClientPage(store, display, splitter);
  splitter->addWidget(list_);
  splitter->addWidget(page_);
  splitter->setStretchFactor(1, 3);
  photo_ = new PhotoPage(store, display, this);
  auto* tabs = new QTabWidget(this);
  tabs->setObjectName(QStringLiteral("screens"));
  tabs->addTab(splitter, QStringLiteral("Clients"));
  tabs->addTab(photo_, QStringLiteral("Photo"));
  setCentralWidget(tabs);
  statusBar()->addPermanentWidget(
      new QLabel(QStringLiteral("Swatches for display profile: %1")
                     .arg(QString::fromStdString(display->profile_name())),
                 this));
  connect(list_, &ClientList::clientSelected, page_, &ClientPage::showClient);
  connect(list_, &ClientList::failed, this, &MainWindow::showError);
  connect(page_, &ClientPage::failed, this, &MainWindow::showError);
  connect(photo_, &PhotoPage::failed, this, &MainWindow::showError);
  connect(list_, &ClientList::clientSelected, photo_, &PhotoPage::setClient);
  connect(photo_, &PhotoPage::saved, page_, &ClientPage::showClient);  // the new rows
  resize(1000, 700);
}

PhotoView* MainWindow::photoView() const noexcept {
  return photo_->view();
}

void MainWindow::showError(const QString& message) {
  last_error_ = message;
  auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("pigmatch"), message,
                              QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace pigmatch::gui
