// record_forms — the dialogs that start a studio's records in the GUI: a new client and a new
// visit. Each writes through store::Store (whose rules check the name and the date) and stays
// open with the store's message when it refuses, so nothing typed is lost.
#pragma once

#include <QDialog>
#include <optional>

#include "pigmatch/store/store.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace pigmatch::gui {

/// "Add client" (name, birth date, phone, e-mail), or "Edit details" of an existing client.
class ClientForm : public QDialog {
  Q_OBJECT

 public:
  /// A form adding a client to `store`, which must outlive it.
  explicit ClientForm(store::Store& store, QWidget* parent = nullptr);
  /// A form correcting `client`'s details (its id and creation time stay).
  ClientForm(store::Store& store, const store::Client& client, QWidget* parent = nullptr);

  /// The client added or corrected, 0 until the store accepted the form.
  store::Id addedId() const noexcept { return added_; }
  QLineEdit* nameBox() const noexcept { return name_; }
  QLineEdit* birthDateBox() const noexcept { return birth_date_; }
  QLabel* message() const noexcept { return message_; }
  QPushButton* addButton() const noexcept { return add_; }

 private:
  void add();

  store::Store& store_;
  std::optional<store::Client> editing_;
  QLineEdit* name_;
  QLineEdit* birth_date_;
  QLineEdit* phone_;
  QLineEdit* email_;
  QLabel* message_;
  QPushButton* add_;
  store::Id added_ = 0;
};

/// "Add visit" of one client: kind, date (today by default), area, practitioner, needle.
class VisitForm : public QDialog {
  Q_OBJECT

 public:
  VisitForm(store::Store& store, store::Id client, QWidget* parent = nullptr);

  store::Id addedId() const noexcept { return added_; }
  QComboBox* kindBox() const noexcept { return kind_; }
  QLineEdit* dateBox() const noexcept { return date_; }
  QLineEdit* areaBox() const noexcept { return area_; }
  QLabel* message() const noexcept { return message_; }
  QPushButton* addButton() const noexcept { return add_; }

 private:
  void add();

  store::Store& store_;
  store::Id client_;
  QComboBox* kind_;
  QLineEdit* date_;
  QLineEdit* area_;
  QLineEdit* practitioner_;
  QLineEdit* needle_;
  QLabel* message_;
  QPushButton* add_;
  store::Id added_ = 0;
};

}  // namespace pigmatch::gui
