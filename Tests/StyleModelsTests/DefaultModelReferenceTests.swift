import Foundation
import XCTest
import StyleKernels
import StyleModels
import StyleNN
import StyleTensor
import StyleWeights
import StylizeTestSupport

/// The shipped default model (`Weights/default.safetensors`) against the training code's own
/// inference: `Training/make_reference.py` ran the exported weights in PyTorch on a small
/// synthetic pair and wrote `Reference/{content,style,output}.f32` and `reference.json`.
final class DefaultModelReferenceTests: XCTestCase {
    struct Reference: Decodable {
        struct Picture: Decodable { let file: String; let height: Int; let width: Int }
        let weights_sha256: String
        let content: Picture
        let style: Picture
        let output: Picture
        let content_features_shape: [Int]
        let content_features_mean: [Float]
        let content_features_std: [Float]
    }

    static let weightsPath = packageRoot + "/Weights/default.safetensors"

    func load() throws -> Reference {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "reference", withExtension: "json", subdirectory: "Reference"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    func picture(_ p: Reference.Picture) throws -> Tensor {
        let name = (p.file as NSString).deletingPathExtension
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "f32", subdirectory: "Reference"))
        let data = try Data(contentsOf: url)
        XCTAssertEqual(data.count, p.height * p.width * 3 * 4)
        let values = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return Tensor(shape: Shape(n: 1, h: p.height, w: p.width, c: 3), data: values)
    }

    func testShippedWeightsAreTheOnesTheReferenceWasMadeWith() throws {
        let ref = try load()
        let manifest = try WeightsManifest.make(forFile: Self.weightsPath)
        XCTAssertEqual(manifest.sha256, ref.weights_sha256, "Weights/default.safetensors changed: rerun Training/make_reference.py")
    }

    func testContentFeaturesMatchTheTrainingCode() throws {
        let ref = try load()
        let model = try AdaINLoader.load(path: Self.weightsPath)
        XCTAssertEqual(model.architecture, "adain-mobilenet-s8")
        let features = model.encodeContent(try picture(ref.content)).features
        XCTAssertEqual([features.shape.c, features.shape.h, features.shape.w], ref.content_features_shape)
        let stats = try FeatureStatistics(of: features, kind: .instance)
        let std = stats.standardDeviation(convention: .unbiased, eps: 1e-5)  // sqrt(var + eps), as recorded
        for c in 0..<features.shape.c {
            XCTAssertEqual(Float(stats.mean[c]), ref.content_features_mean[c], accuracy: 1e-3 * max(1, abs(ref.content_features_mean[c])))
            XCTAssertEqual(Float(std[c]), ref.content_features_std[c], accuracy: 1e-3 * max(1, ref.content_features_std[c]))
        }
    }

    /// The encoder's banded blocks (`InvertedResidual`, what stylizing runs) give the bits of
    /// the layer-by-layer pass (`featureTaps`, what distances measure), at both precisions.
    func testBandedEncoderEqualsTheLayerByLayerPass() throws {
        let ref = try load()
        let model = try AdaINLoader.load(path: Self.weightsPath)
        let image = try picture(ref.content)
        for precision in Precision.allCases {
            let m = model.withPrecision(precision)
            XCTAssertEqual(m.encodeStyle(image).data.map(\.bitPattern), m.featureTaps(image).last!.data.map(\.bitPattern), "\(precision)")
        }
    }

    func testStylizedOutputAgreesWithinTwoLevels() throws {
        let ref = try load()
        let stylizer = try Stylizer(model: AdaINLoader.load(path: Self.weightsPath))
        let style = try stylizer.styleStatistics(of: picture(ref.style))
        let got = try stylizer.stylize(content: picture(ref.content), styles: [WeightedStyle(style)])
        let expected = try picture(ref.output)
        XCTAssertEqual(got.shape, expected.shape)
        var worst = 0, sum = 0
        for i in got.data.indices {
            let a = Int((min(max(got.data[i], 0), 1) * 255).rounded())
            let b = Int((min(max(expected.data[i], 0), 1) * 255).rounded())
            worst = max(worst, abs(a - b)); sum += abs(a - b)
        }
        print("default model vs training code: max \(worst) levels, mean \(Double(sum) / Double(got.data.count)) levels")
        XCTAssertLessThanOrEqual(worst, 2)
    }
}
