import Foundation
import ImageCodecs
import StyleModels
import StyleNN
@testable import StylizeEngine
import StyleTensor
import XCTest
import StylizeTestSupport

/// The statistic matches (moments, covariance, distribution) through the engine with the
/// shipped default weights at small sizes: every guarantee the engine gives the moments swap
/// (tiles, masks, alpha, style mixing, colour preservation, statistics policies, the memory
/// plan) holds for the others, and the combinations without meaning are refused by the one
/// validator with an `OptionError` naming `match`.
final class MatchEngineTests: XCTestCase {
    static let weights = packageRoot + "/Weights/default.safetensors"
    let content = Pictures.blocks(width: 144, height: 104, seed: 31)
    static let discs = Pictures.discs(width: 64, height: 56, seed: 5)
    let styleA = StyleRef.image(MatchEngineTests.discs, name: "discs")
    let styleB = StyleRef.image(Pictures.blocks(width: 48, height: 64, seed: 6), name: "blocks")

    /// The pairs the engine runs (batch with the population covariance stored in the weights).
    let pairs: [(StatisticMatch, NormKind)] = [(.covariance, .instance), (.covariance, .group(groups: 8)),
                                               (.covariance, .batch), (.distribution, .instance)]

    /// One engine for the tests (loading and packing the weights is the slow part of a small run).
    nonisolated(unsafe) static var shared: StyleEngine?
    func engine() throws -> StyleEngine {
        if let e = Self.shared { return e }
        let e = try StyleEngine(weights: Self.weights)
        Self.shared = e
        return e
    }

    /// The plain untiled run of `match` with style A, made once for all the tests.
    nonisolated(unsafe) static var plainRuns: [StatisticMatch: Image] = [:]
    func plain(_ match: StatisticMatch) throws -> Image {
        if let done = Self.plainRuns[match] { return done }
        let out = try engine().stylize(content, styles: [styleA], options: options(match))
        Self.plainRuns[match] = out
        return out
    }

    func options(_ match: StatisticMatch?, _ norm: NormKind = .instance) -> TransferOptions {
        var o = TransferOptions()
        o.match = match
        o.norm = norm
        o.contentSize = 0
        o.styleSize = 0
        return o
    }

