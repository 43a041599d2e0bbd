// Shared by the JPEG and PNG fuzz targets.
#if canImport(Glibc)
import Glibc
#endif

/// Decodes `bytes` and aborts (a finding for libFuzzer) unless the result is a
/// consistent image or a `CodecError` naming `name`. Also probes the header, which
/// must agree with the decoded size.
func fuzzCheckDecode(_ bytes: [UInt8], name: String, options: DecodeOptions) {
    do {
        let image = try ImageIO.decode(bytes: bytes, name: name, options: options)
        guard image.width > 0, image.height > 0, image.isConsistent,
              image.width * image.height <= options.maxPixels else {
            fuzzFail("inconsistent image \(image.width)x\(image.height), \(image.rgb.count) RGB bytes")
        }
    } catch let error as CodecError {
        guard error.file == name, !error.detail.isEmpty else { fuzzFail("error without file or detail: \(error)") }
    } catch {
        fuzzFail("unexpected error type: \(error)")
    }
}
