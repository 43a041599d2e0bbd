import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

/// Weights stored as integer codes and scales (`Dequantization`, `SafeTensorsFile.weight`):
/// the values against hand-computed ones and a per-coordinate naive twin, bit for bit; every
/// inconsistent layout is a typed error naming the file and the weight.
final class DequantizationTests: XCTestCase {
    let dir = Fixture.scratchDirectory()

    /// One tensor of a hand-built file: name, safetensors dtype, shape, little-endian bytes.
    struct Entry {
        let name: String, dtype: String, shape: [Int], bytes: [UInt8]
        static func i8(_ name: String, _ shape: [Int], _ v: [Int8]) -> Entry {
            Entry(name: name, dtype: "I8", shape: shape, bytes: v.map { UInt8(bitPattern: $0) })
        }
        static func i32(_ name: String, _ shape: [Int], _ v: [Int32]) -> Entry {
            Entry(name: name, dtype: "I32", shape: shape, bytes: v.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })
        }
        static func f32(_ name: String, _ shape: [Int], _ v: [Float]) -> Entry {
            Entry(name: name, dtype: "F32", shape: shape, bytes: v.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
        }
        static func f16(_ name: String, _ shape: [Int], _ v: [Float]) -> Entry {
            Entry(name: name, dtype: "F16", shape: shape, bytes: v.flatMap { withUnsafeBytes(of: Float16($0).bitPattern.littleEndian, Array.init) })
        }
    }

