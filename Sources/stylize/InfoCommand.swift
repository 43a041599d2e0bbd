import ArgumentParser
import Foundation
import StyleKernels
import StylizeEngine
import StylizeCLISupport

/// `stylize info`: what this installation would use, without running anything.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the version, the kernels in use, the thread count, where each model's weights are found (or why not) and the cache folder.")

    /// The release this source tree is.
    static var release: String { Stylize.version }

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let report = InfoReport.current()
        if json { print(try report.json()) } else { print(report.text(), terminator: "") }
    }

    /// The kernels in use: their name and a line on why (chosen once at start-up from the
    /// CPU, see `KernelISA`).
    static func kernelsInUse() -> (name: String, detail: String, bf16: String) {
        let supported = KernelISA.supported.map(\.name).joined(separator: ", ")
        var detail = "chosen at start-up; this CPU supports: \(supported); STYLIZE_ISA=generic forces the portable kernels"
        if let note = KernelISA.startupNote { detail += "; \(note)" }
        return (KernelISA.active.name, detail, BF16Kernels.active.rawValue)
    }
}

/// What `stylize info` reports.
struct InfoReport: Encodable {
    /// Where one model's weights are found, or why they are not.
    struct Weights: Encodable {
        /// "adain", "magenta_arbitrary", "magenta_multistyle" (the key in `weights`).
        let key: String
        let model: String
        let found: Bool
        let path: String?
        let bytes: Int?
        /// How the path was chosen: an environment variable, the working directory, the
        /// package of the executable, an install prefix or the cache.
        let source: String?
        let reason: String?
    }
    /// `bf16`: the kernels of `--precision bf16`, "avx512bf16" (the instruction) or "emulated".
    struct Kernels: Encodable { let name: String; let detail: String; let bf16: String }
    struct Cache: Encodable { let path: String; let exists: Bool }

    let version: String
    let executable: String
    let kernels: Kernels
    let threads: Int
    let cores: Int
    let weights: [Weights]
    let cacheFolder: Cache
    let maxMemoryDefault: String

    enum CodingKeys: String, CodingKey {
        case version, executable, kernels, threads, cores, weights
        case cacheFolder = "cache_folder", maxMemoryDefault = "max_memory_default"
    }

    /// `weights` as an object keyed by model ("adain", "magenta_arbitrary", "magenta_multistyle").
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(executable, forKey: .executable)
        try c.encode(kernels, forKey: .kernels)
        try c.encode(threads, forKey: .threads)
        try c.encode(cores, forKey: .cores)
        try c.encode(Dictionary(uniqueKeysWithValues: weights.map { ($0.key, $0) }), forKey: .weights)
        try c.encode(cacheFolder, forKey: .cacheFolder)
        try c.encode(maxMemoryDefault, forKey: .maxMemoryDefault)
    }

    static func current() -> InfoReport {
        let kernels = InfoCommand.kernelsInUse()
        let cache = CacheFolder.path
        var isDir: ObjCBool = false
        let cacheExists = FileManager.default.fileExists(atPath: cache, isDirectory: &isDir) && isDir.boolValue
        return InfoReport(
            version: InfoCommand.release,
            executable: WeightsLocator.runningExecutable,
            kernels: Kernels(name: kernels.name, detail: kernels.detail, bf16: kernels.bf16),
            threads: ThreadBudget.threads,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            weights: [
                locate("adain", "default model (AdaIN)", variable: "STYLIZE_WEIGHTS") { try WeightsLocator().adain(explicit: nil) },
                locate("magenta_arbitrary", "Magenta arbitrary", variable: "STYLIZE_MAGENTA_WEIGHTS") {
                    try WeightsLocator().magenta(WeightsLocator.magentaArbitraryFile, explicit: nil)
                },
                locate("magenta_multistyle", "Magenta multistyle (presets)", variable: "STYLIZE_MAGENTA_WEIGHTS") {
                    try WeightsLocator().magenta(WeightsLocator.magentaMultistyleFile, explicit: nil)
                },
            ],
            cacheFolder: Cache(path: cache, exists: cacheExists),
            maxMemoryDefault: MemoryBudget.format(MemoryBudget.defaultBytes))
    }

    static func locate(_ key: String, _ model: String, variable: String, _ resolve: () throws -> String) -> Weights {
        do {
            let path = try resolve()
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            return Weights(key: key, model: model, found: true, path: path, bytes: bytes,
                           source: source(of: path, variable: variable), reason: nil)
        } catch {
            return Weights(key: key, model: model, found: false, path: nil, bytes: nil, source: nil, reason: "\(error)")
        }
    }

    /// How `path` was found (see `WeightsLocator` for the order).
    static func source(of path: String, variable: String) -> String {
        let env = ProcessInfo.processInfo.environment
        if let value = env[variable], !value.isEmpty, path == value || path.hasPrefix(value + "/") { return "$" + variable }
        if path.hasPrefix(FileManager.default.currentDirectoryPath + "/Weights/") { return "Weights/ of the working directory" }
        if path.hasPrefix(CacheFolder.path + "/") { return "cache folder" }
        if path.contains("/share/stylize/") { return "install prefix (share/stylize beside bin/)" }
        return "Weights/ of the executable's package"
    }

    /// "348 KB", "5.0 MB".
    static func size(_ bytes: Int) -> String {
        bytes < 1_000_000 ? "\(Int((Double(bytes) / 1000).rounded())) KB" : String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        var lines = [
            "stylize \(version)",
            "executable:   \(executable)",
            "kernels:      \(kernels.name): \(kernels.detail)",
            "bf16 kernels: \(kernels.bf16) (--precision bf16\(kernels.bf16 == "emulated" ? ": this CPU has no AVX512_BF16, so bf16 is exact but slower than f32" : ""))",
            "threads:      \(threads) (\(cores) cores)",
            "weights:",
        ]
        for w in weights {
            let label = ("  " + w.model + ":").padding(toLength: 33, withPad: " ", startingAt: 0)
            if let path = w.path {
                let size = w.bytes.map { " (" + Self.size($0) + ")" } ?? ""
                lines.append(label + path + size + ", from " + (w.source ?? "?"))
            } else {
                lines.append(label + "not found: " + (w.reason ?? ""))
            }
        }
        lines.append("cache folder: \(cacheFolder.path)\(cacheFolder.exists ? "" : " (does not exist yet)")")
        lines.append("max memory:   \(maxMemoryDefault) by default (--max-memory)")
        return lines.joined(separator: "\n") + "\n"
    }
}
