import Foundation

/// Writes safetensors files: header JSON with sorted names and `__metadata__`, padded with
/// spaces to a multiple of 8 bytes, then the tensors' data in the same sorted order.
/// The file appears atomically (written to a temporary file beside it, then renamed).
public enum SafeTensorsWriter {
    /// Storage type of the written tensors.
    public enum DType: String, Sendable {
        case f32 = "F32"
        case f16 = "F16"
    }

    /// Writes `tensors` to `path`, each as `dtype` unless `dtypes` names another for it.
    /// Each tensor's value count must match its shape; with `.f16` every finite value must
    /// fit float16 (|x| <= 65504), otherwise the write fails rather than store infinities.
    public static func write(tensors: [String: WeightTensor], metadata: [String: String] = [:],
                             dtype: DType = .f32, dtypes: [String: DType] = [:], to path: String) throws {
        let data = try encode(tensors: tensors, metadata: metadata, dtype: dtype, dtypes: dtypes, path: path)
        try writeAtomically(data, to: path)
    }

    /// The same, for tensors given as (shape, values) tuples.
    public static func write(tensors: [String: (shape: [Int], values: [Float])], metadata: [String: String] = [:],
                             dtype: DType = .f32, to path: String) throws {
        try write(tensors: tensors.mapValues { WeightTensor(shape: $0.shape, values: $0.values) },
                  metadata: metadata, dtype: dtype, to: path)
    }

    /// The complete file contents.
    static func encode(tensors: [String: WeightTensor], metadata: [String: String], dtype fileType: DType,
                       dtypes: [String: DType] = [:], path: String) throws -> Data {
        let names = tensors.keys.sorted()
        var header = "{"
        if !metadata.isEmpty {
            header += jsonString("__metadata__") + ":{"
            header += metadata.keys.sorted().map { jsonString($0) + ":" + jsonString(metadata[$0]!) }.joined(separator: ",")
            header += "}"
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let dtype = dtypes[name] ?? fileType, size = dtype == .f32 ? 4 : 2
            guard !name.isEmpty, name != "__metadata__" else {
                throw WeightsError.invalidTensor(file: path, tensor: name, detail: "reserved or empty tensor name")
            }
            guard let count = checkedElementCount(t.shape), count == t.values.count else {
                throw WeightsError.invalidTensor(file: path, tensor: name, detail: "shape \(shapeString(t.shape)) does not match \(t.values.count) values")
            }
            if header.count > 1 { header += "," }
            header += jsonString(name) + ":{\"dtype\":\"\(dtype.rawValue)\",\"shape\":\(shapeString(t.shape).replacingOccurrences(of: " ", with: "")),\"data_offsets\":[\(offset),\(offset + count * size)]}"
            offset += count * size
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }

        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for name in names {
            let values = tensors[name]!.values
            switch dtypes[name] ?? fileType {
            case .f32:
                values.withUnsafeBytes { out.append(contentsOf: $0) } // host is little-endian
            case .f16:
                var halves = [UInt16](repeating: 0, count: values.count)
                for (i, v) in values.enumerated() {
                    let h = Float16(v) // round to nearest even
                    if v.isFinite && !h.isFinite {
                        throw WeightsError.invalidTensor(file: path, tensor: name, detail: "value \(v) at index \(i) does not fit float16")
                    }
                    halves[i] = h.bitPattern.littleEndian
                }
                halves.withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Writes `data` to a temporary file in the destination's directory, then renames it
/// over `path`, so readers never see a half-written file.
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temp = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0 ... .max))")
    do {
        try data.write(to: temp)
    } catch {
        try? FileManager.default.removeItem(at: temp)
        throw WeightsError.writeFailed(file: path, reason: "\(error.localizedDescription)")
    }
    guard rename(temp.path, path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temp)
        throw WeightsError.writeFailed(file: path, reason: reason)
    }
}
