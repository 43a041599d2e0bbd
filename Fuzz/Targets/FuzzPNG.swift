// libFuzzer target: PNG decoding (every colour type, depth, tRNS, Adam7, CRCs).
// Compiled into one module with Sources/ImageCodecs (see Fuzz/build.sh).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    // Inputs without the signature get it, so mutations reach the chunk parser.
    let bytes = input.starts(with: signature) ? input : signature + input
    fuzzCheckDecode(bytes, name: "fuzz.png", options: DecodeOptions(maxPixels: 4_000_000))
    return 0
}
