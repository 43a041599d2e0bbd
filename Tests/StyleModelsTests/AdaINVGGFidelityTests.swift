import XCTest
import StyleModels
import StyleNN
import StyleTensor
import StyleWeights
import StylizeTestSupport

/// The VGG AdaIN network against pytorch-AdaIN itself: `Reference/make_vgg_reference.py`
/// runs pytorch-AdaIN's `vgg`/`decoder` definitions and test.py's `style_transfer` at 1/8
/// width with seeded random weights on images whose sizes are not multiples of 8.
final class AdaINVGGFidelityTests: XCTestCase {
    func reference(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.path(forResource: name, ofType: "safetensors", inDirectory: "Reference"))
    }

    func tensor(_ file: SafeTensorsFile, _ name: String) throws -> Tensor {
        let t = try file.tensor(name)
        XCTAssertEqual(t.shape.count, 4)
        return Tensor(shape: Shape(n: t.shape[0], h: t.shape[1], w: t.shape[2], c: t.shape[3]), data: t.values)
    }

    func testMatchesPytorchAdaINWithin1e3() throws {
        let model = try AdaINLoader.load(path: reference("vgg_tiny"))
        XCTAssertEqual(model.architecture, "adain-vgg19")
        XCTAssertEqual(model.featureChannels, 64)
        let cases = try SafeTensorsFile(path: reference("vgg_tiny_cases"))
        let content = try tensor(cases, "content"), style = try tensor(cases, "style")
        let stylizer = try Stylizer(model: model)
        let styleStats = try stylizer.styleStatistics(of: style)
        for (name, alpha) in [("out_alpha1", Float(1)), ("out_alpha05", 0.5)] {
            let expected = try tensor(cases, name)
            let got = try stylizer.stylize(content: content, styles: [WeightedStyle(styleStats)], alpha: alpha)
            XCTAssertEqual(got.shape, expected.shape)
            var maxDiff: Float = 0
            for i in got.data.indices { maxDiff = max(maxDiff, abs(got.data[i] - expected.data[i])) }
            print("AdaIN VGG fidelity \(name): max abs diff vs pytorch-AdaIN = \(maxDiff)")
            XCTAssertLessThan(maxDiff, 1e-3, "\(name): max |swift - pytorch| = \(maxDiff)")
            // The outputs must not be trivially small: the bound above means something.
            XCTAssertGreaterThan(expected.data.map(abs).max()!, 0.05)
        }
    }

    func testMissingTensorIsAClearError() throws {
        let src = try SafeTensorsFile(path: reference("vgg_tiny"))
        var tensors = try src.allTensors()
        tensors["decoder.conv3.bias"] = nil
        let path = try makeTemporaryFolder(self) + "/vgg_missing.safetensors"
        try SafeTensorsWriter.write(tensors: tensors, metadata: src.metadata, dtype: .f32, to: path)
        XCTAssertThrowsError(try AdaINLoader.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("decoder.conv3.bias"), "\(error)")
        }
    }

    func testUnknownArchitectureIsAClearError() throws {
        let src = try SafeTensorsFile(path: reference("vgg_tiny"))
        var meta = src.metadata
        meta["architecture"] = "resnet"
        let path = try makeTemporaryFolder(self) + "/vgg_arch.safetensors"
        try SafeTensorsWriter.write(tensors: try src.allTensors(), metadata: meta, dtype: .f32, to: path)
        XCTAssertThrowsError(try AdaINLoader.load(path: path)) { error in
            XCTAssertTrue("\(error)".contains("resnet"), "\(error)")
        }
    }
}
