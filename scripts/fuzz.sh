#!/usr/bin/env bash
# Builds the fuzz preset (clang + libFuzzer + ASan/UBSan) and runs each fuzz target for a while
# from its corpus. Fails when any target finds a crash, leak, timeout or out-of-memory input;
# the input is kept in build/fuzz/artifacts/<target>/ and the log in build/fuzz/logs/<target>.log.
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [target...]   N seconds each (default 60)
#   scripts/fuzz.sh --smoke                                 every target for 10 s (CI)
#   scripts/fuzz.sh --list                                  the target names
#
# Each target grows a working corpus in build/fuzz/corpus/<target>/, starting from the
# committed seeds in fuzz/corpus/<target>/ (which it never writes). J targets run at once
# (default 2: one per core on the project's machines). Needs clang-16 and its libFuzzer runtime:
# scripts/setup.sh --with-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(sigv4_header sigv4_presigned aws_form aws_rest_route policy_document eks_token
         kube_json_body kube_query kube_protobuf label_selector field_selector patch)
seconds=60
jobs=2
selected=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --smoke) seconds=10; shift ;;
    --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) selected+=("$1"); shift ;;
  esac
done
((${#selected[@]})) || selected=("${TARGETS[@]}")
for t in "${selected[@]}"; do
  [[ " ${TARGETS[*]} " == *" $t "* ]] || { echo "fuzz: no target $t (--list)" >&2; exit 2; }
done

BUILD=build/fuzz
[ -f "$BUILD/build.ninja" ] || cmake --preset fuzz >/dev/null
cmake --build "$BUILD" -j2 --target "${selected[@]/#/fuzz_}"

mkdir -p "$BUILD/logs"
# Runs one target; its summary line goes to logs/<target>.summary.
run() {
  local t="$1" work="$BUILD/corpus/$1" art="$BUILD/artifacts/$1/" log="$BUILD/logs/$1.log" rc=0
  mkdir -p "$work" "$art"
  # -timeout: an input taking 10 s is a hang (or a quadratic blowup) to fix, not to wait out.
  "$BUILD/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$art" "$work" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  local execs corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  printf '%-16s %s  execs=%s  corpus=%s  %ss  %s\n' "$t" "$([ $rc = 0 ] && echo ok || echo FAILED)" \
    "${execs:-?}" "${corpus:-?}" "$seconds" "$log" | tee "$BUILD/logs/$t.summary"
  return $rc
}

# Results are read from the summaries, not exit codes, so throttling with wait -n loses none.
rm -f "$BUILD"/logs/*.summary
for t in "${selected[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run "$t" &
done
wait || true
failed=0
for t in "${selected[@]}"; do grep -q ' ok ' "$BUILD/logs/$t.summary" 2>/dev/null || failed=1; done
if ((failed)); then
  echo "fuzz: FAILED — reproduce with $BUILD/fuzz/fuzz_<target> $BUILD/artifacts/<target>/<file>" >&2
  exit 1
fi
echo "fuzz: all ${#selected[@]} targets clean"
