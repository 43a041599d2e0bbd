import Foundation
@testable import ImageCodecs
import StylizeTestSupport

/// The malformed-input corpus: built here from files the real encoders write,
/// then damaged in every way the issue lists. Each case says what a correct
/// outcome is; `MalformedCorpusTests` writes every case to a file and decodes it.
/// Setting STYLIZE_WRITE_CORPUS=DIR also leaves the files in DIR for inspection
/// (or as extra fuzz seeds).
struct CorpusCase {
    enum Expect: Equatable {
        /// Decodes to an image of this size (and these pixels, when `pixels` is set).
        case decodes(width: Int, height: Int)
        /// Any `CodecError` naming the file.
        case fails
        /// A `CodecError` of this kind naming the file.
        case failsAs(CodecError.Kind)
        /// JPEG without checksums: a flip may still decode; then the image must be consistent.
        case decodesOrFails
    }
    var name: String
    var bytes: [UInt8]
    var expect: Expect
    /// The decoded pixels must equal this image (for unusual-but-valid files).
    var pixels: Image? = nil
}

enum MalformedCorpus {
    /// Valid files of unusual kinds, with the image each must decode to.
    static func unusualButValid() throws -> [CorpusCase] {
        var cases: [CorpusCase] = []
        func png(_ name: String, _ image: Image) throws {
            cases.append(CorpusCase(name: name, bytes: try ImageIO.encode(image, as: .png, name: name),
                                    expect: .decodes(width: image.width, height: image.height), pixels: image))
        }
        func jpeg(_ name: String, _ image: Image) throws {
            cases.append(CorpusCase(name: name, bytes: try ImageIO.encode(image, as: .jpeg, quality: 90, name: name),
                                    expect: .decodes(width: image.width, height: image.height)))
        }
        for (w, h) in [(1, 1), (1, 5000), (5000, 1)] {
            try png("thin-\(w)x\(h).png", Pictures.ramps(width: w, height: h, seed: UInt64(w * 7 + h)))
            try jpeg("thin-\(w)x\(h).jpg", Pictures.ramps(width: w, height: h, seed: UInt64(w * 11 + h)))
        }
        try png("alpha-1x1.png", Pictures.ramps(width: 1, height: 1, seed: 5, alpha: true))
        // 16-bit RGB: samples v*257 round to exactly v.
        let rgb = Pictures.ramps(width: 7, height: 5, seed: 6)
        let rgb16 = rgb.rgb.flatMap { [$0, $0] }
        cases.append(CorpusCase(name: "rgb16.png",
                                bytes: try PNGEncoder.encode(packed: rgb16, width: 7, height: 5, bitDepth: 16, colorType: .rgb, file: "rgb16.png"),
                                expect: .decodes(width: 7, height: 5), pixels: rgb))
        // Adam7 with passes that are empty (1x1 and 1x5000 images).
        for (w, h) in [(1, 1), (1, 5000), (3, 2)] {
            let image = Pictures.ramps(width: w, height: h, seed: UInt64(w + h))
            cases.append(CorpusCase(name: "adam7-\(w)x\(h).png",
                                    bytes: try PNGEncoder.encode(packed: image.rgb, width: w, height: h, bitDepth: 8, colorType: .rgb,
                                                                 interlaced: true, file: "adam7.png"),
                                    expect: .decodes(width: w, height: h), pixels: image))
        }
        // CMYK (Adobe, inverted) and YCCK JPEG, progressive and grayscale.
        let cmyk = (0..<(9 * 6 * 4)).map { UInt8(truncatingIfNeeded: $0 * 13) }
        cases.append(CorpusCase(name: "cmyk.jpg", bytes: try JPEGEncoder.encode(pixels: cmyk, width: 9, height: 6, layout: .cmyk, quality: 90, file: "cmyk.jpg"),
                                expect: .decodes(width: 9, height: 6)))
        cases.append(CorpusCase(name: "ycck.jpg", bytes: try JPEGEncoder.encode(pixels: cmyk, width: 9, height: 6, layout: .cmyk, quality: 90,
                                                                                 storeYCCK: true, file: "ycck.jpg"),
                                expect: .decodes(width: 9, height: 6)))
        cases.append(CorpusCase(name: "cmyk-1x1.jpg", bytes: try JPEGEncoder.encode(pixels: [0, 0, 0, 0], width: 1, height: 1, layout: .cmyk,
                                                                                     quality: 90, file: "cmyk-1x1.jpg"),
                                expect: .decodes(width: 1, height: 1)))
        let thin = Pictures.ramps(width: 1, height: 700, seed: 9)
        cases.append(CorpusCase(name: "progressive-1x700.jpg",
                                bytes: try JPEGEncoder.encode(pixels: thin.rgb, width: 1, height: 700, layout: .rgb, quality: 80,
                                                              progressive: true, file: "p.jpg"),
                                expect: .decodes(width: 1, height: 700)))
        cases.append(CorpusCase(name: "gray-5000x1.jpg",
                                bytes: try JPEGEncoder.encode(pixels: [UInt8](repeating: 77, count: 5000), width: 5000, height: 1,
                                                              layout: .gray, quality: 90, file: "g.jpg"),
                                expect: .decodes(width: 5000, height: 1)))
        return cases
    }

