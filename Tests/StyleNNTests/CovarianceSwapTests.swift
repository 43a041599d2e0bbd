import XCTest
@_spi(Testing) import StyleKernels
import StyleTensor
@_spi(Testing) @testable import StyleNN
import StylizeTestSupport

final class CovarianceSwapTests: XCTestCase {
    private func target(_ swap: CovarianceSwap, _ t: Tensor, weight: Float = 1) throws -> WeightedCovariance {
        WeightedCovariance(try swap.styleTarget(of: t), weight: weight)
    }

    /// WCT equals the numpy WCT of Training/swaps.py (eigh, ridge 1e-5) on seeded features:
    /// full covariance, 2 groups, a two-style mix with alpha, and a mask. Float32 apply: 2e-5.
    func testAgainstNumpyWCT() throws {
        let g = try Golden.load("match")["wct"] as! [String: Any]
        let content = Golden.tensor(g["content"]), s1 = Golden.tensor(g["style1"]), s2 = Golden.tensor(g["style2"])
        let swap = try CovarianceSwap(kind: .instance)
        let plain = try swap.apply(content: content, styles: [target(swap, s1)])
        reportDeviation("WCT vs numpy", maxDeviation(plain, Golden.tensor(g["plain"])), limit: 2e-5)

        let group = try CovarianceSwap(kind: .group(groups: 2))
        reportDeviation("WCT G=2 vs numpy", maxDeviation(try group.apply(content: content, styles: [target(group, s1)]),
                                                        Golden.tensor(g["group2"])), limit: 2e-5)

        let w = Golden.floats(g["mix_weights"]), alpha = Golden.floats([g["mix_alpha"]!])[0]
        let mixed = try swap.apply(content: content, styles: [target(swap, s1, weight: w[0]), target(swap, s2, weight: w[1])], alpha: alpha)
        reportDeviation("WCT mix + alpha vs numpy", maxDeviation(mixed, Golden.tensor(g["mix"])), limit: 2e-5)

        let masked = try swap.apply(content: content, mask: Golden.tensor(g["mask"]), foreground: [target(swap, s1)],
                                    background: [target(swap, s2)])
        reportDeviation("WCT masked vs numpy", maxDeviation(masked, Golden.tensor(g["masked"])), limit: 2e-5)
    }

