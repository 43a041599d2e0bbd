/// Every failure of the weights layer: each case names the file and says what is wrong,
/// so a user can tell a truncated download from a wrong file from a hostile one.
public enum WeightsError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened or mapped (missing, a directory, no permission).
    case cannotOpen(file: String, reason: String)
    /// The file ends before a structure it declares (header, storage, zip entry).
    case truncated(file: String, detail: String)
    /// A safetensors header that is not valid (length, JSON, offsets, shapes).
    case invalidHeader(file: String, detail: String)
    /// A tensor whose stored dtype this reader cannot turn into floats.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// A tensor name that the file does not contain.
    case missingTensor(file: String, tensor: String)
    /// A pickle stream that is malformed or exceeds the reader's safety limits.
    case invalidPickle(file: String, offset: Int, detail: String)
    /// A pickle that names a Python global outside the allowlist (never executed).
    case forbiddenGlobal(file: String, name: String)
    /// A PyTorch checkpoint whose container (legacy stream or zip archive) is malformed.
    case invalidCheckpoint(file: String, detail: String)
    /// A zip entry stored with compression (torch.save never compresses).
    case compressedEntry(file: String, entry: String, method: Int)
    /// A weight key the importer does not know.
    case unknownKey(file: String, key: String)
    /// A weight key the importer needs but the file lacks.
    case missingKey(file: String, key: String)
    /// A weight whose shape does not fit the architecture.
    case shapeMismatch(file: String, key: String, detail: String)
    /// Values handed to the writer that cannot be stored as asked.
    case invalidTensor(file: String, tensor: String, detail: String)
    /// A weight stored as integer codes and scales whose parts do not fit together
    /// (dtypes, shapes, a missing scale; see `Dequantization`).
    case invalidQuantization(file: String, tensor: String, detail: String)
    /// Writing the output failed.
    case writeFailed(file: String, reason: String)
    /// The file does not match its manifest (size, sha256, names, shapes).
    case manifestMismatch(file: String, detail: String)
    /// A manifest that cannot be read.
    case invalidManifest(file: String, detail: String)
    /// A download that failed (network, HTTP status, size or checksum); `url` is the source.
    case downloadFailed(url: String, detail: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "\(file): cannot open: \(reason)"
        case let .truncated(file, detail): return "\(file): file is truncated: \(detail)"
        case let .invalidHeader(file, detail): return "\(file): invalid safetensors header: \(detail)"
        case let .unsupportedDType(file, tensor, dtype): return "\(file): tensor '\(tensor)' has dtype \(dtype), which cannot be read as floats"
        case let .missingTensor(file, tensor): return "\(file): no tensor named '\(tensor)'"
        case let .invalidPickle(file, offset, detail): return "\(file): invalid pickle at byte \(offset): \(detail)"
        case let .forbiddenGlobal(file, name): return "\(file): the pickle refers to '\(name)', which is not on the allowlist of a weights file (nothing was executed)"
        case let .invalidCheckpoint(file, detail): return "\(file): not a readable PyTorch checkpoint: \(detail)"
        case let .compressedEntry(file, entry, method): return "\(file): zip entry '\(entry)' is compressed (method \(method)); PyTorch checkpoints store entries uncompressed"
        case let .unknownKey(file, key): return "\(file): unknown weight key '\(key)'"
        case let .missingKey(file, key): return "\(file): missing weight key '\(key)'"
        case let .shapeMismatch(file, key, detail): return "\(file): weight '\(key)' has the wrong shape: \(detail)"
        case let .invalidTensor(file, tensor, detail): return "\(file): tensor '\(tensor)': \(detail)"
        case let .invalidQuantization(file, tensor, detail): return "\(file): quantized weight '\(tensor)': \(detail)"
        case let .writeFailed(file, reason): return "\(file): cannot write: \(reason)"
        case let .manifestMismatch(file, detail): return "\(file): does not match its manifest: \(detail)"
        case let .invalidManifest(file, detail): return "\(file): invalid manifest: \(detail)"
        case let .downloadFailed(url, detail): return "\(url): download failed: \(detail)"
        }
    }
}

/// A named tensor as the weights layer hands it out: a row-major (C order) shape and
/// float32 values. Convolution weights are OIHW, as PyTorch stores them.
public struct WeightTensor: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]

    /// `values.count` must equal the product of `shape` (checked by the writer, not here).
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// Number of values the shape calls for (1 for a 0-d scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// Product of dimensions, nil when a dimension is negative or the product overflows.
func checkedElementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (p, overflow) = count.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        count = p
    }
    return count
}

func shapeString(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
