import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) import StyleTensor
import StylizeTestSupport

/// `conv2dPixelLanes` (pixel-vectorised stride-1 conv for 1-8 outputs) against the naive
/// twin `conv2dNaive` on seeded random shapes: |fast - naive| <= 1e-4 * (|x| * |W| sum) + 1e-6,
/// the same tolerance as the general conv tests, once per kernel variant (`forEachISA`). Widths below, at and above the 8-pixel tile
/// and not multiples of it exercise the scalar path and the overlapping last tile.
final class PixelLanesConvTests: XCTestCase {
    func check(n: Int = 1, h: Int, w: Int, cin: Int, cout: Int, k: Int, padding: Padding, activation: Activation,
               bias: Bool = true, seed: UInt64, line: UInt = #line) {
        var rng = SeededRandom(seed: seed)
        let x = rng.tensor(Shape(n: n, h: h, w: w, c: cin))
        let wts = rng.floats(cout * cin * k * k)
        let b = bias ? rng.floats(cout) : nil
        let weights = ConvWeights(oihw: wts, outChannels: cout, inChannels: cin, kernelH: k, kernelW: k, bias: b)
        let slow = conv2dNaive(x, weights, padding: padding, activation: activation)
        let absW = ConvWeights(oihw: wts.map(abs), outChannels: cout, inChannels: cin, kernelH: k, kernelW: k, bias: b?.map(abs))
        let scale = conv2dNaive(Tensor(shape: x.shape, data: x.data.map(abs)), absW, padding: padding)
        forEachISA { isa in
            let fast = conv2dPixelLanes(x, weights, padding: padding, activation: activation)
            XCTAssertEqual(fast.shape, slow.shape, line: line)
            let worst = worstRelativeError(fast.data, slow.data, scale: scale.data, relTol: 1e-4, absFloor: 1e-6)
            XCTAssertLessThanOrEqual(worst, 1, "\(h)x\(w) \(cin)->\(cout) k\(k) \(isa): error \(worst) x tolerance", line: line)
        }
    }

    func testMatchesNaive() {
        check(h: 20, w: 23, cin: 4, cout: 3, k: 9, padding: .reflect(4), activation: .none, seed: 1)
        check(h: 11, w: 8, cin: 8, cout: 3, k: 9, padding: .reflect(4), activation: .none, seed: 2)
        check(n: 2, h: 9, w: 17, cin: 16, cout: 8, k: 3, padding: .reflect(1), activation: .relu, seed: 3)
        check(h: 5, w: 5, cin: 3, cout: 1, k: 3, padding: .zero(top: 1, left: 1, bottom: 1, right: 1), activation: .relu6, seed: 4)
        check(h: 6, w: 7, cin: 2, cout: 5, k: 1, padding: .none, activation: .none, bias: false, seed: 5)
        check(h: 33, w: 64, cin: 3, cout: 8, k: 9, padding: .reflect(4), activation: .relu, seed: 6)
    }

    /// Every output count 1...8 on rows that take full tiles of several vectors, a last tile of
    /// fewer vectors placed to end at the row's end, single vectors, and pixels one by one
    /// (rows narrower than 8 and than 16 pixels).
    func testEveryOutputCountAndRowWidth() {
        var seed: UInt64 = 100
        for cout in 1...8 {
            for w in [5, 12, 23, 40, 139, 200] {
                seed += 1
                check(h: 3, w: w, cin: 2, cout: cout, k: 3, padding: .reflect(1), activation: cout % 2 == 0 ? .relu : .none, seed: seed)
            }
        }
    }

    func testFallsBackForWideOutputs() {
        check(h: 7, w: 9, cin: 3, cout: 16, k: 3, padding: .reflect(1), activation: .relu, seed: 7)
    }

    func testThreadCountDoesNotChangeResult() {
        var rng = SeededRandom(seed: 8)
        let x = rng.tensor(Shape(n: 1, h: 40, w: 37, c: 4))
        let w = ConvWeights(oihw: rng.floats(3 * 4 * 81), outChannels: 3, inChannels: 4, kernelH: 9, kernelW: 9, bias: rng.floats(3))
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        forEachISA { isa in
            Parallel.threadCount = 1
            let one = conv2dPixelLanes(x, w, padding: .reflect(4))
            Parallel.threadCount = 4
            XCTAssertEqual(conv2dPixelLanes(x, w, padding: .reflect(4)), one, "\(isa)")
        }
    }
}

/// The fused upsample + pad + planar pass against the three separate steps (exact: copies only).
final class PlanarPaddedTests: XCTestCase {
    func testMatchesSeparateSteps() {
        var rng = SeededRandom(seed: 21)
        for s in [Shape(h: 1, w: 1, c: 2), Shape(n: 2, h: 5, w: 7, c: 3), Shape(h: 9, w: 4, c: 8)] {
            let x = rng.tensor(s)
            for upsample in [false, true] {
                for (mode, t, l, b, r) in [(PadMode.reflect, 1, 1, 1, 1), (.reflect, 4, 4, 4, 4), (.zero, 0, 2, 1, 3), (.zero, 0, 0, 0, 0)] {
                    let u = upsample ? upsampleNearest2x(x) : x
                    if mode == .reflect && (t >= u.shape.h || l >= u.shape.w) && u.shape.h > 1 { continue }
                    let padded = pad(u, top: t, left: l, bottom: b, right: r, mode: mode)
                    let ps = padded.shape
                    var expected = [Float](repeating: 0, count: ps.count)
                    for n in 0..<ps.n { for c in 0..<ps.c { for y in 0..<ps.h { for xx in 0..<ps.w {
                        expected[((n * ps.c + c) * ps.h + y) * ps.w + xx] = padded[n, y, xx, c]
                    } } } }
                    var got = [Float](repeating: .nan, count: ps.count)
                    x.data.withUnsafeBufferPointer { xp in
                        got.withUnsafeMutableBufferPointer { gp in
                            PixelLanesConvKernel.planarPadded(xp.baseAddress!, batch: s.n, height: s.h, width: s.w, channels: s.c,
                                                               upsample: upsample, top: t, left: l, bottom: b, right: r, mode: mode,
                                                               output: gp.baseAddress!)
                        }
                    }
                    XCTAssertEqual(got, expected, "\(s) up \(upsample) \(mode) \(t),\(l),\(b),\(r)")
                }
            }
        }
    }