    /// The output's covariance is the style's (to the ridge's effect) and its mean the style's.
    func testOutputTakesTheStyleCovariance() throws {
        var rng = SeededRandom(seed: 3)
        let content = correlatedFeatures(&rng, Shape(n: 1, h: 40, w: 40, c: 10))
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 30, w: 50, c: 10))
        let swap = try CovarianceSwap(kind: .instance, eps: 0)
        let out = try swap.apply(content: content, styles: [target(swap, style)])
        let got = naiveCovariance(out), want = naiveCovariance(style)
        let scale = want.covariance.map(abs).max()!
        reportDeviation("output covariance vs style's (relative)", Float(maxDifference(got.covariance, want.covariance) / scale), limit: 1e-5)
        reportDeviation("output mean vs style's", Float(maxDifference(got.mean, want.mean)), limit: 1e-5)
    }

    /// With 1x1 blocks (G = C) the covariance match is the moments swap (AdaIN) exactly:
    /// sqrt(var_s + eps) / sqrt(var_c + eps), unbiased variances, eps 1e-5.
    func testOneByOneBlocksAreAdaIN() throws {
        var rng = SeededRandom(seed: 4)
        let content = correlatedFeatures(&rng, Shape(n: 1, h: 12, w: 13, c: 8))
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 9, w: 11, c: 8))
        let wct = try CovarianceSwap(kind: .group(groups: 8))
        let adain = try StatisticSwap(kind: .instance)
        let a = try wct.apply(content: content, styles: [target(wct, style)], alpha: 0.7)
        let b = try adain.apply(content: content, styles: [WeightedStyle(adain.styleStatistics(of: style))], alpha: 0.7)
        reportDeviation("WCT with 1x1 blocks vs AdaIN", maxDeviation(a, b), limit: 2e-6)
    }

    /// alpha = 0 gives the content back bit for bit; the output is linear in alpha.
    func testAlpha() throws {
        var rng = SeededRandom(seed: 8)
        let content = correlatedFeatures(&rng, Shape(n: 1, h: 9, w: 9, c: 16))
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 8, w: 8, c: 16))
        let swap = try CovarianceSwap(kind: .instance)
        let t = try target(swap, style)
        XCTAssertEqual(try swap.apply(content: content, styles: [t], alpha: 0), content)
        let full = try swap.apply(content: content, styles: [t], alpha: 1)
        let half = try swap.apply(content: content, styles: [t], alpha: 0.5)
        let expected = Tensor(shape: content.shape, data: zip(full.data, content.data).map { 0.5 * $0 + 0.5 * $1 })
        reportDeviation("alpha 0.5 vs the mean of alpha 1 and the content", maxDeviation(half, expected), limit: 1e-5)
    }

    /// Batch: the content is whitened with the population statistics, not its own.
    func testBatchUsesThePopulation() throws {
        var rng = SeededRandom(seed: 12)
        let a = correlatedFeatures(&rng, Shape(n: 1, h: 10, w: 10, c: 6))
        let b = correlatedFeatures(&rng, Shape(n: 1, h: 10, w: 10, c: 6))
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 10, w: 10, c: 6))
        let population = try CovarianceStatistics.population(of: [a, b])
        let batch = try CovarianceSwap(kind: .batch, population: population)
        let viaPopulation = try batch.apply(content: a, styles: [target(batch, style)])
        // The same as an instance swap told to use the population's statistics as the content's.
        let instance = try CovarianceSwap(kind: .instance)
        let asInstance = try CovarianceStatistics(kind: .instance, channels: 6, rows: 1, mean: population.mean,
                                                  comoment: population.comoment, count: population.count)
        let styleTarget = try instance.styleTarget(of: style)
        let expected = try instance.apply(content: a, styles: [WeightedCovariance(styleTarget)], contentStatistics: asInstance)
        reportDeviation("batch covariance vs instance with the population's statistics", maxDeviation(viaPopulation, expected), limit: 1e-6)
        XCTAssertGreaterThan(maxDeviation(viaPopulation, try instance.apply(content: a, styles: [WeightedCovariance(styleTarget)])), 1e-3)
        XCTAssertThrowsError(try CovarianceSwap(kind: .batch)) { XCTAssertEqual($0 as? MatchError, .missingPopulationCovariance) }
    }

    /// The per-pixel map (1x1 conv kernels) equals its naive twin within the float32 rounding
    /// bound of each output (u (k + 1) sum |terms|: the whitening matrix has large entries
    /// that cancel, so the bound, not the output's size, is the scale), and is bit-identical for
    /// any thread count; so is the whole swap.
    func testAffineMapAgainstNaiveAndThreads() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 13)
        let content = correlatedFeatures(&rng, Shape(n: 1, h: 33, w: 47, c: 48))
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 20, w: 20, c: 48))
        var outputs: [[UInt32]] = []
        for kind in [NormKind.instance, .group(groups: 4)] {
            let swap = try CovarianceSwap(kind: kind)
            let map = try swap.transform(content: swap.contentStatistics(of: content), styles: [target(swap, style)], alpha: 0.9)
            reportDeviation("affine map vs naive twin, \(kind) (in units of the float32 rounding bound)",
                            affineRoundingRatio(map.apply(to: content), map.applyNaive(to: content), map: map, input: content), limit: 1)
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                outputs.append(try swap.apply(content: content, styles: [target(swap, style)], alpha: 0.9).data.map(\.bitPattern))
            }
        }
        XCTAssertEqual(outputs[1], outputs[0]); XCTAssertEqual(outputs[2], outputs[0])
        XCTAssertEqual(outputs[4], outputs[3]); XCTAssertEqual(outputs[5], outputs[3])
    }
}
