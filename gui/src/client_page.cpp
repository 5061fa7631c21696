#include "client_page.h"

#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <map>

#include "pigmatch/regions/skintone.h"
#include "record_forms.h"
#include "swatch_widget.h"
#include "text.h"

namespace pigmatch::gui {
namespace {

QString visit_text(const store::Visit& visit) {
  QString text = QStringLiteral("%1  %2").arg(qs(visit.date), qs(to_string(visit.kind)));
  if (!visit.area.empty())
    text += QStringLiteral(" — ") + qs(visit.area);
  return text;
}

// Skin tone is derived (libcore's skintone module), never stored: only skin measurements have one.
QString skin_tone_text(const store::Measurement& m) {
  if (m.kind != store::MeasurementKind::skin)
    return {};
  const SkinTone tone = assess_skin_tone(m.lab);
  return QStringLiteral("ITA %1° (%2), Monk %3")
      .arg(tone.ita, 0, 'f', 1)
      .arg(qs(to_string(tone.ita_class)))
      .arg(tone.monk.index);
}

QGroupBox* section(const QString& title, QWidget* parent) {
  auto* box = new QGroupBox(title, parent);
  box->setFlat(true);
  return box;
}

}  // namespace

ClientPage::ClientPage(store::Store& store, std::shared_ptr<const DisplayColor> display,
                       QWidget* parent)
    : QWidget(parent), store_(store), display_(std::move(display)), scroll_(new QScrollArea(this)) {
  scroll_->setWidgetResizable(true);
  scroll_->setObjectName(QStringLiteral("clientPageScroll"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(scroll_);
  auto* empty = new QLabel(QStringLiteral("Select a client on the left."), scroll_);
  empty->setAlignment(Qt::AlignCenter);
  scroll_->setWidget(empty);
}

void ClientPage::addVisit() {
  auto* form = new VisitForm(store_, client_id_, this);
  form->setAttribute(Qt::WA_DeleteOnClose);
  connect(form, &QDialog::accepted, this, [this] {
    const store::Id client = client_id_;
    showClient(client);
    emit visitAdded(client);
  });
  form->open();
}

void ClientPage::editClient() {
  store::Client client;
  try {
    client = store_.client(client_id_);
  } catch (const std::exception& e) {
    emit failed(qs(e.what()));
    return;
  }
  auto* form = new ClientForm(store_, client, this);
  form->setAttribute(Qt::WA_DeleteOnClose);
  connect(form, &QDialog::accepted, this, [this] {
    const store::Id id = client_id_;
    showClient(id);
    emit clientEdited(id);
  });
  form->open();
}

void ClientPage::showClient(store::Id id) {
  store::ClientRecord record;
  try {
    record = store_.client_record(id);
  } catch (const std::exception& e) {
    emit failed(QStringLiteral("Cannot read client %1: %2").arg(id).arg(qs(std::string(e.what()))));
    return;
  }
  client_id_ = id;
  scroll_->setWidget(buildPage(record));  // deletes the previous page
}

QWidget* ClientPage::buildPage(const store::ClientRecord& record) {
  auto* page = new QWidget;
  page->setObjectName(QStringLiteral("clientPage"));
  auto* layout = new QVBoxLayout(page);
  const store::Client& c = record.client;
  auto* title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(qs(c.name).toHtmlEscaped()), page);
  title->setObjectName(QStringLiteral("clientName"));
  layout->addWidget(title);
  QStringList details;
  if (!c.birth_date.empty())
    details << QStringLiteral("born ") + qs(c.birth_date);
  if (!c.phone.empty())
    details << qs(c.phone);
  if (!c.email.empty())
    details << qs(c.email);
  if (!c.notes.empty())
    details << qs(c.notes);
  if (!details.isEmpty())
    layout->addWidget(new QLabel(details.join(QStringLiteral(" · ")), page));
  auto* edit = new QPushButton(QStringLiteral("Edit details…"), page);
  edit->setObjectName(QStringLiteral("editClient"));
  connect(edit, &QPushButton::clicked, this, &ClientPage::editClient);
  layout->addWidget(edit, 0, Qt::AlignLeft);
  layout->addWidget(visitsSection(record, page));
  layout->addWidget(measurementsSection(record, page));
  layout->addWidget(formulasSection(record, page));
  layout->addWidget(consentsSection(record, page));
  layout->addStretch(1);
  return page;
}

QWidget* ClientPage::visitsSection(const store::ClientRecord& record, QWidget* parent) {
  auto* box = section(QStringLiteral("Visits"), parent);
  auto* tree = new QTreeWidget(box);
  tree->setObjectName(QStringLiteral("visitTimeline"));
  tree->setHeaderLabels({QStringLiteral("Visit"), QStringLiteral("Practitioner"),
                         QStringLiteral("Needle"), QStringLiteral("Notes")});
  std::vector<store::Visit> visits = record.visits;
  std::stable_sort(visits.begin(), visits.end(),
                   [](const auto& a, const auto& b) { return a.date < b.date; });
  for (const store::Visit& v : visits) {
    auto* item =
        new QTreeWidgetItem(tree, {visit_text(v), qs(v.practitioner), qs(v.needle), qs(v.notes)});
    for (const store::Measurement& m : record.measurements) {
      if (m.visit_id != v.id)
        continue;
      new QTreeWidgetItem(item, {QStringLiteral("measured %1 %2: %3")
                                     .arg(qs(to_string(m.kind)), qs(m.region), lab_text(m.lab))});
    }
    for (const store::Formula& f : record.formulas) {
      if (f.visit_id != v.id)
        continue;
      new QTreeWidgetItem(item, {QStringLiteral("formula #%1 %2").arg(f.id).arg(qs(f.region))});
    }
  }
  tree->expandAll();
  tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  // Tall enough for every row, no taller: the page scrolls, not the timeline.
  const int rows = int(visits.size() + record.measurements.size() + record.formulas.size());
  tree->setFixedHeight(tree->header()->sizeHint().height() + 6 +
                       tree->fontMetrics().height() * 5 / 4 * std::max(rows, 1));
  auto* layout = new QVBoxLayout(box);
  if (visits.empty())
    layout->addWidget(new QLabel(QStringLiteral("No visits yet."), box));
  layout->addWidget(tree);
  auto* add = new QPushButton(QStringLiteral("Add visit…"), box);
  add->setObjectName(QStringLiteral("addVisit"));
  connect(add, &QPushButton::clicked, this, &ClientPage::addVisit);
  layout->addWidget(add, 0, Qt::AlignLeft);
  return box;
}

QWidget* ClientPage::measurementsSection(const store::ClientRecord& record, QWidget* parent) {
  auto* box = section(QStringLiteral("Measurements"), parent);
  auto* grid = new QGridLayout(box);
  if (record.measurements.empty()) {
    grid->addWidget(new QLabel(QStringLiteral("No measurements yet."), box), 0, 0);
  }
  int row = 0;
  for (const store::Measurement& m : record.measurements) {
    auto* swatch = new SwatchWidget(display_, box);
    swatch->setObjectName(QStringLiteral("measurementSwatch%1").arg(m.id));
    swatch->setLab(m.lab);
    QString text = QStringLiteral("<b>%1</b> %2 · %3<br>%4")
                       .arg(qs(to_string(m.kind)), qs(m.region).toHtmlEscaped(), qs(m.taken_at),
                            lab_text(m.lab));
    const QString tone = skin_tone_text(m);
    if (!tone.isEmpty())
      text += QStringLiteral("<br>") + tone;
    if (m.calibration_de00) {
      text += QStringLiteral("<br>calibration mean ΔE00 %1").arg(*m.calibration_de00, 0, 'f', 2);
    }
    if (swatch->isOutOfGamut())
      text += QStringLiteral("<br><i>outside the display's gamut</i>");
    auto* label = new QLabel(text, box);
    label->setObjectName(QStringLiteral("measurementText%1").arg(m.id));
    grid->addWidget(swatch, row, 0);
    grid->addWidget(label, row, 1);
    ++row;
  }
  grid->setColumnStretch(1, 1);
  return box;
}

QWidget* ClientPage::formulasSection(const store::ClientRecord& record, QWidget* parent) {
  auto* box = section(QStringLiteral("Formulas"), parent);
  auto* layout = new QVBoxLayout(box);
  if (record.formulas.empty())
    layout->addWidget(new QLabel(QStringLiteral("No formulas yet."), box));
  // Newest first: at a touch-up the practitioner wants the current version on top.
  for (auto it = record.formulas.rbegin(); it != record.formulas.rend(); ++it) {
    const store::Formula& f = *it;
    QString title =
        QStringLiteral("Formula #%1 · %2 · %3").arg(f.id).arg(qs(f.region), qs(f.created_at));
    if (f.replaces)
      title += QStringLiteral(" (replaces #%1)").arg(*f.replaces);
    auto* group = new QGroupBox(title, box);
    group->setObjectName(QStringLiteral("formula%1").arg(f.id));
    auto* grid = new QGridLayout(group);
    auto* target = new SwatchWidget(display_, group);
    target->setObjectName(QStringLiteral("formulaTarget%1").arg(f.id));
    target->setLab(f.target);
    auto* predicted = new SwatchWidget(display_, group);
    predicted->setObjectName(QStringLiteral("formulaPredicted%1").arg(f.id));
    predicted->setLab(f.predicted);
    grid->addWidget(target, 0, 0);
    grid->addWidget(new QLabel(QStringLiteral("target<br>%1").arg(lab_text(f.target)), group), 0,
                    1);
    grid->addWidget(predicted, 0, 2);
    grid->addWidget(new QLabel(QStringLiteral("predicted healed<br>%1  (ΔE00 %2)")
                                   .arg(lab_text(f.predicted))
                                   .arg(f.delta_e00, 0, 'f', 2),
                               group),
                    0, 3);
    grid->addWidget(
        new QLabel(QStringLiteral("model %1 · catalog %2").arg(qs(f.model), qs(f.catalog)), group),
        1, 0, 1, 4);
    auto* table = new QTableWidget(int(f.components.size()), 5, group);
    table->setObjectName(QStringLiteral("formulaComponents%1").arg(f.id));
    table->setHorizontalHeaderLabels({QStringLiteral("Vendor"), QStringLiteral("Pigment"),
                                      QStringLiteral("Lot"), QStringLiteral("Drops"),
                                      QStringLiteral("ml")});
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->hide();
    for (int r = 0; r < int(f.components.size()); ++r) {
      const store::Component& c = f.components[std::size_t(r)];
      const QStringList cells{qs(c.vendor), qs(c.code),
                              c.lot.empty() ? QStringLiteral("(not recorded)") : qs(c.lot),
                              QString::number(c.drops, 'g', 4), QString::number(c.ml, 'f', 3)};
      for (int col = 0; col < cells.size(); ++col) {
        table->setItem(r, col, new QTableWidgetItem(cells[col]));
      }
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setMinimumHeight(table->horizontalHeader()->height() + 4 +
                            table->verticalHeader()->defaultSectionSize() * table->rowCount());
    grid->addWidget(table, 2, 0, 1, 4);
    if (!f.notes.empty())
      grid->addWidget(new QLabel(qs(f.notes), group), 3, 0, 1, 4);
    auto* edit = new QPushButton(QStringLiteral("Adjust drops…"), group);
    edit->setObjectName(QStringLiteral("editFormula%1").arg(f.id));
    connect(edit, &QPushButton::clicked, this,
            [this, id = f.id] { emit editFormulaRequested(id); });
    grid->addWidget(edit, 4, 0, 1, 2);
    grid->setColumnStretch(3, 1);
    layout->addWidget(group);
  }
  return box;
}

QWidget* ClientPage::consentsSection(const store::ClientRecord& record, QWidget* parent) {
  auto* box = section(QStringLiteral("Consents"), parent);
  auto* layout = new QVBoxLayout(box);
  QStringList lines;
  for (const store::Consent& c : record.consents) {
    lines << QStringLiteral("%1 — %2, signed by %3").arg(qs(c.date), qs(c.kind), qs(c.signed_by));
  }
  auto* label = new QLabel(
      lines.isEmpty() ? QStringLiteral("No consents recorded.") : lines.join(QStringLiteral("\n")),
      box);
  label->setObjectName(QStringLiteral("consents"));
  layout->addWidget(label);
  return box;
}

}  // namespace pigmatch::gui
