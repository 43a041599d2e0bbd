// Writes the JPEG, PNG and EXIF seed corpora with the project's own encoders
// (ImageCodecs through libjpeg-turbo and libpng). Built and run by
// Fuzz/make_seeds.sh; usage: make-image-seeds OUTDIR.
#if canImport(Glibc)
import Glibc
#endif

let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Fuzz/corpus"

/// Deterministic pixels: a gradient with a little seeded noise (compresses to small files).
func pixels(_ w: Int, _ h: Int, channels: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    var bytes = [UInt8](repeating: 0, count: w * h * channels)
    for i in bytes.indices {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let p = i / channels
        bytes[i] = UInt8(truncatingIfNeeded: (p % w) * 255 / max(1, w - 1) + (p / w) * 7 + Int(state >> 61))
    }
    return bytes
}

func save(_ file: [UInt8], _ dir: String, _ name: String) {
    // The PNG target reads a selector byte before the file (see FuzzPNG.swift).
    let bytes = dir == "png" ? [0] + file : file
    mkdir(out, 0o755)
    mkdir("\(out)/\(dir)", 0o755)
    let path = "\(out)/\(dir)/\(name)"
    guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
}

func image(_ w: Int, _ h: Int, seed: UInt64, alpha: Bool = false) -> Image {
    Image(width: w, height: h, rgb: pixels(w, h, channels: 3, seed: seed),
          alpha: alpha ? pixels(w, h, channels: 1, seed: seed + 1) : nil)
}

/// An APP1 EXIF payload with one orientation entry in IFD0.
func exifPayload(orientation: UInt16, littleEndian: Bool, type: UInt16 = 3) -> [UInt8] {
    func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
    func u32(_ v: UInt32) -> [UInt8] { littleEndian ? [0, 8, 16, 24].map { UInt8((v >> $0) & 0xFF) } : [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
    var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
    tiff += u16(42) + u32(8) + u16(2)
    tiff += u16(0x010F) + u16(2) + u32(4) + Array("Cam\0".utf8)       // Make, inline ASCII
    tiff += u16(0x0112) + u16(type) + u32(1) + u16(orientation) + u16(0)
    tiff += u32(0)
    return Array("Exif\0\0".utf8) + tiff
}

/// Inserts an APP1 segment right after SOI.
func withAPP1(_ jpeg: [UInt8], _ payload: [UInt8]) -> [UInt8] {
    let length = payload.count + 2
    return Array(jpeg[0..<2]) + [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(jpeg[2...])
}

do {
    let rgb = image(17, 11, seed: 1)
    save(try ImageIO.encode(rgb, as: .jpeg, quality: 75, name: "s"), "jpeg", "baseline-420.jpg")
    save(try ImageIO.encode(rgb, as: .jpeg, quality: 95, name: "s"), "jpeg", "baseline-444.jpg")
    save(try JPEGEncoder.encode(pixels: rgb.rgb, width: 17, height: 11, layout: .rgb, quality: 80,
                                progressive: true, file: "s"), "jpeg", "progressive.jpg")
    save(try JPEGEncoder.encode(pixels: pixels(9, 7, channels: 1, seed: 2), width: 9, height: 7, layout: .gray,
                                quality: 80, file: "s"), "jpeg", "gray.jpg")
    let cmyk = pixels(8, 8, channels: 4, seed: 3)
    save(try JPEGEncoder.encode(pixels: cmyk, width: 8, height: 8, layout: .cmyk, quality: 80, file: "s"), "jpeg", "cmyk-adobe.jpg")
    save(try JPEGEncoder.encode(pixels: cmyk, width: 8, height: 8, layout: .cmyk, quality: 80, storeYCCK: true,
                                file: "s"), "jpeg", "ycck.jpg")
    save(try ImageIO.encode(image(1, 1, seed: 4), as: .jpeg, quality: 90, name: "s"), "jpeg", "one-pixel.jpg")
    let small = try ImageIO.encode(image(6, 4, seed: 5), as: .jpeg, quality: 60, name: "s")
    save(withAPP1(small, exifPayload(orientation: 6, littleEndian: true)), "jpeg", "exif-right-le.jpg")
    save(withAPP1(small, exifPayload(orientation: 8, littleEndian: false)), "jpeg", "exif-left-be.jpg")

    save(try ImageIO.encode(rgb, as: .png, name: "s"), "png", "rgb8.png")
    save(try ImageIO.encode(image(9, 5, seed: 6, alpha: true), as: .png, name: "s"), "png", "rgba8.png")
    save(try ImageIO.encode(image(1, 1, seed: 7), as: .png, name: "s"), "png", "one-pixel.png")
    let indices = (0..<(10 * 6)).map { UInt8($0 % 4) }
    save(try PNGEncoder.encode(packed: indices, width: 10, height: 6, bitDepth: 8, colorType: .palette, interlaced: true,
                               palette: pixels(4, 1, channels: 3, seed: 8), paletteAlpha: [0, 128], file: "s"),
         "png", "palette-trns-adam7.png")
    let packed2 = (0..<(8 * 2)).map { UInt8(truncatingIfNeeded: $0 * 37) } // 2-bit gray, 8 px -> 2 bytes/row
    save(try PNGEncoder.encode(packed: packed2, width: 8, height: 8, bitDepth: 2, colorType: .gray, file: "s"),
         "png", "gray2.png")
    save(try PNGEncoder.encode(packed: pixels(5, 3, channels: 6, seed: 9), width: 5, height: 3, bitDepth: 16,
                               colorType: .rgb, file: "s"), "png", "rgb16.png")
    save(try PNGEncoder.encode(packed: pixels(4, 4, channels: 4, seed: 10), width: 4, height: 4, bitDepth: 16,
                               colorType: .grayAlpha, interlaced: true, file: "s"), "png", "grayalpha16-adam7.png")

    for (i, (value, le, type)) in [(1, true, 3), (6, true, 3), (8, false, 3), (3, false, 4), (5, true, 1), (7, false, 3)].enumerated() {
        save(exifPayload(orientation: UInt16(value), littleEndian: le, type: UInt16(type)), "exif", "orientation-\(i).bin")
    }
} catch {
    fatalError("\(error)")
}
