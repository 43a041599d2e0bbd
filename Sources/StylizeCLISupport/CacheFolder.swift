import Foundation

/// The command-line tool's cache folder (XDG Base Directory): `$XDG_CACHE_HOME/stylize`, else
/// `~/.cache/stylize`. `stylize weights fetch` writes there, and the tool searches it for Magenta
/// weights after the shipped copies (`WeightsLocator.additionalFolders`).
public enum CacheFolder {
    public static var path: String { path(environment: ProcessInfo.processInfo.environment) }

    public static func path(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/stylize" }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.cache/stylize"
    }
}
