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
