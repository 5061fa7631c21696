// photo_page — the Photo screen: open a photo (decoded off the UI thread), calibrate it by the
// chart (found off the UI thread, with progress and Cancel, or by clicking its four corners), see
// the calibration report, drag skin and stubble regions and read their colour, skin tone and (for
// stubble) hair, and save them to a visit of the selected client.
//
// Everything is libcore's photo_measurement, the path `pigmatch measure` takes: calibrate_photo(),
// measure_region(), measurement_rows() into Store::add_measurements(), so a save here writes the
// same rows as `pigmatch measure --client --save`.
#pragma once

#include <QString>
#include <QWidget>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "display_color.h"
#include "pigmatch/regions/photo_measurement.h"
#include "pigmatch/store/store.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace pigmatch::gui {

class BackgroundTask;
class CalibrationReportWidget;
class PhotoView;
class TaskProgressWidget;

class PhotoPage : public QWidget {
  Q_OBJECT

 public:
  /// Region table columns, in order.
  enum RegionColumn {
    region_name,
    region_kind,
    region_colour,
    region_lab,
    region_tone,
    region_hair,
    region_column_count
  };

  /// A page over `store` (which must outlive it); swatches convert through `display`.
  PhotoPage(store::Store& store, std::shared_ptr<const DisplayColor> display,
            QWidget* parent = nullptr);
  ~PhotoPage() override;

  /// Decodes `path` off the UI thread; photoOpened() or failed() follows.
  void openPhoto(const std::filesystem::path& path);
  /// The client measurements are saved for (0: none); lists their visits.
  void setClient(store::Id client);
  store::Id client() const noexcept { return client_; }

  PhotoView* view() const noexcept { return view_; }
  CalibrationReportWidget* report() const noexcept { return report_; }
  TaskProgressWidget* progress() const noexcept { return progress_; }
  BackgroundTask* task() const noexcept { return task_; }
  /// The calibration in use (none before one was made).
  const std::optional<PhotoCalibration>& calibration() const noexcept { return calibration_; }
  /// The regions with their measured colours, in the table's order.
  const std::vector<RegionMeasurement>& regions() const noexcept { return measured_; }
  QTableWidget* regionTable() const noexcept { return regions_table_; }
  /// The status line (what was saved, what to do next).
  QLabel* status() const noexcept { return status_; }

 signals:
  void failed(const QString& message);
  void photoOpened();
  void calibrated();
  /// Measurements were saved for `client`.
  void saved(pigmatch::store::Id client);

 private:
  void choosePhoto();
  void photoShown();
  void findChart();
  void startCorners();
  void addCorner(QPointF point);
  void calibrate(PhotoCalibrationRequest request, const QString& what);
  void useCalibration(PhotoCalibration calibration);
  void addRegion(QRect rect);
  void removeRegion();
  void remeasure();
  void showRegions();
  void refreshVisits();
  void newVisit();
  void save();
  void setBusy(bool busy);
  void showCalibrationCorners();
  const LabTransform* transform() const;
  // A region measured through the calibration (with its uncertainty) when there is one, else
  // through the photo's own profile; corrected to the chart's light by the nearest grey card.
  RegionMeasurement measure(const PhotoRegion& region) const;
  void addGreyCard(const QString& name, QRect rect);

  store::Store& store_;
  std::shared_ptr<const DisplayColor> display_;
  store::Id client_ = 0;
  std::filesystem::path photo_path_;
  std::optional<LabTransform> photo_transform_;  // the photo's own profile (or sRGB)
  std::optional<PhotoCalibration> calibration_;
  std::vector<QPointF> corners_;
  std::vector<PhotoRegion> regions_;
  std::vector<RegionMeasurement> measured_;
  std::vector<GreyCard> cards_;  // 18 % grey cards beside the regions (kept until a new photo)
  QString task_failure_;         // the message for the running task's failure, %1 = libcore's text

  PhotoView* view_;
  CalibrationReportWidget* report_;
  TaskProgressWidget* progress_;
  BackgroundTask* task_;
  QPushButton* open_;
  QPushButton* find_chart_;
  QPushButton* click_corners_;
  QLineEdit* region_name_;
  QComboBox* region_kind_;
  QPushButton* draw_region_;
  QTableWidget* regions_table_;
  QPushButton* remove_region_;
  QLabel* client_label_;
  QComboBox* visits_;
  QComboBox* new_visit_kind_;
  QPushButton* new_visit_;
  QComboBox* save_as_;
  QPushButton* save_;
  QLabel* status_;
};

}  // namespace pigmatch::gui
