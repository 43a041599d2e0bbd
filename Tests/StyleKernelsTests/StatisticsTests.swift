import XCTest
import CStyleKernels
@_spi(Testing) import StyleKernels
import StylizeTestSupport

/// The fast reductions against their naive twins on seeded random shapes
/// (1x1, odd sizes, channel counts that are not multiples of the block, 512
/// channels), and bit-identity across thread counts 1, 2 and 3.
final class StatisticsTests: XCTestCase {
    /// (samples, height, width, channels, groups)
    let shapes: [(Int, Int, Int, Int, Int)] = [
        (1, 1, 1, 1, 1), (1, 1, 1, 3, 3), (2, 3, 5, 7, 7), (3, 7, 1, 6, 2), (1, 4, 4, 17, 1),
        (2, 9, 11, 33, 11), (1, 5, 3, 512, 32), (2, 2, 3, 64, 4),
        // More pixels than one chunk (ReductionLayout.chunkPixels = 256), last chunk partial.
        (2, 23, 29, 5, 5), (1, 16, 32, 24, 6),
    ]

    func layouts(_ n: Int, _ pixels: Int, _ c: Int, _ g: Int) -> [ReductionLayout] {
        [.instance(samples: n, pixels: pixels, channels: c), .batch(samples: n, pixels: pixels, channels: c),
         .layer(samples: n, pixels: pixels, channels: c), .group(samples: n, pixels: pixels, channels: c, groups: g),
         ReductionLayout(samples: n, pixels: pixels, channels: c, groups: g, acrossSamples: true)]
    }

    struct Moments: Equatable { var mean: [Double]; var variance: [Double]; var count: [Double] }

    func fast(_ x: [Float], _ w: [Float]?, _ layout: ReductionLayout) -> Moments {
        var m = Moments(mean: .init(repeating: .nan, count: layout.slotCount),
                        variance: .init(repeating: .nan, count: layout.slotCount),
                        count: .init(repeating: .nan, count: layout.slotCount))
        var workspace = [Double](repeating: .nan, count: layout.workspaceCount)
        Self.withOptional(w) { wp in
            Statistics.moments(x, weights: wp, layout: layout, workspace: &workspace,
                               mean: &m.mean, variance: &m.variance, count: &m.count)
        }
        return m
    }

    func naive(_ x: [Float], _ w: [Float]?, _ layout: ReductionLayout) -> Moments {
        var m = Moments(mean: .init(repeating: .nan, count: layout.slotCount),
                        variance: .init(repeating: .nan, count: layout.slotCount),
                        count: .init(repeating: .nan, count: layout.slotCount))
        Self.withOptional(w) { wp in
            StatisticsNaive.moments(x, weights: wp, layout: layout, mean: &m.mean, variance: &m.variance, count: &m.count)
        }
        return m
    }

    static func withOptional<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let a = a else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Relative tolerance between fast and naive Double results: only the summation order differs.
    let tolerance = 1e-12

    func assertClose(_ a: Moments, _ b: Moments, _ what: String) {
        XCTAssertEqual(a.count, b.count, "count \(what)")
        for i in a.mean.indices {
            XCTAssertEqual(a.mean[i], b.mean[i], accuracy: tolerance * max(1, abs(b.mean[i])), "mean[\(i)] \(what)")
            XCTAssertEqual(a.variance[i], b.variance[i], accuracy: tolerance * max(1, abs(b.variance[i])), "variance[\(i)] \(what)")
        }
    }

    func testMomentsMatchNaive() {
        var rng = SeededRandom(seed: 42)
        for (n, h, w, c, g) in shapes {
            // An offset and a per-channel scale make means and variances differ per slot.
            let x = (0..<(n * h * w * c)).map { i in rng.float() * Float(1 + i % c % 5) + 3 }
            for layout in layouts(n, h * w, c, g) {
                assertClose(fast(x, nil, layout), naive(x, nil, layout), "\(n)x\(h)x\(w)x\(c) \(layout)")
            }
        }
    }

    func testWeightedMomentsMatchNaive() {
        var rng = SeededRandom(seed: 7)
        for (n, h, w, c, g) in shapes {
            let x = (0..<(n * h * w * c)).map { _ in rng.float() * 2 - 0.5 }
            // Binary masks (as spatial control uses) and fractional weights.
            let binary = (0..<(n * h * w)).map { _ in Float(rng.next() % 2) }
            let fractional = (0..<(n * h * w)).map { _ in (rng.float() + 1) / 2 }
            for weights in [binary, fractional] {
                for layout in layouts(n, h * w, c, g) {
                    assertClose(fast(x, weights, layout), naive(x, weights, layout), "weighted \(n)x\(h)x\(w)x\(c) \(layout)")
                }
            }
        }
    }

    /// The C partial sums (`sk_channel_sums`, a copy per small channel count) add the same
    /// terms in the same order as a plain loop: the same bits, with and without centers.
    func testChannelSumsEqualAPlainLoopBitForBit() {
        var rng = SeededRandom(seed: 77)
        for channels in [1, 2, 3, 4, 5, 8, 16, 24, 32, 40] {
            let pixels = 300
            let x = rng.floats(pixels * channels).map { $0 * 13 + 3 }
            let centers = rng.floats(channels).map { Double($0) * 2 }
            for center in [nil, centers] {
                var want = [Double](repeating: 0, count: channels)
                for p in 0..<pixels {
                    for c in 0..<channels {
                        let v = Double(x[p * channels + c])
                        if let center { let d = v - center[c]; want[c] += d * d } else { want[c] += v }
                    }
                }
                var got = [Double](repeating: .nan, count: channels)
                x.withUnsafeBufferPointer { xp in
                    got.withUnsafeMutableBufferPointer { gp in
                        if let center {
                            center.withUnsafeBufferPointer { sk_channel_sums(xp.baseAddress!, pixels, Int32(channels), $0.baseAddress!, gp.baseAddress!) }
                        } else {
                            sk_channel_sums(xp.baseAddress!, pixels, Int32(channels), nil, gp.baseAddress!)
                        }
                    }
                }
                XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(channels) channels, centered: \(center != nil)")
            }
        }
    }

