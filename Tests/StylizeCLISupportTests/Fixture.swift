import Foundation
import StyleWeights
import XCTest

/// The PyTorch fixture files of StyleWeightsTests (Tests/StyleWeightsTests/Fixtures, written by
/// make_fixtures.py there), served by the loopback server in the download tests.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("StyleWeightsTests/Fixtures").path

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path(name))!) }

    /// A fresh scratch directory, removed when the test process exits.
    static func scratchDirectory() -> String {
        let dir = NSTemporaryDirectory() + "stylize-cli-support-tests-\(ProcessInfo.processInfo.processIdentifier)/" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes bytes to a file (test setup).
    static func write(_ bytes: [UInt8], to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
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
