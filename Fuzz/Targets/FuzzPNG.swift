// libFuzzer target: PNG decoding (every colour type, depth, tRNS, Adam7, CRCs).
// Compiled into one module with Sources/ImageCodecs (see Fuzz/build.sh).
//
// A random mutation almost always breaks a chunk CRC, which stops libpng at
// the first damaged chunk. So for inputs whose first byte is even the target
// recomputes every chunk's CRC before decoding (the fuzzer then reaches IHDR
// validation, palette/tRNS handling, inflate and the row filters); inputs with
// an odd first byte are decoded exactly as given, which keeps the CRC checks
// themselves under test. The first byte is a selector, not part of the file.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    let fixCRCs = data[0] & 1 == 0
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    // Inputs without the signature get it, so mutations reach the chunk parser.
    var bytes = input.starts(with: signature) ? input : signature + input
    if fixCRCs { recomputeChunkCRCs(&bytes) }
    fuzzCheckDecode(bytes, name: "fuzz.png", options: DecodeOptions(maxPixels: 4_000_000))
    return 0
}

/// Rewrites the CRC of every complete chunk after the signature.
func recomputeChunkCRCs(_ png: inout [UInt8]) {
    var at = 8
    while at + 12 <= png.count {
        let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
        guard length <= png.count - at - 12 else { return }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in png[(at + 4)..<(at + 8 + length)] {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        crc = ~crc
        let end = at + 8 + length
        png[end] = UInt8(crc >> 24); png[end + 1] = UInt8((crc >> 16) & 0xFF)
        png[end + 2] = UInt8((crc >> 8) & 0xFF); png[end + 3] = UInt8(crc & 0xFF)
        at = end + 4
    }
}
