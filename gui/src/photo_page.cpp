#include "photo_page.h"

#include <QComboBox>
#include <QDate>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>
#include <utility>

#include "background_task.h"
#include "calibration_report.h"
#include "photo_view.h"
#include "pigmatch/error.h"
#include "pigmatch/store/measurement_records.h"
#include "swatch_widget.h"
#include "text.h"

namespace pigmatch::gui {
namespace {

// What a practitioner can do about a failed save: a busy database clears by itself.
QString save_advice(const Error& e) {
  return e.code() == ErrorCode::busy
             ? QStringLiteral("Another pigmatch is writing to the database: try again in a moment.")
             : QStringLiteral("Check the client and the visit, then save again.");
}

struct OpenedPhoto {
  std::shared_ptr<const Image> image;
  LabTransform transform;
};

const QColor skin_outline(0, 200, 255);
const QColor stubble_outline(255, 80, 200);
const QColor card_outline(200, 200, 200);
// The region-kind menu's data.
constexpr int kind_skin = 0, kind_stubble = 1, kind_grey_card = 2;

}  // namespace

PhotoPage::PhotoPage(store::Store& store, std::shared_ptr<const DisplayColor> display,
                     QWidget* parent)
    : QWidget(parent),
      store_(store),
      display_(std::move(display)),
      view_(new PhotoView(this)),
      report_(new CalibrationReportWidget(display_, this)),
      progress_(new TaskProgressWidget(this)),
      task_(new BackgroundTask(this)),
      open_(new QPushButton(QStringLiteral("Open photo…"), this)),
      find_chart_(new QPushButton(QStringLiteral("Find chart"), this)),
      click_corners_(new QPushButton(QStringLiteral("Click corners"), this)),
      region_name_(new QLineEdit(this)),
      region_kind_(new QComboBox(this)),
      draw_region_(new QPushButton(QStringLiteral("Draw region"), this)),
      regions_table_(new QTableWidget(0, region_column_count, this)),
      remove_region_(new QPushButton(QStringLiteral("Remove region"), this)),
      client_label_(new QLabel(this)),
      visits_(new QComboBox(this)),
      new_visit_kind_(new QComboBox(this)),
      new_visit_(new QPushButton(QStringLiteral("New visit"), this)),
      save_as_(new QComboBox(this)),
      save_(new QPushButton(QStringLiteral("Save to visit"), this)),
      status_(new QLabel(this)) {
  open_->setObjectName(QStringLiteral("openPhoto"));
  find_chart_->setObjectName(QStringLiteral("findChart"));
  click_corners_->setObjectName(QStringLiteral("clickCorners"));
  region_name_->setObjectName(QStringLiteral("regionName"));
  region_kind_->setObjectName(QStringLiteral("regionKind"));
  draw_region_->setObjectName(QStringLiteral("drawRegion"));
  regions_table_->setObjectName(QStringLiteral("regionTable"));
  remove_region_->setObjectName(QStringLiteral("removeRegion"));
  visits_->setObjectName(QStringLiteral("visitChoice"));
  new_visit_kind_->setObjectName(QStringLiteral("newVisitKind"));
  new_visit_->setObjectName(QStringLiteral("newVisit"));
  save_as_->setObjectName(QStringLiteral("saveAs"));
  save_->setObjectName(QStringLiteral("saveToVisit"));
  status_->setObjectName(QStringLiteral("photoStatus"));
  status_->setWordWrap(true);

  region_name_->setPlaceholderText(QStringLiteral("region name, e.g. crown"));
  region_kind_->addItem(QStringLiteral("skin (plain)"), kind_skin);
  region_kind_->addItem(QStringLiteral("stubble (hair dots on skin)"), kind_stubble);
  region_kind_->addItem(QStringLiteral("grey card (18 %, corrects the light)"), kind_grey_card);
  draw_region_->setCheckable(true);
  draw_region_->setToolTip(QStringLiteral("Drag rectangles over the photo to add regions"));
  for (const store::VisitKind kind : {store::VisitKind::initial, store::VisitKind::second,
                                      store::VisitKind::touchup, store::VisitKind::camouflage})
    new_visit_kind_->addItem(qs(store::to_string(kind)), static_cast<int>(kind));
  save_as_->addItem(QStringLiteral("as the client's skin and hair"),
                    static_cast<int>(SavedAs::skin));
  save_as_->addItem(QStringLiteral("as the healed result"), static_cast<int>(SavedAs::healed));

  regions_table_->setHorizontalHeaderLabels(
      {QStringLiteral("Region"), QStringLiteral("Kind"), QStringLiteral("Colour"),
       QStringLiteral("Lab D50"), QStringLiteral("Skin tone"), QStringLiteral("Stubble")});
  regions_table_->verticalHeader()->hide();
  regions_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  regions_table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  regions_table_->setSelectionMode(QAbstractItemView::SingleSelection);
  regions_table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

  auto* toolbar = new QHBoxLayout;
  toolbar->addWidget(open_);
  toolbar->addWidget(find_chart_);
  toolbar->addWidget(click_corners_);
  toolbar->addSpacing(16);
  toolbar->addWidget(region_name_);
  toolbar->addWidget(region_kind_);
  toolbar->addWidget(draw_region_);
  toolbar->addStretch(1);

  auto* calibration_box = new QGroupBox(QStringLiteral("Calibration"), this);
  (new QVBoxLayout(calibration_box))->addWidget(report_);
  auto* regions_box = new QGroupBox(QStringLiteral("Regions"), this);
  auto* regions_layout = new QVBoxLayout(regions_box);
  regions_layout->addWidget(regions_table_, 1);
  regions_layout->addWidget(remove_region_, 0, Qt::AlignLeft);
  auto* save_box = new QGroupBox(QStringLiteral("Save to a visit"), this);
  auto* save_form = new QFormLayout(save_box);
  save_form->addRow(client_label_);
  auto* visit_row = new QHBoxLayout;
  visit_row->addWidget(visits_, 1);
  visit_row->addWidget(new_visit_kind_);
  visit_row->addWidget(new_visit_);
  save_form->addRow(QStringLiteral("Visit"), visit_row);
  auto* save_row = new QHBoxLayout;
  save_row->addWidget(save_as_, 1);
  save_row->addWidget(save_);
  save_form->addRow(QStringLiteral("Save"), save_row);

  auto* side = new QSplitter(Qt::Vertical, this);
  side->addWidget(calibration_box);
  side->addWidget(regions_box);
  side->addWidget(save_box);
  side->setStretchFactor(0, 3);
  side->setStretchFactor(1, 2);
  auto* columns = new QSplitter(this);
  columns->addWidget(view_);
  columns->addWidget(side);
  columns->setStretchFactor(0, 3);
  columns->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(toolbar);
  layout->addWidget(progress_);
  layout->addWidget(columns, 1);
  layout->addWidget(status_);

  progress_->attach(task_);
  connect(open_, &QPushButton::clicked, this, &PhotoPage::choosePhoto);
  connect(find_chart_, &QPushButton::clicked, this, &PhotoPage::findChart);
  connect(click_corners_, &QPushButton::clicked, this, &PhotoPage::startCorners);
  connect(draw_region_, &QPushButton::toggled, this, [this](bool on) {
    view_->setMode(on ? PhotoView::Mode::region : PhotoView::Mode::inspect);
    if (on)
      status_->setText(QStringLiteral("Drag a rectangle over skin (or stubble) to add a region."));
  });
  connect(view_, &PhotoView::pointClicked, this, &PhotoPage::addCorner);
  connect(view_, &PhotoView::rectangleDrawn, this, &PhotoPage::addRegion);
  connect(view_, &PhotoView::failed, this, &PhotoPage::failed);
  connect(view_, &PhotoView::photoShown, this, &PhotoPage::photoShown);
  connect(remove_region_, &QPushButton::clicked, this, &PhotoPage::removeRegion);
  connect(new_visit_, &QPushButton::clicked, this, &PhotoPage::newVisit);
  connect(save_, &QPushButton::clicked, this, &PhotoPage::save);
  connect(task_, &BackgroundTask::started, this, [this] { setBusy(true); });
  connect(task_, &BackgroundTask::finished, this, [this] { setBusy(false); });
  connect(task_, &BackgroundTask::cancelled, this, [this] {
    corners_.clear();
    showCalibrationCorners();
    status_->setText(QStringLiteral("Cancelled: nothing changed."));
  });
  connect(task_, &BackgroundTask::failed, this,
          [this](const QString& message) { emit failed(task_failure_.arg(message)); });
  setBusy(false);
  refreshVisits();
}

// Declared here so that the task (a child, destroyed after this body) is stopped while the
// members its deliveries would touch are still alive.
PhotoPage::~PhotoPage() {
  delete task_;
}

void PhotoPage::setBusy(bool busy) {
  const bool has_photo = view_->image() != nullptr;
  open_->setEnabled(!busy);
  find_chart_->setEnabled(!busy && has_photo);
  click_corners_->setEnabled(!busy && has_photo);
  draw_region_->setEnabled(!busy && has_photo);
  remove_region_->setEnabled(!busy && !regions_.empty());
  save_->setEnabled(!busy && !regions_.empty());
  new_visit_->setEnabled(!busy && client_ != 0);
}

void PhotoPage::choosePhoto() {
  const QString file = QFileDialog::getOpenFileName(
      this, QStringLiteral("Open a photo"), QString(),
      QStringLiteral(
          "Photos (*.jpg *.jpeg *.png *.tif *.tiff *.heic *.heif *.hif);;All files (*)"));
  if (!file.isEmpty())
    openPhoto(file.toStdString());
}

void PhotoPage::openPhoto(const std::filesystem::path& path) {
  task_failure_ =
      QStringLiteral("Cannot open the photo.\n\n%1\n\nChoose a JPEG, PNG, TIFF or HEIC photo.");
  task_->start(
      [path](TaskProgress& progress) {
        progress.report(0.1, "decoding the photo");
        auto image = std::make_shared<const Image>(decode_image(path));
        progress.checkCancelled();
        progress.report(0.9, "reading its colour profile");
        return OpenedPhoto{image, LabTransform::for_image(*image)};
      },
      [this](OpenedPhoto opened) {
        view_->setPhoto(std::move(opened.image), std::move(opened.transform));
      });
}

// Whoever showed the photo (this page's Open, or the view's own loadPhoto()), what was measured
// on the previous one no longer applies.
void PhotoPage::photoShown() {
  photo_path_ = view_->image()->source;
  photo_transform_ = view_->transform();
  calibration_.reset();
  corners_.clear();
  regions_.clear();
  measured_.clear();
  cards_.clear();
  draw_region_->setChecked(false);
  view_->setMode(PhotoView::Mode::inspect);  // corners half-clicked on the last photo are void
  report_->setCalibration(nullptr);
  showRegions();
  status_->setText(QStringLiteral("Opened %1. Find the chart, or click its corners.")
                       .arg(QString::fromStdString(photo_path_.filename().string())));
  emit photoOpened();
}

const LabTransform* PhotoPage::transform() const {
  if (calibration_)
    return &calibration_->transform;
  return photo_transform_ ? &*photo_transform_ : nullptr;
}

void PhotoPage::findChart() {
  if (!view_->image())
    return;
  PhotoCalibrationRequest request;
  request.mode = ChartMode::find;
  request.corners_hint = "click its four corners (Click corners)";
  calibrate(std::move(request), QStringLiteral("The chart was not found.\n\n%1"));
}

void PhotoPage::startCorners() {
  if (!view_->image())
    return;
  draw_region_->setChecked(false);
  corners_.clear();
  view_->setPoints(corners_);
  view_->setMode(PhotoView::Mode::corners);
  status_->setText(
      QStringLiteral("Click the four outer corners of the chart's patch field, in order around "
                     "the chart (any corner first)."));
}

void PhotoPage::addCorner(QPointF point) {
  corners_.push_back(point);
  view_->setPoints(corners_);
  if (corners_.size() < 4) {
    status_->setText(QStringLiteral("Corner %1 of 4 placed.").arg(corners_.size()));
    return;
  }
  view_->setMode(PhotoView::Mode::inspect);
  PhotoCalibrationRequest request;
  request.mode = ChartMode::corners;
  for (std::size_t i = 0; i < 4; ++i)
    request.corners[i] = {corners_[i].x(), corners_[i].y()};
  calibrate(std::move(request),
            QStringLiteral("The chart at these corners could not be calibrated.\n\n%1\n\nClick "
                           "the four outer corners of the chart's patch field again."));
}

void PhotoPage::calibrate(PhotoCalibrationRequest request, const QString& failure) {
  task_failure_ = failure;
  task_->start(
      [image = view_->image(), name = photo_path_.string(),
       request = std::move(request)](TaskProgress& progress) {
        return calibrate_photo(*image, name, request, progress.callback());
      },
      [this](PhotoCalibration calibration) { useCalibration(std::move(calibration)); });
}

void PhotoPage::useCalibration(PhotoCalibration calibration) {
  calibration_.emplace(std::move(calibration));
  view_->setTransform(calibration_->transform);
  corners_.clear();
  showCalibrationCorners();
  report_->setCalibration(&*calibration_);
  remeasure();
  status_->setText(QStringLiteral("Calibrated. Drag regions over the skin to measure them."));
  emit calibrated();
}

// The chart's corners as the calibration found them, in the chart's own order (1 is next to the
// dark-skin patch), so the practitioner sees which chart was used and how it was read.
void PhotoPage::showCalibrationCorners() {
  std::vector<QPointF> drawn;
  if (calibration_ && calibration_->calibration) {
    for (const Point& p : calibration_->calibration->report().corners)
      drawn.emplace_back(p.x, p.y);
  }
  view_->setPoints(std::move(drawn));
}

void PhotoPage::addRegion(QRect rect) {
  const LabTransform* through = transform();
  if (!through || !view_->image())
    return;
  const int kind = region_kind_->currentData().toInt();
  if (kind == kind_grey_card) {
    addGreyCard(region_name_->text().trimmed(), rect);
    return;
  }
  const bool stubble = kind == kind_stubble;
  QString name = region_name_->text().trimmed();
  if (name.isEmpty())
    name = QStringLiteral("%1 %2")
               .arg(stubble ? QStringLiteral("stubble") : QStringLiteral("skin"))
               .arg(regions_.size() + 1);
  const auto taken = [&](const QString& candidate) {
    for (const PhotoRegion& r : regions_) {
      if (QString::fromStdString(r.name) == candidate)
        return true;
    }
    return false;
  };
  const QString base = name;
  for (int n = 2; taken(name); ++n)
    name = QStringLiteral("%1 (%2)").arg(base).arg(n);
  const PhotoRegion region{name.toStdString(),
                           Rect{rect.x(), rect.y(), rect.width(), rect.height()}, stubble};
  try {
    measured_.push_back(measure(region));
  } catch (const std::exception& e) {
    emit failed(QStringLiteral("Region '%1' cannot be measured.\n\n%2\n\nDraw it over skin that "
                               "is evenly lit, neither black nor blown out.")
                    .arg(name, QString::fromStdString(e.what())));
    return;
  }
  regions_.push_back(region);
  region_name_->clear();
  showRegions();
}

RegionMeasurement PhotoPage::measure(const PhotoRegion& region) const {
  const Image& image = *view_->image();
  if (!calibration_)
    return measure_region(image, *transform(), region);
  RegionMeasurement m = measure_region(image, *calibration_, region);
  if (!cards_.empty()) {
    const std::vector<LightCompensation> light = grey_card_light(image, *calibration_, cards_);
    compensate_light(m, card_light_at(*calibration_, cards_, light, region.rect));
  }
  return m;
}

void PhotoPage::addGreyCard(const QString& typed, QRect rect) {
  if (!calibration_) {
    emit failed(
        QStringLiteral("A grey card corrects regions to the light on the chart: find the "
                       "chart (or click its corners) first."));
    return;
  }
  const QString name = typed.isEmpty() ? QStringLiteral("card %1").arg(cards_.size() + 1) : typed;
  const GreyCard card{name.toStdString(), Rect{rect.x(), rect.y(), rect.width(), rect.height()},
                      49.5};
  try {
    (void)grey_card_light(*view_->image(), *calibration_, std::vector{card});
  } catch (const std::exception& e) {
    emit failed(QStringLiteral("Grey card '%1' cannot be read.\n\n%2")
                    .arg(name, QString::fromStdString(e.what())));
    return;
  }
  cards_.push_back(card);
  region_name_->clear();
  remeasure();
}

void PhotoPage::removeRegion() {
  const int row = regions_table_->currentRow();
  if (row < 0 || row >= static_cast<int>(regions_.size()))
    return;
  regions_.erase(regions_.begin() + row);
  measured_.erase(measured_.begin() + row);
  showRegions();
}

void PhotoPage::remeasure() {
  measured_.clear();
  std::vector<PhotoRegion> kept;
  for (const PhotoRegion& r : regions_) {
    try {
      measured_.push_back(measure(r));
      kept.push_back(r);
    } catch (const std::exception& e) {
      emit failed(QStringLiteral("Region '%1' was removed: it cannot be measured through the "
                                 "new calibration.\n\n%2")
                      .arg(QString::fromStdString(r.name), QString::fromStdString(e.what())));
    }
  }
  regions_ = std::move(kept);
  showRegions();
}

void PhotoPage::showRegions() {
  regions_table_->setRowCount(static_cast<int>(measured_.size()));
  std::vector<PhotoOverlay> overlays;
  for (int row = 0; row < regions_table_->rowCount(); ++row) {
    const RegionMeasurement& m = measured_[static_cast<std::size_t>(row)];
    const QString name = QString::fromStdString(m.region.name);
    const Rect& r = m.region.rect;
    overlays.push_back(
        {QRect(r.x, r.y, r.w, r.h), name, m.stubble ? stubble_outline : skin_outline});
    regions_table_->setItem(row, region_name, new QTableWidgetItem(name));
    regions_table_->setItem(
        row, region_kind,
        new QTableWidgetItem(m.stubble ? QStringLiteral("stubble") : QStringLiteral("skin")));
    auto* colours = new QWidget;
    auto* colours_layout = new QHBoxLayout(colours);
    colours_layout->setContentsMargins(2, 1, 2, 1);
    colours_layout->setSpacing(0);
    auto* skin = new SwatchWidget(display_, colours);
    skin->setObjectName(QStringLiteral("regionSwatch"));
    skin->setLab(m.lab_d50);
    skin->setFixedSize(36, 22);
    colours_layout->addWidget(skin);
    if (m.stubble && m.stubble->separated) {
      auto* hair = new SwatchWidget(display_, colours);
      hair->setObjectName(QStringLiteral("hairSwatch"));
      hair->setLab(m.stubble->hair);
      hair->setFixedSize(36, 22);
      colours_layout->addWidget(hair);
    }
    regions_table_->setCellWidget(row, region_colour, colours);
    // ± the colour's uncertainty (ΔE00); the light correction when a grey card gave one.
    const auto known = [](const std::optional<ColourUncertainty>& u) {
      return u ? QStringLiteral(" ± %1").arg(u->total, 0, 'f', 1) : QString();
    };
    const QString light = m.light ? QStringLiteral(" (light ×%1 by %2)")
                                        .arg(m.light->factor, 0, 'f', 2)
                                        .arg(QString::fromStdString(m.light->reference))
                                  : QString();
    regions_table_->setItem(
        row, region_lab,
        new QTableWidgetItem((m.stubble ? QStringLiteral("skin ") : QString()) +
                             lab_text(m.lab_d50) + known(m.uncertainty) + light));
    regions_table_->setItem(row, region_tone,
                            new QTableWidgetItem(QStringLiteral("ITA %1° (%2), Monk %3")
                                                     .arg(m.tone.ita, 0, 'f', 1)
                                                     .arg(qs(to_string(m.tone.ita_class)))
                                                     .arg(m.tone.monk.index)));
    QString hair = QStringLiteral("—");
    if (m.stubble) {
      hair = m.stubble->separated
                 ? QStringLiteral("hair %1%2, coverage %3 %, confidence %4")
                       .arg(lab_text(m.stubble->hair), known(m.hair_uncertainty))
                       .arg(100.0 * m.stubble->coverage, 0, 'f', 0)
                       .arg(m.stubble->confidence, 0, 'f', 2)
                 : QStringLiteral("no hair told apart from the skin: %1")
                       .arg(QString::fromStdString(m.stubble->not_separated_because));
    }
    regions_table_->setItem(row, region_hair, new QTableWidgetItem(hair));
  }
  for (const GreyCard& card : cards_) {
    overlays.push_back({QRect(card.rect.x, card.rect.y, card.rect.w, card.rect.h),
                        QString::fromStdString(card.name), card_outline});
  }
  view_->setOverlays(std::move(overlays));
  setBusy(task_->isRunning());
}

void PhotoPage::setClient(store::Id client) {
  client_ = client;
  refreshVisits();
  setBusy(task_->isRunning());
}

void PhotoPage::refreshVisits() {
  visits_->clear();
  if (client_ == 0) {
    client_label_->setText(QStringLiteral("Choose a client in the Clients tab to save to."));
    return;
  }
  try {
    const store::ClientRecord record = store_.client_record(client_);
    client_label_->setText(
        QStringLiteral("Client: %1").arg(QString::fromStdString(record.client.name)));
    for (const store::Visit& v : record.visits) {
      visits_->addItem(QStringLiteral("%1  %2  %3")
                           .arg(QString::fromStdString(v.date), qs(store::to_string(v.kind)),
                                QString::fromStdString(v.area)),
                       QVariant::fromValue<qlonglong>(v.id));
    }
    if (const std::optional<store::Visit> latest = store_.latest_visit(client_))
      visits_->setCurrentIndex(visits_->findData(QVariant::fromValue<qlonglong>(latest->id)));
  } catch (const std::exception& e) {
    emit failed(QStringLiteral("The client's visits cannot be read.\n\n%1")
                    .arg(QString::fromStdString(e.what())));
  }
}

void PhotoPage::newVisit() {
  if (client_ == 0)
    return;
  store::Visit visit;
  visit.client_id = client_;
  visit.kind = static_cast<store::VisitKind>(new_visit_kind_->currentData().toInt());
  visit.date = QDate::currentDate().toString(Qt::ISODate).toStdString();
  try {
    const store::Id id = store_.add_visit(visit);
    refreshVisits();
    visits_->setCurrentIndex(visits_->findData(QVariant::fromValue<qlonglong>(id)));
    status_->setText(QStringLiteral("Visit of %1 added.").arg(QString::fromStdString(visit.date)));
    emit saved(client_);
  } catch (const Error& e) {
    emit failed(QStringLiteral("The visit was not added.\n\n%1\n\n%2")
                    .arg(QString::fromStdString(e.what()), save_advice(e)));
  } catch (const std::exception& e) {
    emit failed(
        QStringLiteral("The visit was not added.\n\n%1").arg(QString::fromStdString(e.what())));
  }
}

void PhotoPage::save() {
  if (client_ == 0) {
    emit failed(QStringLiteral("Choose the client in the Clients tab first, then save."));
    return;
  }
  if (visits_->currentIndex() < 0) {
    emit failed(QStringLiteral("The client has no visit to save into: add one with New visit."));
    return;
  }
  const auto visit = static_cast<store::Id>(visits_->currentData().toLongLong());
  const std::optional<double> calibration_de00 =
      calibration_ && calibration_->calibration
          ? std::optional(calibration_->calibration->report().mean_de00)
          : std::nullopt;
  try {
    std::vector<std::string> notes;
    const std::vector<store::Measurement> rows = measurement_rows(
        photo_path_, calibration_de00, measured_,
        static_cast<SavedAs>(save_as_->currentData().toInt()), client_, visit, &notes);
    const std::vector<store::SaveOutcome> outcomes = store_.add_measurements_once(rows);
    const auto written = std::count_if(outcomes.begin(), outcomes.end(),
                                       [](const store::SaveOutcome& o) { return o.written; });
    const auto repeated = static_cast<qsizetype>(outcomes.size()) - written;
    QString text = QStringLiteral("Saved %1 measurement(s) to the visit %2.")
                       .arg(written)
                       .arg(visits_->currentText());
    if (repeated > 0) {
      text += QStringLiteral(" %1 already saved from this photo, not written again.").arg(repeated);
    }
    for (const std::string& note : notes)
      text += QStringLiteral(" Note: %1.").arg(QString::fromStdString(note));
    status_->setText(text);
    emit saved(client_);
  } catch (const Error& e) {
    emit failed(QStringLiteral("Nothing was saved.\n\n%1\n\n%2")
                    .arg(QString::fromStdString(e.what()), save_advice(e)));
  } catch (const std::exception& e) {
    emit failed(QStringLiteral("Nothing was saved.\n\n%1").arg(QString::fromStdString(e.what())));
  }
}

}  // namespace pigmatch::gui
