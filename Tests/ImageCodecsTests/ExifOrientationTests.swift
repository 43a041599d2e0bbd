import XCTest
@testable import ImageCodecs
import StylizeTestSupport

/// EXIF orientation: a 3x2 grid of distinct colours (cells A...F, 8x8 pixels
/// each) is written as JPEG, an APP1 segment built by hand is spliced in, and
/// the decoded grid must match the upright layout spelled out by hand for each
/// of the 8 orientations, in both TIFF byte orders.
final class ExifOrientationTests: XCTestCase {
    static let colors: [Character: [UInt8]] = [
        "A": [255, 0, 0], "B": [0, 255, 0], "C": [0, 0, 255],
        "D": [255, 255, 0], "E": [0, 255, 255], "F": [255, 0, 255],
    ]
    /// Stored (camera) layout: A B C / D E F.
    static let stored = ["ABC", "DEF"]

    /// The APP1 payload: "Exif\0\0" + a TIFF header with one IFD0 entry.
    static func exifPayload(orientation: Int, littleEndian: Bool, type: UInt16 = 3) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] {
            let b = bigEndian32(v)
            return littleEndian ? b.reversed() : b
        }
        var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        tiff += u16(42) + u32(8)                         // magic, IFD0 at offset 8
        tiff += u16(2)                                   // two entries
        tiff += u16(0x010F) + u16(2) + u32(4) + Array("Cam\0".utf8) // Make (ASCII, inline)
        let value: [UInt8] = type == 4 ? u32(UInt32(orientation)) : u16(UInt16(orientation)) + [0, 0]
        tiff += u16(0x0112) + u16(type) + u32(1) + value // Orientation
        tiff += u32(0)                                   // no next IFD
        return Array("Exif".utf8) + [0, 0] + tiff
    }

    /// `jpeg` with an APP1 segment holding `payload` right after SOI.
    static func splice(_ jpeg: [UInt8], app1 payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + jpeg[2...]
    }

    static func baseJPEG() throws -> [UInt8] {
        let grid = stored.map { row in row.map { colors[$0]! } }
        return try ImageIO.encode(cellImage(grid, cellSize: 8), as: .jpeg, quality: 100, name: "grid.jpg")
    }

    /// Checks the decoded cell layout against `expected` rows of letters.
    func check(orientation: Int, expected: [String], line: UInt = #line) throws {
        let base = try Self.baseJPEG()
        for littleEndian in [true, false] {
            let jpeg = Self.splice(base, app1: Self.exifPayload(orientation: orientation, littleEndian: littleEndian))
            let image = try ImageIO.decode(bytes: jpeg, name: "o\(orientation).jpg")
            let rows = expected.count, cols = expected[0].count
            XCTAssertEqual(image.width, cols * 8, "width for orientation \(orientation)", line: line)
            XCTAssertEqual(image.height, rows * 8, "height for orientation \(orientation)", line: line)
            guard image.width == cols * 8, image.height == rows * 8 else { continue }
            for (r, row) in expected.enumerated() {
                for (c, letter) in row.enumerated() {
                    let got = pixel(image, c * 8 + 4, r * 8 + 4)
                    let want = Self.colors[letter]!
                    XCTAssertLessThanOrEqual(maxDifference(got, want), 8,
                                             "orientation \(orientation) \(littleEndian ? "II" : "MM") cell (\(r),\(c)) should be \(letter)",
                                             line: line)
                }
            }
            // probe reports the upright size too.
            let dir = try makeTemporaryFolder(self)
            let path = dir + "/o.jpg"
            XCTAssert(FileManager.default.createFile(atPath: path, contents: Data(jpeg)))
            let probed = try ImageIO.probe(file: path)
            XCTAssertEqual(probed.width, cols * 8, line: line)
            XCTAssertEqual(probed.height, rows * 8, line: line)
        }
    }

    func testOrientation1Normal() throws { try check(orientation: 1, expected: ["ABC", "DEF"]) }
    func testOrientation2MirrorHorizontal() throws { try check(orientation: 2, expected: ["CBA", "FED"]) }
    func testOrientation3Rotate180() throws { try check(orientation: 3, expected: ["FED", "CBA"]) }
    func testOrientation4MirrorVertical() throws { try check(orientation: 4, expected: ["DEF", "ABC"]) }
    func testOrientation5Transpose() throws { try check(orientation: 5, expected: ["AD", "BE", "CF"]) }
    func testOrientation6Rotate90Clockwise() throws { try check(orientation: 6, expected: ["DA", "EB", "FC"]) }
    func testOrientation7Transverse() throws { try check(orientation: 7, expected: ["FC", "EB", "DA"]) }
    func testOrientation8Rotate90CounterClockwise() throws { try check(orientation: 8, expected: ["CF", "BE", "AD"]) }

    /// The orientation can be ignored on request.
    func testOrientationCanBeIgnored() throws {
        let jpeg = Self.splice(try Self.baseJPEG(), app1: Self.exifPayload(orientation: 6, littleEndian: true))
        let image = try ImageIO.decode(bytes: jpeg, name: "x.jpg", options: DecodeOptions(appliesEXIFOrientation: false))
        XCTAssertEqual(image.width, 24)
        XCTAssertEqual(image.height, 16)
    }

    /// Alpha turns with the colours.
    func testApplyingTurnsAlphaToo() {
        let image = Image(width: 3, height: 2, rgb: (0..<18).map { UInt8($0) }, alpha: [0, 1, 2, 3, 4, 5])
        let turned = image.applying(.right)
        XCTAssertEqual(turned.width, 2)
        XCTAssertEqual(turned.height, 3)
        XCTAssertEqual(turned.alpha, [3, 0, 4, 1, 5, 2])
        XCTAssertEqual(Array(turned.rgb[0..<3]), [9, 10, 11])
    }

    // MARK: parser

    func testParserReadsBothByteOrdersAndLongType() {
        for v in 1...8 {
            XCTAssertEqual(ExifOrientation.parse(app1: Self.exifPayload(orientation: v, littleEndian: true))?.rawValue, v)
            XCTAssertEqual(ExifOrientation.parse(app1: Self.exifPayload(orientation: v, littleEndian: false))?.rawValue, v)
            XCTAssertEqual(ExifOrientation.parse(app1: Self.exifPayload(orientation: v, littleEndian: false, type: 4))?.rawValue, v)
        }
    }

    func testParserRejectsInvalidValuesAndStructures() {
        for v in [0, 9, 255, 0xFFFF] {
            XCTAssertNil(ExifOrientation.parse(app1: Self.exifPayload(orientation: v, littleEndian: true)))
        }
        var badMagic = Self.exifPayload(orientation: 6, littleEndian: true)
        badMagic[8] = 43
        XCTAssertNil(ExifOrientation.parse(app1: badMagic))
        var badOrder = Self.exifPayload(orientation: 6, littleEndian: true)
        badOrder[6] = 0x4D // "MI"
        XCTAssertNil(ExifOrientation.parse(app1: badOrder))
        var farOffset = Self.exifPayload(orientation: 6, littleEndian: true)
        farOffset.replaceSubrange(10..<14, with: [0xFF, 0xFF, 0xFF, 0x7F])
        XCTAssertNil(ExifOrientation.parse(app1: farOffset))
        var hugeCount = Self.exifPayload(orientation: 6, littleEndian: true)
        hugeCount.replaceSubrange(14..<16, with: [0xFF, 0xFF]) // 65535 entries claimed, 2 present
        XCTAssertEqual(ExifOrientation.parse(app1: hugeCount), .right)
        XCTAssertNil(ExifOrientation.parse(app1: Array("Exif".utf8)))
        XCTAssertNil(ExifOrientation.parse(app1: []))
        XCTAssertNil(ExifOrientation.parse(app1: Array("XMP\0\0\0II*\0".utf8)))
    }

    /// Every truncation and seeded random garbage: never a crash, and a value
    /// only when the entry is complete.
    func testParserSurvivesHostileData() {
        let good = Self.exifPayload(orientation: 8, littleEndian: false)
        for n in 0..<good.count {
            let result = ExifOrientation.parse(app1: Array(good.prefix(n)))
            if n < good.count - 4 { XCTAssertNil(result, "prefix \(n)") } // the orientation entry ends 4 bytes before the end
        }
        var rng = SeededRandom(seed: 42)
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let i = Int.random(in: 6..<bytes.count, using: &rng)
                bytes[i] = UInt8.random(in: 0...255, using: &rng)
            }
            if let o = ExifOrientation.parse(app1: bytes) { XCTAssert((1...8).contains(o.rawValue)) }
            let junk = Array("Exif".utf8) + [0, 0] + (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = ExifOrientation.parse(app1: junk)
        }
    }

    /// A damaged EXIF segment never stops the image from decoding.
    func testDamagedExifStillDecodes() throws {
        var payload = Self.exifPayload(orientation: 6, littleEndian: true)
        payload.removeLast(10)
        let image = try ImageIO.decode(bytes: Self.splice(try Self.baseJPEG(), app1: payload), name: "x.jpg")
        XCTAssertEqual(image.width, 24)
    }
}
