import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StylizeEngine
import StyleSheets
import StyleTensor
import XCTest
import StylizeTestSupport

/// The comparison grid, its numbers and the contrast sweep, with tiny seeded weights.
final class CompareTests: XCTestCase {
    var root = ""
    var model: (any AdaINNetwork)!
    var content = "", style = ""

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        try TinyModels.vgg(to: root + "/tiny.safetensors", homogeneous: true)
        model = try AdaINLoader.load(path: root + "/tiny.safetensors")
        content = root + "/content.png"
        style = root + "/style.png"
        try ImageIO.write(Pictures.blocks(width: 40, height: 32, seed: 3), to: content)
        try ImageIO.write(Pictures.blocks(width: 48, height: 48, seed: 77), to: style)
    }

    func settings(sweep: Bool) -> ComparisonSettings {
        var s = ComparisonSettings()
        s.norms = [.instance, .batch, .layer, .group(groups: 4)]
        s.contentSize = 32
        s.styleSize = 32
        s.contrastSweep = sweep
        return s
    }

    func testGridHasTheExpectedSizeTilesAndCaptions() throws {
        let result = try Comparison.run(model: model, content: content, style: style, settings: settings(sweep: false))
        XCTAssertEqual(result.variants.map(\.name), ["AdaIN", "AdaBN", "AdaLN", "AdaGN (G=4)"])
        // 6 columns of 40 px tiles, gap 6: 6 + 6 * 46; one row: 6 + (caption 2 * 10 + 1) + 32 + 6.
        XCTAssertEqual([result.grid.width, result.grid.height], [282, 65])
        let sheet = result.sheet
        let contentImage = try ImageIO.decode(file: content)
        for column in 0..<6 {
            // The caption band holds dark text on white: not uniform, and has ink.
            let o = sheet.origin(row: 0, column: column)
            var values = Set<UInt8>()
            for y in o.y..<(o.y + sheet.captionHeight) {
                for x in o.x..<(o.x + sheet.tileWidth) { values.insert(result.grid.rgb[(y * result.grid.width + x) * 3]) }
            }
            XCTAssertTrue(values.contains(0) && values.contains(255), "caption of column \(column)")
        }
        // The content tile is the content image itself (it fits the tile exactly).
        let t = sheet.tileOrigin(row: 0, column: 0)
        for y in 0..<32 {
            for x in 0..<40 {
                for k in 0..<3 {
                    XCTAssertEqual(result.grid.rgb[((t.y + y) * result.grid.width + t.x + x) * 3 + k],
                                   contentImage.rgb[(y * 40 + x) * 3 + k])
                }
            }
        }
        // The variant tiles are the stylized images of each variant.
        let adaIN = try Stylizer(model: model, norm: .instance)
        let expected = Image(tensor: try adaIN.stylize(content: Tensor(image: contentImage),
                                                       styles: [WeightedStyle(adaIN.styleStatistics(of: Tensor(image: ImageIO.decode(file: style).resized(shorterSide: 32))))]))
        let v = sheet.tileOrigin(row: 0, column: 2)
        XCTAssertEqual(Array(result.grid.rgb[((v.y + 5) * result.grid.width + v.x) * 3..<((v.y + 5) * result.grid.width + v.x + 40) * 3]),
                       Array(expected.rgb[(5 * 40) * 3..<(6 * 40) * 3]))
        for m in result.variants {
            XCTAssertGreaterThan(m.styleDistance, 0)
            XCTAssertGreaterThan(m.contentDistance, 0)
            XCTAssertTrue(m.styleDistance.isFinite && m.contentDistance.isFinite)
        }
    }

    /// With the homogeneous tiny encoder a contrast change only scales the relu4_1 features,
    /// which the instance swap normalises away (the output moves by 8-bit rounding only at x0.5; at
    /// x1.5 a few pixels clip), while the batch swap, normalising with fixed population
    /// statistics, passes the change on.
    func testContrastSweepInstanceNormIsLessSensitiveThanBatchNorm() throws {
        let result = try Comparison.run(model: model, content: content, style: style, settings: settings(sweep: true))
        XCTAssertEqual(result.sweep.map(\.adjustment), ["contrast x0.5", "contrast x1.5", "brightness -0.2", "brightness +0.2"])
        XCTAssertEqual(result.grid.height, 6 + 5 * (21 + 32 + 6))
        let half = result.sweep[0].changes, more = result.sweep[1].changes
        XCTAssertLessThan(half[0], 1.0 / 255, "AdaIN at contrast x0.5: \(half)")
        // The adjusted contents are 8-bit images (as any content is), so AdaIN's output moves by
        // the rounding of the halved contrast (about 0.3 levels here), AdaBN's by ~8 levels.
        XCTAssertLessThan(half[0], 0.2 * half[1], "AdaIN vs AdaBN at contrast x0.5: \(half)")
        XCTAssertLessThan(more[0], 0.5 * more[1], "AdaIN vs AdaBN at contrast x1.5: \(more)")
        for row in result.sweep {
            XCTAssertEqual(row.changes.count, 4)
            XCTAssertTrue(row.changes.allSatisfy { $0.isFinite && $0 >= 0 })
        }
        for row in result.sweep[2...] { XCTAssertGreaterThan(row.changes.min()!, 1.0 / 255, row.adjustment) }
    }

    func testDistancesMatchHandComputedValues() {
        // Two pixels, two channels: output (1,2), (3,6); style all zeros.
        let o = Tensor(shape: Shape(n: 1, h: 1, w: 2, c: 2), data: [1, 2, 3, 6])
        let s = Tensor(shape: Shape(n: 1, h: 1, w: 2, c: 2), data: [0, 0, 0, 0])
        let ms = FeatureDistance.meanStd(o)
        XCTAssertEqual(ms.mean, [2, 4])
        XCTAssertEqual(ms.std[0], (2.0 + 1e-5).squareRoot(), accuracy: 1e-12)   // unbiased variance 2
        XCTAssertEqual(ms.std[1], (8.0 + 1e-5).squareRoot(), accuracy: 1e-12)   // unbiased variance 8
        let e = (1e-5).squareRoot()
        let expected = (4.0 + 16.0) / 2
            + (pow((2.00001).squareRoot() - e, 2) + pow((8.00001).squareRoot() - e, 2)) / 2
        XCTAssertEqual(FeatureDistance.style(output: [o, o], style: [s, s]), 2 * expected, accuracy: 1e-9)
        XCTAssertEqual(FeatureDistance.style(output: [o], style: [o]), 0)
        XCTAssertEqual(FeatureDistance.content(output: o, content: s), (1 + 4 + 9 + 36) / 4.0)
        XCTAssertEqual(FeatureDistance.meanAbsoluteChange(o, s), 3)
    }

    func testContentAdjustments() {
        let x = Tensor(shape: Shape(n: 1, h: 1, w: 1, c: 3), data: [0.1, 0.5, 0.9])
        XCTAssertEqual(ContentAdjustment.contrast(0.5).apply(x).data, [0.3, 0.5, 0.7])
        XCTAssertEqual(ContentAdjustment.contrast(1.5).apply(x).data.map { ($0 * 1000).rounded() }, [0, 500, 1000])
        XCTAssertEqual(ContentAdjustment.brightness(-0.2).apply(x).data.map { ($0 * 1000).rounded() }, [0, 300, 700])
        XCTAssertEqual(ContentAdjustment.brightness(0.2).description, "brightness +0.2")
    }

    func testNormListAndReports() throws {
        XCTAssertEqual(try VariantRunner.norms(names: ["instance", " group"], groups: [8, 32]),
                       [.instance, .group(groups: 8), .group(groups: 32)])
        XCTAssertThrowsError(try VariantRunner.norms(names: ["group"], groups: []))
        XCTAssertThrowsError(try VariantRunner.norms(names: ["median"], groups: []))

        var s = settings(sweep: true)
        s.norms = [.instance, .group(groups: 3)]   // 3 does not divide 16 channels: skipped with the reason
        let result = try Comparison.run(model: model, content: content, style: style, settings: s)
        XCTAssertEqual(result.variants.map(\.name), ["AdaIN"])
        XCTAssertEqual(result.skipped.map(\.name), ["AdaGN (G=3)"])
        let report = ComparisonReport(content: content, style: style, weights: "tiny", contentSize: 32, result: result)
        let md = report.markdown()
        XCTAssertTrue(md.contains("| variant | style distance | content distance | seconds |"))
        XCTAssertTrue(md.contains("| AdaIN | "))
        XCTAssertTrue(md.contains("| contrast x0.5 | "))
        XCTAssertTrue(report.text().contains("skipped AdaGN (G=3)"))
        try report.write(to: root + "/r.json")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/r.json"))) as? [String: Any])
        let variants = try XCTUnwrap(json["variants"] as? [[String: Any]])
        XCTAssertEqual(Set(variants[0].keys), ["name", "norm", "match", "caption", "style_distance", "content_distance", "seconds"])
        XCTAssertEqual(variants[0]["match"] as? String, "moments")
        XCTAssertEqual((json["contrast_sweep"] as? [Any])?.count, 4)
        XCTAssertThrowsError(try report.write(to: root + "/r.txt"))
    }

    /// Variants are every match under every norm it combines with, by match then norm; a
    /// list with no meaningful pair is refused naming the options.
    func testVariantList() throws {
        let v = try VariantRunner.variants(norms: ["instance", "batch", "layer", "group"], groups: [8],
                                           matches: ["moments", "covariance", " distribution"])
        XCTAssertEqual(v.map(\.name), ["AdaIN", "AdaBN", "AdaLN", "AdaGN (G=8)", "WCT", "WCT-BN", "WCT (G=8)", "EFDM"])
        XCTAssertEqual(v.map(\.description), ["instance", "batch", "layer", "group(G=8)", "instance+covariance",
                                               "batch+covariance", "group(G=8)+covariance", "instance+distribution"])
        XCTAssertEqual(ComparisonSettings.defaultVariants.count, 10)
        XCTAssertThrowsError(try VariantRunner.variants(norms: ["layer"], groups: [], matches: ["covariance", "distribution"])) { error in
            let e = error as? OptionError
            XCTAssertEqual(e?.option, .matches)
            XCTAssertEqual(e?.rendered(.flag), "no variant: --matches covariance,distribution combines with none of --norms layer")
        }
        XCTAssertThrowsError(try VariantRunner.matches(names: ["wct"])) { error in
            XCTAssertEqual((error as? OptionError)?.rendered(.field), "matches must name moments, covariance, distribution, got 'wct'")
        }
    }

    func testBitmapFontGlyphs() {
        let a = (0..<7).map { y in String((0..<5).map { BitmapFont.isInk("A", x: $0, y: y) ? "#" : "." }) }
        XCTAssertEqual(a, [".###.", "#...#", "#...#", "#...#", "#####", "#...#", "#...#"])
        let one = (0..<7).map { y in String((0..<5).map { BitmapFont.isInk("1", x: $0, y: y) ? "#" : "." }) }
        XCTAssertEqual(one, ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."])
        var glyphs = Set<[Bool]>()
        for v in 0x21...0x7E {
            let ch = Character(Unicode.Scalar(UInt8(v)))
            let bits = (0..<35).map { BitmapFont.isInk(ch, x: $0 % 5, y: $0 / 5) }
            XCTAssertTrue(bits.contains(true), "glyph \(ch) is empty")
            glyphs.insert(bits)
        }
        XCTAssertEqual(glyphs.count, 94, "every printable glyph is distinct")
        XCTAssertEqual(BitmapFont.width(of: "AdaIN", scale: 2), 58)
        XCTAssertEqual((0..<35).map { BitmapFont.isInk("é", x: $0 % 5, y: $0 / 5) },
                       (0..<35).map { BitmapFont.isInk("?", x: $0 % 5, y: $0 / 5) })
    }
}