    func testKnownValues() {
        // One sample, 2 pixels, 2 channels: channel 0 = {1, 3}, channel 1 = {10, 30}.
        let x: [Float] = [1, 10, 3, 30]
        let inst = fast(x, nil, .instance(samples: 1, pixels: 2, channels: 2))
        XCTAssertEqual(inst.mean, [2, 20])
        XCTAssertEqual(inst.variance, [1, 100])
        XCTAssertEqual(inst.count, [2, 2])
        let layer = fast(x, nil, .layer(samples: 1, pixels: 2, channels: 2))
        XCTAssertEqual(layer.mean, [11])
        XCTAssertEqual(layer.variance, [(100 + 1 + 64 + 361) / 4.0])
        // Masking out pixel 1 leaves one value per channel: variance 0.
        let masked = fast(x, [1, 0], .instance(samples: 1, pixels: 2, channels: 2))
        XCTAssertEqual(masked.mean, [1, 10])
        XCTAssertEqual(masked.variance, [0, 0])
        // An empty mask gives zeros, not NaN.
        let empty = fast(x, [0, 0], .instance(samples: 1, pixels: 2, channels: 2))
        XCTAssertEqual(empty, Moments(mean: [0, 0], variance: [0, 0], count: [0, 0]))
    }

    func testPartitionCoversSeveralChunks() {
        XCTAssertEqual(ReductionLayout.instance(samples: 2, pixels: 527, channels: 80).chunksPerSample, 3)
        XCTAssertEqual(ReductionLayout.instance(samples: 1, pixels: 256, channels: 1).chunksPerSample, 1)
    }

    func testMomentsBitIdenticalAcrossThreadCounts() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 99)
        let (n, h, w, c) = (2, 31, 17, 80)   // 527 pixels: three chunks per sample
        let x = (0..<(n * h * w * c)).map { _ in rng.float() * 100 }
        let weights = (0..<(n * h * w)).map { _ in Float(rng.next() % 3) / 2 }
        for layout in layouts(n, h * w, c, 8) {
            for wts in [nil, weights] {
                Parallel.threadCount = 1
                let reference = fast(x, wts, layout)
                for threads in [2, 3] {
                    Parallel.threadCount = threads
                    let other = fast(x, wts, layout)
                    XCTAssertEqual(other.mean.map(\.bitPattern), reference.mean.map(\.bitPattern), "\(threads) threads \(layout)")
                    XCTAssertEqual(other.variance.map(\.bitPattern), reference.variance.map(\.bitPattern), "\(threads) threads \(layout)")
                }
            }
        }
    }

    func testScaleShiftMatchesNaive() {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 5)
        for (n, h, w, c, _) in shapes + [(2, 40, 33, 5, 1)] {
            let count = n * h * w * c
            let x = (0..<count).map { _ in rng.float() * 4 }
            let sa = (0..<(n * c)).map { _ in rng.float() }, ba = (0..<(n * c)).map { _ in rng.float() }
            let sb = (0..<(n * c)).map { _ in rng.float() }, bb = (0..<(n * c)).map { _ in rng.float() }
            let mask = (0..<(n * h * w)).map { _ in (rng.float() + 1) / 2 }
            var expected = [Float](repeating: .nan, count: count)
            var expectedMasked = expected
            StatisticsNaive.scaleShift(x, &expected, samples: n, pixels: h * w, channels: c, scale: sa, shift: ba)
            StatisticsNaive.scaleShiftMasked(x, &expectedMasked, samples: n, pixels: h * w, channels: c, mask: mask,
                                             scaleA: sa, shiftA: ba, scaleB: sb, shiftB: bb)
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                var y = [Float](repeating: .nan, count: count)
                Statistics.scaleShift(x, &y, samples: n, pixels: h * w, channels: c, scale: sa, shift: ba)
                XCTAssertEqual(y.map(\.bitPattern), expected.map(\.bitPattern), "scaleShift \(n)x\(h)x\(w)x\(c)")
                var ym = [Float](repeating: .nan, count: count)
                Statistics.scaleShiftMasked(x, &ym, samples: n, pixels: h * w, channels: c, mask: mask,
                                            scaleA: sa, shiftA: ba, scaleB: sb, shiftB: bb)
                XCTAssertEqual(ym.map(\.bitPattern), expectedMasked.map(\.bitPattern), "scaleShiftMasked \(n)x\(h)x\(w)x\(c)")
            }
        }
    }

    func testScaleOneShiftZeroIsIdentity() {
        var rng = SeededRandom(seed: 11)
        var x = (0..<(3 * 4 * 19)).map { _ in rng.float() * 1e4 }
        x[0] = .leastNonzeroMagnitude; x[1] = -.greatestFiniteMagnitude
        var y = [Float](repeating: .nan, count: x.count)
        Statistics.scaleShift(x, &y, samples: 3, pixels: 4, channels: 19,
                              scale: [Float](repeating: 1, count: 57), shift: [Float](repeating: 0, count: 57))
        XCTAssertEqual(y, x)
    }
}
