import Foundation

/// The environment of a fresh clone on a machine without network: HOME is an empty folder
/// under `root`, every XDG_* and STYLIZE_* variable is unset, and the proxy variables point
/// at a closed local port, so anything that tried to download would fail.
func freshCloneEnvironment(_ root: String) throws -> (set: [String: String], unset: [String]) {
    let home = root + "/home"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    let unset = ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("XDG_") || $0.hasPrefix("STYLIZE_") }
    let dead = "http://127.0.0.1:9"
    return (["HOME": home, "http_proxy": dead, "https_proxy": dead, "HTTP_PROXY": dead, "HTTPS_PROXY": dead,
             "no_proxy": "", "NO_PROXY": ""], unset)
}
