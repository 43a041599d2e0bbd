import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) @testable import StyleTensor
import StylizeTestSupport

/// Fast convolution (packed weights, padded copy, register-blocked or depthwise
/// kernel) against `Conv2DNaive` (plain loops, Double sums), once per kernel variant
/// (`forEachISA`: portable, and AVX2+FMA where the CPU has it).
///
/// Tolerance: |fast - naive| <= 1e-4 * Σ|x_i w_i| (+ |bias|) + 1e-6 per output value.
/// The fast kernel sums in float32 (FMAs, or multiplies and adds); its rounding error is at most about
/// n * 2^-24 * Σ|terms| for n terms (n = 9 * 512 = 4,608 gives 2.7e-4 in the worst case;
/// in practice errors are ~sqrt(n) * 2^-24 ≈ 4e-6 relative). Any indexing mistake gives
/// errors of the size of the terms themselves, i.e. ~1 relative, far above the bound.
/// The scale Σ|terms| is computed exactly by running the naive twin on |x|, |W|, |b|.
final class ConvTests: XCTestCase {
    /// Largest error seen, as a fraction of the tolerance (printed at the end).
    var worstSeen: Float = 0

    override func tearDown() {
        print("ConvTests.\(name): worst error \(worstSeen) x tolerance")
        super.tearDown()
    }

    struct Case {
        var n = 1, h: Int, w: Int, cin: Int, cout: Int, k: Int
        var stride = 1, groups = 1
        var padding: Padding
        var activation: Activation = .none
        var bias = true
    }

    func check(_ c: Case, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRandom(seed: seed)
        let x = rng.tensor(Shape(n: c.n, h: c.h, w: c.w, c: c.cin))
        let cpg = c.cin / c.groups
        let wts = rng.floats(c.cout * cpg * c.k * c.k)
        let bias = c.bias ? rng.floats(c.cout) : nil
        let w = ConvWeights(oihw: wts, outChannels: c.cout, inChannels: cpg, kernelH: c.k, kernelW: c.k,
                            bias: bias, groups: c.groups)
        let slow = conv2dNaive(x, w, stride: c.stride, padding: c.padding, activation: c.activation)
        let absX = Tensor(shape: x.shape, data: x.data.map(abs))
        let absW = ConvWeights(oihw: wts.map(abs), outChannels: c.cout, inChannels: cpg, kernelH: c.k,
                               kernelW: c.k, bias: bias?.map(abs), groups: c.groups)
        let scale = conv2dNaive(absX, absW, stride: c.stride, padding: c.padding)
        // .auto takes the Winograd kernel where it applies; .direct checks the direct kernel too;
        // both with every kernel variant (ISA) this CPU supports.
        forEachISA { isa in
            for algorithm in [ConvAlgorithm.auto, .direct] {
                let fast = conv2d(x, w, stride: c.stride, padding: c.padding, activation: c.activation, algorithm: algorithm)
                XCTAssertEqual(fast.shape, slow.shape, "\(c)", file: file, line: line)
                let worst = worstRelativeError(fast.data, slow.data, scale: scale.data, relTol: 1e-4, absFloor: 1e-6)
                XCTAssertLessThanOrEqual(worst, 1, "\(c) \(algorithm) \(isa): error \(worst) x tolerance", file: file, line: line)
                worstSeen = max(worstSeen, worst)
            }
        }
    }

    func testReflect3x3MatchesNaive() {
        let cases: [Case] = [
            Case(h: 7, w: 9, cin: 3, cout: 64, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 1, w: 1, cin: 5, cout: 17, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 2, w: 3, cin: 8, cout: 16, k: 3, padding: .reflect(1)),
            Case(h: 13, w: 11, cin: 19, cout: 35, k: 3, padding: .reflect(1), activation: .relu),
            Case(n: 2, h: 6, w: 8, cin: 24, cout: 3, k: 3, padding: .reflect(1), bias: false),
            Case(h: 5, w: 13, cin: 64, cout: 64, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 4, w: 7, cin: 512, cout: 512, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 3, w: 6, cin: 512, cout: 20, k: 3, padding: .reflect(1)),
        ]
        for (i, c) in cases.enumerated() { check(c, seed: UInt64(100 + i)) }
    }

