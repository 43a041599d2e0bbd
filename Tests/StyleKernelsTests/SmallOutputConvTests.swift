import XCTest
import StyleKernels
import StyleTensor

/// `conv2dSmallOutput` (pixel-vectorised stride-1 conv for 1-8 outputs) against the naive
/// twin `conv2dNaive` on seeded random shapes: |fast - naive| <= 1e-4 * (|x| * |W| sum) + 1e-6,
/// the same tolerance as the general conv tests. Widths below, at and above the 8-pixel tile
/// and not multiples of it exercise the scalar path and the overlapping last tile.
final class SmallOutputConvTests: XCTestCase {
    func check(n: Int = 1, h: Int, w: Int, cin: Int, cout: Int, k: Int, padding: Padding, activation: Activation,
               bias: Bool = true, seed: UInt64, line: UInt = #line) {
        var rng = SeededRandom(seed: seed)
        let x = rng.tensor(Shape(n: n, h: h, w: w, c: cin))
        let wts = rng.floats(cout * cin * k * k)
        let b = bias ? rng.floats(cout) : nil
        let weights = ConvWeights(oihw: wts, outChannels: cout, inChannels: cin, kernelH: k, kernelW: k, bias: b)
        let fast = conv2dSmallOutput(x, weights, padding: padding, activation: activation)
        let slow = conv2dNaive(x, weights, padding: padding, activation: activation)
        XCTAssertEqual(fast.shape, slow.shape, line: line)
        let absW = ConvWeights(oihw: wts.map(abs), outChannels: cout, inChannels: cin, kernelH: k, kernelW: k, bias: b?.map(abs))
        let scale = conv2dNaive(Tensor(shape: x.shape, data: x.data.map(abs)), absW, padding: padding)
        let worst = worstRelativeError(fast.data, slow.data, scale: scale.data, relTol: 1e-4, absFloor: 1e-6)
        XCTAssertLessThanOrEqual(worst, 1, "\(h)x\(w) \(cin)->\(cout) k\(k): error \(worst) x tolerance", line: line)
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
        Parallel.threadCount = 1
        let one = conv2dSmallOutput(x, w, padding: .reflect(4))
        Parallel.threadCount = 4
        XCTAssertEqual(conv2dSmallOutput(x, w, padding: .reflect(4)), one)
    }
}
