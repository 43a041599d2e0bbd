// libFuzzer target: the EXIF orientation parser (APP1 payload and raw TIFF),
// plus applying whatever orientation it returns to a small image.
// Compiled into one module with Sources/ImageCodecs (see Fuzz/build.sh).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEXIF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]
    // Both entry points: the APP1 payload (with "Exif\0\0") and the bare TIFF.
    let payload = input.starts(with: exifHeader) ? input : exifHeader + input
    let fromPayload = ExifOrientation.parse(app1: payload)
    let fromTIFF = ExifOrientation.parse(tiff: Array(payload.dropFirst(6)))
    if fromPayload != fromTIFF { fuzzFail("APP1 and TIFF entry points disagree") }
    if let orientation = fromPayload {
        let image = Image(width: 3, height: 2, rgb: (0..<18).map { UInt8($0) })
        let turned = image.applying(orientation)
        if turned.width * turned.height != 6 || !turned.isConsistent { fuzzFail("orientation changed the pixel count") }
    }
    return 0
}
