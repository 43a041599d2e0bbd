#if canImport(Glibc)
import Glibc
#endif

/// Writes float32 tensors as a safetensors file: 8-byte little-endian header length,
/// a JSON header {"name": {"dtype": "F32", "shape": [...], "data_offsets": [a, b]}}, then the data.
func writeSafetensors(path: String, tensors: [(name: String, shape: [Int], values: [Float])]) throws {
    var header = "{"
    var offset = 0
    for (i, t) in tensors.enumerated() {
        let bytes = t.values.count * 4
        header += "\"\(t.name)\":{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
        if i < tensors.count - 1 { header += "," }
        offset += bytes
    }
    header += "}"
    while header.utf8.count % 8 != 0 { header += " " }
    guard let f = fopen(path, "wb") else { throw BenchError("cannot write \(path)") }
    defer { fclose(f) }
    var len = UInt64(header.utf8.count).littleEndian
    fwrite(&len, 8, 1, f)
    _ = header.withCString { fwrite($0, 1, header.utf8.count, f) }
    for t in tensors {
        t.values.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, f) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ s: String) { description = s }
}
