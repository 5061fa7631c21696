#!/usr/bin/env bash
# Renders each screen of pigmatch-gui built so far into docs/screenshots/*.png, on Qt's offscreen
# platform (no display needed). The screens are those the GUI test drives, over the test's own
# SQLite file, so a screenshot shows exactly what the test checked.
#
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default build/release; configured and built here)
set -euo pipefail
cd "$(dirname "$0")/.."

build="${1:-build/release}"
out="docs/screenshots"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake --preset release -B "$build" >/dev/null
fi
cmake --build "$build" --target test_gui test_gui_mixing test_gui_photo -j2
if [ ! -x "$build/tests/gui/test_gui" ]; then
  echo "screenshots: $build has no GUI test; install Qt 6 (scripts/setup.sh) and reconfigure" >&2
  exit 1
fi
mkdir -p "$out"
QT_QPA_PLATFORM=offscreen PIGMATCH_SCREENSHOT_DIR="$PWD/$out" "$build/tests/gui/test_gui" >/dev/null
# The Photo screen: the chart found with its calibration report, regions drawn (photo_report.png,
# photo_regions.png).
QT_QPA_PLATFORM=offscreen PIGMATCH_SCREENSHOT_DIR="$PWD/$out" "$build/tests/gui/test_gui_photo" \
  >/dev/null
# Match, the mixing-record editor and Touch-up (match.png, formula_editor.png, touchup.png).
QT_QPA_PLATFORM=offscreen PIGMATCH_SCREENSHOT_DIR="$PWD/$out" "$build/tests/gui/test_gui_mixing" \
  >/dev/null
ls -1 "$out"/*.png
