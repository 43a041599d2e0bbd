import Foundation
import ImageCodecs
import StyleNN
import StyleSheets
import StyleVideo
import StylizeEngine
import XCTest
@testable import StyleServer
import StylizeTestSupport

/// The three comparisons run their variants (norms and statistic matches) through
/// `VariantRunner`, so on the same content, style and settings they give the same numbers: `stylize compare` (`Comparison`), the
/// server's `POST /v1/compare` and `stylize compare --video` (`VideoComparison`, on a clip of
/// one repeated frame). Before the runner, the CLI and the server disagreed on Magenta's
/// AdaBN (the CLI's population was the content alone without `--contrast-sweep`).
final class ComparePathsAgreeTests: XCTestCase {
    typealias F = TestServer
    let photo = Pictures.blocks(width: 80, height: 64, seed: 21)
    /// The norms with the moments match, then the covariance (WCT, WCT-BN, WCT (G=8)) and
    /// distribution (EFDM) matches.
    let variants = VariantRunner.pairs(norms: [.instance, .batch, .layer, .group(groups: 8)], matches: StatisticMatch.allCases)

    /// CLI and server: the same distances for every variant, both families (Magenta on the
    /// committed tiny networks), the server's style picked by name from its styles folder.
    func testCommandLineAndServerGiveTheSameDistances() async throws {
        let s = try await TestServer(magenta: true)
        let measure = try StyleEngine(family: .adain, weights: Fixtures.defaultWeights)
        let stylePath = s.stylesFolder.appendingPathComponent("blocks.jpg").path
        for family in ModelFamily.allCases {
            let engine = family == .adain ? measure : try StyleEngine(family: .magenta, weights: s.folder.appendingPathComponent("magenta").path)
            var settings = ComparisonSettings()
            settings.variants = variants
            settings.contentSize = 48
            settings.styleSize = 64
            let cli = try Comparison.run(engine: engine, measure: measure.adainNetwork(), content: photo,
                                         style: ImageIO.decode(file: stylePath), styleName: stylePath, settings: settings)
            let answer = try s.client.post("/v1/compare", parts: [
                F.file("content", try Fixtures.png(photo), filename: "c.png"), F.field("style_name", "blocks.jpg"),
                F.field("model", family.rawValue), F.field("content_size", "48"), F.field("style_size", "64"),
                F.field("norms", "instance,batch,layer,group"), F.field("groups", "8"), F.field("matches", "moments,covariance,distribution")])
            XCTAssertEqual(answer.status, 200, answer.text)
            let server = try XCTUnwrap(answer.json["variants"] as? [[String: Any]])
            XCTAssertEqual(server.map { $0["name"] as? String }, cli.variants.map(\.name), "\(family)")
            // Magenta's norms take moments only: its WCT and EFDM variants are skipped, with the reason, in both.
            XCTAssertEqual(cli.variants.count, family == .adain ? 8 : 4, "\(family): \(cli.skipped)")
            XCTAssertEqual((answer.json["skipped"] as? [[String: Any]])?.map { $0["name"] as? String }, cli.skipped.map(\.name), "\(family)")
            for (c, v) in zip(cli.variants, server) {
                // the same computation; only JSON's printing of doubles (15-17 digits) separates them
                let style = try XCTUnwrap(v["style_distance"] as? Double), content = try XCTUnwrap(v["content_distance"] as? Double)
                XCTAssertEqual(style, c.styleDistance, accuracy: 1e-12 * c.styleDistance, "\(family) \(c.name)")
                XCTAssertEqual(content, c.contentDistance, accuracy: 1e-12 * c.contentDistance, "\(family) \(c.name)")
            }

        }
        try await s.stop()
    }

    /// CLI and video: the video's per-frame variants (`frame` statistics; AdaBN with the
    /// weights' population) stylize each frame exactly as `stylize compare` stylizes the
    /// photo: the mean colours of their outputs agree to the report's 5 decimals.
    func testCommandLineAndVideoGiveTheSameOutputs() throws {
        let measure = try StyleEngine(family: .adain, weights: Fixtures.defaultWeights)
        let style = Pictures.blocks(width: 40, height: 48, seed: 12)
        var settings = ComparisonSettings()
        settings.variants = variants
        settings.contentSize = 48
        settings.styleSize = 64
        let cli = try Comparison.run(engine: measure, measure: measure.adainNetwork(), content: photo, style: style,
                                     styleName: "blocks", settings: settings)
        let frame = photo.resized(shorterSide: 48)
        var video = VideoComparisonSettings()
        video.variants = variants
        video.modes = [.frame]
        video.styleSize = 64
        let clip = try VideoComparison.run(engine: measure, frames: [frame, frame], style: .image(style.resized(shorterSide: 64), name: "blocks"),
                                           settings: video)
        func meanColour(_ image: Image) -> [Double] {
            (0..<3).map { k in
                let values = stride(from: k, to: image.rgb.count, by: 3).map { Double(image.rgb[$0]) / 255 }
                return (values.reduce(0, +) / Double(values.count) * 1e5).rounded() / 1e5
            }
        }
        for (k, name) in cli.variants.map(\.name).enumerated() {
            let stats = name == "AdaBN" || name == "WCT-BN" ? "weights population" : "frame"
            let row = try XCTUnwrap(clip.variants.first { $0.name == name && $0.stats == stats }, "\(name) x \(stats)")
            XCTAssertEqual(row.meanColours[0], meanColour(cli.outputs[k]), name)
        }
    }
}