    /// Valid files under the wrong extension: the bytes decide, not the name.
    static func wrongExtensions() throws -> [CorpusCase] {
        let image = Pictures.ramps(width: 6, height: 4, seed: 21)
        return [
            CorpusCase(name: "png-named.jpg", bytes: try ImageIO.encode(image, as: .png, name: "x"), expect: .decodes(width: 6, height: 4), pixels: image),
            CorpusCase(name: "jpeg-named.png", bytes: try ImageIO.encode(image, as: .jpeg, name: "x"), expect: .decodes(width: 6, height: 4)),
            CorpusCase(name: "no-extension", bytes: try ImageIO.encode(image, as: .png, name: "x"), expect: .decodes(width: 6, height: 4), pixels: image),
            CorpusCase(name: "text.jpg", bytes: Array("not an image\n".utf8), expect: .failsAs(.unknownFormat)),
            CorpusCase(name: "gif.png", bytes: Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0], expect: .failsAs(.unknownFormat)),
            CorpusCase(name: "empty.jpg", bytes: [], expect: .failsAs(.empty)),
            CorpusCase(name: "empty.png", bytes: [], expect: .failsAs(.empty)),
        ]
    }

    /// Truncations and bit flips of the unusual-but-valid files (the everyday
    /// samples are covered by ImageCodecsTests.MalformedInputTests).
    static func damaged(_ valid: [CorpusCase]) -> [CorpusCase] {
        var rng = SeededRandom(seed: 99)
        var cases: [CorpusCase] = []
        for source in valid {
            let n = source.bytes.count
            for cut in Set([1, 2, 8, 30, n / 3, n / 2, n - 10, n - 2, n - 1]) where cut > 0 && cut < n {
                cases.append(CorpusCase(name: "cut\(cut)-" + source.name, bytes: Array(source.bytes.prefix(cut)),
                                        expect: cut < 1 ? .fails : .fails))
            }
            for trial in 0..<6 {
                var flipped = source.bytes
                let bit = Int.random(in: 0..<(n * 8), using: &rng)
                flipped[bit / 8] ^= UInt8(1 << (bit % 8))
                let isPNG = source.bytes.starts(with: pngSignature)
                cases.append(CorpusCase(name: "flip\(trial)-" + source.name, bytes: flipped,
                                        expect: isPNG ? .fails : .decodesOrFails))
            }
        }
        return cases
    }

    /// PNG chunks whose lengths or CRCs are wrong.
    static func badPNGChunks() throws -> [CorpusCase] {
        let png = try ImageIO.encode(Pictures.ramps(width: 12, height: 9, seed: 31), as: .png, name: "c.png")
        let chunks = pngChunks(png)
        var cases: [CorpusCase] = []
        for chunk in chunks {
            // CRC damaged.
            var badCRC = png
            badCRC[chunk.offset + 8 + chunk.length + 3] ^= 0x5A
            cases.append(CorpusCase(name: "badcrc-\(chunk.type).png", bytes: badCRC, expect: .fails))
            // Length field lies: one more, one less, beyond the file, above 2^31.
            for (tag, length) in [("plus1", chunk.length + 1), ("minus1", max(0, chunk.length - 1)),
                                  ("pastend", png.count * 4), ("2^31", 0x8000_0000), ("max", 0xFFFF_FFFF)] where length != chunk.length {
                var lie = png
                lie.replaceSubrange(chunk.offset..<(chunk.offset + 4), with: bigEndian32(UInt32(truncatingIfNeeded: length)))
                cases.append(CorpusCase(name: "badlength-\(tag)-\(chunk.type).png", bytes: lie, expect: .fails))
            }
        }
        // No IEND; IDAT missing; a second IHDR; a chunk after IEND is ignored by libpng? -> stays valid or error, never crash.
        let iend = chunks.first { $0.type == "IEND" }!
        cases.append(CorpusCase(name: "no-iend.png", bytes: Array(png[..<iend.offset]), expect: .fails))
        let idat = chunks.first { $0.type == "IDAT" }!
        var noIDAT = png
        noIDAT.removeSubrange(idat.offset..<(idat.offset + 12 + idat.length))
        cases.append(CorpusCase(name: "no-idat.png", bytes: noIDAT, expect: .fails))
        var twoIHDR = png
        twoIHDR.insert(contentsOf: png[8..<(8 + 25)], at: idat.offset)
        cases.append(CorpusCase(name: "two-ihdr.png", bytes: twoIHDR, expect: .fails))
        // An unknown critical chunk (upper-case first letter) must be refused.
        var critical = png
        critical.insert(contentsOf: pngChunk("ZZZZ", [1, 2, 3]), at: idat.offset)
        cases.append(CorpusCase(name: "unknown-critical.png", bytes: critical, expect: .fails))
        return cases
    }

    /// JPEG marker segments out of order, missing or repeated.
    static func jpegMarkersOutOfOrder() throws -> [CorpusCase] {
        let jpeg = try ImageIO.encode(Pictures.ramps(width: 16, height: 16, seed: 41), as: .jpeg, quality: 85, name: "m.jpg")
        let segments = jpegSegments(jpeg)
        func segment(_ marker: UInt8) -> Range<Int> {
            let index = segments.firstIndex { $0.marker == marker }!
            return segments[index].offset..<segments[index + 1].offset
        }
        let sof = segment(0xC0), dqt = segment(0xDB), dht = segment(0xC4)
        let sos = segments.first { $0.marker == 0xDA }!.offset
        var cases: [CorpusCase] = []
        // SOF after the scan header: the scan comes before any frame.
        var sofLate = jpeg
        let sofBytes = Array(jpeg[sof])
        sofLate.insert(contentsOf: sofBytes, at: sos + 2 + (Int(jpeg[sos + 2]) << 8 | Int(jpeg[sos + 3])))
        sofLate.removeSubrange(sof)
        cases.append(CorpusCase(name: "sof-after-sos.jpg", bytes: sofLate, expect: .fails))
        var noSOF = jpeg; noSOF.removeSubrange(sof)
        cases.append(CorpusCase(name: "no-sof.jpg", bytes: noSOF, expect: .fails))
        var noDQT = jpeg; noDQT.removeSubrange(dqt)
        cases.append(CorpusCase(name: "no-dqt.jpg", bytes: noDQT, expect: .fails))
        // Without DHT libjpeg-turbo falls back to the standard tables (Motion-JPEG
        // frames omit them), so this may decode; JPEG has no checksum to tell.
        var noDHT = jpeg; noDHT.removeSubrange(dht)
        cases.append(CorpusCase(name: "no-dht.jpg", bytes: noDHT, expect: .decodesOrFails))
        var twoSOF = jpeg; twoSOF.insert(contentsOf: sofBytes, at: sof.upperBound)
        cases.append(CorpusCase(name: "two-sof.jpg", bytes: twoSOF, expect: .fails))
        cases.append(CorpusCase(name: "eoi-first.jpg", bytes: [0xFF, 0xD8, 0xFF, 0xD9] + jpeg[2...], expect: .fails))
        cases.append(CorpusCase(name: "two-soi.jpg", bytes: [0xFF, 0xD8] + jpeg, expect: .fails))
        cases.append(CorpusCase(name: "sos-first.jpg", bytes: [0xFF, 0xD8] + jpeg[sos...], expect: .fails))
        // Every segment after SOF moved before it (DQT/DHT order does not matter: still valid).
        var reordered = Array(jpeg[..<sof.lowerBound]) + jpeg[sof.upperBound..<sos] + sofBytes + jpeg[sos...]
        cases.append(CorpusCase(name: "tables-after-sof.jpg", bytes: reordered, expect: .decodes(width: 16, height: 16)))
        reordered = Array(jpeg[..<dqt.lowerBound]) + jpeg[dqt.upperBound...] // DQT gone, rest intact
        cases.append(CorpusCase(name: "no-dqt-2.jpg", bytes: reordered, expect: .fails))
        return cases
    }

    /// Headers claiming enormous sizes, data that inflates far beyond the image,
    /// and progressive files with absurd numbers of scans.
    static func bombs() throws -> [CorpusCase] {
        var cases: [CorpusCase] = []
        func ihdr(_ w: UInt32, _ h: UInt32, depth: UInt8 = 8, color: UInt8 = 2) -> [UInt8] {
            pngChunk("IHDR", bigEndian32(w) + bigEndian32(h) + [depth, color, 0, 0, 0])
        }
        let tinyIDAT = pngChunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        // Over the pixel limit: refused from the header.
        cases.append(CorpusCase(name: "bomb-60000x60000.png", bytes: pngSignature + ihdr(60000, 60000) + tinyIDAT + pngChunk("IEND", []),
                                expect: .failsAs(.tooLarge)))
        cases.append(CorpusCase(name: "bomb-2^31-wide.png", bytes: pngSignature + ihdr(0x7FFF_FFFF, 1) + tinyIDAT + pngChunk("IEND", []),
                                expect: .fails))
        // Under the pixel limit (160 MP) but the file cannot hold that much data.
        cases.append(CorpusCase(name: "bomb-16000x10000-tiny.png", bytes: pngSignature + ihdr(16000, 10000) + tinyIDAT + pngChunk("IEND", []),
                                expect: .failsAs(.truncated)))
        // A 100x100 image whose IDAT inflates to 32 MB of zeros (about 32 KB compressed).
        let flood = try deflateThroughPNG(rows: 512, rowBytes: 65535)
        cases.append(CorpusCase(name: "bomb-idat-inflates-32MB.png",
                                bytes: pngSignature + ihdr(100, 100, color: 0) + pngChunk("IDAT", flood) + pngChunk("IEND", []),
                                expect: .decodesOrFails))
        // JPEG SOF claiming 60000x60000, and 65500x65500 (the format's maximum).
        let jpeg = try ImageIO.encode(Pictures.ramps(width: 16, height: 16, seed: 51), as: .jpeg, quality: 85, name: "b.jpg")
        let sof = jpegSegments(jpeg).first { $0.marker == 0xC0 }!.offset
        // 65535 is over libjpeg's own maximum (65500): refused by libjpeg as corrupt.
        for (tag, size, kind) in [("60000", [UInt8(0xEA), 0x60], CodecError.Kind.tooLarge), ("65500", [UInt8(0xFF), 0xDC], .tooLarge),
                                  ("65535", [UInt8(0xFF), 0xFF], .corrupt)] {
            var big = jpeg
            big.replaceSubrange((sof + 5)..<(sof + 9), with: size + size)
            cases.append(CorpusCase(name: "bomb-\(tag)x\(tag).jpg", bytes: big, expect: .failsAs(kind)))
        }
        // Progressive JPEG with its last scan repeated 2000 times (a "scan bomb").
        let image = Pictures.ramps(width: 64, height: 64, seed: 52)
        let progressive = try JPEGEncoder.encode(pixels: image.rgb, width: 64, height: 64, layout: .rgb, quality: 80,
                                                 progressive: true, file: "p.jpg")
        let lastSOS = lastMarker(progressive, 0xDA)
        let scan = Array(progressive[lastSOS..<(progressive.count - 2)])
        var many = Array(progressive[..<(progressive.count - 2)])
        for _ in 0..<2000 { many += scan }
        many += [0xFF, 0xD9]
        cases.append(CorpusCase(name: "bomb-2000-scans.jpg", bytes: many, expect: .fails))
        // The same with first-scan DC data repeated (refused by the scan limit at the latest).
        let firstSOS = jpegSegments(progressive).first { $0.marker == 0xDA }!.offset
        let secondSOS = nextMarker(progressive, 0xDA, after: firstSOS)
        let dcScan = Array(progressive[firstSOS..<secondSOS])
        var manyDC = Array(progressive[..<secondSOS])
        for _ in 0..<1000 { manyDC += dcScan }
        manyDC += progressive[secondSOS...]
        cases.append(CorpusCase(name: "bomb-1000-dc-scans.jpg", bytes: manyDC, expect: .fails))
        return cases
    }

    /// Offset of the last FF `marker` in the file.
    static func lastMarker(_ bytes: [UInt8], _ marker: UInt8) -> Int {
        var at = bytes.count - 2
        while at > 0, !(bytes[at] == 0xFF && bytes[at + 1] == marker) { at -= 1 }
        return at
    }

    /// Offset of the first FF `marker` after `after`.
    static func nextMarker(_ bytes: [UInt8], _ marker: UInt8, after: Int) -> Int {
        var at = after + 2
        while at + 1 < bytes.count, !(bytes[at] == 0xFF && bytes[at + 1] == marker) { at += 1 }
        return at
    }

    /// Every case, in a stable order.
    static func all() throws -> [CorpusCase] {
        let valid = try unusualButValid()
        return valid + (try wrongExtensions()) + damaged(valid) + (try badPNGChunks()) + (try jpegMarkersOutOfOrder()) + (try bombs())
    }
}
