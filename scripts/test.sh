#!/usr/bin/env bash
# All tests, as CI runs them: install what is missing, then build with warnings as errors and run
# the whole suite twice — optimised, and under AddressSanitizer + UndefinedBehaviorSanitizer —
# then the tests of the threaded paths (and the store's concurrent rooms) under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# The store's PostgreSQL tests start a throw-away server themselves (scripts/pg_test_server.sh);
# in CI one that cannot start is a failure, not a skip.
export PIGMATCH_REQUIRE_POSTGRES=1

for preset in ci asan; do
  echo "== $preset: configure, build, test" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset" --timeout 900 --parallel 2
done

# ThreadSanitizer on the code that runs threads only (the preset builds and runs those tests;
# docs/robustness.md, "Sanitizers"): about 5 minutes on 2 cores, nearly all of it the build.
echo "== tsan: configure, build, test (threaded paths)" >&2
cmake --preset tsan >/dev/null
cmake --build --preset tsan
ctest --preset tsan --timeout 900

# The libFuzzer targets (fuzz/, docs/robustness.md "Fuzzing"): built with clang-14, each run for
# 15 s on its seed corpus; any crash, sanitizer report, leak, timeout or OOM fails CI.
echo "== fuzz: build the libFuzzer targets, run each for 15 s" >&2
bash scripts/fuzz.sh --time 15
