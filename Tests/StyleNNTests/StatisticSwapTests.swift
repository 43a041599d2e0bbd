import XCTest
@_spi(Testing) import StyleTensor
@_spi(Testing) import StyleKernels
@testable import StyleNN
import StylizeTestSupport

final class StatisticSwapTests: XCTestCase {
    // MARK: Against pytorch-AdaIN (golden values from Golden/make_golden.py)

    /// Plain AdaIN with the default convention (unbiased variance, eps 1e-5) equals
    /// pytorch-AdaIN's adaptive_instance_normalization.
    func testAdaINMatchesPytorchAdaIN() throws {
        let g = try Golden.load("adain")
        let swap = try StatisticSwap(kind: .instance)
        let style = try swap.styleStatistics(of: Golden.tensor(g["style1"]))
        let t = try swap.apply(content: Golden.tensor(g["content"]), styles: [WeightedStyle(style)])
        reportDeviation("AdaIN (instance swap)", maxDeviation(t, Golden.tensor(g["adain"])), limit: 2e-5)
    }

    /// Style interpolation with alpha as in pytorch-AdaIN's test.py.
    func testMixingAndAlphaMatchPytorchAdaIN() throws {
        let g = try Golden.load("adain")
        let swap = try StatisticSwap(kind: .instance)
        let weights = Golden.floats(g["mix_weights"]), alpha = (g["mix_alpha"] as! NSNumber).floatValue
        let s1 = try swap.styleStatistics(of: crop(Golden.tensor(g["style1"]), rows: 4, cols: 4))
        let s2 = try swap.styleStatistics(of: Golden.tensor(g["style2"]))
        let t = try swap.apply(content: Golden.tensor(g["content"]),
                               styles: [WeightedStyle(s1, weight: weights[0]), WeightedStyle(s2, weight: weights[1])], alpha: alpha)
        reportDeviation("AdaIN style mix + alpha", maxDeviation(t, Golden.tensor(g["mix"])), limit: 2e-5)
    }

    /// Spatial control as AdaIN's test.lua: content statistics per mask region.
    func testSpatialControlMatchesReference() throws {
        let g = try Golden.load("adain")
        let swap = try StatisticSwap(kind: .instance)
        let fg = try swap.styleStatistics(of: Golden.tensor(g["style1"]))
        let bg = try swap.styleStatistics(of: Golden.tensor(g["style2"]))
        let t = try swap.apply(content: Golden.tensor(g["content"]), mask: Golden.tensor(g["mask"]),
                               foreground: [WeightedStyle(fg)], background: [WeightedStyle(bg)])
        reportDeviation("AdaIN spatial control (mask)", maxDeviation(t, Golden.tensor(g["masked"])), limit: 2e-5)
    }

    // MARK: Identities

    func allSwaps(for content: Tensor) throws -> [StatisticSwap] {
        let population = try StatisticSwap.populationStatistics(of: [content])
        return [try StatisticSwap(kind: .instance), try StatisticSwap(kind: .layer), try StatisticSwap(kind: .group(groups: 4)),
                try StatisticSwap(kind: .batch, populationMean: population.mean, populationVariance: population.variance),
                try StatisticSwap(kind: .instance, convention: .biased)]
    }

    func testAlphaZeroReturnsContentExactly() throws {
        var rng = SeededRandom(seed: 10)
        let content = rng.tensor(Shape(n: 2, h: 5, w: 6, c: 8), scale: 4, shift: 1)
        let style = rng.tensor(Shape(n: 1, h: 7, w: 3, c: 8), scale: 9, shift: -2)
        var mask = Tensor(shape: Shape(n: 1, h: 5, w: 6, c: 1))
        for p in 0..<15 { mask.data[p] = 1 }
        for swap in try allSwaps(for: content) {
            let s = try swap.styleStatistics(of: style)
            XCTAssertEqual(try swap.apply(content: content, styles: [WeightedStyle(s)], alpha: 0), content, "\(swap.kind)")
            XCTAssertEqual(try swap.apply(content: content, mask: mask, foreground: [WeightedStyle(s)],
                                          background: [WeightedStyle(s, weight: 2)], alpha: 0), content, "\(swap.kind) masked")
        }
    }

