#include "record_forms.h"

#include <QComboBox>
#include <QDate>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <exception>

#include "text.h"

namespace pigmatch::gui {

namespace {

QLineEdit* line(QWidget* parent, const char* name, const QString& placeholder = {}) {
  auto* box = new QLineEdit(parent);
  box->setObjectName(QLatin1String(name));
  box->setPlaceholderText(placeholder);
  return box;
}

QLabel* message_label(QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setObjectName(QStringLiteral("formMessage"));
  label->setWordWrap(true);
  label->setStyleSheet(QStringLiteral("color: #a33;"));
  return label;
}

// The add and cancel buttons, the add button returned.
QPushButton* buttons(QDialog* dialog, QVBoxLayout* layout, const QString& add_text) {
  auto* box = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
  auto* add = box->addButton(add_text, QDialogButtonBox::AcceptRole);
  add->setObjectName(QStringLiteral("addRecord"));
  add->setDefault(true);
  // Accepting is add()'s decision, after the store said yes.
  QObject::connect(box, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  layout->addWidget(box);
  return add;
}

std::string text_of(const QLineEdit* box) {
  return box->text().toStdString();
}

}  // namespace

ClientForm::ClientForm(store::Store& store, QWidget* parent)
    : QDialog(parent),
      store_(store),
      name_(line(this, "clientName", QStringLiteral("full name"))),
      birth_date_(line(this, "clientBirthDate", QStringLiteral("YYYY-MM-DD (optional)"))),
      phone_(line(this, "clientPhone")),
      email_(line(this, "clientEmail")),
      message_(message_label(this)) {
  setWindowTitle(QStringLiteral("Add client"));
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  form->addRow(QStringLiteral("Name"), name_);
  form->addRow(QStringLiteral("Birth date"), birth_date_);
  form->addRow(QStringLiteral("Phone"), phone_);
  form->addRow(QStringLiteral("E-mail"), email_);
  layout->addLayout(form);
  layout->addWidget(message_);
  add_ = buttons(this, layout, QStringLiteral("Add client"));
  connect(add_, &QPushButton::clicked, this, &ClientForm::add);
}

ClientForm::ClientForm(store::Store& store, const store::Client& client, QWidget* parent)
    : ClientForm(store, parent) {
  editing_ = client;
  setWindowTitle(QStringLiteral("Edit details of %1").arg(qs(client.name)));
  name_->setText(qs(client.name));
  birth_date_->setText(qs(client.birth_date));
  phone_->setText(qs(client.phone));
  email_->setText(qs(client.email));
  add_->setText(QStringLiteral("Save"));
}

void ClientForm::add() {
  store::Client client = editing_.value_or(store::Client{});
  client.name = text_of(name_);
  client.birth_date = text_of(birth_date_);
  client.phone = text_of(phone_);
  client.email = text_of(email_);
  try {
    if (editing_) {
      store_.update_client(client);
      added_ = client.id;
    } else {
      added_ = store_.add_client(client);
    }
    accept();
  } catch (const std::exception& e) {
    message_->setText(qs(e.what()));
  }
}

VisitForm::VisitForm(store::Store& store, store::Id client, QWidget* parent)
    : QDialog(parent),
      store_(store),
      client_(client),
      kind_(new QComboBox(this)),
      date_(line(this, "visitDate", QStringLiteral("YYYY-MM-DD"))),
      area_(line(this, "visitArea", QStringLiteral("e.g. crown, left temple scar"))),
      practitioner_(line(this, "visitPractitioner")),
      needle_(line(this, "visitNeedle", QStringLiteral("e.g. 3RL 0.25"))),
      message_(message_label(this)) {
  setWindowTitle(QStringLiteral("Add visit"));
  kind_->setObjectName(QStringLiteral("visitKind"));
  for (const store::VisitKind kind : {store::VisitKind::initial, store::VisitKind::second,
                                      store::VisitKind::touchup, store::VisitKind::camouflage}) {
    kind_->addItem(qs(store::to_string(kind)), static_cast<int>(kind));
  }
  date_->setText(QDate::currentDate().toString(Qt::ISODate));
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  form->addRow(QStringLiteral("Kind"), kind_);
  form->addRow(QStringLiteral("Date"), date_);
  form->addRow(QStringLiteral("Area"), area_);
  form->addRow(QStringLiteral("Practitioner"), practitioner_);
  form->addRow(QStringLiteral("Needle"), needle_);
  layout->addLayout(form);
  layout->addWidget(message_);
  add_ = buttons(this, layout, QStringLiteral("Add visit"));
  connect(add_, &QPushButton::clicked, this, &VisitForm::add);
}

void VisitForm::add() {
  store::Visit visit;
  visit.client_id = client_;
  visit.kind = static_cast<store::VisitKind>(kind_->currentData().toInt());
  visit.date = text_of(date_);
  visit.area = text_of(area_);
  visit.practitioner = text_of(practitioner_);
  visit.needle = text_of(needle_);
  try {
    added_ = store_.add_visit(visit);
    accept();
  } catch (const std::exception& e) {
    message_->setText(qs(e.what()));
  }
}

}  // namespace pigmatch::gui
