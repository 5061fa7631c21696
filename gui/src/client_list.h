// client_list — the searchable list of clients (by name, case-insensitive), read through
// pigmatch::store::Store.
#pragma once

#include <QWidget>

#include "pigmatch/store/store.h"

class QLineEdit;
class QListWidget;
class QPushButton;

namespace pigmatch::gui {

class ClientList : public QWidget {
  Q_OBJECT

 public:
  /// A list over `store`, which must outlive it.
  explicit ClientList(store::Store& store, QWidget* parent = nullptr);

  /// Reloads the clients matching the search box (after the store changed).
  void refresh();
  QLineEdit* searchBox() const noexcept { return search_; }
  QListWidget* list() const noexcept { return list_; }
  QPushButton* addButton() const noexcept { return add_; }
  /// Selects the client with this id (after a refresh), as a click would.
  void select(pigmatch::store::Id id);

 signals:
  /// The user selected a client.
  void clientSelected(pigmatch::store::Id id);
  /// The store failed; `message` says what to do.
  void failed(const QString& message);

 private:
  void onSelectionChanged();
  void addClient();

  store::Store& store_;
  QLineEdit* search_;
  QListWidget* list_;
  QPushButton* add_;
};

}  // namespace pigmatch::gui
