import Foundation
import XCTest

/// The `stylize` binary built beside the test bundle (`swift build --build-tests` builds both),
/// or in the package's `.build/debug`.
func stylizeBinary() throws -> URL {
    let beside = Bundle(for: BinaryTests.self).bundleURL.deletingLastPathComponent().appendingPathComponent("stylize")
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/stylize")
    for url in [beside, package] where FileManager.default.isExecutableFile(atPath: url.path) { return url }
    XCTFail("stylize binary not found at \(beside.path) or \(package.path); run swift build --build-tests")
    throw CocoaError(.fileNoSuchFile)
}

/// What one run of the binary did.
struct CLIRun { let status: Int32; let stdout: String; let stderr: String }

/// Runs `stylize` with `arguments`, optionally in another working directory, with extra
/// environment variables and without the variables in `unsetting`, and waits for it.
func runStylize(_ arguments: [String], in directory: String? = nil,
                environment: [String: String] = [:], unsetting: [String] = []) throws -> CLIRun {
    let process = Process()
    process.executableURL = try stylizeBinary()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env["STYLIZE_WEIGHTS"] = nil
    for k in unsetting { env[k] = nil }
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIRun(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                  stderr: String(decoding: e, as: UTF8.self))
}
