import XCTest
@testable import ImageCodecs
import StylizeTestSupport

/// Every PNG colour type and bit depth, plain and interlaced, with and without
/// tRNS: files written by libpng from seeded samples, decoded, and compared
/// with the 8-bit RGBA a naive reference derives from the same samples.
final class PNGLayoutTests: XCTestCase {
    typealias ColorType = PNGEncoder.ColorType

    /// Raw samples of one test image plus everything needed to write it.
    struct Source {
        var width = 13, height = 7   // odd sizes: partial bytes and partial Adam7 passes
        var colorType: ColorType
        var bitDepth: Int
        var samples: [Int]           // width*height*channels, in the file's bit depth
        var palette: [UInt8] = []
        var paletteAlpha: [UInt8] = []
        var transparent: [UInt16]? = nil
    }

    /// Packs samples as PNG stores them: MSB first below 8 bits, big-endian at 16.
    static func pack(_ s: Source) -> [UInt8] {
        let perRow = s.width * s.colorType.channels
        var out: [UInt8] = []
        for y in 0..<s.height {
            let row = s.samples[(y * perRow)..<((y + 1) * perRow)]
            switch s.bitDepth {
            case 16: for v in row { out += [UInt8(v >> 8), UInt8(v & 0xFF)] }
            case 8: for v in row { out.append(UInt8(v)) }
            default:
                var byte = 0, used = 0
                for v in row {
                    byte = byte << s.bitDepth | v
                    used += s.bitDepth
                    if used == 8 { out.append(UInt8(byte)); byte = 0; used = 0 }
                }
                if used > 0 { out.append(UInt8(byte << (8 - used))) }
            }
        }
        return out
    }

    /// Naive reference: a sample of depth d to 8 bits (replication below 8, rounding at 16).
    static func to8(_ v: Int, depth: Int) -> UInt8 {
        if depth == 16 { return UInt8((Double(v) * 255 / 65535).rounded()) }
        return UInt8(v * 255 / ((1 << depth) - 1))
    }

    /// Naive reference: the RGBA each pixel should decode to.
    static func expectedRGBA(_ s: Source) -> [UInt8] {
        var out: [UInt8] = []
        let ch = s.colorType.channels
        for p in 0..<(s.width * s.height) {
            let v = Array(s.samples[(p * ch)..<((p + 1) * ch)])
            let d = s.bitDepth
            switch s.colorType {
            case .gray:
                let g = to8(v[0], depth: d)
                let a: UInt8 = s.transparent.map { Int($0[0]) == v[0] ? 0 : 255 } ?? 255
                out += [g, g, g, a]
            case .grayAlpha:
                let g = to8(v[0], depth: d)
                out += [g, g, g, to8(v[1], depth: d)]
            case .rgb:
                let a: UInt8 = s.transparent.map { $0.map(Int.init) == v ? 0 : 255 } ?? 255
                out += [to8(v[0], depth: d), to8(v[1], depth: d), to8(v[2], depth: d), a]
            case .rgba:
                out += v.map { to8($0, depth: d) }
            case .palette:
                let i = v[0]
                out += Array(s.palette[(3 * i)..<(3 * i + 3)])
                out.append(i < s.paletteAlpha.count ? s.paletteAlpha[i] : 255)
            }
        }
        return out
    }

