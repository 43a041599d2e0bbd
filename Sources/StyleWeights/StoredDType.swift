/// Element types the readers can widen to Float, shared by safetensors and PyTorch
/// checkpoints. All are stored little-endian.
enum StoredDType: String, Sendable {
    case f32, f16, bf16, f64, i64, i32, i16, i8, u8, bool

    var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// The value of element `index` of `raw`, widened (or, for f64 and i64, rounded
    /// to nearest) to Float. The caller has checked `(index + 1) * size <= raw.count`.
    @inline(__always)
    func load(_ raw: UnsafeRawBufferPointer, _ index: Int) -> Float {
        let at = index * size
        switch self {
        case .f32: return Float(bitPattern: readLE(raw, at: at, as: UInt32.self))
        case .f16: return Float(Float16(bitPattern: readLE(raw, at: at, as: UInt16.self)))
        case .bf16: return Float(bitPattern: UInt32(readLE(raw, at: at, as: UInt16.self)) << 16)
        case .f64: return Float(Double(bitPattern: readLE(raw, at: at, as: UInt64.self)))
        case .i64: return Float(Int64(bitPattern: readLE(raw, at: at, as: UInt64.self)))
        case .i32: return Float(Int32(bitPattern: readLE(raw, at: at, as: UInt32.self)))
        case .i16: return Float(Int16(bitPattern: readLE(raw, at: at, as: UInt16.self)))
        case .i8: return Float(Int8(bitPattern: raw[at]))
        case .u8: return Float(raw[at])
        case .bool: return raw[at] == 0 ? 0 : 1
        }
    }

    /// Widens `count` contiguous elements.
    func loadAll(_ raw: UnsafeRawBufferPointer, count: Int) -> [Float] {
        if self == .f32 {
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                // Unaligned-safe copy; the host is little-endian like the format.
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[0 ..< count * 4]))
                initialized = count
            }
        }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0 ..< count { buffer[i] = load(raw, i) }
            initialized = count
        }
    }
}
