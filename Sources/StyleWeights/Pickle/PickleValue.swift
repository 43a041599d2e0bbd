/// The Python values the restricted unpickler can build. Nothing here can run code:
/// globals are names from an allowlist, and "calling" one (REDUCE) is interpreted by
/// `PickleMachine` for the handful of constructors a PyTorch state dict needs.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits: little-endian two's complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// A tuple and its nesting depth (computed once, when it is built).
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    /// An allowlisted global, e.g. `collections.OrderedDict` or `torch.FloatStorage`.
    case global(module: String, name: String)
    /// A PyTorch storage named by a persistent id.
    case storage(TorchStorageRef)
    /// A tensor rebuilt by `torch._utils._rebuild_tensor_v2` (a view of a storage).
    case tensor(TorchTensorRef)

    /// Nesting depth (1 for a scalar), used to refuse pathologically deep structures.
    var depth: Int {
        switch self {
        case .tuple(_, let depth): return depth
        case .list(let list): return list.depth
        case .dict(let dict): return dict.depth
        default: return 1
        }
    }

    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let m, let n): return "\(m).\(n)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// A Python list. Once nested inside another container it is sealed: later appends are
/// refused, which keeps the recorded depth exact (torch.save never needs them).
final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
    var sealed = false
}

/// A Python dict (or OrderedDict), insertion-ordered.
final class PickleDict {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [String: Int] = [:]
    var depth = 1
    var sealed = false

    var count: Int { keys.count }

    /// Hashable identity of a key (str and int keys; other keys are never looked up).
    private static func token(_ key: PickleValue) -> String? {
        switch key {
        case .string(let s): return "s" + s
        case .int(let i): return "i\(i)"
        case .bool(let b): return b ? "i1" : "i0"
        case .none: return "n"
        default: return nil
        }
    }

    func set(_ key: PickleValue, _ value: PickleValue) {
        if let token = Self.token(key), let at = index[token] {
            values[at] = value
            return
        }
        if let token = Self.token(key) { index[token] = keys.count }
        keys.append(key)
        values.append(value)
    }

    func get(_ key: String) -> PickleValue? {
        index["s" + key].map { values[$0] }
    }
}