    /// A safetensors file holding `entries` (any dtypes; the writer only writes floats).
    func file(_ entries: [Entry]) -> String {
        var header: [String] = [], data: [UInt8] = []
        for e in entries {
            header.append("\"\(e.name)\":{\"dtype\":\"\(e.dtype)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],"
                          + "\"data_offsets\":[\(data.count),\(data.count + e.bytes.count)]}")
            data += e.bytes
        }
        let h = Array("{\(header.joined(separator: ","))}".utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { bytes += $0 }
        let path = dir + "/q\(UUID().uuidString).safetensors"
        Fixture.write(bytes + h + data, to: path)
        return path
    }

    /// w = scale * (q - zp) per element, with the scale index from explicit coordinates.
    func naive(codes: [Int64], shape: [Int], scale: [Float], scaleShape: [Int], zeroPoint: [Int64]?) -> [Float] {
        (0..<codes.count).map { i in
            var rest = i, s = 0, stride = 1
            for axis in (0..<shape.count).reversed() {
                let coordinate = rest % shape[axis]
                rest /= shape[axis]
                if scaleShape[axis] != 1 { s += coordinate * stride }
                stride *= scaleShape[axis]
            }
            return Float(codes[i] - (zeroPoint?[s] ?? 0)) * scale[s]
        }
    }

    func testHandComputedValues() {
        // 2 x 3 codes; one scale per row, per column, or for the whole tensor.
        let codes: [Int64] = [-128, -1, 0, 1, 2, 127]
        XCTAssertEqual(Dequantization.dequantize(codes: codes, shape: [2, 3], scale: [0.5, 0.25], scaleShape: [2, 1], zeroPoint: nil),
                       [-64, -0.5, 0, 0.25, 0.5, 31.75])
        XCTAssertEqual(Dequantization.dequantize(codes: codes, shape: [2, 3], scale: [1, 2, 4], scaleShape: [1, 3], zeroPoint: [0, 1, -1]),
                       [-128, -4, 4, 1, 2, 512])
        XCTAssertEqual(Dequantization.dequantize(codes: codes, shape: [2, 3], scale: [0.125], scaleShape: [1, 1], zeroPoint: [2]),
                       [-16.25, -0.375, -0.25, -0.125, 0, 15.625])
        XCTAssertEqual(Dequantization.dequantize(codes: [5], shape: [], scale: [3], scaleShape: [], zeroPoint: nil), [15])
    }

    func testMatchesTheNaiveTwinBitForBit() {
        var rng = SystemRandomNumberGenerator()
        let shape = [5, 3, 2, 4]
        let count = shape.reduce(1, *)
        let codes = (0..<count).map { _ in Int64(Int8.random(in: .min ... .max, using: &rng)) }
        for scaleShape in [[5, 1, 1, 1], [1, 3, 1, 1], [1, 1, 1, 4], [5, 1, 2, 1], [1, 1, 1, 1], [5, 3, 2, 4]] {
            let n = scaleShape.reduce(1, *)
            let scale = (0..<n).map { _ in Float.random(in: 1e-4 ... 0.1, using: &rng) }
            let zp = (0..<n).map { _ in Int64(Int8.random(in: -5 ... 5, using: &rng)) }
            for z in [nil, zp] {
                let fast = Dequantization.dequantize(codes: codes, shape: shape, scale: scale, scaleShape: scaleShape, zeroPoint: z)
                let slow = naive(codes: codes, shape: shape, scale: scale, scaleShape: scaleShape, zeroPoint: z)
                XCTAssertEqual(fast.map(\.bitPattern), slow.map(\.bitPattern), "scale shape \(scaleShape), zero point \(z != nil)")
            }
        }
    }

    /// A large int32 code (the predictor's biases include saturated ones) converts to Float
    /// first, as onnxruntime's DequantizeLinear does (2147483647 -> 2^31), then one Float
    /// product: 16777217 * 3 gives 50331648, where the exact product rounded once would be
    /// 50331652.
    func testInt32CodesConvertToFloatBeforeTheProduct() throws {
        let path = file([.i32("b.q", [3], [2_147_483_647, -2_147_483_647, 16_777_217]), .f32("b.scale", [3], [1.3972538e-12, 3.71129e-20, 3])])
        let w = try SafeTensorsFile(path: path).weight("b")
        XCTAssertEqual(w.shape, [3])
        XCTAssertEqual(w.values.map(\.bitPattern), [Float(2_147_483_648) * Float(1.3972538e-12),
                                                    Float(-2_147_483_648) * Float(3.71129e-20),
                                                    50_331_648].map(\.bitPattern))
        XCTAssertNotEqual(Float(Double(16_777_217) * 3), 50_331_648)
    }

    func testFileWithQuantizedAndPlainWeights() throws {
        let path = file([
            .i8("conv.weight.q", [2, 1, 1, 3], [1, -2, 3, 4, 5, -128]),
            .f32("conv.weight.scale", [2, 1, 1, 1], [0.5, 0.125]),
            .i8("conv.weight.zero_point", [2, 1, 1, 1], [1, 0]),
            .i32("conv.bias.q", [2], [1000, -3]),
            .f32("conv.bias.scale", [2], [0.001, 2]),
            .f16("plain", [2], [1.5, -0.25]),
        ])
        let f = try SafeTensorsFile(path: path)
        XCTAssertTrue(f.hasWeight("conv.weight") && f.hasWeight("conv.bias") && f.hasWeight("plain"))
        XCTAssertFalse(f.hasWeight("conv.weight.zero"))
        XCTAssertEqual(try f.weight("conv.weight"), WeightTensor(shape: [2, 1, 1, 3], values: [0, -1.5, 1, 0.5, 0.625, -16]))
        XCTAssertEqual(try f.weight("conv.bias"), WeightTensor(shape: [2], values: [Float(1000) * 0.001, -6]))
        XCTAssertEqual(try f.weight("plain"), WeightTensor(shape: [2], values: [1.5, -0.25]))
        guard case .missingTensor(path, "other")? = expectWeightsError({ try f.weight("other") }) else { return XCTFail() }
    }

    func assertQuantizationError(_ entries: [Entry], _ expected: String, line: UInt = #line) {
        let path = file(entries)
        let error = expectWeightsError(expected, line: line) { try SafeTensorsFile(path: path).weight("w") }
        guard case .invalidQuantization(path, "w", let detail)? = error else {
            return XCTFail("\(String(describing: error))", line: line)
        }
        XCTAssertTrue(detail.contains(expected), "'\(detail)' should say '\(expected)'", line: line)
        XCTAssertTrue(error!.description.contains(path), line: line)
    }

    func testInconsistentLayoutsAreErrors() {
        let codes = Entry.i8("w.q", [2, 2], [1, 2, 3, 4])
        assertQuantizationError([codes], "no scale 'w.scale'")
        assertQuantizationError([codes, .f16("w.scale", [2, 1], [1, 1])], "is F16, expected F32")
        assertQuantizationError([codes, .f32("w.scale", [2], [1, 1])], "does not broadcast")
        assertQuantizationError([codes, .f32("w.scale", [1, 3], [1, 1, 1])], "does not broadcast")
        assertQuantizationError([codes, .f32("w.scale", [2, 1], [1, .infinity])], "not finite")
        assertQuantizationError([codes, .f32("w.scale", [2, 1], [1, 1]), .i32("w.zero_point", [2, 1], [0, 0])], "the codes' dtype")
        assertQuantizationError([codes, .f32("w.scale", [2, 1], [1, 1]), .i8("w.zero_point", [1, 2], [0, 0])], "the scale's shape")
        assertQuantizationError([.f32("w.q", [2], [1, 2]), .f32("w.scale", [1], [1])], "codes 'w.q' is F32")
        assertQuantizationError([codes, .f32("w.scale", [2, 1], [1, 1]), .f32("w", [1], [0])], "stored both as is and as codes")
    }
}
