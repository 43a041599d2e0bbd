import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

/// `SafeTensorsComparison`: what `stylize weights fetch magenta` reports when a re-derived
/// file does not reproduce the shipped one.
final class SafeTensorsComparisonTests: XCTestCase {
    let base: [String: WeightTensor] = [
        "conv.weight": WeightTensor(shape: [2, 1, 2, 2], values: [0.5, -1, 2, 0.25, 3, -0.125, 7, 1e-3]),
        "conv.bias": WeightTensor(shape: [2], values: [1, -2]),
    ]

    func write(_ tensors: [String: WeightTensor], _ name: String, dtype: SafeTensorsWriter.DType = .f16,
               metadata: [String: String] = ["source": "a"]) throws -> String {
        let path = Fixture.scratchDirectory() + "/" + name
        try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, dtype: dtype, to: path)
        return path
    }

    func testIdenticalTensorsWithOtherMetadataAreEqual() throws {
        let a = try write(base, "a.safetensors")
        let b = try write(base, "b.safetensors", metadata: ["source": "another folder"])
        XCTAssertEqual(try SafeTensorsComparison.compare(file: a, reference: b), [])
    }

    func testOneChangedValueIsCountedAndLocated() throws {
        var changed = base
        changed["conv.weight"]!.values[6] = 7.5   // 7 -> 7.5, exact in float16
        changed["conv.weight"]!.values[1] = -1.0009765625  // one float16 step below -1
        let a = try write(changed, "a.safetensors")
        let b = try write(base, "b.safetensors")
        let diffs = try SafeTensorsComparison.compare(file: a, reference: b)
        XCTAssertEqual(diffs, [SafeTensorsComparison.Difference(
            tensor: "conv.weight", kind: .values(differing: 2, of: 8, maxAbsDiff: 0.5, atIndex: 6, file: 7.5, reference: 7))])
        XCTAssertEqual("\(diffs[0])", "conv.weight: 2 of 8 values differ, max |diff| 0.5 at index 6 (7.5, the reference has 7.0)")
    }

    func testSignOfZeroCounts() throws {
        var a0 = base, b0 = base
        a0["conv.bias"] = WeightTensor(shape: [2], values: [0, 1])
        b0["conv.bias"] = WeightTensor(shape: [2], values: [-0.0, 1])
        let diffs = try SafeTensorsComparison.compare(file: try write(a0, "a.safetensors"), reference: try write(b0, "b.safetensors"))
        XCTAssertEqual(diffs.map(\.tensor), ["conv.bias"])
        guard case .values(let n, 2, 0, 0, _, _) = diffs.first?.kind else { return XCTFail("\(diffs)") }
        XCTAssertEqual(n, 1)
    }

    func testNamesDtypesAndShapes() throws {
        var other = base
        other["conv.bias"] = nil
        other["extra"] = WeightTensor(shape: [1], values: [1])
        other["conv.weight"] = WeightTensor(shape: [2, 4], values: base["conv.weight"]!.values)
        let diffs = try SafeTensorsComparison.compare(file: try write(other, "a.safetensors"), reference: try write(base, "b.safetensors"))
        XCTAssertEqual(diffs.map(\.description), [
            "conv.bias: missing (the reference has it)",
            "conv.weight: shape [2, 4], the reference has [2, 1, 2, 2]",
            "extra: not in the reference",
        ])
        let f32 = try write(base, "c.safetensors", dtype: .f32)
        XCTAssertEqual(try SafeTensorsComparison.compare(file: f32, reference: try write(base, "d.safetensors")).map(\.kind),
                       [.dtype(file: "F32", reference: "F16"), .dtype(file: "F32", reference: "F16")])
    }

    func testUnreadableFileThrows() throws {
        let bad = Fixture.scratchDirectory() + "/bad.safetensors"
        Fixture.write([1, 2, 3], to: bad)
        XCTAssertThrowsError(try SafeTensorsComparison.compare(file: bad, reference: try write(base, "b.safetensors")))
    }
}
