import Foundation

/// Reads PyTorch checkpoints (`torch.save` of a state dict) without PyTorch.
///
/// Two containers exist:
/// - legacy (PyTorch < 1.6, and `_use_new_zipfile_serialization=False`): a stream of
///   pickles: magic number, protocol version (1001), sys_info, the object (storages appear
///   as persistent ids), the list of storage keys; then each storage's raw bytes, preceded by
///   its element count as an 8-byte little-endian integer.
/// - zip (the default since 1.6): `<prefix>/data.pkl` holds the object, `<prefix>/data/<key>`
///   each storage's raw bytes, stored uncompressed.
/// The object is decoded by `PickleMachine`, which executes nothing and accepts only the
/// globals a state dict needs. Tensors may be any strided view (offset, strides,
/// shared storages) of float32, float16, bfloat16 or float64 storage.
public enum TorchCheckpoint {
    /// The container a checkpoint uses.
    public enum Format: String, Sendable {
        case legacy, zip
    }

    /// The legacy magic number 0x1950a86a20f9469cfc6c, little-endian as LONG1 stores it.
    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// Which container `path` uses; throws when it is neither.
    public static func format(of path: String) throws -> Format {
        try format(MappedFile(path: path))
    }

    static func format(_ file: MappedFile) throws -> Format {
        let b = file.bytes
        if b.count >= 4, readLE(b, at: 0, as: UInt32.self) == 0x0403_4B50 { return .zip }
        if b.count >= 2, b[0] == 0x80, b[1] >= 2 { return .legacy }
        if b.count < 4 { throw WeightsError.truncated(file: file.path, detail: "\(b.count) bytes is too short for a checkpoint") }
        throw WeightsError.invalidCheckpoint(file: file.path, detail: "neither a zip archive nor a legacy pickle stream (starts with \(b.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")))")
    }

    /// The state dict stored at `path`: the top-level dict of tensors, or the dict found
    /// under a top-level "state_dict" or "model" key. Values are row-major Floats.
    public static func loadStateDict(path: String) throws -> [String: WeightTensor] {
        let file = try MappedFile(path: path)
        let object: PickleValue
        switch try format(file) {
        case .legacy: object = try loadLegacy(file)
        case .zip: object = try loadZip(file)
        }
        return try stateDict(from: object, file: path)
    }

    // MARK: - Containers

    static func loadLegacy(_ file: MappedFile) throws -> PickleValue {
        let path = file.path
        var registry = StorageRegistry(file: path)
        func plain(_ what: String) -> (PickleValue) throws -> PickleValue {
            { _ in throw WeightsError.invalidCheckpoint(file: path, detail: "unexpected persistent id in the \(what)") }
        }
        var machine = PickleMachine(file: path, bytes: file.bytes, persistentLoad: plain("magic number"))
        let (magic, afterMagic) = try machine.run(from: 0)
        guard case .bigInt(let m) = magic, m == legacyMagic else {
            throw WeightsError.invalidCheckpoint(file: path, detail: "legacy magic number missing (a plain pickle, not a torch.save file)")
        }
        machine = PickleMachine(file: path, bytes: file.bytes, persistentLoad: plain("protocol version"))
        let (version, afterVersion) = try machine.run(from: afterMagic)
        guard case .int(1001) = version else {
            throw WeightsError.invalidCheckpoint(file: path, detail: "unsupported legacy protocol version \(version)")
        }
        machine = PickleMachine(file: path, bytes: file.bytes, persistentLoad: plain("sys_info"))
        let (sysInfo, afterSysInfo) = try machine.run(from: afterVersion)
        if case .dict(let info) = sysInfo, case .bool(false)? = info.get("little_endian") {
            throw WeightsError.invalidCheckpoint(file: path, detail: "written on a big-endian machine")
        }
        machine = PickleMachine(file: path, bytes: file.bytes) { try registry.load($0) }
        let (object, afterObject) = try machine.run(from: afterSysInfo)
        machine = PickleMachine(file: path, bytes: file.bytes, persistentLoad: plain("storage key list"))
        let (keyList, afterKeys) = try machine.run(from: afterObject)
        guard case .list(let keys) = keyList else {
            throw WeightsError.invalidCheckpoint(file: path, detail: "storage key list is a \(keyList.typeName)")
        }
        var cursor = ByteCursor(file.bytes, position: afterKeys) { at, detail in
            WeightsError.truncated(file: path, detail: "storage data at byte \(at): \(detail)")
        }
        for item in keys.items {
            guard case .string(let key) = item, let storage = registry.roots[key] else {
                throw WeightsError.invalidCheckpoint(file: path, detail: "storage key list names \(item) that no tensor uses")
            }
            let count = try cursor.le(UInt64.self, "storage '\(key)' element count")
            guard count == UInt64(storage.numel) else {
                throw WeightsError.invalidCheckpoint(file: path, detail: "storage '\(key)' holds \(count) elements, its tensors declare \(storage.numel)")
            }
            storage.bytes = try cursor.take(storage.numel * storage.dtype.size, "storage '\(key)'")
        }
        return object
    }

    static func loadZip(_ file: MappedFile) throws -> PickleValue {
        let path = file.path
        let archive = try ZipArchive(file: path, bytes: file.bytes)
        let pickles = archive.names.filter { $0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2 }
        guard pickles.count == 1 else {
            throw WeightsError.invalidCheckpoint(file: path, detail: pickles.isEmpty ? "zip archive has no <name>/data.pkl" : "zip archive has several data.pkl entries")
        }
        let prefix = String(pickles[0].dropLast("data.pkl".count))
        if archive.entries[prefix + "byteorder"] != nil {
            let order = try archive.data(prefix + "byteorder")
            guard Array(order) == Array("little".utf8) else {
                throw WeightsError.invalidCheckpoint(file: path, detail: "byte order is not little-endian")
            }
        }
        var registry = StorageRegistry(file: path)
        var machine = PickleMachine(file: path, bytes: try archive.data(pickles[0])) { pid in
            let value = try registry.load(pid)
            if case .storage(let storage) = value, storage.bytes == nil {
                let data = try archive.data(prefix + "data/" + storage.key)
                guard data.count >= storage.numel * storage.dtype.size else {
                    throw WeightsError.truncated(file: path, detail: "storage '\(storage.key)' has \(data.count) bytes, needs \(storage.numel * storage.dtype.size)")
                }
                storage.bytes = data
            }
            return value
        }
        let (object, end) = try machine.run()
        _ = end
        return object
    }

    // MARK: - State dict

    static func stateDict(from object: PickleValue, file: String) throws -> [String: WeightTensor] {
        guard case .dict(let top) = object else {
            throw WeightsError.invalidCheckpoint(file: file, detail: "the saved object is a \(object.typeName), not a dict of tensors")
        }
        var dict = top
        if !top.values.allSatisfy({ if case .tensor = $0 { return true } else { return false } }) {
            if case .dict(let inner)? = top.get("state_dict") {
                dict = inner
            } else if case .dict(let inner)? = top.get("model") {
                dict = inner
            } else {
                throw WeightsError.invalidCheckpoint(file: file, detail: "no state dict: the top-level dict holds non-tensor values and no 'state_dict' or 'model' entry")
            }
        }
        var tensors: [(name: String, tensor: TorchTensorRef)] = []
        for (key, value) in zip(dict.keys, dict.values) {
            guard case .string(let name) = key else {
                throw WeightsError.invalidCheckpoint(file: file, detail: "state dict key \(key.typeName) is not a string")
            }
            guard case .tensor(let tensor) = value else {
                throw WeightsError.invalidCheckpoint(file: file, detail: "state dict entry '\(name)' is a \(value.typeName), not a tensor")
            }
            tensors.append((name, tensor))
        }
        // Views may repeat or expand (stride 0) storage; cap the total before allocating
        // anything, so a small hostile file cannot demand gigabytes: 4 values per file byte plus 16M.
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
        let total = tensors.reduce(0) { $0 + $1.tensor.count } // each count <= 2^24 or its storage: no overflow
        guard total <= fileSize * 4 + (1 << 24) else {
            throw WeightsError.invalidCheckpoint(file: file, detail: "tensor views expand to \(total) values, far more than the \(fileSize)-byte file holds")
        }
        var result: [String: WeightTensor] = [:]
        for (name, tensor) in tensors {
            result[name] = try tensor.materialize(file: file, name: name)
        }
        return result
    }
}