    func testSwappingWithOwnStatisticsIsIdentity() throws {
        var rng = SeededRandom(seed: 11)
        let content = rng.tensor(Shape(n: 1, h: 6, w: 7, c: 8), scale: 3, shift: 2)
        for swap in try allSwaps(for: content) {
            let own = try swap.styleStatistics(of: content)
            let t = try swap.apply(content: content, styles: [WeightedStyle(own)])
            XCTAssertLessThan(maxDeviation(t, content), 2e-6 * 5, "\(swap.kind)")
        }
    }

    /// One style with weight 1 is plain AdaIN, computed here from the formula with naive statistics.
    func testSingleStyleWeightOneEqualsNaiveAdaIN() throws {
        var rng = SeededRandom(seed: 12)
        let content = rng.tensor(Shape(n: 2, h: 4, w: 5, c: 6), scale: 2, shift: 1)
        let style = rng.tensor(Shape(n: 1, h: 6, w: 3, c: 6), scale: 5, shift: -1)
        let swap = try StatisticSwap(kind: .instance)
        let s = try swap.styleStatistics(of: style)
        let t = try swap.apply(content: content, styles: [WeightedStyle(s, weight: 1)])
        for n in 0..<2 { for c in 0..<6 {
            let mc = naiveMoments(content) { nn, _, _, cc in nn == n && cc == c }
            let ms = naiveMoments(style) { _, _, _, cc in cc == c }
            let sigmaC = (mc.variance * mc.count / (mc.count - 1) + 1e-5).squareRoot()
            let sigmaS = (ms.variance * ms.count / (ms.count - 1) + 1e-5).squareRoot()
            for y in 0..<4 { for x in 0..<5 {
                let expected = sigmaS * (Double(content[n, y, x, c]) - mc.mean) / sigmaC + ms.mean
                XCTAssertEqual(Double(t[n, y, x, c]), expected, accuracy: 2e-5)
            } }
        } }
        // Weights are normalised: a lone weight of 3.7 is the same swap.
        XCTAssertEqual(try swap.apply(content: content, styles: [WeightedStyle(s, weight: 3.7)]), t)
    }

    /// Mixing the swapped targets: t = sum_k w_k AdaIN(f_c, f_s_k) with normalised weights, and the alpha blend.
    func testMixingIsWeightedSumOfSwaps() throws {
        var rng = SeededRandom(seed: 13)
        let content = rng.tensor(Shape(n: 1, h: 5, w: 5, c: 4), scale: 2)
        let styles = (0..<3).map { k in rng.tensor(Shape(n: 1, h: 4, w: 4, c: 4), scale: Float(k + 1), shift: Float(k)) }
        let weights: [Float] = [2, 1, 1]
        for swap in try allSwaps(for: content) {
            let stats = try styles.map { try swap.styleStatistics(of: $0) }
            let singles = try stats.map { try swap.apply(content: content, styles: [WeightedStyle($0)]) }
            let mixed = try swap.apply(content: content, styles: zip(stats, weights).map { WeightedStyle($0, weight: $1) }, alpha: 0.7)
            for i in content.data.indices {
                let t = (2 * singles[0].data[i] + singles[1].data[i] + singles[2].data[i]) / 4
                XCTAssertEqual(mixed.data[i], 0.7 * t + 0.3 * content.data[i], accuracy: 3e-5, "\(swap.kind)")
            }
        }
    }

    /// Style statistics with one row per content sample pair up sample by sample.
    func testPairwiseStylesPerSample() throws {
        var rng = SeededRandom(seed: 22)
        let content = rng.tensor(Shape(n: 2, h: 3, w: 3, c: 4), scale: 2)
        let style = rng.tensor(Shape(n: 2, h: 4, w: 2, c: 4), scale: 3, shift: 1)
        let swap = try StatisticSwap(kind: .instance)
        let both = try swap.apply(content: content, styles: [WeightedStyle(swap.styleStatistics(of: style))])
        for n in 0..<2 {
            let c1 = Tensor(shape: Shape(n: 1, h: 3, w: 3, c: 4), data: Array(content.data[(n * 36)..<((n + 1) * 36)]))
            let s1 = Tensor(shape: Shape(n: 1, h: 4, w: 2, c: 4), data: Array(style.data[(n * 32)..<((n + 1) * 32)]))
            let one = try swap.apply(content: c1, styles: [WeightedStyle(swap.styleStatistics(of: s1))])
            XCTAssertEqual(Array(both.data[(n * 36)..<((n + 1) * 36)]), one.data)
        }
        XCTAssertEqual(NormKind.batch.swapName, "AdaBN")
        XCTAssertTrue(NormKind.batch.swapCaption.contains("population"))
    }

