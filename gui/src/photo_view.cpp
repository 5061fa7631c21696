#include "photo_view.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>
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

}  // namespace

PhotoView::PhotoView(QWidget* parent)
    : QWidget(parent),
      canvas_(new QLabel(this)),
      source_(new QLabel(QStringLiteral("No photo open."), this)),
      readout_(new QLabel(this)),
      scroll_(new QScrollArea(this)) {
  auto* open = new QPushButton(QStringLiteral("Open photo…"), this);
  open->setObjectName(QStringLiteral("openPhoto"));
  canvas_->setObjectName(QStringLiteral("photoCanvas"));
  canvas_->setMouseTracking(true);
  canvas_->installEventFilter(this);
  readout_->setObjectName(QStringLiteral("labUnderCursor"));
  source_->setObjectName(QStringLiteral("photoSource"));
  scroll_->setWidget(canvas_);
  auto* bar = new QHBoxLayout;
  bar->addWidget(open);
  bar->addWidget(source_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(scroll_, 1);
  layout->addWidget(readout_);
  connect(open, &QPushButton::clicked, this, &PhotoView::choosePhoto);
}

void PhotoView::choosePhoto() {
  const QString file = QFileDialog::getOpenFileName(
      this, QStringLiteral("Open a photo"), QString(),
      QStringLiteral("Photos (*.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"));
  if (!file.isEmpty())
    loadPhoto(file.toStdString());
}

bool PhotoView::loadPhoto(const std::filesystem::path& path) {
  try {
    Image image = decode_image(path);
    LabTransform transform = LabTransform::for_image(image);
    canvas_->setPixmap(QPixmap::fromImage(to_qimage(image)));
    canvas_->adjustSize();
    source_->setText(QStringLiteral("%1 — %2×%3, profile: %4")
                         .arg(QString::fromStdString(path.filename().string()))
                         .arg(image.width)
                         .arg(image.height)
                         .arg(QString::fromStdString(transform.profile_description())));
    source_->setToolTip(QString::fromStdString(path.string()));
    image_ = std::move(image);
    transform_.emplace(std::move(transform));
    cursor_lab_.reset();
    readout_->setText(QStringLiteral("Move the cursor over the photo to read its Lab."));
    return true;
  } catch (const std::exception& e) {
    emit failed(QStringLiteral("Cannot open the photo.\n\n%1\n\nChoose a JPEG, PNG or TIFF photo.")
                    .arg(QString::fromStdString(e.what())));
    return false;
  }
}

std::optional<Lab> PhotoView::labAt(int x, int y) const {
  if (!transform_ || x < 0 || y < 0 || x >= image_.width || y >= image_.height)
    return {};
  // One pixel at a time: hovering must not convert the whole photo.
  ApplyOptions one_thread;
  one_thread.threads = 1;
  return transform_->apply(image_, Rect{x, y, 1, 1}, one_thread).at(0, 0);
}

bool PhotoView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == canvas_ && event->type() == QEvent::MouseMove) {
    showCursor(static_cast<QMouseEvent*>(event)->position().toPoint());
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
