#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and ThreadSanitizer.
#
# Usage: Scripts/sanitizers.sh [address|thread ...] [-- extra `swift test` arguments]
#   default: both, address first
#
# Each sanitizer gets its own scratch path (.build-asan, .build-tsan) because
# it rebuilds every module with instrumentation; a first run therefore takes
# as long as a clean build (timings in Fuzz/README.md, "Sanitizers") and later runs
# are incremental. The kernels' C inner loops (Sources/CStyleKernels) are
# instrumented like the Swift code, so the sanitizers see their memory
# accesses and every thread of Parallel.forEach.
#
# Not part of .ci/run: the two rebuilds together take far longer than the
# normal suite. Run it before merging changes to kernels, codecs or anything
# multithreaded.
set -uo pipefail
cd "$(dirname "$0")/.."
kinds=()
extra=()
while [ $# -gt 0 ]; do
    case $1 in
    --) shift; extra=("$@"); break ;;
    *) kinds+=("$1"); shift ;;
    esac
done
[ ${#kinds[@]} -eq 0 ] && kinds=(address thread)

# Stop at the first report; keep the reports short and symbolised.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0:detect_stack_use_after_return=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

status=0
for kind in "${kinds[@]}"; do
    case $kind in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
    esac
    echo "== swift test --sanitize=$kind (scratch path $scratch)"
    start=$(date +%s)
    swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" || { status=1; continue; }
    built=$(date +%s)
    swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" "${extra[@]}"
    result=$?
    end=$(date +%s)
    echo "== $kind: build $((built - start)) s, tests $((end - built)) s, exit $result"
    [ $result -ne 0 ] && status=1
done
exit $status
