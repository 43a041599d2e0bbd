import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The package's root folder (the one holding Package.swift), from this file's path.
public let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A fresh empty folder under the system temporary folder, named `prefix-<UUID>`. With a
/// `test`, it is removed when that test ends (teardown blocks run before `tearDown`); without
/// one, removing it is the caller's job.
public func makeTemporaryFolder(_ test: XCTestCase? = nil, prefix: String = "stylize-tests") throws -> String {
    let path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test?.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Hidden temporary files (a name starting with "." and containing "tmp") anywhere below `folder`.
public func temporaryFiles(under folder: String) -> [String] {
    let all = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String]) ?? []
    return all.filter { ($0 as NSString).lastPathComponent.hasPrefix(".") && $0.contains("tmp") }
}

/// The files under `folder` (relative paths, sorted), folders left out.
public func regularFiles(under folder: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
    var files: [String] = []
    while let rel = walker.nextObject() as? String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
    }
    return files.sorted()
}

/// The PyTorch and safetensors fixtures of Tests/StyleWeightsTests/Fixtures (written by
/// make_fixtures.py there; StyleWeightsTests reads them, the download tests serve them), and
/// scratch folders for files a test writes.
public enum Fixture {
    public static let directory = packageRoot + "/Tests/StyleWeightsTests/Fixtures"

    public static func path(_ name: String) -> String { directory + "/" + name }

    public static func bytes(_ name: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path(name))!) }

    /// One scratch root per test process (in /dev/shm when present), removed at exit.
    public static let scratchRoot: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let root = base + "stylize-fixture-scratch-\(ProcessInfo.processInfo.processIdentifier)"
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Fixture.scratchRoot) }
        return root
    }()

    /// A fresh scratch folder under `scratchRoot`.
    public static func scratchDirectory() -> String {
        let dir = scratchRoot + "/" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Plain (non-atomic, no fsync) write: the fuzz tests write thousands of small files.
    public static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "short write to \(path)")
        close(fd)
    }
}
