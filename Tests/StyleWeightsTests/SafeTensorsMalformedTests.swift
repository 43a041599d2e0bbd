import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

/// Malformed and hostile safetensors files: each gives a typed error naming the file.
final class SafeTensorsMalformedTests: XCTestCase {
    let dir = Fixture.scratchDirectory()

    /// A file with the given header JSON (unpadded) and data bytes.
    func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> String {
        let h = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { bytes += $0 }
        bytes += h + data
        let path = dir + "/f\(UUID().uuidString).safetensors"
        Fixture.write(bytes, to: path)
        return path
    }

    func assertHeaderError(_ header: String, data: [UInt8] = [], contains: String, line: UInt = #line) {
        let path = file(header: header, data: data)
        let error = expectWeightsError(header, line: line) { try SafeTensorsFile(path: path) }
        guard let error else { return }
        XCTAssertTrue(error.description.contains(path), "\(error) should name the file", line: line)
        XCTAssertTrue(error.description.contains(contains), "\(error) should say '\(contains)'", line: line)
    }

    func testShortFile() {
        for n in 0 ..< 8 {
            let path = dir + "/short\(n)"
            Fixture.write([UInt8](repeating: 0, count: n), to: path)
            guard case .truncated(path, _)? = expectWeightsError({ try SafeTensorsFile(path: path) }) else {
                return XCTFail("length \(n)")
            }
        }
    }

    func testHeaderLengthBeyondFile() {
        let path = file(header: "{}", declaredLength: 1000)
        guard case .truncated(path, let detail)? = expectWeightsError({ try SafeTensorsFile(path: path) }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("1000"))
        let huge = file(header: "{}", declaredLength: UInt64.max)
        guard case .invalidHeader? = expectWeightsError({ try SafeTensorsFile(path: huge) }) else { return XCTFail() }
    }

    func testInvalidJSON() {
        assertHeaderError("{\"a\": ", contains: "not valid JSON")
        assertHeaderError("[1, 2]", contains: "start with '{'")
        assertHeaderError("{\"a\": 1}", contains: "not an object")
        assertHeaderError("{\"__metadata__\": {\"k\": 1}}", contains: "not a string")
    }

    func testUnknownDType() {
        assertHeaderError("{\"t\":{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0], contains: "unknown dtype 'F7'")
    }

    func testOffsetsOutOfRange() {
        let path = file(header: "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: [0, 0, 0, 0])
        guard case .truncated(path, let detail)? = expectWeightsError({ try SafeTensorsFile(path: path) }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("'t'"))
        assertHeaderError("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", data: [0, 0, 0, 0], contains: "data_offsets")
        assertHeaderError("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", data: [0, 0, 0, 0], contains: "data_offsets")
        assertHeaderError("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", data: [0, 0, 0, 0], contains: "data_offsets")
    }

    func testOffsetsNotMatchingShape() {
        assertHeaderError("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0], contains: "needs 8")
        assertHeaderError("{\"t\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0], contains: "needs 6")
        assertHeaderError("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0], contains: "non-negative")
        assertHeaderError("{\"t\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0], contains: "non-negative")
        assertHeaderError("{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0], contains: "too large")
    }

    func testOverlapGapAndTrailingBytes() {
        let four = [UInt8](repeating: 0, count: 8)
        assertHeaderError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                          data: four, contains: "overlaps")
        assertHeaderError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: four, contains: "gap")
        assertHeaderError("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: four, contains: "not described")
    }

    func testNonFloatDTypeIsReportedOnRead() throws {
        let path = file(header: "{\"t\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [1, 0, 0, 0])
        let f = try SafeTensorsFile(path: path)
        XCTAssertEqual(expectWeightsError { try f.floats("t") }, .unsupportedDType(file: path, tensor: "t", dtype: "U32"))
    }

    /// Every truncation of a valid file is an error (the data must tile the buffer exactly).
    func testEveryTruncationIsAnError() {
        let bytes = Fixture.bytes("st_f16.safetensors")
        let path = dir + "/trunc.safetensors"
        for n in 0 ..< bytes.count {
            Fixture.write(Array(bytes[0 ..< n]), to: path)
            _ = expectWeightsError("truncated to \(n)") { try SafeTensorsFile(path: path) }
        }
    }

    /// Flipping any single bit of a valid file never crashes: it is an error or a readable file.
    func testBitFlipsNeverCrash() throws {
        let bytes = Fixture.bytes("st_f32.safetensors")
        let path = dir + "/flip.safetensors"
        let headerEnd = 8 + Int(bytes[0]) + Int(bytes[1]) << 8
        var errors = 0, readable = 0
        for position in 0 ..< bytes.count {
            // Every bit in the length and header, one bit per byte in the data.
            let bits = position < headerEnd ? Array(0 ..< 8) : [position % 8]
            for bit in bits {
                var flipped = bytes
                flipped[position] ^= 1 << UInt8(bit)
                Fixture.write(flipped, to: path)
                do {
                    let f = try SafeTensorsFile(path: path)
                    for name in f.names { _ = try? f.floats(name) }
                    readable += 1
                } catch is WeightsError {
                    errors += 1
                }
            }
        }
        XCTAssertGreaterThan(errors, 100)
        XCTAssertGreaterThan(readable, 100) // flips in the data and in tensor names stay readable
    }
}
