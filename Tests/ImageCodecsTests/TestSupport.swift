import XCTest
@testable import ImageCodecs

/// A small seeded generator (SplitMix64) so every "random" test is reproducible.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// CRC-32 as PNG uses it (ISO 3309, polynomial 0xEDB88320), bit by bit.
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

/// A PNG chunk: length, type, data, CRC over type + data.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return bigEndian32(UInt32(data.count)) + typeBytes + data + bigEndian32(crc32(typeBytes + data))
}

/// The chunks of a PNG file as (offset of the length field, type, data length).
func pngChunks(_ png: [UInt8]) -> [(offset: Int, type: String, length: Int)] {
    var result: [(Int, String, Int)] = []
    var at = 8
    while at + 12 <= png.count {
        let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
        let type = String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self)
        result.append((at, type, length))
        at += 12 + length
    }
    return result
}

/// Rewrites the CRC of the chunk starting at `offset` so it matches its (edited) contents.
func fixChunkCRC(_ png: inout [UInt8], at offset: Int) {
    let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
    let crc = crc32(png[(offset + 4)..<(offset + 8 + length)])
    png.replaceSubrange((offset + 8 + length)..<(offset + 12 + length), with: bigEndian32(crc))
}

/// Offset of the first JPEG marker `FF code` after SOI, walking segments.
func jpegSegmentOffset(_ jpeg: [UInt8], marker code: UInt8) -> Int? {
    var at = 2
    while at + 4 <= jpeg.count {
        guard jpeg[at] == 0xFF else { return nil }
        if jpeg[at + 1] == code { return at }
        if jpeg[at + 1] == 0xDA { return nil } // start of scan: headers are over
        let length = Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])
        at += 2 + length
    }
    return nil
}

/// An image whose pixels are seeded noise (and alpha if asked).
func noiseImage(width: Int, height: Int, seed: UInt64, alpha: Bool = false) -> Image {
    var rng = SeededRNG(seed: seed)
    let rgb = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    let a = alpha ? (0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &rng) } : nil
    return Image(width: width, height: height, rgb: rgb, alpha: a)
}

/// An image made of `cellSize` x `cellSize` solid cells, colours given row by row.
func cellImage(_ colors: [[[UInt8]]], cellSize: Int) -> Image {
    let rows = colors.count, cols = colors[0].count
    let width = cols * cellSize, height = rows * cellSize
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let c = colors[y / cellSize][x / cellSize]
            rgb.replaceSubrange(((y * width + x) * 3)..<((y * width + x) * 3 + 3), with: c)
        }
    }
    return Image(width: width, height: height, rgb: rgb)
}

/// The RGB of pixel (x, y).
func pixel(_ image: Image, _ x: Int, _ y: Int) -> [UInt8] {
    let i = (y * image.width + x) * 3
    return Array(image.rgb[i..<(i + 3)])
}

/// Largest absolute difference between two equally long byte arrays.
func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    precondition(a.count == b.count)
    return zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

/// Asserts that `body` throws a `CodecError`, optionally of `kind`, and returns it.
@discardableResult
func assertCodecError(_ kind: CodecError.Kind? = nil, _ message: String = "", file: StaticString = #filePath,
                      line: UInt = #line, _ body: () throws -> Void) -> CodecError? {
    do {
        try body()
        XCTFail("expected a CodecError \(message)", file: file, line: line)
        return nil
    } catch let error as CodecError {
        if let kind { XCTAssertEqual(error.kind, kind, "\(message): \(error)", file: file, line: line) }
        return error
    } catch {
        XCTFail("expected a CodecError, got \(error) \(message)", file: file, line: line)
        return nil
    }
}

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "imagecodecs-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
