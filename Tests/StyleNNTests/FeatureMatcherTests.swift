import XCTest
import StyleKernels
import StyleTensor
@testable import StyleNN
import StylizeTestSupport

final class FeatureMatcherTests: XCTestCase {
    /// Which norm x match pairs exist, and the reasons given for the others.
    func testCombinations() throws {
        let supported: [(StatisticMatch, NormKind)] = [
            (.moments, .instance), (.moments, .batch), (.moments, .layer), (.moments, .group(groups: 4)),
            (.covariance, .instance), (.covariance, .batch), (.covariance, .group(groups: 4)), (.distribution, .instance),
        ]
        for (m, n) in supported { XCTAssertNoThrow(try m.validate(norm: n), "\(m) \(n)") }
        let refused: [(StatisticMatch, NormKind, String)] = [
            (.covariance, .layer, "no channel-by-channel covariance"),
            (.distribution, .layer, "per channel only"),
            (.distribution, .group(groups: 4), "per channel only"),
            (.distribution, .batch, "population distribution"),
        ]
        for (m, n, reason) in refused {
            XCTAssertThrowsError(try FeatureMatcher(match: m, norm: n)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("the \(m) match with \(n.name) norm: "), text)
                XCTAssertFalse(text.contains("--"), "StyleNN names no command-line flag: \(text)")
                XCTAssertTrue(text.contains(reason), text)
            }
        }
        XCTAssertEqual(try StatisticMatch(name: "Covariance"), .covariance)
        XCTAssertThrowsError(try StatisticMatch(name: "wct")) {
            XCTAssertEqual("\($0)", "unknown match 'wct' (expected moments, covariance, distribution)")
        }
    }

    /// The engine's tiled flow (range pass, statistics pass merged over tiles, one plan,
    /// applied per tile) equals the untiled run: moments and covariance within float rounding
    /// of the Double merge (1e-5), distribution bit for bit. With a mask too.
    func testTiledFlowEqualsUntiled() throws {
        var rng = SeededRandom(seed: 51)
        let content = correlatedFeatures(&rng, Shape(n: 1, h: 40, w: 18, c: 16), relu: true)
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 20, w: 25, c: 16), relu: true)
        let style2 = correlatedFeatures(&rng, Shape(n: 1, h: 22, w: 22, c: 16))
        var mask = Tensor(shape: Shape(n: 1, h: 40, w: 18, c: 1))
        for y in 0..<40 { for x in 0..<18 { mask[0, y, x, 0] = (x + y) % 7 < 3 ? 1 : 0 } }
        let bands = [0..<11, 11..<12, 12..<40]
        func tiles(_ t: Tensor) -> [Tensor] { bands.map { crop(t, top: $0.lowerBound, left: 0, height: $0.count, width: t.shape.w) } }
        for (match, norm) in [(StatisticMatch.moments, NormKind.instance), (.covariance, .instance), (.covariance, .group(groups: 4)),
                              (.distribution, .instance)] {
            let matcher = try FeatureMatcher(match: match, norm: norm)
            let styles = [(try matcher.styleStatistics(of: style), Float(0.6)), (try matcher.styleStatistics(of: style2), Float(0.4))]
            let untiled = try matcher.apply(content: content, styles: styles, alpha: 0.9)
            var range: DistributionRange?
            for t in tiles(content) { if let r = try matcher.contentRange(of: t) { range = try range?.merged(with: r) ?? r } }
            var stats: ContentMatchStatistics?
            for t in tiles(content) {
                let s = try matcher.contentStatistics(of: t, range: range)
                stats = try stats?.merged(with: s) ?? s
            }
            let plan = try matcher.plan(content: stats, styles: styles, alpha: 0.9)
            let tiled = Tensor(shape: content.shape, data: try tiles(content).flatMap { try plan.apply(to: $0).data })
            if match == .distribution {
                XCTAssertEqual(tiled.data.map(\.bitPattern), untiled.data.map(\.bitPattern))
            } else {
                reportDeviation("tiled vs untiled, \(match) \(norm)", maxDeviation(tiled, untiled), limit: 1e-5)
            }

            // Masked: region statistics merged over tiles.
            let fg = [styles[0]], bg = [styles[1]]
            let masked = try matcher.apply(content: content, mask: mask, foreground: fg, background: bg, alpha: 0.9)
            var ranges: (foreground: DistributionRange, background: DistributionRange)?
            for (t, m) in zip(tiles(content), tiles(mask)) {
                if let r = try matcher.regionRanges(of: t, mask: m) {
                    ranges = try ranges.map { (try $0.foreground.merged(with: r.foreground), try $0.background.merged(with: r.background)) } ?? r
                }
            }
            var regions: (foreground: ContentMatchStatistics, background: ContentMatchStatistics)?
            for (t, m) in zip(tiles(content), tiles(mask)) {
                let r = try matcher.regionStatistics(of: t, mask: m, ranges: ranges)
                regions = try regions.map { (try $0.foreground.merged(with: r.foreground), try $0.background.merged(with: r.background)) } ?? r
            }
            let maskedPlan = try matcher.plan(regions: regions, foreground: fg, background: bg, alpha: 0.9)
            let maskedTiled = try zip(tiles(content), tiles(mask)).flatMap { try maskedPlan.apply(to: $0, mask: $1).data }
            reportDeviation("masked tiled vs untiled, \(match) \(norm)", maxDeviation(maskedTiled, masked.data),
                            limit: match == .distribution ? 0 : 1e-5)
        }
    }

    /// Swift and the Python replica (Training/swaps.py) agree on a real pair of the default
    /// model's features (Images/coffee.jpg, Images/flow.jpg; 192 channels, ReLU6 zeros):
    /// covariance within 5e-5 of the largest output (the content has 80 cells, so its
    /// covariance has rank <= 79 and the ridge makes whitening entries up to ~180 that cancel:
    /// numpy's own float32 evaluation of the same map is off its float64 one by 1.1e-5 of the
    /// largest output), distribution within 1e-5.
    func testRealPairAgainstPythonReplica() throws {
        let t = try Golden.binaryTensors("match_real")
        let content = t["content"]!, style = t["style"]!
        XCTAssertEqual(content.shape.c, 192)
        let wct = try FeatureMatcher(match: .covariance, norm: .instance)
        let a = try wct.apply(content: content, styles: [(wct.styleStatistics(of: style), 1)])
        reportDeviation("real pair, covariance vs swaps.py (relative to the largest output)", relativeDeviation(a, t["covariance"]!), limit: 5e-5)
        let efdm = try FeatureMatcher(match: .distribution, norm: .instance)
        let b = try efdm.apply(content: content, styles: [(efdm.styleStatistics(of: style), 1)])
        reportDeviation("real pair, distribution vs swaps.py", maxDeviation(b, t["distribution"]!), limit: 1e-5)
    }

    /// Statistics of one match are refused by a plan of another.
    func testWrongStatistics() throws {
        var rng = SeededRandom(seed: 52)
        let x = rng.tensor(Shape(n: 1, h: 5, w: 5, c: 4))
        let moments = try FeatureMatcher(match: .moments, norm: .instance)
        let covariance = try FeatureMatcher(match: .covariance, norm: .instance)
        XCTAssertThrowsError(try covariance.plan(content: covariance.contentStatistics(of: x), styles: [(moments.styleStatistics(of: x), 1)])) {
            XCTAssertEqual($0 as? MatchError, .wrongStatistics(expected: .covariance, got: .moments))
        }
    }
}
