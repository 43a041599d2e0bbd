import Foundation
import XCTest
import StyleTensor
@testable import StyleModels

/// Fidelity of the converted real weights against onnxruntime on the original ONNX files
/// (numbers in MagentaReference/real-reference.json, from make_magenta_reference.py).
/// The weights are not committed (licence notice travels with them): the tests use
/// `$STYLIZE_MAGENTA_WEIGHTS` (a folder) or `~/.cache/stylize`, and skip when absent.
///
/// Two references: the "float graph" is the ONNX graph with its activation
/// fake-quantization removed (what this engine computes; tight tolerance), the int8 graph
/// is the file as shipped (its 8-bit activations clip and round inside every instance
/// norm, so it differs visibly; the measured gap is asserted to stay where it was measured).
final class MagentaRealWeightsTests: XCTestCase {
    static func weightsFolder() -> String {
        if let env = ProcessInfo.processInfo.environment["STYLIZE_MAGENTA_WEIGHTS"], !env.isEmpty { return env }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/stylize").path
    }

    func load(_ name: String) throws -> MagentaModel {
        let path = Self.weightsFolder() + "/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("\(path) not found: run 'stylize weights fetch magenta' (or set STYLIZE_MAGENTA_WEIGHTS) to test the real weights")
        }
        return try MagentaModel.load(path: path)
    }

    func testArbitraryAt384MatchesOnnxRuntime() throws {
        guard case .arbitrary(let m) = try load("magenta-arbitrary.safetensors") else { return XCTFail("not arbitrary") }
        let ref = try MagentaReference.json("real-reference.json")
        let v = try m.styleVector(MagentaReference.style(height: 256, width: 256))
        let vFloat = MagentaReference.floats(ref, "vector_float_graph")
        let vInt8 = MagentaReference.floats(ref, "vector_int8")
        let vecErr = MagentaReference.maxAbsDiff(v, vFloat)
        XCTAssertLessThan(vecErr, 1e-3, "style vector vs onnxruntime float graph")
        let out = try m.stylize(MagentaReference.content(height: 384, width: 384), style: v)
        let pooled = MagentaReference.pooled(out, 16)
        let pFloat = MagentaReference.floats(ref, "output_float_graph_pooled")
        let pInt8 = MagentaReference.floats(ref, "output_int8_pooled")
        let floatMax = MagentaReference.maxAbsDiff(pooled, pFloat)
        let int8Max = MagentaReference.maxAbsDiff(pooled, pInt8), int8Mean = MagentaReference.meanAbsDiff(pooled, pInt8)
        print("magenta fidelity: vector max|diff| float graph \(vecErr), int8 \(MagentaReference.maxAbsDiff(v, vInt8)); "
              + "16x16-pooled output max|diff| float graph \(floatMax), int8 max \(int8Max) mean \(int8Mean)")
        XCTAssertLessThan(floatMax, 1e-3, "pooled output vs onnxruntime float graph")
        XCTAssertLessThan(int8Mean, 0.1, "pooled output vs onnxruntime int8 graph (measured 0.068)")
    }

    func testMultistylePreset19At384MatchesOnnxRuntime() throws {
        guard case .multistyle(let m) = try load("magenta-multistyle26.safetensors") else { return XCTFail("not multistyle") }
        let ref = try MagentaReference.json("real-reference.json")
        let out = try m.stylize(MagentaReference.content(height: 384, width: 384), weights: m.presetWeights("19"))
        let err = MagentaReference.maxAbsDiff(MagentaReference.pooled(out, 16), MagentaReference.floats(ref, "multistyle_pooled"))
        print("magenta multistyle fidelity: 16x16-pooled max|diff| \(err)")
        XCTAssertLessThan(err, 1e-3)
    }
}
