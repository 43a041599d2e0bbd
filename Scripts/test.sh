#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` installs the system packages, then runs this):
#   1. swift test: every unit, golden, kernel (each CPU variant), pipeline, CLI, server and
#      browser test (tests needing a tool that is absent, e.g. chromium or qemu-user, skip
#      with a message saying what to install; CI installs them all);
#   2. Scripts/check-consumer.sh: a package depending on this one by version builds against a
#      tag of a temporary clone and stylizes an image through the library;
#   3. the DocC documentation builds (swift package generate-documentation).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
Scripts/check-consumer.sh
swift package generate-documentation --enable-experimental-combined-documentation --target StylizeKit \
    --target StylizeEngine --target StyleBatch --target StyleSheets --target StyleModels --target StyleNN --target StyleTensor --target StyleKernels \
    --target StyleWeights --target ImageCodecs 2>&1 | grep -E "^(error|warning)|Generated" | tee "${TMPDIR:-/tmp}/stylize-docc.log"
if grep -q "^error" "${TMPDIR:-/tmp}/stylize-docc.log"; then echo "documentation: errors above" >&2; exit 1; fi
echo "all checks passed"