    /// Shapes the Winograd F(4x4,3x3) kernel takes (3x3, stride 1, channels multiples
    /// of 8): sizes that are not multiples of 4 (partial tiles), 1-pixel images, fewer
    /// than 6 tiles, 512 channels; then again with 6-tile pieces, so pieces cross
    /// tile rows and samples.
    func testWinogradShapesMatchNaive() {
        let w = ConvWeights(oihw: [Float](repeating: 0, count: 16 * 16 * 9), outChannels: 16, inChannels: 16,
                            kernelH: 3, kernelW: 3, bias: nil)
        XCTAssertNotNil(w.winograd, "a 16->16 3x3 layer should use the Winograd kernel")
        let cases: [Case] = [
            Case(h: 1, w: 1, cin: 16, cout: 16, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 7, w: 9, cin: 24, cout: 32, k: 3, padding: .reflect(1), activation: .relu),
            Case(n: 2, h: 6, w: 5, cin: 16, cout: 8, k: 3, padding: .reflect(1)),
            Case(h: 3, w: 61, cin: 32, cout: 48, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 4, w: 4, cin: 16, cout: 24, k: 3, padding: .zero(top: 1, left: 1, bottom: 1, right: 1), activation: .relu6),
            Case(h: 9, w: 8, cin: 16, cout: 16, k: 3, padding: .none),
            Case(h: 5, w: 5, cin: 512, cout: 512, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 2, w: 14, cin: 512, cout: 256, k: 3, padding: .reflect(1), bias: false),
        ]
        for (i, c) in cases.enumerated() { check(c, seed: UInt64(700 + i)) }
        let saved = Winograd4x4ConvKernel.sliceBytes
        defer { Winograd4x4ConvKernel.sliceBytes = saved }
        Winograd4x4ConvKernel.sliceBytes = 0     // the minimum: 6 tiles per piece
        for (i, c) in cases.enumerated() where c.cin < 512 { check(c, seed: UInt64(750 + i)) }
    }

    /// 1 to 4 output channels go through `TapLanesConvKernel` (vectorised over the
    /// reduction): pixel tails and overlapping last tiles, runs that are not multiples of 16,
    /// strides, 9x9.
    func testNarrowOutputChannelsMatchNaive() {
        let cases: [Case] = [
            Case(h: 7, w: 8, cin: 64, cout: 3, k: 3, padding: .reflect(1)),
            Case(h: 1, w: 1, cin: 8, cout: 1, k: 3, padding: .reflect(1), activation: .relu),
            Case(n: 2, h: 5, w: 4, cin: 5, cout: 4, k: 3, padding: .zero(top: 1, left: 1, bottom: 1, right: 1)),
            Case(h: 9, w: 10, cin: 32, cout: 3, k: 9, padding: .reflect(4)),
            Case(h: 8, w: 7, cin: 12, cout: 2, k: 3, stride: 2, padding: .same, activation: .relu6),
            Case(h: 4, w: 5, cin: 512, cout: 3, k: 1, padding: .none, bias: false),
            Case(h: 3, w: 37, cin: 6, cout: 1, k: 3, padding: .reflect(1)),
            Case(h: 4, w: 19, cin: 40, cout: 2, k: 3, padding: .reflect(1), activation: .relu),
            Case(h: 3, w: 13, cin: 16, cout: 4, k: 3, padding: .reflect(1)),
            Case(h: 2, w: 33, cin: 32, cout: 3, k: 3, padding: .reflect(1)),
        ]
        for (i, c) in cases.enumerated() { check(c, seed: UInt64(800 + i)) }
    }

    func testPointwiseMatchesNaive() {
        let cases: [Case] = [
            Case(h: 5, w: 7, cin: 13, cout: 29, k: 1, padding: .none),
            Case(h: 1, w: 1, cin: 3, cout: 3, k: 1, padding: .none),
            Case(h: 8, w: 8, cin: 512, cout: 64, k: 1, padding: .none, activation: .relu6),
            Case(n: 3, h: 4, w: 9, cin: 96, cout: 24, k: 1, padding: .none, bias: false),
        ]
        for (i, c) in cases.enumerated() { check(c, seed: UInt64(200 + i)) }
    }

    func testStridedSameAndZeroPaddingMatchNaive() {
        let cases: [Case] = [
            Case(h: 9, w: 8, cin: 16, cout: 24, k: 3, stride: 2, padding: .same, activation: .relu6),
            Case(h: 1, w: 1, cin: 3, cout: 8, k: 3, stride: 2, padding: .same),
            Case(h: 16, w: 15, cin: 3, cout: 32, k: 3, stride: 2, padding: .same, activation: .relu6),
            Case(h: 7, w: 10, cin: 12, cout: 18, k: 3, padding: .zero(top: 0, left: 1, bottom: 2, right: 1)),
            Case(h: 11, w: 9, cin: 8, cout: 16, k: 3, stride: 2, padding: .reflect(1), activation: .relu),
            Case(h: 6, w: 7, cin: 5, cout: 9, k: 3, padding: .none),
        ]
        for (i, c) in cases.enumerated() { check(c, seed: UInt64(300 + i)) }
    }

    func testLargeKernel9x9MatchesNaive() {
        check(Case(h: 12, w: 10, cin: 3, cout: 32, k: 9, padding: .reflect(4), activation: .relu), seed: 400)
    }

