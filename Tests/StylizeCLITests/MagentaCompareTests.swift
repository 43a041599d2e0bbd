import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StylePipeline
import StyleTensor
import XCTest

/// `stylize compare --model magenta`: the normalization variants inside Magenta's
/// transformer, on the tiny committed network, measured with a tiny AdaIN encoder.
final class MagentaCompareTests: XCTestCase {
    func testVariantsRunAndBatchUsesPopulationOfTheComparedContents() throws {
        let root = try makeTemporaryFolder(self)
        let measurePath = root + "/measure.safetensors"
        try TinyWeights.writeVGG(to: measurePath)
        let measure = try ModelLoader.load(path: measurePath)
        guard case .arbitrary(let magenta) = try MagentaModel.load(
            path: MagentaPipelineTests.referenceFolder.appendingPathComponent("tiny-arbitrary.safetensors").path) else {
            return XCTFail("tiny-arbitrary.safetensors is not the arbitrary network")
        }
        let content = root + "/c.png", style = root + "/s.png"
        try ImageIO.write(TinyWeights.picture(width: 40, height: 32, seed: 5), to: content)
        try ImageIO.write(TinyWeights.picture(width: 36, height: 36, seed: 6), to: style)
        var settings = ComparisonSettings()
        settings.contentSize = 0
        settings.styleSize = 0
        settings.contrastSweep = true
        settings.norms = [.instance, .batch, .layer, .group(groups: 4)]
        let result = try Comparison.run(engine: .magenta(magenta, measure: measure, alpha: 1),
                                        content: content, style: style, settings: settings)
        XCTAssertEqual(result.variants.map(\.name), ["AdaIN", "AdaBN", "AdaLN", "AdaGN (G=4)"])
        XCTAssertEqual(result.sweep.count, 4)
        // Batch statistics pooled over one image are that image's own (AdaBN == AdaIN).
        // (That pooling over several images differs is checked on the transformer itself in
        // StyleModelsTests; this tiny network's output does not show it.)
        let engine = ComparisonEngine.magenta(magenta, measure: measure, alpha: 1)
        let c = Tensor(image: try ImageIO.decode(file: content))
        let s = Tensor(image: try ImageIO.decode(file: style))
        let instance = try engine.makeVariant(.instance, s, [c])(c)
        let alone = try engine.makeVariant(.batch, s, [c])(c)
        func maxDiff(_ a: Tensor, _ b: Tensor) -> Float { zip(a.data, b.data).map { abs($0 - $1) }.max()! }
        XCTAssertLessThan(maxDiff(instance, alone), 1e-4)
        XCTAssertGreaterThan(maxDiff(instance, try engine.makeVariant(.layer, s, [c])(c)), 1e-4)
        XCTAssertThrowsError(try Comparison.run(engine: .magenta(magenta, measure: measure, alpha: 0.5),
                                                content: content, style: style, settings: settings))
    }
}
