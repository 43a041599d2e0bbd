import Foundation

/// A JSON manifest kept beside a weights file (`model.safetensors` ->
/// `model.manifest.json`): the file's name, size, SHA-256, and, for safetensors files,
/// every tensor's name, dtype and shape. `verify` tells a truncated or corrupted file
/// from a good one before any value is used.
public struct WeightsManifest: Codable, Equatable, Sendable {
    public struct TensorEntry: Codable, Equatable, Sendable {
        public var name: String
        public var dtype: String
        public var shape: [Int]

        public init(name: String, dtype: String, shape: [Int]) {
            self.name = name; self.dtype = dtype; self.shape = shape
        }
    }

    /// File name (no directory) of the weights file.
    public var name: String
    /// Size in bytes.
    public var size: Int
    /// Lower-case hex SHA-256 of the whole file.
    public var sha256: String
    /// Tensors, sorted by name (empty for files that are not safetensors, e.g. a .pth download).
    public var tensors: [TensorEntry]
    /// The file's safetensors metadata, if any.
    public var metadata: [String: String]

    public init(name: String, size: Int, sha256: String, tensors: [TensorEntry], metadata: [String: String] = [:]) {
        self.name = name; self.size = size; self.sha256 = sha256; self.tensors = tensors; self.metadata = metadata
    }

    /// `model.safetensors` -> `model.manifest.json` in the same directory.
    public static func defaultPath(forWeights path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingPathExtension().path + ".manifest.json"
    }

    /// Describes the file at `path`; tensors are listed when it is a safetensors file.
    public static func make(forFile path: String, listTensors: Bool? = nil) throws -> WeightsManifest {
        let file = try MappedFile(path: path)
        let digest = SHA256.hex(file.bytes)
        var entries: [TensorEntry] = []
        var metadata: [String: String] = [:]
        if listTensors ?? path.hasSuffix(".safetensors") {
            let st = try SafeTensorsFile(path: path)
            entries = st.names.map { TensorEntry(name: $0, dtype: st.info($0)!.dtype, shape: st.info($0)!.shape) }
            metadata = st.metadata
        }
        return WeightsManifest(name: URL(fileURLWithPath: path).lastPathComponent, size: file.count,
                               sha256: digest, tensors: entries, metadata: metadata)
    }

    /// Reads a manifest.
    public static func read(from path: String) throws -> WeightsManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WeightsError.cannotOpen(file: path, reason: "cannot read the manifest")
        }
        do {
            return try JSONDecoder().decode(WeightsManifest.self, from: data)
        } catch {
            throw WeightsError.invalidManifest(file: path, detail: "\(error)")
        }
    }

    /// Writes the manifest as pretty, key-sorted JSON (atomically).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try writeAtomically(data, to: path)
    }

    /// Checks `file` against `manifest`: size (a truncated file is named as such), SHA-256,
    /// then, when the manifest lists tensors, that the file parses as safetensors with
    /// exactly those names, dtypes and shapes. Throws `WeightsError.manifestMismatch`.
    public static func verify(file path: String, manifest: WeightsManifest) throws {
        let file = try MappedFile(path: path)
        if file.count < manifest.size {
            throw WeightsError.manifestMismatch(file: path, detail: "file is truncated: \(file.count) bytes, the manifest records \(manifest.size)")
        }
        if file.count != manifest.size {
            throw WeightsError.manifestMismatch(file: path, detail: "file has \(file.count) bytes, the manifest records \(manifest.size)")
        }
        let digest = SHA256.hex(file.bytes)
        guard digest == manifest.sha256.lowercased() else {
            throw WeightsError.manifestMismatch(file: path, detail: "sha256 is \(digest), the manifest records \(manifest.sha256) (the file is corrupted or a different file)")
        }
        guard !manifest.tensors.isEmpty else { return }
        let st = try SafeTensorsFile(path: path)
        let expected = Dictionary(manifest.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in st.names where expected[name] == nil {
            throw WeightsError.manifestMismatch(file: path, detail: "tensor '\(name)' is not in the manifest")
        }
        for entry in manifest.tensors {
            guard let info = st.info(entry.name) else {
                throw WeightsError.manifestMismatch(file: path, detail: "tensor '\(entry.name)' is missing")
            }
            guard info.shape == entry.shape, info.dtype == entry.dtype else {
                throw WeightsError.manifestMismatch(file: path, detail: "tensor '\(entry.name)' is \(info.dtype) \(shapeString(info.shape)), the manifest records \(entry.dtype) \(shapeString(entry.shape))")
            }
        }
    }

    /// Verifies `file` against the manifest at its default path, or, when there is none, against
    /// its entry in the folder's `MANIFEST.json` (the shipped `Weights/` folder's: the default
    /// model at the top level, the Magenta files under `magenta_files`; size and SHA-256).
    public static func verify(file path: String) throws {
        let own = defaultPath(forWeights: path)
        if !FileManager.default.fileExists(atPath: own), let entry = try folderEntry(for: path) {
            return try verify(file: path, manifest: entry)
        }
        try verify(file: path, manifest: read(from: own))
    }

    /// The entry for `path` in `MANIFEST.json` beside it (name, size and SHA-256, no tensor
    /// list); nil when there is no such file or it does not list `path`.
    static func folderEntry(for path: String) throws -> WeightsManifest? {
        let url = URL(fileURLWithPath: path)
        let manifestPath = url.deletingLastPathComponent().appendingPathComponent("MANIFEST.json").path
        guard let data = FileManager.default.contents(atPath: manifestPath) else { return nil }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw WeightsError.invalidManifest(file: manifestPath, detail: "not a JSON object")
        }
        let entries = [json] + ((json["magenta_files"] as? [[String: Any]]) ?? [])
        guard let entry = entries.first(where: { ($0["file"] as? String) == url.lastPathComponent }) else { return nil }
        guard let sha = entry["sha256"] as? String, let size = entry["bytes"] as? Int else {
            throw WeightsError.invalidManifest(file: manifestPath, detail: "the entry for \(url.lastPathComponent) lacks sha256 or bytes")
        }
        return WeightsManifest(name: url.lastPathComponent, size: size, sha256: sha, tensors: [])
    }
}
