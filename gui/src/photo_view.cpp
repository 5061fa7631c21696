#include "photo_view.h"

#include <QComboBox>
#include <QFont>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPen>
#include <QPixmap>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <exception>

namespace pigmatch::gui {
namespace {

// The photo's device values as an 8-bit QImage for display. They are shown as sRGB for now;
// display colour management of the photo comes with the calibration screen.
QImage to_qimage(const Image& image) {
  const bool grey = image.channels == 1;
  QImage out(image.width, image.height, grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
  const int samples = image.width * image.channels;
  for (int y = 0; y < image.height; ++y) {
    uchar* dst = out.scanLine(y);
    if (image.bits == 16) {
      const std::uint16_t* src = image.row16(y);
      for (int i = 0; i < samples; ++i)
        dst[i] = static_cast<uchar>(src[i] >> 8);
    } else {
      const std::uint8_t* src = image.row8(y);
      std::copy(src, src + samples, dst);
    }
  }
  return out;
}

// Overlays are drawn twice, dark under light, so they show on bright skin and dark hair alike.
void draw_outlined(QPainter& painter, const QColor& color, int width, auto&& draw) {
  painter.setPen(QPen(QColor(0, 0, 0, 160), width + 2));
  draw();
  painter.setPen(QPen(color, width));
  draw();
}

}  // namespace

PhotoView::PhotoView(QWidget* parent)
    : QWidget(parent),
      canvas_(new QLabel(this)),
      source_(new QLabel(QStringLiteral("No photo open."), this)),
      readout_(new QLabel(this)),
      scroll_(new QScrollArea(this)),
      zoom_choice_(new QComboBox(this)) {
  zoom_choice_->setObjectName(QStringLiteral("zoomChoice"));
  zoom_choice_->addItem(QStringLiteral("Fit"), 0.0);
  for (const int percent : {25, 50, 100, 200, 400})
    zoom_choice_->addItem(QStringLiteral("%1 %").arg(percent), percent / 100.0);
  zoom_choice_->setCurrentIndex(zoom_choice_->findData(1.0));
  canvas_->setObjectName(QStringLiteral("photoCanvas"));
  canvas_->setMouseTracking(true);
  canvas_->installEventFilter(this);
  readout_->setObjectName(QStringLiteral("labUnderCursor"));
  // The readout names the calibration, which can be a long line: it wraps rather than widening
  // the window past a laptop's screen.
  readout_->setWordWrap(true);
  source_->setWordWrap(true);
  source_->setObjectName(QStringLiteral("photoSource"));
  scroll_->setWidget(canvas_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  bar->addWidget(source_, 1);
  bar->addWidget(zoom_choice_);
  layout->addLayout(bar);
  layout->addWidget(scroll_, 1);
  layout->addWidget(readout_);
  connect(zoom_choice_, &QComboBox::activated, this, &PhotoView::zoomChosen);
}

bool PhotoView::loadPhoto(const std::filesystem::path& path) {
  try {
    auto image = std::make_shared<const Image>(decode_image(path));
    LabTransform transform = LabTransform::for_image(*image);
    setPhoto(std::move(image), std::move(transform));
    return true;
  } catch (const std::exception& e) {
    emit failed(
        QStringLiteral("Cannot open the photo.\n\n%1\n\nChoose a JPEG, PNG, TIFF or HEIC photo.")
            .arg(QString::fromStdString(e.what())));
    return false;
  }
}

void PhotoView::setPhoto(std::shared_ptr<const Image> image, LabTransform transform) {
  base_ = to_qimage(*image);
  image_ = std::move(image);
  const std::filesystem::path path(image_->source);
  source_->setText(QStringLiteral("%1 — %2×%3")
                       .arg(QString::fromStdString(path.filename().string()))
                       .arg(image_->width)
                       .arg(image_->height));
  source_->setToolTip(QString::fromStdString(image_->source));
  points_.clear();
  overlays_.clear();
  drag_start_.reset();
  drag_rect_.reset();
  setTransform(std::move(transform));
  // A phone photo is thousands of pixels wide: show it whole first.
  zoomToFit();
  emit photoShown();
}

double PhotoView::fitZoom() const {
  if (!image_)
    return 1.0;
  const QSize room = scroll_->viewport()->size() - QSize(4, 4);
  return std::min(static_cast<double>(room.width()) / image_->width,
                  static_cast<double>(room.height()) / image_->height);
}

void PhotoView::zoomToFit() {
  setZoom(std::min(1.0, fitZoom()));
  zoom_choice_->setCurrentIndex(0);
}

void PhotoView::zoomChosen(int index) {
  const double chosen = zoom_choice_->itemData(index).toDouble();
  setZoom(chosen > 0 ? chosen : fitZoom());
}

void PhotoView::setZoom(double zoom) {
  zoom_ = std::clamp(std::isfinite(zoom) ? zoom : 1.0, 1.0 / 64, 8.0);
  zoom_choice_->setCurrentIndex(zoom_choice_->findData(zoom_));  // -1 (blank) when not listed
  rescale();
}

void PhotoView::rescale() {
  if (base_.isNull())
    return;
  const QImage rgb = base_.convertToFormat(QImage::Format_RGB32);
  // Enlarged pixel by pixel (a practitioner zooms in to see pixels), reduced smoothly.
  scaled_ = zoom_ == 1.0
                ? rgb
                : rgb.scaled(std::max(1, static_cast<int>(std::lround(base_.width() * zoom_))),
                             std::max(1, static_cast<int>(std::lround(base_.height() * zoom_))),
                             Qt::IgnoreAspectRatio,
                             zoom_ < 1.0 ? Qt::SmoothTransformation : Qt::FastTransformation);
  redraw();
  canvas_->adjustSize();
}

void PhotoView::setTransform(LabTransform transform) {
  transform_.emplace(std::move(transform));
  cursor_lab_.reset();
  readout_->setText(QStringLiteral("Move the cursor over the photo to read its Lab (through %1).")
                        .arg(QString::fromStdString(transform_->profile_description())));
}

std::optional<Lab> PhotoView::labAt(int x, int y) const {
  if (!image_ || !transform_ || x < 0 || y < 0 || x >= image_->width || y >= image_->height)
    return {};
  // One pixel at a time: hovering must not convert the whole photo.
  ApplyOptions one_thread;
  one_thread.threads = 1;
  return transform_->apply(*image_, Rect{x, y, 1, 1}, one_thread).at(0, 0);
}

void PhotoView::setMode(Mode mode) {
  mode_ = mode;
  drag_start_.reset();
  drag_rect_.reset();
  canvas_->setCursor(mode == Mode::inspect ? Qt::ArrowCursor : Qt::CrossCursor);
  redraw();
}

void PhotoView::setPoints(std::vector<QPointF> points) {
  points_ = std::move(points);
  redraw();
}

void PhotoView::setOverlays(std::vector<PhotoOverlay> overlays) {
  overlays_ = std::move(overlays);
  redraw();
}

void PhotoView::redraw() {
  if (scaled_.isNull())
    return;
  QImage shown = scaled_;
  QPainter painter(&shown);
  painter.setRenderHint(QPainter::Antialiasing);
  QFont font = painter.font();
  font.setBold(true);
  painter.setFont(font);
  const double z = zoom_;
  const auto on_canvas = [z](const QRect& r) {
    return QRectF(r.x() * z, r.y() * z, r.width() * z, r.height() * z);
  };
  for (const PhotoOverlay& o : overlays_) {
    const QRectF r = on_canvas(o.rect);
    draw_outlined(painter, o.color, 2, [&] { painter.drawRect(r); });
    draw_outlined(painter, o.color, 1,
                  [&] { painter.drawText(r.topLeft() + QPointF(4, 14), o.label); });
  }
  if (drag_rect_) {
    const QRectF r = on_canvas(*drag_rect_);
    draw_outlined(painter, Qt::white, 1, [&] { painter.drawRect(r); });
  }
  if (!points_.empty()) {
    const QColor corner(255, 210, 0);
    std::vector<QPointF> at;
    for (const QPointF& p : points_)
      at.push_back(p * z);
    for (std::size_t i = 0; i + 1 < at.size(); ++i)
      draw_outlined(painter, corner, 2, [&] { painter.drawLine(at[i], at[i + 1]); });
    if (at.size() == 4)
      draw_outlined(painter, corner, 2, [&] { painter.drawLine(at[3], at[0]); });
    for (std::size_t i = 0; i < at.size(); ++i) {
      draw_outlined(painter, corner, 2, [&] { painter.drawEllipse(at[i], 5.0, 5.0); });
      draw_outlined(painter, corner, 1,
                    [&] { painter.drawText(at[i] + QPointF(8, -8), QString::number(i + 1)); });
    }
  }
  painter.end();
  canvas_->setPixmap(QPixmap::fromImage(shown));
}

QPoint PhotoView::pixelAt(QPointF canvas_position) const {
  return QPoint(static_cast<int>(std::floor(canvas_position.x() / zoom_)),
                static_cast<int>(std::floor(canvas_position.y() / zoom_)));
}

// The image pixels under the canvas rectangle from the press to `to` (canvas pixels, both
// included): zoomed out, a canvas pixel covers several image pixels, all of them selected.
QRect PhotoView::dragRect(QPoint to) const {
  const QRect c = QRect(*drag_start_, to).normalized();
  const auto first = [this](int v) { return static_cast<int>(std::floor(v / zoom_)); };
  const auto last = [&](int v) { return std::max(first(v), first(v + 1) - 1); };
  const QRect pixels(QPoint(first(c.left()), first(c.top())),
                     QPoint(last(c.right()), last(c.bottom())));
  return pixels.intersected(QRect(0, 0, image_->width, image_->height));
}

bool PhotoView::eventFilter(QObject* watched, QEvent* event) {
  const bool mouse_event = event->type() == QEvent::MouseMove ||
                           event->type() == QEvent::MouseButtonPress ||
                           event->type() == QEvent::MouseButtonRelease;
  if (watched != canvas_ || !image_ || !mouse_event)
    return QWidget::eventFilter(watched, event);
  const auto* mouse = static_cast<const QMouseEvent*>(event);  // one of the three above
  switch (event->type()) {
    case QEvent::MouseMove: {
      const QPoint pixel = pixelAt(mouse->position());
      showCursor(pixel);
      if (drag_start_) {
        drag_rect_ = dragRect(mouse->position().toPoint());
        redraw();
      }
      break;
    }
    case QEvent::MouseButtonPress: {
      if (mouse->button() != Qt::LeftButton)
        break;
      const QPoint pixel = pixelAt(mouse->position());
      if (mode_ == Mode::corners) {
        // At 100 % a click means the pixel's centre; zoomed in, the point under the cursor.
        const QPointF point = (mouse->position() + QPointF(0.5, 0.5)) / zoom_;
        if (QRect(0, 0, image_->width, image_->height).contains(pixel))
          emit pointClicked(point);
      } else if (mode_ == Mode::region) {
        drag_start_ = mouse->position().toPoint();
      }
      break;
    }
    case QEvent::MouseButtonRelease:
      if (mouse->button() == Qt::LeftButton && drag_start_) {
        const QRect rect = dragRect(mouse->position().toPoint());
        drag_start_.reset();
        drag_rect_.reset();
        redraw();
        if (rect.width() >= 2 && rect.height() >= 2)
          emit rectangleDrawn(rect);
      }
      break;
    default:
      break;
  }
  return QWidget::eventFilter(watched, event);
}

void PhotoView::showCursor(QPoint pixel) {
  cursor_lab_ = labAt(pixel.x(), pixel.y());
  if (!cursor_lab_) {
    readout_->clear();
    return;
  }
  readout_->setText(QStringLiteral("x %1, y %2:  L* %3  a* %4  b* %5 (D50)")
                        .arg(pixel.x())
                        .arg(pixel.y())
                        .arg(cursor_lab_->L, 0, 'f', 2)
                        .arg(cursor_lab_->a, 0, 'f', 2)
                        .arg(cursor_lab_->b, 0, 'f', 2));
}

}  // namespace pigmatch::gui
