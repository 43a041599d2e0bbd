#!/usr/bin/env bash
# Regenerates the committed seed corpus in Fuzz/corpus/<target>/ with the
# project's own code: the image encoders (ImageCodecs over libjpeg/libpng) and
# SafeTensorsWriter write the JPEG, PNG, EXIF and safetensors seeds; the torch
# seeds are the small checkpoints of Tests/StyleWeightsTests/Fixtures (written
# by torch.save in make_fixtures.py), plus the safetensors fixtures there.
# No sanitizers here: a plain optimised build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/Fuzz/.build/seedgen
CORPUS=$ROOT/Fuzz/corpus
mkdir -p "$OUT/shim"
SWIFTC=${SWIFTC:-swiftc}
CLANG=${CLANG:-$(dirname "$(command -v "$SWIFTC")")/clang}
for f in jpeg_shim png_shim; do
    "$CLANG" -c -O1 $(pkg-config --cflags libjpeg libpng) -I Sources/CCodecShim/include \
        Sources/CCodecShim/$f.c -o "$OUT/shim/$f.o"
done
cat > "$OUT/shim/module.modulemap" <<MAP
module CCodecShim {
    header "$ROOT/Sources/CCodecShim/include/codec_shim.h"
    export *
}
MAP
"$SWIFTC" -O -module-name ImageCodecs -I "$OUT/shim" Sources/ImageCodecs/*.swift \
    Fuzz/SeedGenerator/Images/main.swift "$OUT/shim/jpeg_shim.o" "$OUT/shim/png_shim.o" \
    $(pkg-config --libs libjpeg libpng) -o "$OUT/make-image-seeds"
"$SWIFTC" -O -module-name StyleWeights $(find Sources/StyleWeights -name '*.swift' | sort) \
    Fuzz/SeedGenerator/Weights/main.swift -o "$OUT/make-weight-seeds"
rm -rf "$CORPUS"
mkdir -p "$CORPUS/torch"
"$OUT/make-image-seeds" "$CORPUS"
"$OUT/make-weight-seeds" "$CORPUS"
FIX=Tests/StyleWeightsTests/Fixtures
cp $FIX/views_legacy.pth $FIX/views_zip.pth $FIX/adain_decoder_legacy.pth $FIX/adain_decoder_zip.pth "$CORPUS/torch/"
cp $FIX/st_f32.safetensors $FIX/st_f16.safetensors $FIX/st_bf16.safetensors "$CORPUS/safetensors/"
du -sh "$CORPUS"; for d in "$CORPUS"/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) files"; done