    // MARK: Variants

    /// AdaBN: the content is normalised with the population statistics, then given the style's per-channel statistics.
    func testBatchSwapUsesPopulationStatistics() throws {
        var rng = SeededRandom(seed: 14)
        let content = rng.tensor(Shape(n: 1, h: 4, w: 4, c: 3), scale: 2, shift: 1)
        let style = rng.tensor(Shape(n: 2, h: 3, w: 3, c: 3), scale: 4, shift: -1)
        let popMean: [Float] = [0.5, -1, 2], popVar: [Float] = [4, 0.5, 9]
        let swap = try StatisticSwap(kind: .batch, populationMean: popMean, populationVariance: popVar)
        let s = try swap.styleStatistics(of: style)
        XCTAssertEqual(s.rows, 1)
        let t = try swap.apply(content: content, styles: [WeightedStyle(s)])
        for c in 0..<3 {
            let ms = naiveMoments(style) { _, _, _, cc in cc == c }   // over N, H, W of the style
            let sigmaS = (ms.variance * ms.count / (ms.count - 1) + 1e-5).squareRoot()
            let sigmaC = (Double(popVar[c]) + 1e-5).squareRoot()
            for y in 0..<4 { for x in 0..<4 {
                XCTAssertEqual(Double(t[0, y, x, c]), sigmaS * (Double(content[0, y, x, c]) - Double(popMean[c])) / sigmaC + ms.mean, accuracy: 2e-5)
            } }
        }
        // Unlike batch statistics of one image, population statistics keep the content's contrast:
        // a content with twice the contrast comes out with twice the spread (AdaIN would erase it).
        let doubled = Tensor(shape: content.shape, data: content.data.map { 2 * $0 })
        let single = try StatisticSwap(kind: .instance)
        let firstStyle = Tensor(shape: Shape(n: 1, h: 3, w: 3, c: 3), data: Array(style.data[0..<27]))
        let adain1 = try single.apply(content: content, styles: [WeightedStyle(single.styleStatistics(of: firstStyle))])
        let adain2 = try single.apply(content: doubled, styles: [WeightedStyle(single.styleStatistics(of: firstStyle))])
        XCTAssertLessThan(maxDeviation(adain1, adain2), 1e-4)
        let t2 = try swap.apply(content: doubled, styles: [WeightedStyle(s)])
        let spread = { (x: Tensor) in naiveMoments(x) { _, _, _, c in c == 0 }.variance }
        XCTAssertEqual(spread(t2) / spread(t), 4, accuracy: 1e-3)
    }

    /// AdaLN: one mean/std per sample over C, H, W; AdaGN: per group.
    func testLayerAndGroupSwapsMatchNaiveFormula() throws {
        var rng = SeededRandom(seed: 15)
        let content = rng.tensor(Shape(n: 2, h: 3, w: 4, c: 6), scale: 2, shift: 1)
        let style = rng.tensor(Shape(n: 1, h: 5, w: 2, c: 6), scale: 3, shift: -2)
        for (kind, groupOf) in [(NormKind.layer, { (_: Int) in 0 }), (.group(groups: 3), { (c: Int) in c / 2 })] {
            let swap = try StatisticSwap(kind: kind)
            let t = try swap.apply(content: content, styles: [WeightedStyle(swap.styleStatistics(of: style))])
            for n in 0..<2 { for c in 0..<6 {
                let g = groupOf(c)
                let mc = naiveMoments(content) { nn, _, _, cc in nn == n && groupOf(cc) == g }
                let ms = naiveMoments(style) { _, _, _, cc in groupOf(cc) == g }
                let sigmaC = (mc.variance * mc.count / (mc.count - 1) + 1e-5).squareRoot()
                let sigmaS = (ms.variance * ms.count / (ms.count - 1) + 1e-5).squareRoot()
                for y in 0..<3 { for x in 0..<4 {
                    XCTAssertEqual(Double(t[n, y, x, c]), sigmaS * (Double(content[n, y, x, c]) - mc.mean) / sigmaC + ms.mean, accuracy: 2e-5, "\(kind)")
                } }
            } }
        }
    }

