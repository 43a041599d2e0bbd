import Foundation

/// A safetensors file, memory-mapped (https://github.com/huggingface/safetensors).
///
/// Layout: 8-byte little-endian header length N, then N bytes of JSON
/// `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "value"}}`, then the data buffer; offsets are relative to the
/// buffer's start. Opening validates the whole header (as the reference implementation
/// does: offsets in range, contiguous, each exactly dtype size x element count) so every
/// later read is in bounds. F32, F16 and BF16 (and F64) read as Float.
public final class SafeTensorsFile {
    /// dtype and shape of one tensor, as the header states them.
    public struct Info: Equatable, Sendable {
        /// The header's dtype string, e.g. "F32", "F16", "BF16".
        public let dtype: String
        public let shape: [Int]
        /// Byte range within the data buffer.
        let begin: Int, end: Int
        let stored: StoredDType?
    }

    public let path: String
    /// The header's `__metadata__` (empty when absent).
    public let metadata: [String: String]
    /// Tensor names, sorted.
    public let names: [String]
    private let entries: [String: Info]
    private let file: MappedFile
    private let dataStart: Int

    /// Largest header accepted (the reference implementation's limit).
    static let maxHeaderLength = 100_000_000

    /// dtype names of the safetensors spec and what they decode to (nil: valid but not a float source).
    static let knownDTypes: [String: (size: Int, stored: StoredDType?)] = [
        "F64": (8, .f64), "F32": (4, .f32), "F16": (2, .f16), "BF16": (2, .bf16),
        "I64": (8, .i64), "I32": (4, .i32), "I16": (2, .i16), "I8": (1, .i8),
        "U64": (8, nil), "U32": (4, nil), "U16": (2, nil), "U8": (1, .u8), "BOOL": (1, .bool),
        "F8_E4M3": (1, nil), "F8_E5M2": (1, nil),
    ]

    /// Maps and validates the file at `path`.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw WeightsError.truncated(file: path, detail: "\(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = readLE(bytes, at: 0, as: UInt64.self)
        guard headerLength <= UInt64(Self.maxHeaderLength) else {
            throw WeightsError.invalidHeader(file: path, detail: "header length \(headerLength) exceeds the limit of \(Self.maxHeaderLength) bytes")
        }
        guard Int(headerLength) <= bytes.count - 8 else {
            throw WeightsError.truncated(file: path, detail: "header length \(headerLength) goes beyond the end of the \(bytes.count)-byte file")
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = Data(UnsafeRawBufferPointer(rebasing: bytes[8 ..< dataStart]))
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw WeightsError.invalidHeader(file: path, detail: "the header does not start with '{'")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerBytes, options: [])
        } catch {
            throw WeightsError.invalidHeader(file: path, detail: "header is not valid JSON")
        }
        guard let top = json as? [String: Any] else {
            throw WeightsError.invalidHeader(file: path, detail: "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: Info] = [:]
        for (name, value) in top {
            if name == "__metadata__" {
                guard let dict = value as? [String: Any] else {
                    throw WeightsError.invalidHeader(file: path, detail: "__metadata__ is not an object")
                }
                for (k, v) in dict {
                    guard let s = v as? String else {
                        throw WeightsError.invalidHeader(file: path, detail: "__metadata__ value for '\(k)' is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            entries[name] = try Self.parseEntry(name, value, file: path)
        }
        // The tensors must tile the data buffer exactly: sorted by offset, each starting
        // where the previous one ends, the last ending at the end of the file.
        let dataLength = bytes.count - dataStart
        var cursor = 0
        for (name, info) in entries.sorted(by: { ($0.value.begin, $0.value.end, $0.key) < ($1.value.begin, $1.value.end, $1.key) }) {
            guard info.end <= dataLength else {
                throw WeightsError.truncated(file: path, detail: "tensor '\(name)' ends at data byte \(info.end), the data buffer has \(dataLength) bytes")
            }
            guard info.begin == cursor else {
                throw WeightsError.invalidHeader(file: path, detail: info.begin < cursor
                    ? "tensor '\(name)' overlaps the previous tensor (starts at \(info.begin), previous ends at \(cursor))"
                    : "gap before tensor '\(name)' (starts at \(info.begin), previous ends at \(cursor))")
            }
            cursor = info.end
        }
        guard cursor == dataLength else {
            throw WeightsError.invalidHeader(file: path, detail: "\(dataLength - cursor) bytes after the last tensor are not described by the header")
        }
        self.metadata = metadata
        self.entries = entries
        self.names = entries.keys.sorted()
    }

    private static func parseEntry(_ name: String, _ value: Any, file path: String) throws -> Info {
        func bad(_ detail: String) -> WeightsError { .invalidHeader(file: path, detail: "tensor '\(name)': \(detail)") }
        guard let dict = value as? [String: Any] else { throw bad("entry is not an object") }
        guard let dtype = dict["dtype"] as? String else { throw bad("missing dtype") }
        guard let known = knownDTypes[dtype] else { throw bad("unknown dtype '\(dtype)'") }
        guard let shapeList = dict["shape"] as? [Any] else { throw bad("missing shape") }
        let shape = try shapeList.map { v -> Int in
            guard let n = jsonInt(v), n >= 0 else { throw bad("shape \(shapeList) has an entry that is not a non-negative integer") }
            return n
        }
        guard let offsets = dict["data_offsets"] as? [Any], offsets.count == 2,
              let begin = jsonInt(offsets[0]), let end = jsonInt(offsets[1]), begin >= 0, end >= begin else {
            throw bad("data_offsets must be two integers [begin, end] with 0 <= begin <= end")
        }
        guard let count = checkedElementCount(shape), case let (nbytes, false) = count.multipliedReportingOverflow(by: known.size) else {
            throw bad("shape \(shapeString(shape)) is too large")
        }
        guard end - begin == nbytes else {
            throw bad("data_offsets [\(begin), \(end)] hold \(end - begin) bytes, \(dtype) \(shapeString(shape)) needs \(nbytes)")
        }
        return Info(dtype: dtype, shape: shape, begin: begin, end: end, stored: known.stored)
    }

    /// dtype and shape of `name`, nil when absent.
    public func info(_ name: String) -> Info? { entries[name] }

    /// The raw little-endian bytes of `name`, valid while this object lives.
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let info = entries[name] else { throw WeightsError.missingTensor(file: path, tensor: name) }
        return UnsafeRawBufferPointer(rebasing: file.bytes[dataStart + info.begin ..< dataStart + info.end])
    }

    /// The values of `name` in row-major order, widened to Float.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = entries[name] else { throw WeightsError.missingTensor(file: path, tensor: name) }
        guard let stored = info.stored else {
            throw WeightsError.unsupportedDType(file: path, tensor: name, dtype: info.dtype)
        }
        return stored.loadAll(try rawBytes(name), count: (info.end - info.begin) / stored.size)
    }

    /// Shape and values of `name`.
    public func tensor(_ name: String) throws -> WeightTensor {
        let values = try floats(name)
        return WeightTensor(shape: entries[name]!.shape, values: values)
    }

    /// Every tensor, read as Float.
    public func allTensors() throws -> [String: WeightTensor] {
        var result: [String: WeightTensor] = [:]
        for name in names { result[name] = try tensor(name) }
        return result
    }
}

/// An integer from a JSONSerialization number (rejects fractions).
func jsonInt(_ value: Any) -> Int? {
    if let n = value as? Int { return n }
    if let d = value as? Double, d.rounded() == d, abs(d) < 9.0e15 { return Int(d) }
    return nil
}
