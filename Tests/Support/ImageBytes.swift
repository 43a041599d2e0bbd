/// Byte-level helpers for building and editing PNG and JPEG files in tests.

/// CRC-32 as PNG uses it (ISO 3309 / IEEE, reflected polynomial 0xEDB88320), bit by bit.
public func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// `v` as 4 big-endian bytes.
public func bigEndian32(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
}

/// The 8 bytes every PNG file starts with.
public let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

/// A PNG chunk: length, type, data, CRC over type + data.
public func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return bigEndian32(UInt32(data.count)) + typeBytes + data + bigEndian32(crc32(typeBytes + data))
}

/// The chunks of a PNG file as (offset of the length field, type, data length), walking
/// from the signature; a last chunk whose 8-byte header is complete is listed even if its
/// data or CRC is cut short.
public func pngChunks(_ png: [UInt8]) -> [(offset: Int, type: String, length: Int)] {
    var result: [(Int, String, Int)] = []
    var at = 8
    while at + 8 <= png.count {
        let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
        result.append((at, String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self), length))
        at += 12 + length
    }
    return result
}

/// Rewrites the CRC of the chunk starting at `offset` so it matches its (edited) contents.
public func fixChunkCRC(_ png: inout [UInt8], at offset: Int) {
    let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
    let crc = crc32(png[(offset + 4)..<(offset + 8 + length)])
    png.replaceSubrange((offset + 8 + length)..<(offset + 12 + length), with: bigEndian32(crc))
}

/// JPEG marker segments in file order up to and including the first SOS: (offset of the FF,
/// marker code), SOI first.
public func jpegSegments(_ jpeg: [UInt8]) -> [(offset: Int, marker: UInt8)] {
    var result: [(Int, UInt8)] = [(0, 0xD8)]
    var at = 2
    while at + 4 <= jpeg.count, jpeg[at] == 0xFF {
        let marker = jpeg[at + 1]
        result.append((at, marker))
        if marker == 0xDA { break }
        at += 2 + (Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3]))
    }
    return result
}

/// Offset of the first marker `FF code` after SOI, before the first SOS (nil if none).
public func jpegSegmentOffset(_ jpeg: [UInt8], marker code: UInt8) -> Int? {
    jpegSegments(jpeg).dropFirst().first { $0.marker == code }?.offset
}