    func maxDifference(_ a: Image, _ b: Image) -> Int {
        zip(a.rgb, b.rgb).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    func meanDifference(_ a: Image, _ b: Image) -> Double {
        Double(zip(a.rgb, b.rgb).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.rgb.count)
    }

    /// Tiled (forced small tiles, passes 0-2) equals untiled within one 8-bit level for every
    /// pair, with a two-style mix and alpha < 1; and the matches give different pictures.
    func testTiledEqualsUntiledForEveryMatch() throws {
        let e = try engine()
        var untiledOutputs: [Image] = []
        for (match, norm) in pairs {
            var o = options(match, norm)
            o.alpha = 0.8
            o.styleWeights = [0.7, 0.3]
            let untiled = try e.stylize(content, styles: [styleA, styleB], options: o)
            o.tileSize = 80
            XCTAssertGreaterThanOrEqual(try e.plan(width: content.width, height: content.height, options: o).pieces, 4)
            let tiled = try e.stylize(content, styles: [styleA, styleB], options: o)
            XCTAssertLessThanOrEqual(maxDifference(tiled, untiled), 1, "\(match) \(norm)")
            untiledOutputs.append(untiled)
        }
        var moments = options(.moments)
        moments.alpha = 0.8
        moments.styleWeights = [0.7, 0.3]
        let reference = try e.stylize(content, styles: [styleA, styleB], options: moments)
        for (k, out) in untiledOutputs.enumerated() {
            XCTAssertGreaterThan(meanDifference(out, reference), 1, "\(pairs[k]) looks like moments")
        }
    }

    /// Two styles split by a mask: tiled equals untiled within one level for every match; a
    /// mask that is all foreground (all background) gives the first (second) style's run.
    func testMaskedRuns() throws {
        let e = try engine()
        func mask(_ white: (Int, Int) -> Bool) -> Image {
            var rgb = [UInt8](repeating: 0, count: content.pixelCount * 3)
            for y in 0..<content.height { for x in 0..<content.width where white(x, y) { for k in 0..<3 { rgb[(y * content.width + x) * 3 + k] = 255 } } }
            return Image(width: content.width, height: content.height, rgb: rgb)
        }
        let half = mask { x, _ in x < 70 }
        for match in [StatisticMatch.covariance, .distribution] {   // moments: TilingTests, StatisticSwapTests
            var o = options(match)
            let untiled = try e.stylize(content, styles: [styleA, styleB], options: o, mask: half)
            o.tileSize = 80
            let tiled = try e.stylize(content, styles: [styleA, styleB], options: o, mask: half)
            XCTAssertLessThanOrEqual(maxDifference(tiled, untiled), 1, "\(match)")
            guard match == .covariance else { continue }
            let plain = options(match)
            XCTAssertLessThanOrEqual(maxDifference(try e.stylize(content, styles: [styleA, styleB], options: plain, mask: mask { _, _ in true }),
                                                   try self.plain(match)), 1, "\(match): all foreground")
            XCTAssertLessThanOrEqual(maxDifference(try e.stylize(content, styles: [styleA, styleB], options: plain, mask: mask { _, _ in false }),
                                                   try e.stylize(content, styles: [styleB], options: plain)), 1, "\(match): all background")
        }
    }

    /// The engine's untiled run is exactly encode, `FeatureMatcher` (style statistics, the
    /// content's own statistics, the plan), decode: the wiring adds nothing of its own.
    func testEngineRunsTheMatcher() throws {
        let e = try engine()
        let model = try e.adainNetwork()
        let styleImage = Self.discs
        for (match, norm) in pairs {
            let matcher = try FeatureMatcher(model: model, norm: norm, match: match)
            let style = try matcher.styleStatistics(of: model.encodeStyle(Tensor(image: styleImage)))
            let (features, geometry) = model.encodeContent(Tensor(image: content))
            let direct = Image(tensor: model.decode(try matcher.apply(content: features, styles: [(style, 1)], alpha: 0.9), geometry: geometry))
            var o = options(match, norm)
            o.alpha = 0.9
            XCTAssertTrue(try e.stylize(content, styles: [styleA], options: o) == direct, "\(match) \(norm)")
        }
    }

    /// Style mixing: the mix is the matches' stated rule (colouring matrices and means mixed
    /// for covariance, quantile functions for distribution), so weights (1, 0) give exactly
    /// the first style, and (0.5, 0.5) lies between the two.
    func testStyleMixing() throws {
        let e = try engine()
        for match in [StatisticMatch.covariance, .distribution] {
            var o = options(match)
            let a = try plain(match)
            let b = try e.stylize(content, styles: [styleB], options: o)
            o.styleWeights = [1, 0]
            XCTAssertTrue(try e.stylize(content, styles: [styleA, styleB], options: o) == a, "\(match)")
            o.styleWeights = [0.5, 0.5]
            let mixed = try e.stylize(content, styles: [styleA, styleB], options: o)
            let ab = meanDifference(a, b)
            XCTAssertGreaterThan(ab, 2, "\(match): the styles must differ for the test to mean something")
            XCTAssertLessThan(meanDifference(mixed, a), ab, "\(match)")
            XCTAssertLessThan(meanDifference(mixed, b), ab, "\(match)")
        }
    }

    /// alpha 0 gives the content through the encoder and decoder, whatever the match; alpha
    /// moves the output monotonically away from it.
    func testAlpha() throws {
        let e = try engine()
        var zero = options(.moments)
        zero.alpha = 0
        let reconstruction = try e.stylize(content, styles: [styleA], options: zero)
        for match in [StatisticMatch.covariance, .distribution] {
            var o = options(match)
            o.alpha = 0
            XCTAssertTrue(try e.stylize(content, styles: [styleA], options: o) == reconstruction, "\(match)")
            o.alpha = 0.5
            let half = meanDifference(try e.stylize(content, styles: [styleA], options: o), reconstruction)
            let full = meanDifference(try plain(match), reconstruction)
            XCTAssertGreaterThan(half, 0.5, "\(match)")
            XCTAssertGreaterThan(full, half, "\(match)")
        }
    }

    /// --preserve-color recolours the style to the content's colour mean and covariance before
    /// its statistics are taken, for every match: the run equals one with the recoloured style
    /// given as the style (up to the 8-bit rounding of that style image), and differs from the
    /// plain run.
    func testPreserveColor() throws {
        let e = try engine()
        let recoloured = Image(tensor: clamp01(try ColorPreservation.matchColors(of: Tensor(image: Self.discs), to: Tensor(image: content))))
        for match in [StatisticMatch.covariance, .distribution] {
            var o = options(match)
            let plain = try plain(match)
            let given = try e.stylize(content, styles: [.image(recoloured, name: "recoloured")], options: o)
            o.preserveColor = true
            let kept = try e.stylize(content, styles: [styleA], options: o)
            XCTAssertLessThan(meanDifference(kept, given), 0.5, "\(match)")
            XCTAssertGreaterThan(meanDifference(kept, plain), 3, "\(match)")
        }
    }

    /// Statistics policies (video --stats) for the covariance match: a clip of one frame and a
    /// running average with momentum 1 give exactly the frame's own result; the batch match
    /// whitened with the frame's own statistics equals the instance match (one frame is a batch
    /// of one); the distribution match's own statistics through a policy equal the plain run.
    func testStatisticsPolicies() throws {
        let e = try engine()
        for norm in [NormKind.instance, .batch] {
            let o = options(.covariance, norm)
            let frame = try e.stylize(content, styles: [styleA], options: o, statistics: .own)
            let stats = try e.contentStatistics(content, styles: [styleA], options: o)
            guard case .covariance(let c)? = stats.first else { return XCTFail("\(norm): not a covariance") }
            XCTAssertEqual(c.kind, norm)
            XCTAssertTrue(try e.stylize(content, styles: [styleA], options: o, statistics: .fixed(stats)) == frame, "\(norm)")
            if norm == .instance { XCTAssertTrue(try plain(.covariance) == frame) }
            if norm == .batch {
                XCTAssertTrue(frame == (try plain(.covariance)), "batch of one frame = instance")
                XCTAssertFalse(try e.stylize(content, styles: [styleA], options: o) == frame, "the population whitens otherwise")
            }
        }
        let d = options(.distribution)
        XCTAssertTrue(try e.stylize(content, styles: [styleA], options: d, statistics: .own) == (try plain(.distribution)))
        XCTAssertThrowsError(try e.stylize(content, styles: [styleA], options: d,
                                           statistics: .fixed(e.contentStatistics(content, styles: [styleA], options: options(.moments)))))
    }

    /// Combinations without meaning are refused by the one validator: an `OptionError` naming
    /// `match`, the reason, and what it combines with, in each front end's words.
    func testRefusals() throws {
        for (match, norm, reason) in [(StatisticMatch.covariance, NormKind.layer, "no channel-by-channel covariance"),
                                      (.distribution, .group(groups: 8), "matched per channel only"),
                                      (.distribution, .batch, "population distribution")] {
            XCTAssertThrowsError(try options(match, norm).validate(styleCount: 1)) { error in
                let e = error as? OptionError
                XCTAssertEqual(e?.option, .match)
                let flags = e?.rendered(.flag) ?? "", fields = e?.rendered(.field) ?? ""
                XCTAssertTrue(flags.hasPrefix("--match \(match) does not combine with --norm \(norm.name): "), flags)
                XCTAssertTrue(flags.contains(reason), flags)
                XCTAssertTrue(flags.hasSuffix("it combines with --norm \(match.normNames.joined(separator: ", "))"), flags)
                XCTAssertTrue(fields.hasPrefix("match \(match) does not combine with norm \(norm.name): "), fields)
            }
        }
        XCTAssertThrowsError(try StyleEngine.validate(family: .magenta, styles: [styleA], options: options(.covariance))) { error in
            XCTAssertEqual((error as? OptionError)?.option, .match)
            XCTAssertTrue("\(error)".contains("Magenta's conditional instance norms"), "\(error)")
        }
        XCTAssertNoThrow(try StyleEngine.validate(family: .magenta, styles: [styleA], options: options(.moments)))
        XCTAssertNoThrow(try StyleEngine.validate(family: .magenta, styles: [styleA], options: options(nil)))

        // Weights without a population covariance: the batch covariance match says what is missing.
        let root = try makeTemporaryFolder(self)
        try TinyModels.mobile(to: root + "/tiny.safetensors")
        let tiny = try StyleEngine(weights: root + "/tiny.safetensors")
        XCTAssertThrowsError(try tiny.stylize(content, styles: [styleA], options: options(.covariance, .batch))) { error in
            XCTAssertTrue("\(error)".contains("population covariance"), "\(error)")
        }
    }

    /// The style cache keeps each match's statistics apart (the key names the match) and counts
    /// their bytes: a covariance target is a C x C colouring matrix, a distribution table C x 1024.
    func testStyleCacheKeysAndBytes() throws {
        let e = try StyleEngine(weights: Self.weights)
        guard case .adain(let family) = e.loaded else { return XCTFail("not the adain family") }
        for match in StatisticMatch.allCases { _ = try e.stylize(content, styles: [styleA], options: options(match)) }
        let keys = family.styleCache.keys
        XCTAssertEqual(keys.count, 3)
        for match in StatisticMatch.allCases { XCTAssertEqual(keys.filter { $0.contains("|\(match)|") }.count, 1, "\(keys)") }
        let c = 192
        XCTAssertGreaterThanOrEqual(family.styleCache.bytes, 8 * (c * c + c * StyleQuantiles.defaultLevels))
        XCTAssertLessThan(family.styleCache.bytes, 8 * (c * c + c * StyleQuantiles.defaultLevels) + 20_000)
    }

    /// The memory plan counts each match's working memory (`MemoryBudget.matchBytes`), and a
    /// 24-megapixel photo is planned in tiles within the default budget for every match.
    func testMemoryPlan() throws {
        let e = try engine()
        var o = options(.moments)
        o.maxMemoryBytes = 100_000_000_000
        let base = try e.plan(width: 640, height: 480, options: o).estimatedPeakBytes
        for match in [StatisticMatch.covariance, .distribution] {
            o.match = match
            XCTAssertEqual(try e.plan(width: 640, height: 480, options: o).estimatedPeakBytes - base,
                           MemoryBudget.matchBytes(match, channels: 192), "\(match)")
        }
        XCTAssertEqual(MemoryBudget.matchBytes(.covariance, channels: 192), 7_077_888)
        XCTAssertEqual(MemoryBudget.matchBytes(.distribution, channels: 192), 12_582_912)
        for match in StatisticMatch.allCases {
            var big = options(match)
            big.maxMemoryBytes = MemoryBudget.defaultBytes
            let plan = try e.plan(width: 6000, height: 4000, options: big)
            XCTAssertTrue(plan.isTiled, "\(match)")
            XCTAssertLessThanOrEqual(plan.estimatedPeakBytes, MemoryBudget.defaultBytes, "\(match)")
        }
    }
}
