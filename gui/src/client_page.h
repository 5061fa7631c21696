// client_page — everything the store holds about one client: the visit timeline, measurements
// as swatches with their Lab and skin tone (ITA class, Monk tone), formulas with their
// components, drops and lots, and consents; "Add visit…" starts the next session's record.
#pragma once

#include <QWidget>
#include <memory>

#include "display_color.h"
#include "pigmatch/store/store.h"

class QLabel;
class QScrollArea;

namespace pigmatch::gui {

class ClientPage : public QWidget {
  Q_OBJECT

 public:
  /// A page reading `store` (which must outlive it); swatches convert through `display`.
  ClientPage(store::Store& store, std::shared_ptr<const DisplayColor> display,
             QWidget* parent = nullptr);

  /// Shows client `id`; on a store error shows nothing and emits failed().
  void showClient(store::Id id);
  /// The client shown, 0 when none.
  store::Id clientId() const noexcept { return client_id_; }

 signals:
  void failed(const QString& message);
  /// The user asked to adjust the drops of formula `id` (the mixing-record editor).
  void editFormulaRequested(pigmatch::store::Id id);
  /// A visit of `client` was added here (the screens that save into visits list it now).
  void visitAdded(pigmatch::store::Id client);
  /// The client's details were corrected here (the list shows the new name).
  void clientEdited(pigmatch::store::Id client);

 private:
  QWidget* buildPage(const store::ClientRecord& record);
  QWidget* visitsSection(const store::ClientRecord& record, QWidget* parent);
  QWidget* measurementsSection(const store::ClientRecord& record, QWidget* parent);
  QWidget* formulasSection(const store::ClientRecord& record, QWidget* parent);
  QWidget* consentsSection(const store::ClientRecord& record, QWidget* parent);
  void addVisit();
  void editClient();

  store::Store& store_;
  std::shared_ptr<const DisplayColor> display_;
  QScrollArea* scroll_;
  store::Id client_id_ = 0;
};

}  // namespace pigmatch::gui
