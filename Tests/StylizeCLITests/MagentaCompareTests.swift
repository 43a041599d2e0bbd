import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StylizeEngine
import StyleSheets
import StyleTensor
import XCTest
import StylizeTestSupport

/// `stylize compare --model magenta`: the normalization variants inside Magenta's
/// transformer, on the tiny committed network, measured with a tiny AdaIN encoder.
final class MagentaCompareTests: XCTestCase {
    func testVariantsRunAndBatchUsesPopulationOfTheComparedContents() throws {
        let root = try makeTemporaryFolder(self)
        let measurePath = root + "/measure.safetensors"
        try TinyModels.vgg(to: measurePath)
        let measure = try AdaINLoader.load(path: measurePath)
        let tiny = MagentaPipelineTests.referenceFolder.appendingPathComponent("tiny-arbitrary.safetensors").path
        let engine = try StyleEngine(family: .magenta, weights: tiny)
        let content = root + "/c.png", style = root + "/s.png"
        try ImageIO.write(Pictures.blocks(width: 40, height: 32, seed: 5), to: content)
        try ImageIO.write(Pictures.blocks(width: 36, height: 36, seed: 6), to: style)
        var settings = ComparisonSettings()
        settings.contentSize = 0
        settings.styleSize = 0
        settings.contrastSweep = true
        settings.norms = [.instance, .batch, .layer, .group(groups: 4)]
        let result = try Comparison.run(engine: engine, measure: measure, content: content, style: style, settings: settings)
        XCTAssertEqual(result.variants.map(\.name), ["AdaIN", "AdaBN", "AdaLN", "AdaGN (G=4)"])
        XCTAssertEqual(result.sweep.count, 4)
        // Batch statistics pooled over one image are that image's own (AdaBN == AdaIN).
        // (That pooling over several images differs is checked on the transformer itself in
        // StyleModelsTests; this tiny network's output does not show it.)
        let c = try ImageIO.decode(file: content)
        let styles = [StyleRef.file(style)]
        func run(_ norm: NormKind, _ policy: StatisticsPolicy? = nil) throws -> Image {
            var o = TransferOptions()
            o.norm = norm
            o.styleSize = 0
            return try engine.stylize(c, styles: styles, options: o, statistics: policy)
        }
        var batch = TransferOptions()
        batch.norm = .batch
        let alone = try run(.batch, .fixed(engine.populationStatistics(of: [c], styles: styles, options: batch)))
        let instance = try run(.instance)
        func maxDiff(_ a: Image, _ b: Image) -> Int { zip(a.rgb, b.rgb).map { abs(Int($0) - Int($1)) }.max()! }
        XCTAssertLessThanOrEqual(maxDiff(instance, alone), 1)
        XCTAssertGreaterThan(maxDiff(instance, try run(.layer)), 1)
    }
}
