#!/usr/bin/env bash
# Builds the libFuzzer targets into Fuzz/.build (ignored by git).
#
# Each target is one Swift module compiled straight from the library sources
# it exercises (Sources/ImageCodecs or Sources/StyleWeights) plus its entry
# file in Fuzz/Targets, with `-sanitize=fuzzer,address`: libFuzzer's coverage
# instrumentation and AddressSanitizer. The C shim around libjpeg/libpng is
# compiled with clang `-fsanitize=fuzzer-no-link,address` (coverage + ASan);
# the system libjpeg-turbo and libpng themselves are not instrumented.
# Compiling the sources directly (instead of through SwiftPM) keeps the build
# to the two library modules a target needs and lets the targets call internal
# entry points such as ExifOrientation.parse(tiff:).
#
# Usage: Fuzz/build.sh [target ...]   (default: all five)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/Fuzz/.build
mkdir -p "$OUT/shim"
SWIFTC=${SWIFTC:-swiftc}
CLANG=${CLANG:-$(dirname "$(command -v "$SWIFTC")")/clang}
SAN=(-sanitize=fuzzer,address -parse-as-library -O -g)

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(jpeg png exif safetensors torch)

build_shim() {
    [ -f "$OUT/shim/libshim.a" ] && [ "$OUT/shim/libshim.a" -nt Sources/CCodecShim/jpeg_shim.c ] \
        && [ "$OUT/shim/libshim.a" -nt Sources/CCodecShim/png_shim.c ] && return
    for f in jpeg_shim png_shim; do
        "$CLANG" -c -O1 -g -fsanitize=fuzzer-no-link,address $(pkg-config --cflags libjpeg libpng) \
            -I Sources/CCodecShim/include Sources/CCodecShim/$f.c -o "$OUT/shim/$f.o"
    done
    ar rcs "$OUT/shim/libshim.a" "$OUT/shim/jpeg_shim.o" "$OUT/shim/png_shim.o"
    cat > "$OUT/shim/module.modulemap" <<MAP
module CCodecShim {
    header "$ROOT/Sources/CCodecShim/include/codec_shim.h"
    export *
}
MAP
}

# Up to date: the binary is newer than every source it is built from.
up_to_date() {
    [ -x "$OUT/fuzz-$1" ] || return 1
    [ -z "$(find Sources/ImageCodecs Sources/CCodecShim Sources/StyleWeights Fuzz/Targets Fuzz/build.sh \
            -newer "$OUT/fuzz-$1" -type f | head -1)" ]
}

for t in "${targets[@]}"; do
    if up_to_date "$t"; then echo "fuzz-$t is up to date"; continue; fi
    echo "building fuzz-$t"
    rm -f "$OUT/fuzz-$t"
    case $t in
    jpeg|png|exif)
        build_shim
        entry=(Fuzz/Targets/Fuzz$( [ $t = exif ] && echo EXIF || echo ${t^^}).swift)
        [ $t != exif ] && entry+=(Fuzz/Targets/DecodeCheck.swift)
        entry+=(Fuzz/Targets/FuzzFail.swift)
        "$SWIFTC" "${SAN[@]}" -module-name ImageCodecs -I "$OUT/shim" \
            Sources/ImageCodecs/*.swift "${entry[@]}" \
            "$OUT/shim/libshim.a" $(pkg-config --libs libjpeg libpng) -o "$OUT/fuzz-$t" 2>&1 | grep -v "Cannot export local symbol" || true
        ;;
    safetensors|torch)
        name=$( [ $t = torch ] && echo Torch || echo SafeTensors )
        "$SWIFTC" "${SAN[@]}" -module-name StyleWeights \
            $(find Sources/StyleWeights -name '*.swift' | sort) \
            Fuzz/Targets/Fuzz$name.swift Fuzz/Targets/WeightsFileSupport.swift -o "$OUT/fuzz-$t" 2>&1 \
            | grep -v "Cannot export local symbol" || true
        ;;
    *) echo "unknown target $t (jpeg png exif safetensors torch)" >&2; exit 2 ;;
    esac
    [ -x "$OUT/fuzz-$t" ] || { echo "build of fuzz-$t failed" >&2; exit 1; }
done
