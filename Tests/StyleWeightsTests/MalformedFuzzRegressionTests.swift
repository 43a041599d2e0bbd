import Foundation
import XCTest
@testable import StyleWeights

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
}