    /// The phase convs (nearest x2 upsampling, padding 1, 3x3 conv as four 2x2 convs on the
    /// input) against the naive conv of the upsampled image, reflection and zero padding,
    /// every output count, widths around the vector sizes; bit-identical for 1, 2 and 3 threads.
    func testUpsampledPhasesMatchNaive() {
        var rng = SeededRandom(seed: 23)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for (i, (h, w, cin, cout)) in [(1, 1, 3, 8), (3, 5, 2, 3), (4, 8, 16, 8), (5, 13, 4, 1), (7, 40, 6, 5), (2, 70, 16, 8)].enumerated() {
            let x = rng.tensor(Shape(n: i == 2 ? 2 : 1, h: h, w: w, c: cin))
            let wts = rng.floats(cout * cin * 9), b = rng.floats(cout)
            let weights = ConvWeights(oihw: wts, outChannels: cout, inChannels: cin, kernelH: 3, kernelW: 3, bias: b)
            let absW = ConvWeights(oihw: wts.map(abs), outChannels: cout, inChannels: cin, kernelH: 3, kernelW: 3, bias: b.map(abs))
            let up = upsampleNearest2x(x)
            for padding in [Padding.reflect(1), .zero(top: 1, left: 1, bottom: 1, right: 1)] {
                let slow = conv2dNaive(up, weights, padding: padding, activation: .relu)
                let scale = conv2dNaive(Tensor(shape: up.shape, data: up.data.map(abs)), absW, padding: padding)
                forEachISA { isa in
                    Parallel.threadCount = 1
                    let fast = conv2dPixelLanes(x, weights, padding: padding, activation: .relu, upsampleFirst: true)
                    XCTAssertEqual(fast.shape, slow.shape)
                    let worst = worstRelativeError(fast.data, slow.data, scale: scale.data, relTol: 1e-4, absFloor: 1e-6)
                    XCTAssertLessThanOrEqual(worst, 1, "\(h)x\(w) \(cin)->\(cout) \(padding) \(isa): \(worst) x tolerance")
                    for threads in [2, 3] {
                        Parallel.threadCount = threads
                        XCTAssertEqual(conv2dPixelLanes(x, weights, padding: padding, activation: .relu, upsampleFirst: true), fast,
                                       "\(isa), \(threads) threads")
                    }
                }
            }
        }
    }

    /// A band with its one-pixel border (as the Magenta band sweep makes it) gives the rows of
    /// the whole image's phase convs, bit for bit.
    func testUpsampledBandMatchesWholeImage() {
        var rng = SeededRandom(seed: 24)
        let x = rng.tensor(Shape(h: 10, w: 21, c: 4))
        let w = ConvWeights(oihw: rng.floats(3 * 4 * 9), outChannels: 3, inChannels: 4, kernelH: 3, kernelW: 3, bias: rng.floats(3))
        let whole = conv2dPixelLanes(x, w, padding: .reflect(1), upsampleFirst: true)
        let rows = 3..<7  // input rows; output rows 6..<14
        let clampRow = { (r: Int) in min(max(r, 0), 9) }, clampCol = { (c: Int) in min(max(c, 0), 20) }
        var band = Tensor(shape: Shape(h: rows.count + 2, w: 23, c: 4))
        for (i, r) in ((rows.lowerBound - 1)...rows.upperBound).enumerated() {
            for (j, c) in (-1...21).enumerated() { for ch in 0..<4 { band[0, i, j, ch] = x[0, clampRow(r), clampCol(c), ch] } }
        }
        let part = conv2dPixelLanesUpsampled(bordered: band, w)
        XCTAssertEqual(part.shape, Shape(h: 8, w: 42, c: 3))
        XCTAssertEqual(part.data, Array(whole.data[(6 * 42 * 3)..<(14 * 42 * 3)]))
    }

    func testUpsampleFirstConvMatchesNaive() {
        var rng = SeededRandom(seed: 22)
        let x = rng.tensor(Shape(n: 1, h: 6, w: 9, c: 8))
        let wts = rng.floats(4 * 8 * 9)
        let w = ConvWeights(oihw: wts, outChannels: 4, inChannels: 8, kernelH: 3, kernelW: 3, bias: rng.floats(4))
        let fast = conv2dPixelLanes(x, w, padding: .reflect(1), activation: .relu, upsampleFirst: true)
        let slow = conv2dNaive(upsampleNearest2x(x), w, padding: .reflect(1), activation: .relu)
        XCTAssertEqual(fast.shape, slow.shape)
        for i in fast.data.indices { XCTAssertEqual(fast.data[i], slow.data[i], accuracy: 1e-4 * max(1, abs(slow.data[i]))) }
    }
}
