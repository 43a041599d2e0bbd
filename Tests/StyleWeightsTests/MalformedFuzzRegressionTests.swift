import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

/// Inputs found by the libFuzzer targets in Fuzz/ (Fuzz/run.sh), kept as regression
/// tests: each must end in a WeightsError naming the file, never a trap.
final class MalformedFuzzRegressionTests: XCTestCase {
    /// fuzz-torch, crash-d29eb5c8: a 52-byte "zip" whose end record saturates the entry
    /// count (0xFFFF), sending the reader to the ZIP64 records. The check of the ZIP64
    /// end record's offset computed UInt64(n - 56) and trapped on files shorter than
    /// 56 bytes ("Negative value is not representable").
    func testTinyZipClaimingZIP64() throws {
        let crash = [UInt8](Data(base64Encoded: "UEsDBAAAAAAAUEsGBwAAAE8CAABLAQAAAAEAAABQSwUGAAD/////////AwMAADILAAAAAA==")!)
        XCTAssertEqual(crash.count, 52)
        let dir = Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The found input, and the same records at every length from 22 (a bare end record) to 56.
        var inputs = [crash]
        let eocd: [UInt8] = [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        let locator: [UInt8] = [0x50, 0x4B, 0x06, 0x07, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0]
        for padding in 0...34 {
            inputs.append([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: padding) + locator + eocd)
        }
        for (index, bytes) in inputs.enumerated() {
            let path = dir + "/zip64-\(index).pth"
            Fixture.write(bytes, to: path)
            XCTAssertThrowsError(try TorchCheckpoint.loadStateDict(path: path), "input \(index)") { error in
                XCTAssert(error is WeightsError, "\(error)")
                XCTAssert("\(error)".contains(path), "\(error)")
            }
        }
    }

    /// fuzz-torch, leak-dfde3820 (LeakSanitizer): a legacy checkpoint whose pickle stores a
    /// dict inside itself (DUP, SETITEM). Sealing a nested container did not stop a
    /// container from being inserted into itself, so the stream built a reference cycle
    /// that ARC never frees. Self-insertion of lists and dicts is now refused.
    func testContainersCannotContainThemselves() throws {
        let found = [UInt8](Data(base64Encoded: "gAKKCmz8nEb5IGqoUBkugAJN6QMugAJ9cQAoMjIyMjIyMjIyMjIyMjIyMjIyMksEWAQAAABsb25ncQdLBHV1LoBCY2NvbGxlY3Rpb25zCk9yZGVyYWREaWN0CnEAKVJxNnFHaAdNIAFOdHFIUUsAKEsESwhLA0sAS70wnBIChXFUvQgCSw==")!)
        let dir = Fixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/self-dict.pth"
        Fixture.write(found, to: path)
        XCTAssertThrowsError(try TorchCheckpoint.loadStateDict(path: path)) { error in
            XCTAssert("\(error)".contains("dict stored in itself"), "\(error)")
        }

        func run(_ build: (inout PickleBuilder) -> Void) -> Error? {
            var p = PickleBuilder()
            build(&p)
            p.stop()
            return p.bytes.withUnsafeBytes { raw -> Error? in
                var machine = PickleMachine(file: "x.pth", bytes: raw) { _ in .none }
                do { _ = try machine.run(); return nil } catch { return error }
            }
        }
        // list.append(list): EMPTY_LIST, DUP, APPEND.
        let list = run { $0.op("]"); $0.op("2"); $0.op("a") }
        XCTAssert("\(list.map { "\($0)" } ?? "no error")".contains("list appended to itself"), "\(String(describing: list))")
        // d[d] = 1: EMPTY_DICT, BINPUT 0, DUP, BINGET 0, 1, SETITEM.
        let asKey = run { $0.op("}"); $0.op("q"); $0.bytes.append(0); $0.op("2"); $0.op("h"); $0.bytes.append(0); $0.int(1); $0.op("s") }
        XCTAssert("\(asKey.map { "\($0)" } ?? "no error")".contains("dict stored in itself"), "\(String(describing: asKey))")
        // d["k"] = d: EMPTY_DICT, BINPUT 0, "k", BINGET 0, SETITEM.
        let viaMemo = run { $0.op("}"); $0.op("q"); $0.bytes.append(0); $0.string("k"); $0.op("h"); $0.bytes.append(0); $0.op("s") }
        XCTAssert("\(viaMemo.map { "\($0)" } ?? "no error")".contains("dict stored in itself"), "\(String(describing: viaMemo))")
        // Nesting distinct containers still works: [[1]] and {"a": {"b": 1}}.
        XCTAssertNil(run { $0.op("]"); $0.op("]"); $0.int(1); $0.op("a"); $0.op("a") })
        XCTAssertNil(run { $0.op("}"); $0.string("a"); $0.op("}"); $0.string("b"); $0.int(1); $0.op("s"); $0.op("s") })
    }
}
