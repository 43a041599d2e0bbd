#!/usr/bin/env bash
# The test suite, as CI runs it (`.ci/run` installs the system packages, then runs this).
#
# Usage: Scripts/test.sh [--quick]
#
# Full (no argument):
#   0. Scripts/check-imports.py: Package.swift declares every module the sources import;
#   1. swift test: every unit, golden, kernel (each CPU variant), pipeline, CLI, server and
#      browser test (tests needing a tool that is absent, e.g. chromium or qemu-user, skip or
#      fail; the missing tools are named before the build; CI installs them all);
#   2. Scripts/check-consumer.sh: a package depending on this one by version builds against a
#      tag of a temporary clone and stylizes an image through the library (started first, in
#      the background at the lowest priority: it builds in a folder of its own and takes the
#      CPU time the build, the tests and DocC leave idle; its output is printed at the end);
#   3. the DocC documentation builds (swift package generate-documentation).
# --quick: step 0, then swift test without the end-to-end tests (those that run the built
#   `stylize`, ffmpeg, chromium, qemu or the installer; listed in `end_to_end` below): every
#   unit, golden and kernel test, for the edit-test loop. A new end-to-end test class goes
#   into that list.
#
# Both build in debug with the C targets optimised (-Xcc -O2, as in the release build): the
# kernels' inner loops are C, and the end-to-end tests run real networks, which take about
# five times as long through -O0 kernels. Swift code keeps the debug build (-Onone, checks on).
# Plain `swift build`/`swift test` work too, with other flags, so switching rebuilds.
#
# Tests run in parallel (`swift test --parallel`: one process per test, as many at once as
# cores); a failing test prints its output, passing and skipped ones one line each, so the
# tools whose absence makes tests skip (or fail) are named here first. `swift test` without
# --parallel prints every skipped test's reason.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
case ${1:-} in
--quick) quick=true ;;
"") ;;
*) echo "test.sh: unknown argument '$1' (usage: Scripts/test.sh [--quick])" >&2; exit 2 ;;
esac

flags=(-Xcc -O2)
# Test classes (and methods) that run programs: the built binary, ffmpeg, chromium, qemu-user,
# Scripts/install.sh. Matched against "<module>.<class>/<method>".
end_to_end='\.(BinaryTests|TransferBinaryTests|ImportBinaryTests|MagentaBinaryTests|VideoBinaryTests|ServeBinaryTests'
end_to_end+='|PipeTests|InfoTests|PresetsAndGalleryTests|ScaleOutTests|InstallTests|NehalemEmulationTests'
end_to_end+='|ResourceLimitTests|BrowserTests)(/|$)|\.EngineBudgetTests/testBatchHonoursTheMemoryBudget$'
end_to_end+='|\.FaultWhileWritingTests/(?!testFullDiskThroughTheLibrary$)'

start=$SECONDS
lap() { echo "== $1: $((SECONDS - start)) s since the start"; }

python3 Scripts/check-imports.py

if $quick; then
    swift test "${flags[@]}" --parallel --skip "$end_to_end"
    lap "quick tier done"
    exit 0
fi

missing=()
for tool in ffmpeg ffprobe qemu-x86_64 chromium chromedriver; do
    command -v "$tool" > /dev/null || missing+=("$tool")
done
"${STYLIZE_TEST_PYTHON:-python3}" -c "import selenium" 2> /dev/null || missing+=("selenium (Python)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "note: not found: ${missing[*]}; the tests that need them skip or fail (.ci/run installs them all)" >&2
fi
consumer_log=$(mktemp "${TMPDIR:-/tmp}/stylize-consumer-log.XXXXXX")
# A session of its own (the script runs without job control, so setsid does not fork and $! is
# its process group), so a failure below stops the consumer's compilers too.
setsid nice -n 19 Scripts/check-consumer.sh > "$consumer_log" 2>&1 &
consumer=$!
finish_consumer() {
    local status=0
    wait "$consumer" || status=$?
    cat "$consumer_log"
    rm -f "$consumer_log"
    return $status
}
trap 'kill -- -"$consumer" 2>/dev/null || true; rm -f "$consumer_log"' EXIT

swift build --build-tests "${flags[@]}"
lap "build"
swift test "${flags[@]}" --parallel --skip-build
lap "swift test"
docc_log="${TMPDIR:-/tmp}/stylize-docc.log"
swift package "${flags[@]}" generate-documentation --enable-experimental-combined-documentation --target StylizeKit \
    --target StylizeEngine --target StyleBatch --target StyleSheets --target StyleModels --target StyleNN --target StyleTensor --target StyleKernels \
    --target StyleWeights --target ImageCodecs 2>&1 | grep -E "^(error|warning)|Generated" | tee "$docc_log"
if grep -q "^error" "$docc_log"; then echo "documentation: errors above" >&2; exit 1; fi
lap "documentation"
echo "== consumer package (Scripts/check-consumer.sh):"
finish_consumer
trap - EXIT
lap "consumer"
echo "all checks passed"
