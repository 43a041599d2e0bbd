import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

final class SafeTensorsWriterTests: XCTestCase {
    func seededTensors() -> [String: WeightTensor] {
        var rng = SeededRandom(seed: 0x9E3779B97F4A7C15)
        return [
            "b.weight": WeightTensor(shape: [3, 2, 3, 3], values: rng.values(54, scale: 4)),   // in [-4, 4)
            "a.bias": WeightTensor(shape: [3], values: [1, -0.0, 1e-7]),
            "scalar": WeightTensor(shape: [], values: [42]),
            "empty": WeightTensor(shape: [2, 0], values: []),
        ]
    }

    func testF32RoundTripIsExactWithMetadata() throws {
        let dir = Fixture.scratchDirectory()
        let path = dir + "/out.safetensors"
        let tensors = seededTensors()
        let metadata = ["architecture": "adain-vgg19", "quote": "a \"b\" \\ c\n", "unicode": "é✓"]
        try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, dtype: .f32, to: path)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.metadata, metadata)
        XCTAssertEqual(file.names, ["a.bias", "b.weight", "empty", "scalar"])
        for (name, t) in tensors {
            XCTAssertEqual(file.info(name)?.dtype, "F32")
            XCTAssertEqual(file.info(name)?.shape, t.shape)
            XCTAssertBitsEqual(try file.floats(name), t.values, name)
        }
        // Layout: header length a multiple of 8, padded with spaces; data in name order.
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let n = Int(bytes[0 ..< 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        XCTAssertEqual(n % 8, 0)
        XCTAssertEqual(bytes[8], UInt8(ascii: "{"))
        let header = String(decoding: bytes[8 ..< 8 + n], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\""))
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces).last, "}")
        XCTAssertLessThan(header.range(of: "a.bias")!.lowerBound, header.range(of: "b.weight")!.lowerBound)
        // Data of a.bias comes first.
        let first = bytes[8 + n ..< 8 + n + 4].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        XCTAssertEqual(first, 1)
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.safetensors"])
    }

    func testF16RoundTripRoundsToNearest() throws {
        let path = Fixture.scratchDirectory() + "/half.safetensors"
        let tensors = seededTensors()
        try SafeTensorsWriter.write(tensors: tensors, dtype: .f16, to: path)
        let file = try SafeTensorsFile(path: path)
        for (name, t) in tensors {
            XCTAssertEqual(file.info(name)?.dtype, "F16")
            XCTAssertBitsEqual(try file.floats(name), t.values.map { Float(Float16($0)) }, name)
        }
        // 1e-7 is 1.68 units of the smallest float16 subnormal (2^-24): rounds to 2^-23;
        // -0 keeps its sign; 2049 and 2051 are ties that round to even.
        XCTAssertBitsEqual(try file.floats("a.bias"), [1, -0.0, 0x1p-23])
        try SafeTensorsWriter.write(tensors: ["x": WeightTensor(shape: [3], values: [2049, 2051, -65504])], dtype: .f16, to: path)
        XCTAssertEqual(try SafeTensorsFile(path: path).floats("x"), [2048, 2052, -65504])
    }

    func testF16OverflowIsAnError() {
        let path = Fixture.scratchDirectory() + "/big.safetensors"
        let error = expectWeightsError {
            try SafeTensorsWriter.write(tensors: ["x": WeightTensor(shape: [2], values: [1, 70000])], dtype: .f16, to: path)
        }
        if case .invalidTensor(_, "x", _)? = error {} else { XCTFail("\(String(describing: error))") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testShapeValueMismatchIsAnError() {
        let path = Fixture.scratchDirectory() + "/bad.safetensors"
        let error = expectWeightsError {
            try SafeTensorsWriter.write(tensors: ["x": (shape: [2, 2], values: [1, 2, 3])], to: path)
        }
        if case .invalidTensor(_, "x", _)? = error {} else { XCTFail("\(String(describing: error))") }
    }

    func testOverwriteReplacesAtomically() throws {
        let path = Fixture.scratchDirectory() + "/w.safetensors"
        try SafeTensorsWriter.write(tensors: ["x": WeightTensor(shape: [1], values: [1])], to: path)
        let before = try SafeTensorsFile(path: path) // keeps the old mapping alive
        try SafeTensorsWriter.write(tensors: ["y": WeightTensor(shape: [2], values: [2, 3])], to: path)
        XCTAssertEqual(try before.floats("x"), [1])
        XCTAssertEqual(try SafeTensorsFile(path: path).floats("y"), [2, 3])
    }
}
