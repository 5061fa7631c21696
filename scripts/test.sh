#!/usr/bin/env bash
# All tests, as CI runs them: install what is missing, then build with warnings as errors and run
# the whole suite twice — optimised, and under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

for preset in ci asan; do
  echo "== $preset: configure, build, test" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset" --timeout 900 --parallel 2
done
