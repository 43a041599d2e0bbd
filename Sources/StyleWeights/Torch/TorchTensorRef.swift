/// A PyTorch storage as a pickle names it: key, element type, element count. The bytes
/// are attached once the container (legacy stream or zip entry) has been located.
final class TorchStorageRef {
    /// `torch.<Name>Storage` classes and the element type each holds.
    static let storageTypes: [String: StoredDType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    let key: String
    let dtype: StoredDType
    /// Elements this reference may address.
    let numel: Int
    /// First element within the root storage's bytes (non-zero only for legacy storage views).
    let elementOffset: Int
    /// The root storage's bytes, once resolved.
    var bytes: UnsafeRawBufferPointer?
    /// The root storage a legacy view refers into (nil for a root).
    private let strongRoot: TorchStorageRef?

    init(key: String, dtype: StoredDType, numel: Int) {
        self.key = key; self.dtype = dtype; self.numel = numel; self.elementOffset = 0
        self.strongRoot = nil
    }

    init(viewOf root: TorchStorageRef, elementOffset: Int, numel: Int) {
        self.key = root.key; self.dtype = root.dtype; self.numel = numel; self.elementOffset = elementOffset
        self.strongRoot = root
    }

    /// The bytes of this storage (a view's bytes start at its element offset).
    var resolvedBytes: UnsafeRawBufferPointer? {
        guard let base = strongRoot?.bytes ?? bytes else { return nil }
        let start = elementOffset * dtype.size, end = start + numel * dtype.size
        guard start >= 0, end <= base.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: base[start ..< end])
    }
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage.
struct TorchTensorRef {
    let storage: TorchStorageRef
    let offset: Int
    let size: [Int]
    let stride: [Int]
    let count: Int

    /// Largest expanded tensor (stride 0) accepted beyond its storage's size.
    static let maxExpandedCount = 1 << 24

    /// Validates that every element the view addresses lies inside the storage.
    init(storage: TorchStorageRef, offset: Int, size: [Int], stride: [Int], fail: (String) -> WeightsError) throws {
        guard size.count == stride.count else { throw fail("tensor size \(size) and stride \(stride) differ in rank") }
        guard offset >= 0, stride.allSatisfy({ $0 >= 0 }) else { throw fail("negative storage offset or stride") }
        guard let count = checkedElementCount(size) else { throw fail("tensor size \(size) is invalid") }
        if count > 0 {
            var last = offset
            for (n, s) in zip(size, stride) {
                let (span, o1) = (n - 1).multipliedReportingOverflow(by: s)
                let (sum, o2) = last.addingReportingOverflow(span)
                guard !o1, !o2 else { throw fail("tensor view overflows") }
                last = sum
            }
            guard last < storage.numel else {
                throw fail("tensor view (offset \(offset), size \(size), stride \(stride)) reaches element \(last) of a storage of \(storage.numel)")
            }
            guard count <= max(storage.numel, Self.maxExpandedCount) else {
                throw fail("tensor of \(count) elements expands a storage of \(storage.numel) too far")
            }
        }
        self.storage = storage; self.offset = offset; self.size = size; self.stride = stride; self.count = count
    }

    /// The values in row-major order, widened to Float.
    func materialize(file: String, name: String) throws -> WeightTensor {
        guard let raw = storage.resolvedBytes, raw.count >= storage.numel * storage.dtype.size else {
            throw WeightsError.invalidCheckpoint(file: file, detail: "storage '\(storage.key)' of tensor '\(name)' has no data")
        }
        let dtype = storage.dtype
        guard [.f32, .f16, .bf16, .f64].contains(dtype) else {
            throw WeightsError.unsupportedDType(file: file, tensor: name, dtype: "\(dtype)")
        }
        if count == 0 { return WeightTensor(shape: size, values: []) } // offset unchecked for empty views
        // Contiguous row-major view (the usual case): one widening pass over the bytes.
        var expected = 1
        var contiguous = true
        for d in Swift.stride(from: size.count - 1, through: 0, by: -1) where size[d] != 1 {
            if self.stride[d] != expected { contiguous = false; break }
            expected *= size[d]
        }
        if contiguous {
            let start = offset * dtype.size
            let slice = UnsafeRawBufferPointer(rebasing: raw[start ..< start + count * dtype.size])
            return WeightTensor(shape: size, values: dtype.loadAll(slice, count: count))
        }
        var values = [Float](repeating: 0, count: count)
        if count > 0 {
            // Walk the multi-index like an odometer, last dimension fastest.
            var index = [Int](repeating: 0, count: size.count)
            var at = offset
            for i in 0 ..< count {
                values[i] = dtype.load(raw, at)
                var d = size.count - 1
                while d >= 0 {
                    index[d] += 1
                    at += stride[d]
                    if index[d] < size[d] { break }
                    at -= stride[d] * size[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return WeightTensor(shape: size, values: values)
    }
}

/// Decodes `('storage', torch.XStorage, key, location, numel[, view_metadata])`, the
/// persistent id torch.save writes for each storage; one `TorchStorageRef` per key.
struct StorageRegistry {
    let file: String
    private(set) var roots: [String: TorchStorageRef] = [:]
    private(set) var order: [String] = []

    init(file: String) { self.file = file }

    mutating func load(_ pid: PickleValue) throws -> PickleValue {
        func bad(_ detail: String) -> WeightsError { .invalidCheckpoint(file: file, detail: "persistent id: \(detail)") }
        guard case .tuple(let items, _) = pid, items.count == 5 || items.count == 6,
              case .string("storage") = items[0] else { throw bad("expected ('storage', type, key, location, numel)") }
        guard case let .global("torch", typeName) = items[1], let dtype = TorchStorageRef.storageTypes[typeName] else {
            throw bad("storage type \(items[1].typeName) is not supported")
        }
        guard case .string(let key) = items[2] else { throw bad("storage key is not a string") }
        guard case .int(let numel) = items[4], numel >= 0, numel <= Int.max / 8 else { throw bad("storage size is not a valid count") }
        let root: TorchStorageRef
        if let existing = roots[key] {
            guard existing.dtype == dtype, existing.numel == numel else { throw bad("storage '\(key)' is declared twice differently") }
            root = existing
        } else {
            root = TorchStorageRef(key: key, dtype: dtype, numel: numel)
            roots[key] = root
            order.append(key)
        }
        if items.count == 6, case .tuple(let view, _) = items[5] {
            // Legacy storage view: (view_key, offset, view_size) into the root storage.
            guard view.count == 3, case .int(let offset) = view[1], case .int(let count) = view[2],
                  offset >= 0, count >= 0, offset <= numel, count <= numel - offset else {
                throw bad("storage view of '\(key)' is out of range")
            }
            return .storage(TorchStorageRef(viewOf: root, elementOffset: offset, numel: count))
        }
        return .storage(root)
    }
}
