#include "swatch_widget.h"

#include <QPainter>
#include <QPainterPath>
#include <QPolygon>

namespace pigmatch::gui {

SwatchWidget::SwatchWidget(std::shared_ptr<const DisplayColor> display, QWidget* parent)
    : QWidget(parent), display_(std::move(display)) {
  setLab(Lab{50, 0, 0});
}

void SwatchWidget::setLab(const Lab& lab) {
  lab_ = lab;
  rgb_ = display_->convert(lab);
  color_ = QColor(rgb_.r, rgb_.g, rgb_.b);
  QString tip = QStringLiteral("L* %1  a* %2  b* %3 (D50)")
                    .arg(lab.L, 0, 'f', 1)
                    .arg(lab.a, 0, 'f', 1)
                    .arg(lab.b, 0, 'f', 1);
  if (!rgb_.in_gamut) {
    tip += QStringLiteral("\nOutside the display's gamut (%1): shown clipped, ΔE00 %2 off")
               .arg(QString::fromStdString(display_->profile_name()))
               .arg(rgb_.clip_de00, 0, 'f', 1);
  }
  setToolTip(tip);
  setAccessibleDescription(isOutOfGamut() ? QStringLiteral("out of gamut") : QString());
  update();
}

void SwatchWidget::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const QRect area = rect();
  painter.fillRect(area, color_);
  painter.setPen(palette().color(QPalette::Mid));
  painter.drawRect(area.adjusted(0, 0, -1, -1));
  if (rgb_.in_gamut)
    return;
  // A striped corner (black and white, visible on any colour) marks a clipped colour.
  const int side = std::max(8, std::min(area.width(), area.height()) / 2);
  const QPolygon corner(
      {area.topRight(), area.topRight() - QPoint(side, 0), area.topRight() + QPoint(0, side)});
  painter.setPen(Qt::NoPen);
  painter.setBrush(Qt::white);
  painter.drawPolygon(corner);
  painter.setBrush(QBrush(Qt::black, Qt::BDiagPattern));
  painter.drawPolygon(corner);
}

}  // namespace pigmatch::gui