    /// The biased convention (original Torch AdaIN) divides by the count.
    func testBiasedConvention() throws {
        var rng = SeededRandom(seed: 16)
        let x = rng.tensor(Shape(n: 1, h: 3, w: 3, c: 2), scale: 2)
        let stats = try FeatureStatistics(of: x, kind: .instance)
        let m = naiveMoments(x) { _, _, _, c in c == 1 }
        XCTAssertEqual(stats.standardDeviation(convention: .biased, eps: 1e-5)[1], (m.variance + 1e-5).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(stats.standardDeviation(convention: .unbiased, eps: 1e-5)[1], (m.variance * 9 / 8 + 1e-5).squareRoot(), accuracy: 1e-12)
        // A single value: unbiased variance is defined as 0 (std = sqrt(eps)), not NaN.
        let one = try FeatureStatistics(of: Tensor(shape: Shape(n: 1, h: 1, w: 1, c: 2), data: [3, 4]), kind: .instance)
        for std in one.standardDeviation(convention: .unbiased, eps: 1e-4) { XCTAssertEqual(std, 0.01, accuracy: 1e-9) }
    }

    // MARK: Spatial control

    /// Foreground pixels receive the foreground style, background pixels the background style;
    /// changing one region's style leaves the other region's pixels bit for bit unchanged.
    func testMaskSelectsRegions() throws {
        var rng = SeededRandom(seed: 17)
        let content = rng.tensor(Shape(n: 1, h: 6, w: 6, c: 4), scale: 2, shift: 1)
        var mask = Tensor(shape: Shape(n: 1, h: 6, w: 6, c: 1))
        for y in 0..<6 { for x in 0..<3 { mask[0, y, x, 0] = 1 } }   // left half foreground
        let swap = try StatisticSwap(kind: .instance)
        let a = try swap.styleStatistics(of: rng.tensor(Shape(n: 1, h: 5, w: 5, c: 4), scale: 5, shift: 10))
        let b = try swap.styleStatistics(of: rng.tensor(Shape(n: 1, h: 5, w: 5, c: 4), scale: 0.5, shift: -3))
        let c = try swap.styleStatistics(of: rng.tensor(Shape(n: 1, h: 5, w: 5, c: 4), scale: 1, shift: 0))
        let ab = try swap.apply(content: content, mask: mask, foreground: [WeightedStyle(a)], background: [WeightedStyle(b)])
        let ac = try swap.apply(content: content, mask: mask, foreground: [WeightedStyle(a)], background: [WeightedStyle(c)])
        let aStd = a.standardDeviation(convention: .unbiased, eps: 1e-5), bStd = b.standardDeviation(convention: .unbiased, eps: 1e-5)
        for ch in 0..<4 {
            for y in 0..<6 { for x in 0..<6 {
                if x < 3 { XCTAssertEqual(ab[0, y, x, ch], ac[0, y, x, ch]) } else { XCTAssertNotEqual(ab[0, y, x, ch], ac[0, y, x, ch]) }
            } }
            // Each region takes its style's mean and (up to eps) std, its content statistics taken over the region only.
            let fg = naiveMoments(ab) { _, _, x, cc in cc == ch && x < 3 }, bg = naiveMoments(ab) { _, _, x, cc in cc == ch && x >= 3 }
            XCTAssertEqual(fg.mean, a.mean[ch], accuracy: 1e-4)
            XCTAssertEqual(bg.mean, b.mean[ch], accuracy: 1e-4)
            XCTAssertEqual((fg.variance * 18 / 17).squareRoot(), aStd[ch], accuracy: 1e-3 * aStd[ch])
            XCTAssertEqual((bg.variance * 18 / 17).squareRoot(), bStd[ch], accuracy: 1e-3 * bStd[ch])
        }
        // A mask that is all foreground is the unmasked swap.
        let all = Tensor(shape: mask.shape, repeating: 1)
        let whole = try swap.apply(content: content, styles: [WeightedStyle(a)])
        XCTAssertEqual(try swap.apply(content: content, mask: all, foreground: [WeightedStyle(a)], background: [WeightedStyle(b)]), whole)
    }

    /// Style statistics over a masked part of the style image equal those of the cropped part.
    func testMaskedStyleStatistics() throws {
        var rng = SeededRandom(seed: 18)
        let style = rng.tensor(Shape(n: 1, h: 4, w: 6, c: 3), scale: 3)
        var mask = Tensor(shape: Shape(n: 1, h: 4, w: 6, c: 1))
        for y in 0..<2 { for x in 0..<3 { mask[0, y, x, 0] = 0.9 } }
        let swap = try StatisticSwap(kind: .instance)
        let masked = try swap.styleStatistics(of: style, mask: mask)
        let cropped = try swap.styleStatistics(of: crop(style, rows: 2, cols: 3))
        XCTAssertEqual(masked.count, cropped.count)
        for i in 0..<3 {
            XCTAssertEqual(masked.mean[i], cropped.mean[i], accuracy: 1e-12)
            XCTAssertEqual(masked.variance[i], cropped.variance[i], accuracy: 1e-12)
        }
    }

    // MARK: Statistics plumbing

    /// Statistics of two tiles merged equal the statistics of the whole (for tiled processing).
    func testMergedStatisticsEqualWhole() throws {
        var rng = SeededRandom(seed: 19)
        let whole = rng.tensor(Shape(n: 1, h: 7, w: 5, c: 8), scale: 3, shift: 5)
        let top = crop(whole, rows: 3, cols: 5), bottom = crop(whole, rowRange: 3..<7, cols: 5)
        for kind in [NormKind.instance, .batch, .layer, .group(groups: 2)] {
            let merged = try FeatureStatistics(of: top, kind: kind).merged(with: FeatureStatistics(of: bottom, kind: kind))
            let direct = try FeatureStatistics(of: whole, kind: kind)
            XCTAssertEqual(merged.count, direct.count)
            for i in merged.mean.indices {
                XCTAssertEqual(merged.mean[i], direct.mean[i], accuracy: 1e-12)
                XCTAssertEqual(merged.variance[i], direct.variance[i], accuracy: 1e-11)
            }
        }
    }

    /// Population statistics over several contents: per-channel mean and unbiased variance of all their values.
    func testPopulationStatistics() throws {
        var rng = SeededRandom(seed: 20)
        let a = rng.tensor(Shape(n: 1, h: 3, w: 4, c: 2), scale: 2, shift: 1)
        let b = rng.tensor(Shape(n: 2, h: 2, w: 5, c: 2), scale: 5, shift: -1)
        let population = try StatisticSwap.populationStatistics(of: [a, b])
        for c in 0..<2 {
            let values = (a.data + b.data).enumerated().filter { $0.offset % 2 == c }.map { Double($0.element) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            XCTAssertEqual(Double(population.mean[c]), mean, accuracy: 1e-6)
            XCTAssertEqual(Double(population.variance[c]), variance, accuracy: 1e-5)
        }
    }

    func testErrors() throws {
        let content = Tensor(shape: Shape(n: 1, h: 2, w: 2, c: 4), data: (0..<16).map(Float.init))
        XCTAssertThrowsError(try StatisticSwap(kind: .batch)) { XCTAssertEqual($0 as? SwapError, .missingPopulationStatistics) }
        XCTAssertThrowsError(try StatisticSwap(kind: .batch, populationMean: [0, 0], populationVariance: [1])) {
            XCTAssertEqual($0 as? SwapError, .populationCount(mean: 2, variance: 1, channels: nil))
        }
        XCTAssertThrowsError(try StatisticSwap(kind: .batch, populationMean: [0], populationVariance: [-1])) {
            XCTAssertEqual($0 as? SwapError, .invalidPopulationVariance(channel: 0, value: -1))
        }
        let batch = try StatisticSwap(kind: .batch, populationMean: [0, 0, 0], populationVariance: [1, 1, 1])
        let batchStats = try batch.styleStatistics(of: content)
        XCTAssertThrowsError(try batch.apply(content: content, styles: [WeightedStyle(batchStats)])) {
            XCTAssertEqual($0 as? SwapError, .populationCount(mean: 3, variance: 3, channels: 4))
        }
        let swap = try StatisticSwap(kind: .instance)
        let s = try swap.styleStatistics(of: content)
        XCTAssertThrowsError(try swap.apply(content: content, styles: [])) { XCTAssertEqual($0 as? SwapError, .noStyles) }
        XCTAssertThrowsError(try swap.apply(content: content, styles: [WeightedStyle(s, weight: 0)])) {
            XCTAssertEqual($0 as? SwapError, .invalidWeights([0]))
        }
        XCTAssertThrowsError(try swap.apply(content: content, styles: [WeightedStyle(s, weight: -1), WeightedStyle(s, weight: 2)]))
        XCTAssertThrowsError(try swap.apply(content: content, styles: [WeightedStyle(s)], alpha: 1.5)) {
            XCTAssertEqual($0 as? SwapError, .invalidAlpha(1.5))
        }
        XCTAssertThrowsError(try swap.apply(content: content, styles: [WeightedStyle(batchStats)])) {
            XCTAssertEqual($0 as? SwapError, .kindMismatch(swap: .instance, statistics: .batch))
        }
        let wide = try swap.styleStatistics(of: Tensor(shape: Shape(n: 1, h: 2, w: 2, c: 8), repeating: 1))
        XCTAssertThrowsError(try swap.apply(content: content, styles: [WeightedStyle(wide)])) {
            XCTAssertEqual($0 as? SwapError, .channelMismatch(content: 4, statistics: 8))
        }
        let badMask = Tensor(shape: Shape(n: 1, h: 3, w: 2, c: 1))
        XCTAssertThrowsError(try swap.apply(content: content, mask: badMask, foreground: [WeightedStyle(s)], background: [WeightedStyle(s)])) {
            XCTAssertEqual($0 as? SwapError, .maskShape(mask: badMask.shape, features: content.shape))
        }
        XCTAssertThrowsError(try StatisticSwap(kind: .group(groups: 3)).styleStatistics(of: content)) {
            XCTAssertEqual($0 as? NormError, .groupsDoNotDivideChannels(groups: 3, channels: 4))
        }
        XCTAssertThrowsError(try StatisticSwap(kind: .instance, eps: -1)) { XCTAssertEqual($0 as? SwapError, .invalidEpsilon(-1)) }
    }

    /// Swap results do not depend on the thread count.
    func testBitIdenticalAcrossThreadCounts() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 21)
        let content = rng.tensor(Shape(n: 1, h: 40, w: 30, c: 32), scale: 3, shift: 1)
        let style = rng.tensor(Shape(n: 1, h: 20, w: 20, c: 32), scale: 5)
        var results: [[UInt32]] = []
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let swap = try StatisticSwap(kind: .group(groups: 8))
            results.append(try swap.apply(content: content, styles: [WeightedStyle(swap.styleStatistics(of: style))], alpha: 0.8).data.map(\.bitPattern))
        }
        XCTAssertEqual(results[1], results[0])
        XCTAssertEqual(results[2], results[0])
    }
}

/// The top-left `rows` x `cols` of every sample.
func crop(_ t: Tensor, rows: Int, cols: Int) -> Tensor { crop(t, rowRange: 0..<rows, cols: cols) }

func crop(_ t: Tensor, rowRange: Range<Int>, cols: Int) -> Tensor {
    var out = Tensor(shape: Shape(n: t.shape.n, h: rowRange.count, w: cols, c: t.shape.c))
    for n in 0..<t.shape.n { for (y, row) in rowRange.enumerated() { for x in 0..<cols { for c in 0..<t.shape.c {
        out[n, y, x, c] = t[n, row, x, c]
    } } } }
    return out
}
