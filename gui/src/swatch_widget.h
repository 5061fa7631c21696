// swatch — a colour-managed swatch: shows a Lab D50 colour as this display shows it
// (DisplayColor) and marks colours the display cannot show.
#pragma once

#include <QColor>
#include <QWidget>
#include <memory>

#include "display_color.h"
#include "pigmatch/colour/color.h"

namespace pigmatch::gui {

class SwatchWidget : public QWidget {
  Q_OBJECT

 public:
  /// A swatch converting through `display` (shared by every swatch of the window).
  explicit SwatchWidget(std::shared_ptr<const DisplayColor> display, QWidget* parent = nullptr);

  /// Shows `lab`; the tooltip gives the Lab and, when out of gamut, says so.
  void setLab(const Lab& lab);
  const Lab& lab() const noexcept { return lab_; }
  /// The colour painted (the middle of the swatch is always exactly this colour).
  QColor displayColor() const noexcept { return color_; }
  /// True when the display cannot show the colour: the swatch then carries a striped corner.
  bool isOutOfGamut() const noexcept { return !rgb_.in_gamut; }

  QSize sizeHint() const override { return {56, 40}; }
  QSize minimumSizeHint() const override { return {24, 18}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::shared_ptr<const DisplayColor> display_;
  Lab lab_;
  DisplayRgb rgb_;
  QColor color_;
};

}  // namespace pigmatch::gui
