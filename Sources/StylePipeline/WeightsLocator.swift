import Foundation

/// Finds the weights file to use: an explicit path, then `$STYLIZE_WEIGHTS`, then the
/// default model shipped in `Weights/` (looked up from the working directory, beside the
/// executable in a SwiftPM build folder, and in `<prefix>/share/stylize/` for installs).
public enum WeightsLocator {
    /// File name of the default model inside `Weights/`.
    public static let defaultFileName = "default.safetensors"

    /// The places searched, in order, when no path is given.
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  workingDirectory: String = FileManager.default.currentDirectoryPath,
                                  executablePath: String = runningExecutable) -> [String] {
        var list: [String] = []
        if let env = environment["STYLIZE_WEIGHTS"], !env.isEmpty { list.append(env) }
        return list + shippedCandidates(fileName: defaultFileName, workingDirectory: workingDirectory,
                                        executablePath: executablePath)
    }

    /// Where a file shipped in `Weights/` is looked for, in order: `Weights/` under the working
    /// directory, then, walking up from the executable, `Weights/` (a SwiftPM build folder inside
    /// the package) and `share/stylize/` (an install: `<prefix>/bin/stylize` ->
    /// `<prefix>/share/stylize/`).
    public static func shippedCandidates(fileName: String,
                                         workingDirectory: String = FileManager.default.currentDirectoryPath,
                                         executablePath: String = runningExecutable) -> [String] {
        var list = [workingDirectory + "/Weights/" + fileName]
        let exe = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // .build/<triple>/<config>/stylize -> package root is three folders up.
        for _ in 0..<4 {
            list.append(dir.appendingPathComponent("Weights/" + fileName).path)
            list.append(dir.appendingPathComponent("share/stylize/" + fileName).path)
            dir = dir.deletingLastPathComponent()
        }
        return list
    }

    /// The path of the running program: `/proc/self/exe` (the file itself, whatever name it
    /// was started by; a program started by name through `PATH` has only that name in
    /// `argv[0]`), else `argv[0]`.
    public static var runningExecutable: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") {
            return path
        }
        return CommandLine.arguments.first ?? ""
    }

    /// Resolves the weights path or throws an error that says how to get weights.
    public static func resolve(explicit: String?) throws -> String {
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw PipelineError.weightsNotFound(searched: [explicit])
            }
            return explicit
        }
        let list = candidates()
        if let env = ProcessInfo.processInfo.environment["STYLIZE_WEIGHTS"], !env.isEmpty,
           !FileManager.default.fileExists(atPath: env) {
            throw PipelineError.weightsNotFound(searched: [env + " (from STYLIZE_WEIGHTS)"])
        }
        if let found = list.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw PipelineError.weightsNotFound(searched: list)
    }
}
