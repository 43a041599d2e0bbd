import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import StyleWeights

/// Paths of the committed fixtures (written by Fixtures/make_fixtures.py) and helpers.
enum Fixture {
    static let directory: String = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path(name))!) }

    /// One scratch root per test process (in /dev/shm when present), removed at exit.
    static let scratchRoot: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let root = base + "styleweights-tests-\(ProcessInfo.processInfo.processIdentifier)"
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Fixture.scratchRoot) }
        return root
    }()

    /// A fresh scratch directory for files a test writes.
    static func scratchDirectory() -> String {
        let dir = scratchRoot + "/" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Plain (non-atomic, no fsync) write: the fuzz tests write thousands of small files.
    static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "short write to \(path)")
        close(fd)
    }
}

/// Bitwise equality of float arrays (so -0.0 and NaN payloads count).
func XCTAssertBitsEqual(_ a: [Float], _ b: [Float], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count " + message, file: file, line: line)
    guard a.count == b.count else { return }
    for i in a.indices where a[i].bitPattern != b[i].bitPattern {
        XCTFail("value \(i) differs: \(a[i]) vs \(b[i]) " + message, file: file, line: line)
        return
    }
}

/// Runs `body`, expecting a `WeightsError`; returns it (fails the test otherwise).
@discardableResult
func expectWeightsError<T>(_ what: String = "", file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) -> WeightsError? {
    do {
        _ = try body()
        XCTFail("expected a WeightsError \(what)", file: file, line: line)
    } catch let error as WeightsError {
        return error
    } catch {
        XCTFail("expected a WeightsError, got \(error) \(what)", file: file, line: line)
    }
    return nil
}

@discardableResult
func expectWeightsError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> WeightsError? {
    expectWeightsError("", file: file, line: line, body)
}