    static func makeSource(_ colorType: ColorType, _ depth: Int, seed: UInt64, trns: Bool) -> Source {
        var rng = SeededRandom(seed: seed)
        var s = Source(colorType: colorType, bitDepth: depth, samples: [])
        let count = s.width * s.height * colorType.channels
        if colorType == .palette {
            let entries = min(1 << depth, 256)
            s.palette = (0..<(entries * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            s.samples = (0..<count).map { _ in Int.random(in: 0..<entries, using: &rng) }
            if trns { s.paletteAlpha = (0..<max(1, entries / 2)).map { _ in UInt8.random(in: 0...254, using: &rng) } }
            s.samples[0] = 0 // make sure entry 0 (transparent when trns) is used
        } else {
            let maxValue = (1 << depth) - 1
            s.samples = (0..<count).map { _ in Int.random(in: 0...maxValue, using: &rng) }
            if colorType == .rgba || colorType == .grayAlpha { s.samples[colorType.channels - 1] = 0 } // not all opaque
            if trns {
                // The first pixel's colour becomes the transparent colour.
                let first = Array(s.samples[0..<colorType.channels]).map { UInt16($0) }
                s.transparent = colorType == .gray ? [first[0], 0, 0] : first
            }
        }
        return s
    }

    func check(_ colorType: ColorType, _ depth: Int, trns: Bool = false, line: UInt = #line) throws {
        for interlaced in [false, true] {
            let s = Self.makeSource(colorType, depth, seed: UInt64(depth * 100 + Int(colorType.rawValue) * 10 + (trns ? 1 : 0)), trns: trns)
            let name = "\(colorType)-\(depth)\(trns ? "-trns" : "")\(interlaced ? "-adam7" : "").png"
            let png = try PNGEncoder.encode(packed: Self.pack(s), width: s.width, height: s.height, bitDepth: depth,
                                            colorType: colorType, interlaced: interlaced, palette: s.palette,
                                            paletteAlpha: s.paletteAlpha, transparentColor: s.transparent, file: name)
            XCTAssertEqual(png[24], UInt8(depth), "IHDR bit depth of \(name)", line: line)
            XCTAssertEqual(png[25], UInt8(colorType.rawValue), "IHDR colour type of \(name)", line: line)
            XCTAssertEqual(png[28], interlaced ? 1 : 0, "IHDR interlace of \(name)", line: line)
            let image = try ImageIO.decode(bytes: png, name: name)
            XCTAssertEqual(image.width, s.width, line: line)
            XCTAssertEqual(image.height, s.height, line: line)
            let expected = Self.expectedRGBA(s)
            let expectedRGB = (0..<(s.width * s.height)).flatMap { expected[(4 * $0)..<(4 * $0 + 3)] }
            let expectedAlpha = (0..<(s.width * s.height)).map { expected[4 * $0 + 3] }
            XCTAssertEqual(image.rgb, expectedRGB, "RGB of \(name)", line: line)
            if expectedAlpha.allSatisfy({ $0 == 255 }) {
                XCTAssertNil(image.alpha, "alpha of \(name)", line: line)
            } else {
                XCTAssertEqual(image.alpha, expectedAlpha, "alpha of \(name)", line: line)
            }
        }
    }

    func testGray1() throws { try check(.gray, 1) }
    func testGray2() throws { try check(.gray, 2) }
    func testGray4() throws { try check(.gray, 4) }
    func testGray8() throws { try check(.gray, 8) }
    func testGray16() throws { try check(.gray, 16) }
    func testGray8WithTransparentColor() throws { try check(.gray, 8, trns: true) }
    func testGray2WithTransparentColor() throws { try check(.gray, 2, trns: true) }
    func testGray16WithTransparentColor() throws { try check(.gray, 16, trns: true) }
    func testGrayAlpha8() throws { try check(.grayAlpha, 8) }
    func testGrayAlpha16() throws { try check(.grayAlpha, 16) }
    func testPalette1() throws { try check(.palette, 1) }
    func testPalette2() throws { try check(.palette, 2) }
    func testPalette4() throws { try check(.palette, 4) }
    func testPalette8() throws { try check(.palette, 8) }
    func testPalette4WithAlpha() throws { try check(.palette, 4, trns: true) }
    func testPalette8WithAlpha() throws { try check(.palette, 8, trns: true) }
    func testRGB8() throws { try check(.rgb, 8) }
    func testRGB16() throws { try check(.rgb, 16) }
    func testRGB8WithTransparentColor() throws { try check(.rgb, 8, trns: true) }
    func testRGB16WithTransparentColor() throws { try check(.rgb, 16, trns: true) }
    func testRGBA8() throws { try check(.rgba, 8) }
    func testRGBA16() throws { try check(.rgba, 16) }

    /// The reference rounding of 16-bit samples, spelled out at a few points.
    func testSixteenBitRoundingReference() {
        XCTAssertEqual(Self.to8(0, depth: 16), 0)
        XCTAssertEqual(Self.to8(65535, depth: 16), 255)
        XCTAssertEqual(Self.to8(128, depth: 16), 0)    // 0.498
        XCTAssertEqual(Self.to8(129, depth: 16), 1)    // 0.502
        XCTAssertEqual(Self.to8(0x7FFF, depth: 16), 127)
        XCTAssertEqual(Self.to8(3, depth: 2), 255)
        XCTAssertEqual(Self.to8(1, depth: 4), 17)
    }
}