    func testDepthwiseAndGroupedMatchNaive() {
        let cases: [Case] = [
            Case(h: 10, w: 11, cin: 20, cout: 20, k: 3, groups: 20, padding: .same, activation: .relu6),
            Case(h: 9, w: 9, cin: 32, cout: 32, k: 3, stride: 2, groups: 32, padding: .same, activation: .relu6),
            Case(h: 8, w: 6, cin: 13, cout: 13, k: 3, stride: 2, groups: 13, padding: .same),
            Case(h: 1, w: 1, cin: 144, cout: 144, k: 3, groups: 144, padding: .same, activation: .relu6),
            Case(n: 2, h: 5, w: 7, cin: 9, cout: 9, k: 3, groups: 9, padding: .reflect(1), bias: false),
            Case(h: 6, w: 7, cin: 8, cout: 12, k: 3, groups: 2, padding: .reflect(1), activation: .relu),
            Case(h: 5, w: 5, cin: 4, cout: 8, k: 3, groups: 4, padding: .same),   // channel multiplier 2
        ]
        for (i, c) in cases.enumerated() { check(c, seed: UInt64(500 + i)) }
    }

    func testSeededRandomShapesMatchNaive() {
        var rng = SeededRandom(seed: 42)
        for i in 0..<12 {
            let k = [1, 3, 3, 5][rng.int(0...3)]
            let stride = rng.int(1...2)
            let cin = rng.int(1...40), cout = rng.int(1...40)
            let paddings: [Padding] = [.reflect(k / 2), .same, .zero(top: k / 2, left: k / 2, bottom: k / 2, right: k / 2)]
            var padding = paddings[rng.int(0...2)]
            let h = rng.int(max(1, k / 2 + 1)...14), w = rng.int(max(1, k / 2 + 1)...14)
            if case .reflect = padding, k / 2 >= min(h, w) { padding = .same }
            let acts: [Activation] = [.none, .relu, .relu6]
            check(Case(n: rng.int(1...2), h: h, w: w, cin: cin, cout: cout, k: k, stride: stride,
                       padding: padding, activation: acts[rng.int(0...2)], bias: rng.int(0...1) == 1),
                  seed: UInt64(600 + i))
        }
    }

    /// Hand-computed: 2x2 image [[1, 2], [3, 4]], reflection pad 1 gives the rows
    /// [4 3 4 3], [2 1 2 1], [4 3 4 3], [2 1 2 1]; an all-ones 3x3 kernel sums each
    /// 3x3 window (27, 24 / 21, 18), plus bias 0.5.
    func testReflectConvHandComputed() {
        let x = Tensor(shape: Shape(h: 2, w: 2, c: 1), data: [1, 2, 3, 4])
        let w = ConvWeights(oihw: [Float](repeating: 1, count: 9), outChannels: 1, inChannels: 1,
                            kernelH: 3, kernelW: 3, bias: [0.5])
        XCTAssertEqual(conv2d(x, w, padding: .reflect(1)).data, [27.5, 24.5, 21.5, 18.5])
        XCTAssertEqual(conv2dNaive(x, w, padding: .reflect(1)).data, [27.5, 24.5, 21.5, 18.5])
    }

    func testSamePaddingAmountsFollowTensorFlow() {
        // in 5, k 3, s 2: out 3, total = (3-1)*2 + 3 - 5 = 2 -> 1 before, 1 after.
        var p = Padding.same.resolve(height: 5, width: 6, kernelH: 3, kernelW: 3, stride: 2)
        XCTAssertEqual([p.top, p.bottom, p.left, p.right], [1, 1, 0, 1])  // in 6: total 1 -> 0 before, 1 after
        p = Padding.same.resolve(height: 1, width: 7, kernelH: 3, kernelW: 3, stride: 1)
        XCTAssertEqual([p.top, p.bottom, p.left, p.right], [1, 1, 1, 1])
        p = Padding.same.resolve(height: 4, width: 4, kernelH: 1, kernelW: 1, stride: 2)
        XCTAssertEqual([p.top, p.bottom, p.left, p.right], [0, 0, 0, 0])
        XCTAssertEqual(p.mode, .zero)
    }

    func testWeightValidationThrows() {
        XCTAssertThrowsError(try ConvWeights(checkingOIHW: [1, 2, 3], outChannels: 1, inChannels: 1,
                                             kernelH: 3, kernelW: 3, bias: nil))
        XCTAssertThrowsError(try ConvWeights(checkingOIHW: [Float](repeating: 0, count: 27), outChannels: 3,
                                             inChannels: 1, kernelH: 3, kernelW: 3, bias: [0, 0], groups: 3))
        XCTAssertThrowsError(try ConvWeights(checkingOIHW: [Float](repeating: 0, count: 18), outChannels: 3,
                                             inChannels: 2, kernelH: 3, kernelW: 1, bias: nil, groups: 2))
    }
}
