#!/usr/bin/env bash
# Builds Examples/Consumer, a package that depends on this repository *by version*
# (`.package(url:, from: "1.0.0")`), against a tag of a temporary clone of the current
# commit, and runs one transfer with it. Fails if the package cannot be used as a
# versioned dependency (e.g. unsafe compiler flags) or the library API it uses broke.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/stylize-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/stylize"
# Uncommitted changes of the working tree are part of what is checked.
(cd "$root" && git diff HEAD --binary) | (cd "$work/stylize" && git apply --allow-empty 2>/dev/null || true)
(cd "$work/stylize" && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -qm "checked tree" --allow-empty \
    && git tag 1.0.0)
cp -R "$root/Examples/Consumer" "$work/consumer"
cd "$work/consumer"
STYLIZE_PACKAGE_URL="$work/stylize" swift build 2>&1 | tail -3
"$(STYLIZE_PACKAGE_URL="$work/stylize" swift build --show-bin-path)/StylizeConsumer" \
    "$root/Images/chelsea.jpg" "$root/Images/autumn.jpg" "$root/Weights/default.safetensors" "$work/out.png"
test -s "$work/out.png"
echo "consumer: built against tag 1.0.0 of a clone and stylized an image"
