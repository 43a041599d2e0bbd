import Foundation
import XCTest

/// The package root (three folders above this file).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// What one run of a program did, with standard output as bytes (an image, for `-o -`).
struct StreamRun {
    let status: Int32
    let stdout: Data
    let stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

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

/// Runs `executable` (default: the built `stylize`) with `stdin` piped in (nil: /dev/null),
/// reading standard output and standard error concurrently so neither pipe can fill up.
/// Give `stdin` only to programs that read all of it (a write to a pipe nobody reads any
/// more would raise SIGPIPE in the test process).
func runStreams(_ arguments: [String], executable: URL? = nil, stdin: Data? = nil, in directory: String? = nil,
            environment: [String: String] = [:], unsetting: [String] = []) throws -> StreamRun {
    let process = Process()
    process.executableURL = try executable ?? stylizeBinary()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env["STYLIZE_WEIGHTS"] = nil
    for k in unsetting { env[k] = nil }
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    final class Box: @unchecked Sendable { var data = Data() }
    let group = DispatchGroup()
    let errData = Box()
    DispatchQueue.global().async(group: group) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
    if let stdin {
        DispatchQueue.global().async(group: group) {
            try? input.fileHandleForWriting.write(contentsOf: stdin)   // fails only if the program stopped reading
            try? input.fileHandleForWriting.close()
        }
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    group.wait()
    return StreamRun(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData.data, as: UTF8.self))
}

/// Runs a shell command line with `bash -c`, in `directory`, with extra variables.
func runShell(_ command: String, in directory: String, environment: [String: String] = [:],
              unsetting: [String] = []) throws -> StreamRun {
    try runStreams(["-c", command], executable: URL(fileURLWithPath: "/bin/bash"), in: directory,
               environment: environment, unsetting: unsetting)
}

/// The files under `folder` (relative paths, sorted), folders left out.
func regularFiles(under folder: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
    var files: [String] = []
    while let rel = walker.nextObject() as? String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
    }
    return files.sorted()
}
