#!/usr/bin/env bash
# Builds and runs every fuzz target for a bounded time, then prints a summary.
#
# Usage: Fuzz/run.sh SECONDS [target ...]
#   SECONDS  time per target (libFuzzer -max_total_time)
#   targets  any of: jpeg png exif safetensors torch (default: all, one after another)
#
# Each target starts from a copy of its committed seeds (Fuzz/corpus/<target>)
# in Fuzz/.build/work/<target>, so the corpus it grows stays out of git.
# Crashing inputs land in Fuzz/.build/artifacts/<target>/ (crash-*, leak-*,
# timeout-*, oom-*). Limits per input: 10 s (-timeout), 2 GiB RSS
# (-rss_limit_mb), 1 MiB (-max_len). Environment: JOBS=N runs N workers per
# target (libFuzzer -jobs/-workers; default 1).
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:?usage: Fuzz/run.sh SECONDS [target ...]}
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(jpeg png exif safetensors torch)
Fuzz/build.sh "${targets[@]}" || exit 1

BUILD=Fuzz/.build
summary=()
for t in "${targets[@]}"; do
    work=$BUILD/work/$t; art=$BUILD/artifacts/$t; log=$BUILD/logs/$t.log
    mkdir -p "$work" "$art" "$(dirname "$log")"
    cp -n Fuzz/corpus/$t/* "$work/" 2>/dev/null
    dict=(); [ -f Fuzz/dict/$t.dict ] && dict=(-dict=Fuzz/dict/$t.dict)
    echo "== fuzz-$t for ${SECONDS_PER_TARGET}s (log: $log)"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
    "$BUILD/fuzz-$t" "$work" Fuzz/corpus/$t "${dict[@]}" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -max_len=1048576 -print_final_stats=1 -artifact_prefix="$art/" >"$log" 2>&1
    status=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    [ -z "$execs" ] && execs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    crashes=$(ls "$art" 2>/dev/null | grep -cE '^(crash|leak|timeout|oom)-')
    summary+=("$(printf '%-12s executions %-10s %-12s exit %-3s crashing inputs %s' "$t" "${execs:-?}" "${cov:-cov: ?}" "$status" "$crashes")")
done
echo
echo "== summary (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
