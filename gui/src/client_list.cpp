#include "client_list.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "record_forms.h"

namespace pigmatch::gui {

namespace {
constexpr int id_role = Qt::UserRole;
}

ClientList::ClientList(store::Store& store, QWidget* parent)
    : QWidget(parent),
      store_(store),
      search_(new QLineEdit(this)),
      list_(new QListWidget(this)),
      add_(new QPushButton(QStringLiteral("Add client…"), this)) {
  search_->setObjectName(QStringLiteral("clientSearch"));
  search_->setPlaceholderText(QStringLiteral("Search clients by name"));
  search_->setClearButtonEnabled(true);
  list_->setObjectName(QStringLiteral("clientList"));
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new QLabel(QStringLiteral("<b>Clients</b>"), this));
  layout->addWidget(search_);
  layout->addWidget(list_);
  add_->setObjectName(QStringLiteral("addClient"));
  layout->addWidget(add_);
  connect(add_, &QPushButton::clicked, this, &ClientList::addClient);
  connect(search_, &QLineEdit::textChanged, this, &ClientList::refresh);
  connect(list_, &QListWidget::itemSelectionChanged, this, &ClientList::onSelectionChanged);
  refresh();
}

void ClientList::refresh() {
  std::vector<store::Client> clients;
  try {
    clients = store_.clients(search_->text().trimmed().toStdString());
  } catch (const std::exception& e) {
    emit failed(
        QStringLiteral("Cannot read the clients: %1").arg(QString::fromStdString(e.what())));
    return;
  }
  const QSignalBlocker blocker(list_);  // a reload is not the user's selection
  list_->clear();
  for (const store::Client& client : clients) {
    QString text = QString::fromStdString(client.name);
    if (!client.birth_date.empty()) {
      text += QStringLiteral("  (%1)").arg(QString::fromStdString(client.birth_date));
    }
    auto* item = new QListWidgetItem(text, list_);
    item->setData(id_role, QVariant::fromValue<qlonglong>(client.id));
  }
}

void ClientList::addClient() {
  auto* form = new ClientForm(store_, this);
  form->setAttribute(Qt::WA_DeleteOnClose);
  connect(form, &QDialog::accepted, this, [this, form] {
    search_->clear();  // the new client must be in the list to be selected
    refresh();
    select(form->addedId());
  });
  form->open();
}

void ClientList::select(store::Id id) {
  for (int i = 0; i < list_->count(); ++i) {
    if (list_->item(i)->data(id_role).toLongLong() == id) {
      list_->setCurrentItem(list_->item(i));  // selection changes: clientSelected follows
      return;
    }
  }
}

void ClientList::onSelectionChanged() {
  const QList<QListWidgetItem*> selected = list_->selectedItems();
  if (selected.isEmpty())
    return;
  emit clientSelected(selected.front()->data(id_role).toLongLong());
}

}  // namespace pigmatch::gui
