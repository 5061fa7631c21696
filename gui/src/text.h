// text — how the screens write libcore's values as Qt text, in one place so that every screen
// shows a colour the same way.
#pragma once

#include <QString>
#include <string_view>

#include "pigmatch/colour/color.h"

namespace pigmatch::gui {

/// UTF-8 text from libcore (names, messages) as a QString.
inline QString qs(std::string_view text) {
  return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

/// "L* 35.00  a* 1.00  b* 3.00": a Lab to two decimals, as every screen shows one.
inline QString lab_text(const Lab& lab) {
  return QStringLiteral("L* %1  a* %2  b* %3")
      .arg(lab.L, 0, 'f', 2)
      .arg(lab.a, 0, 'f', 2)
      .arg(lab.b, 0, 'f', 2);
}

}  // namespace pigmatch::gui
