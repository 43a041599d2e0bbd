// libFuzzer target: JPEG decoding (header, EXIF orientation, pixels).
// Compiled into one module with Sources/ImageCodecs (see Fuzz/build.sh).
// Contract checked: any input ends in an image of consistent size or a
// CodecError naming the file; anything else (crash, ASan report, other error
// type, hang) is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Prefix the JPEG signature so the fuzzer spends its time inside libjpeg,
    // not in the format sniffer (which the PNG target covers too).
    var bytes: [UInt8] = [0xFF, 0xD8, 0xFF]
    bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: size))
    if size >= 3, data[0] == 0xFF, data[1] == 0xD8, data[2] == 0xFF {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }
    // A small pixel limit keeps each run fast; the limit logic itself is fuzzed.
    let options = DecodeOptions(maxPixels: 4_000_000, maxJPEGScans: 64)
    fuzzCheckDecode(bytes, name: "fuzz.jpg", options: options)
    return 0
}
