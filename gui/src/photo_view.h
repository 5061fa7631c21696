// photo_view — the Photo screen's first part: open a photo and read the Lab D50 under the
// cursor, through libcore (decode_image, LabTransform: the embedded profile, else sRGB).
// Chart detection, regions and saving a measurement come with the next slices.
#pragma once

#include <QString>
#include <QWidget>
#include <filesystem>
#include <optional>

#include "pigmatch/color.h"
#include "pigmatch/image.h"
#include "pigmatch/transform.h"

class QLabel;
class QScrollArea;

namespace pigmatch::gui {

class PhotoView : public QWidget {
  Q_OBJECT

 public:
  explicit PhotoView(QWidget* parent = nullptr);

  /// Opens `path`; on failure keeps the previous photo, emits failed() and returns false.
  bool loadPhoto(const std::filesystem::path& path);
  /// The Lab D50 of pixel (x, y) of the photo (image coordinates), if inside it.
  std::optional<Lab> labAt(int x, int y) const;
  /// The Lab under the cursor at its last move over the photo.
  std::optional<Lab> cursorLab() const noexcept { return cursor_lab_; }
  /// The widget the photo is drawn in, at 1:1 (image pixel = widget pixel).
  QLabel* canvas() const noexcept { return canvas_; }

 signals:
  void failed(const QString& message);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void choosePhoto();
  void showCursor(const QPoint& position);

  QLabel* canvas_;
  QLabel* source_;
  QLabel* readout_;
  QScrollArea* scroll_;
  Image image_;
  std::optional<LabTransform> transform_;
  std::optional<Lab> cursor_lab_;
};

}  // namespace pigmatch::gui
