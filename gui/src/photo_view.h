// photo_view — a photo, zoomed to fit or at a chosen scale, with the Lab D50 under the cursor,
// through libcore (LabTransform: the photo's embedded profile, else sRGB, or the calibration once
// there is one), and what the Photo screen draws over it: the chart's corners as they are
// clicked, and the named regions, drawn by dragging rectangles.
#pragma once

#include <QColor>
#include <QImage>
#include <QPoint>
#include <QPointF>
#include <QRect>
#include <QString>
#include <QWidget>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "pigmatch/colour/color.h"
#include "pigmatch/colour/transform.h"
#include "pigmatch/image/image.h"

class QComboBox;
class QLabel;
class QScrollArea;

namespace pigmatch::gui {

/// A rectangle drawn over the photo with its name.
struct PhotoOverlay {
  QRect rect;  ///< image pixels
  QString label;
  QColor color;
};

class PhotoView : public QWidget {
  Q_OBJECT

 public:
  /// What a click or drag on the photo does.
  enum class Mode {
    inspect,  ///< nothing: only the Lab under the cursor
    corners,  ///< a click places a point (pointClicked)
    region,   ///< a drag draws a rectangle (rectangleDrawn)
  };

  explicit PhotoView(QWidget* parent = nullptr);

  /// Decodes and shows `path` on the calling thread; on failure keeps the previous photo, emits
  /// failed() and returns false. (The Photo screen decodes off the UI thread and calls
  /// setPhoto().)
  bool loadPhoto(const std::filesystem::path& path);
  /// Shows a decoded photo; its Lab is read through `transform`. Clears corners and overlays.
  /// A photo larger than the view is zoomed to fit; a smaller one is shown at 100 %.
  void setPhoto(std::shared_ptr<const Image> image, LabTransform transform);
  /// Reads the photo's Lab through `transform` from now on (e.g. its calibration).
  void setTransform(LabTransform transform);
  /// The photo shown (null before the first).
  const std::shared_ptr<const Image>& image() const noexcept { return image_; }
  /// The transform its Lab is read through (none before the first photo).
  const std::optional<LabTransform>& transform() const noexcept { return transform_; }

  /// The Lab D50 of pixel (x, y) of the photo (image coordinates), if inside it.
  std::optional<Lab> labAt(int x, int y) const;
  /// The Lab under the cursor at its last move over the photo.
  std::optional<Lab> cursorLab() const noexcept { return cursor_lab_; }
  /// The widget the photo is drawn in: canvas pixel = image pixel × zoom().
  QLabel* canvas() const noexcept { return canvas_; }
  /// Shows the photo at `zoom` (clamped to 1/64 … 8; 1: image pixel = canvas pixel).
  void setZoom(double zoom);
  double zoom() const noexcept { return zoom_; }
  /// Zooms so the whole photo fits the view (never above 100 %).
  void zoomToFit();

  void setMode(Mode mode);
  Mode mode() const noexcept { return mode_; }
  /// Points drawn as markers joined in order (the chart's corners as they are placed).
  void setPoints(std::vector<QPointF> points);
  /// Rectangles drawn with their names (the regions).
  void setOverlays(std::vector<PhotoOverlay> overlays);

 signals:
  void failed(const QString& message);
  /// A new photo is shown (by loadPhoto() or setPhoto()).
  void photoShown();
  /// Mode::corners: the photo was clicked at `point` (image pixels, the pixel's centre).
  void pointClicked(QPointF point);
  /// Mode::region: a rectangle was dragged (image pixels, clipped to the photo, at least 2×2).
  void rectangleDrawn(QRect rect);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void showCursor(QPoint pixel);
  void redraw();
  void rescale();
  double fitZoom() const;
  void zoomChosen(int index);
  QPoint pixelAt(QPointF canvas_position) const;
  QRect dragRect(QPoint to) const;

  QLabel* canvas_;
  QLabel* source_;
  QLabel* readout_;
  QScrollArea* scroll_;
  QComboBox* zoom_choice_;
  std::shared_ptr<const Image> image_;
  QImage base_;    // the photo for display, without overlays
  QImage scaled_;  // base_ at zoom_, redrawn only when the zoom changes
  double zoom_ = 1.0;
  std::optional<LabTransform> transform_;
  std::optional<Lab> cursor_lab_;
  Mode mode_ = Mode::inspect;
  std::vector<QPointF> points_;
  std::vector<PhotoOverlay> overlays_;
  std::optional<QPoint> drag_start_;  // canvas pixels
  std::optional<QRect> drag_rect_;
};

}  // namespace pigmatch::gui
