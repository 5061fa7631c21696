#include "main_window.h"

#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>

#include "client_list.h"
#include "client_page.h"

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
  setCentralWidget(splitter);
  statusBar()->showMessage(QStringLiteral("Swatches shown for: %1")
                               .arg(QString::fromStdString(display->profile_name())));
  connect(list_, &ClientList::clientSelected, page_, &ClientPage::showClient);
  connect(list_, &ClientList::failed, this, &MainWindow::showError);
  connect(page_, &ClientPage::failed, this, &MainWindow::showError);
  resize(1000, 700);
}

void MainWindow::showError(const QString& message) {
  last_error_ = message;
  auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("pigmatch"), message,
                              QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace pigmatch::gui
