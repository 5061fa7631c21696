#include "main_window.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>

#include "client_list.h"
#include "client_page.h"
#include "formula_editor.h"
#include "match_page.h"
#include "photo_page.h"
#include "photo_view.h"
#include "touchup_page.h"

namespace pigmatch::gui {

MainWindow::MainWindow(store::Store& store, std::shared_ptr<const DisplayColor> display,
                       QWidget* parent)
    : QMainWindow(parent), display_(display), store_(store) {
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
  connect(photo_, &PhotoPage::saved, page_, &ClientPage::showClient);      // the new rows
  connect(page_, &ClientPage::visitAdded, photo_, &PhotoPage::setClient);  // the new visit
  connect(page_, &ClientPage::clientEdited, list_, [this](store::Id id) {
    list_->refresh();  // the corrected name
    list_->select(id);
  });
  addMatchAndTouchup(tabs);
  addFileMenu();
  resize(1000, 700);
}

void MainWindow::addFileMenu() {
  QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
  QAction* start =
      file->addAction(QStringLiteral("&New database…"), this, [this] { askForDatabaseFile(true); });
  start->setObjectName(QStringLiteral("newDatabase"));
  QAction* open = file->addAction(QStringLiteral("&Open database…"), this,
                                  [this] { askForDatabaseFile(false); });
  open->setObjectName(QStringLiteral("openDatabase"));
  open->setShortcut(QKeySequence::Open);
  QAction* server =
      file->addAction(QStringLiteral("Open studio &server…"), this, [this] { askForServer(); });
  server->setObjectName(QStringLiteral("openServer"));
  file->addSeparator();
  file->addAction(QStringLiteral("&Quit"), this, &QWidget::close)->setShortcut(QKeySequence::Quit);
}

void MainWindow::askForDatabaseFile(bool create) {
  // Window-modal and non-blocking, as the other dialogs: the tests drive it like a user.
  const QString folder = store::is_server_location(store_.path().native())
                             ? QString()
                             : QFileInfo(QString::fromStdString(store_.path().string())).path();
  auto* dialog =
      new QFileDialog(this,
                      create ? QStringLiteral("Start a new client database")
                             : QStringLiteral("Open a client database"),
                      folder, QStringLiteral("pigmatch databases (*.db);;All files (*)"));
  dialog->setObjectName(QStringLiteral("databaseFileDialog"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setAcceptMode(create ? QFileDialog::AcceptSave : QFileDialog::AcceptOpen);
  dialog->setFileMode(create ? QFileDialog::AnyFile : QFileDialog::ExistingFile);
  if (create) {
    dialog->setDefaultSuffix(QStringLiteral("db"));
    // An existing file is refused by the session, never overwritten: no "replace?" question.
    dialog->setOption(QFileDialog::DontConfirmOverwrite);
  }
  connect(dialog, &QFileDialog::fileSelected, this,
          [this, create](const QString& chosen) { emit databaseRequested(chosen, create); });
  dialog->open();
}

void MainWindow::askForServer() {
  auto* dialog = new QInputDialog(this);
  dialog->setObjectName(QStringLiteral("serverDialog"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(QStringLiteral("Open a studio server"));
  dialog->setLabelText(
      QStringLiteral("The studio's PostgreSQL database, as postgresql://USER@HOST/DATABASE.\n"
                     "Its password comes from ~/.pgpass (docs/postgresql.md), never from here."));
  connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString& typed) {
    const QString location = typed.trimmed();
    if (!store::is_server_location(location.toStdString())) {
      showError(QStringLiteral("\"%1\" is not a PostgreSQL location: give it as "
                               "postgresql://USER@HOST/DATABASE (or open a file with "
                               "File › Open database…).")
                    .arg(location));
      return;
    }
    emit databaseRequested(location, false);
  });
  dialog->open();
}

// Match and Touch-up use the catalogs and mixing models found where `pigmatch` finds them.
void MainWindow::addMatchAndTouchup(QTabWidget* tabs) {
  registry_ = std::make_shared<const PluginRegistry>(default_search_paths());
  for (const CatalogEntry& e : registry_->catalogs())
    catalogs_.push_back(e.catalog);
  match_ = new MatchPage(store_, registry_, display_, this);
  touchup_ = new TouchupPage(store_, catalogs_, display_, this);
  tabs->addTab(match_, QStringLiteral("Match"));
  tabs->addTab(touchup_, QStringLiteral("Touch-up"));
  connect(list_, &ClientList::clientSelected, match_, &MatchPage::showClient);
  connect(list_, &ClientList::clientSelected, touchup_, &TouchupPage::showClient);
  connect(match_, &MatchPage::failed, this, &MainWindow::showError);
  connect(touchup_, &TouchupPage::failed, this, &MainWindow::showError);
  connect(match_, &MatchPage::editFormulaRequested, this, &MainWindow::editFormula);
  connect(page_, &ClientPage::editFormulaRequested, this, &MainWindow::editFormula);
  connect(photo_, &PhotoPage::saved, match_, &MatchPage::showClient);  // new targets
  connect(page_, &ClientPage::visitAdded, match_, &MatchPage::showClient);
  connect(page_, &ClientPage::visitAdded, touchup_, &TouchupPage::showClient);
  connect(photo_, &PhotoPage::saved, touchup_, &TouchupPage::showClient);
  const auto saved = [this](store::Id client) {
    page_->showClient(client);
    touchup_->showClient(client);
  };
  connect(match_, &MatchPage::formulaSaved, this, saved);
  connect(touchup_, &TouchupPage::formulaSaved, this,
          [this](store::Id client) { page_->showClient(client); });
}

void MainWindow::editFormula(store::Id id) {
  auto* editor = new FormulaEditor(store_, catalogs_, display_, id, this);
  editor->setAttribute(Qt::WA_DeleteOnClose);
  connect(editor, &FormulaEditor::failed, this, &MainWindow::showError);
  connect(editor, &FormulaEditor::saved, this, [this](store::Id client) {
    page_->showClient(client);
    touchup_->showClient(client);
  });
  editor->open();
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
