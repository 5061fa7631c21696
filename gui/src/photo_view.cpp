#include "photo_view.h"

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
      scroll_(new QScrollArea(this)) {
  canvas_->setObjectName(QStringLiteral("photoCanvas"));
  canvas_->setMouseTracking(true);
  canvas_->installEventFilter(this);
  readout_->setObjectName(QStringLiteral("labUnderCursor"));
  source_->setObjectName(QStringLiteral("photoSource"));
  scroll_->setWidget(canvas_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(source_);
  layout->addWidget(scroll_, 1);
  layout->addWidget(readout_);
}

bool PhotoView::loadPhoto(const std::filesystem::path& path) {
  try {
    auto image = std::make_shared<const Image>(decode_image(path));
    LabTransform transform = LabTransform::for_image(*image);
    setPhoto(std::move(image), std::move(transform));
    return true;
  } catch (const std::exception& e) {
    emit failed(QStringLiteral("Cannot open the photo.\n\n%1\n\nChoose a JPEG, PNG or TIFF photo.")
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
  if (base_.isNull())
    return;
  QImage shown = base_.convertToFormat(QImage::Format_RGB32);
  QPainter painter(&shown);
  painter.setRenderHint(QPainter::Antialiasing);
  QFont font = painter.font();
  font.setBold(true);
  painter.setFont(font);
  for (const PhotoOverlay& o : overlays_) {
    draw_outlined(painter, o.color, 2, [&] { painter.drawRect(o.rect); });
    draw_outlined(painter, o.color, 1,
                  [&] { painter.drawText(o.rect.topLeft() + QPoint(4, 14), o.label); });
  }
  if (drag_rect_)
    draw_outlined(painter, Qt::white, 1, [&] { painter.drawRect(*drag_rect_); });
  if (!points_.empty()) {
    const QColor corner(255, 210, 0);
    for (std::size_t i = 0; i + 1 < points_.size(); ++i)
      draw_outlined(painter, corner, 2, [&] { painter.drawLine(points_[i], points_[i + 1]); });
    if (points_.size() == 4)
      draw_outlined(painter, corner, 2, [&] { painter.drawLine(points_[3], points_[0]); });
    for (std::size_t i = 0; i < points_.size(); ++i) {
      draw_outlined(painter, corner, 2, [&] { painter.drawEllipse(points_[i], 5.0, 5.0); });
      draw_outlined(painter, corner, 1,
                    [&] { painter.drawText(points_[i] + QPointF(8, -8), QString::number(i + 1)); });
    }
  }
  painter.end();
  canvas_->setPixmap(QPixmap::fromImage(shown));
}

QRect PhotoView::dragRect(const QPoint& to) const {
  const QRect photo(0, 0, image_->width, image_->height);
  return QRect(*drag_start_, to).normalized().intersected(photo);
}

bool PhotoView::eventFilter(QObject* watched, QEvent* event) {
  if (watched != canvas_ || !image_)
    return QWidget::eventFilter(watched, event);
  const auto* mouse = static_cast<QMouseEvent*>(event);
  switch (event->type()) {
    case QEvent::MouseMove:
      showCursor(mouse->position().toPoint());
      if (drag_start_) {
        drag_rect_ = dragRect(mouse->position().toPoint());
        redraw();
      }
      break;
    case QEvent::MouseButtonPress:
      if (mouse->button() != Qt::LeftButton)
        break;
      if (mode_ == Mode::corners) {
        const QPoint p = mouse->position().toPoint();
        if (QRect(0, 0, image_->width, image_->height).contains(p))
          emit pointClicked(QPointF(p.x() + 0.5, p.y() + 0.5));
      } else if (mode_ == Mode::region) {
        drag_start_ = mouse->position().toPoint();
      }
      break;
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

void PhotoView::showCursor(const QPoint& position) {
  cursor_lab_ = labAt(position.x(), position.y());
  if (!cursor_lab_) {
    readout_->clear();
    return;
  }
  readout_->setText(QStringLiteral("x %1, y %2:  L* %3  a* %4  b* %5 (D50)")
                        .arg(position.x())
                        .arg(position.y())
                        .arg(cursor_lab_->L, 0, 'f', 2)
                        .arg(cursor_lab_->a, 0, 'f', 2)
                        .arg(cursor_lab_->b, 0, 'f', 2));
}

}  // namespace pigmatch::gui
