import CCodecShim

/// Calls a shim function with a message buffer and turns a non-zero status
/// into a `CodecError` for `file`, prefixing the library's message with `what`.
func callShim(file: String, what: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
    let capacity = 256
    var message = [CChar](repeating: 0, count: capacity)
    let status = message.withUnsafeMutableBufferPointer { body($0.baseAddress!, capacity) }
    guard status != Int32(SC_OK) else { return }
    let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    throw CodecError(file: file, kind: errorKind(status), detail: "\(what): \(text.isEmpty ? "unknown error" : text)")
}

/// The error category for a shim status code.
func errorKind(_ status: Int32) -> CodecError.Kind {
    switch status {
    case Int32(SC_ERR_TRUNCATED): return .truncated
    case Int32(SC_ERR_UNSUPPORTED): return .unsupported
    case Int32(SC_ERR_LIMIT): return .tooLarge
    case Int32(SC_ERR_ARGUMENT): return .invalidImage
    case Int32(SC_ERR_NOMEM): return .tooLarge
    case Int32(SC_ERR_IO): return .io
    default: return .corrupt
    }
}

/// Refuses images over the pixel limit; also rejects sizes whose byte counts
/// would overflow. Called with header values, before any pixel allocation.
func checkPixelLimit(width: Int, height: Int, options: DecodeOptions, file: String, format: String) throws {
    guard width > 0, height > 0 else {
        throw CodecError(file: file, kind: .corrupt, detail: "\(format) header claims an empty image (\(width)x\(height))")
    }
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    if overflow || pixels > options.maxPixels || pixels > Int.max / 4 {
        throw CodecError(file: file, kind: .tooLarge,
                         detail: "\(format) image is \(width)x\(height) pixels, over the limit of \(options.maxPixels) pixels (DecodeOptions.maxPixels)")
    }
}

/// Copies a malloc'ed buffer from an encoder into an array and frees it.
func takeBuffer(_ pointer: UnsafeMutablePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let pointer else { return [] }
    defer { sc_free(pointer) }
    return Array(UnsafeBufferPointer(start: pointer, count: size))
}
