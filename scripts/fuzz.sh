#!/usr/bin/env bash
# Runs pigmatch's libFuzzer targets (fuzz/; docs/robustness.md, "Fuzzing").
#
#   scripts/fuzz.sh [--time SECONDS] [--merge] [TARGET...]
#
# Configures and builds the `fuzz` preset (clang-14, ASan + UBSan + libFuzzer) into build/fuzz,
# then runs each TARGET (default: all of them) for SECONDS (default 60), one after the other, on
# a working copy of its seed corpus in build/fuzz/corpus/TARGET — the committed fuzz/corpus/TARGET
# is never changed, except with --merge, which afterwards adds the inputs that reached new
# coverage to it (libFuzzer -merge=1: only inputs that add features are copied).
#
# Prints one line per target (time, executions, exec/s, coverage cov/ft, corpus size, peak RSS)
# and exits 1 when any target found a crash, a sanitizer report, a leak, a timeout or an
# out-of-memory, naming the input it saved (build/fuzz/artifacts/TARGET/) and how to reproduce.
# Full logs: build/fuzz/logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz_image fuzz_heif fuzz_icc fuzz_catalog_cgats fuzz_catalog_json fuzz_measure_json fuzz_cli_args fuzz_drawdowns fuzz_swatch_card)

# Longest input per target: a little over its largest real seed (a small photo, a profile, a
# catalog, a measurement, a command line); larger inputs reach no new code, only run slower.
max_len_of() {
  case "$1" in
    fuzz_image) echo 65536 ;;
    fuzz_heif) echo 16384 ;;
    fuzz_icc) echo 16384 ;;
    fuzz_catalog_cgats | fuzz_catalog_json) echo 32768 ;;
    fuzz_measure_json) echo 16384 ;;
    fuzz_cli_args) echo 1024 ;;
    fuzz_drawdowns) echo 16384 ;;
    fuzz_swatch_card) echo 8192 ;;
  esac
}

dict_of() {
  case "$1" in
    fuzz_catalog_cgats) echo fuzz/catalog_cgats.dict ;;
    fuzz_catalog_json) echo fuzz/catalog_json.dict ;;
    fuzz_measure_json) echo fuzz/measure_json.dict ;;
    fuzz_cli_args) echo fuzz/cli_args.dict ;;
    fuzz_drawdowns) echo fuzz/catalog_cgats.dict ;;
    fuzz_swatch_card) echo fuzz/swatch_card.dict ;;
  esac
}

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

seconds=60
merge=0
targets=()
while (($#)); do
  case "$1" in
    --time)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || usage
      seconds=$2
      shift 2
      ;;
    --merge) merge=1; shift ;;
    -h | --help) usage ;;
    fuzz_*)
      [[ " ${all_targets[*]} " == *" $1 "* ]] || { echo "fuzz.sh: unknown target '$1' (${all_targets[*]})" >&2; exit 2; }
      targets+=("$1")
      shift
      ;;
    *) usage ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")

build=build/fuzz
echo "== fuzz: configure and build ${targets[*]}" >&2
cmake --preset fuzz >/dev/null
cmake --build "$build" --target "${targets[@]}" -j2

# Leaks are findings; UBSan stops at the first report (-fno-sanitize-recover) with a stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:intercept_tls_get_addr=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failures=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len_of "$target")"
           -print_final_stats=1 -artifact_prefix="$artifacts/")
  dict=$(dict_of "$target")
  [[ -n $dict && -f $dict ]] && options+=(-dict="$dict")

  status=0
  started=$SECONDS
  "$build/fuzz/$target" "${options[@]}" "$corpus" >"$log" 2>&1 || status=$?
  elapsed=$((SECONDS - started))

  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  progress=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$progress")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$progress")
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sk "$corpus" | cut -f1)
  summary=$(printf '%s: %ss, %s runs, %s exec/s, cov %s, ft %s, corpus %s files (%s KiB), peak RSS %s MB' \
    "$target" "$elapsed" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
    "${cov:-?}" "${ft:-?}" "$files" "$bytes" "$(stat peak_rss_mb)")
  if ((status == 0)); then
    echo "$summary: no findings"
  else
    failures=$((failures + 1))
    kind=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-z-]+|runtime error|ALARM: working on the last Unit|out-of-memory' "$log" | head -1 || true)
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "$summary: FINDING (${kind:-exit status $status}) — input saved as ${artifact:-?};" \
      "reproduce: $build/fuzz/$target ${artifact:-<input>}; log: $log"
  fi

  if ((merge)); then
    "$build/fuzz/$target" -merge=1 -max_len="$(max_len_of "$target")" "fuzz/corpus/$target" "$corpus" \
      >>"$build/logs/$target.merge.log" 2>&1
    echo "$target: merged into fuzz/corpus/$target ($(find "fuzz/corpus/$target" -type f | wc -l) files)"
  fi
done

if ((failures)); then
  echo "fuzz.sh: $failures of ${#targets[@]} targets found something (see above)" >&2
  exit 1
fi
