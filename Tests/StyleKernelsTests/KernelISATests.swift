import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) @testable import StyleTensor
import StylizeTestSupport

/// The start-up dispatch (`KernelISA`) and agreement between the kernel variants.
///
/// Each variant is compared with the naive twins in `ConvTests`, `PixelLanesConvTests` and
/// `DeterminismTests` (through `forEachISA`). Here the variants are compared with each
/// other: they run the same sums in the same order and differ only in rounding (one fused
/// multiply-add per term on AVX2, a multiply and an add in the portable variant, at most
/// one extra rounding of 2^-24 relative per term), so they must agree within
/// 2e-5 x Σ|terms| + 1e-6 per output value, 5x tighter than the bound against the naive
/// twin; an indexing or lane mistake in one variant gives differences of the size of the
/// terms.
final class KernelISATests: XCTestCase {
    func testSupportedVariantsMatchTheCPU() {
        let supported = KernelISA.supported
        XCTAssertEqual(supported.first, .generic, "the portable kernels run everywhere")
        XCTAssertTrue(supported.contains(KernelISA.active))
        #if arch(x86_64)
        XCTAssertEqual(supported.contains(.avx2FMA), CPUFeatures.hasAVX2FMA)
        XCTAssertEqual(supported.contains(.avx512F), CPUFeatures.hasAVX512F)
        if CPUFeatures.hasAVX512F { XCTAssertTrue(CPUFeatures.hasAVX2FMA, "AVX-512F kernels also use AVX2 and FMA") }
        XCTAssertFalse(supported.contains(.neon))
        XCTAssertFalse(KernelISA.select(.neon), "NEON kernels are not built for x86-64")
        if ProcessInfo.processInfo.environment["STYLIZE_ISA"] == nil {
            XCTAssertEqual(KernelISA.active, supported.last, "the dispatcher takes the best variant the CPU runs")
        }
        #endif
        let before = KernelISA.active
        forEachISA { isa in XCTAssertEqual(KernelISA.active, isa) }
        XCTAssertEqual(KernelISA.active, before, "forEachISA restores the active variant")
    }

    func testPeakLoopRunsInEveryVariant() {
        forEachISA { isa in
            let r = FMAPeak.run(pieces: 2, iterations: 1000)
            XCTAssertEqual(r.flops, 2 * 8 * 12 * 1000 * 2, "\(isa)")
            // c_n = c_0 m^n + a (1 - m^n) / (1 - m) for 2 x 12 x 8 lanes whose seeds c_0 sum to
            // 8 x (0 + ... + 11) (piece 0) + 8 x (1 + ... + 12) (piece 1) = 1152
            // (m and a as the float32 constants of the loop; float rounding over 1000 steps
            // and the final sums stay well inside 0.1)
            let m = Double(Float(0.999999)), a = Double(Float(1e-7)), mn = pow(m, 1000)
            let expected = 1152 * mn + 192 * a * (1 - mn) / (1 - m)
            XCTAssertEqual(Double(r.checksum), expected, accuracy: 0.1, "\(isa)")
        }
    }

    struct Layer {
        var n = 1, h: Int, w: Int, cin: Int, cout: Int, k: Int, stride = 1, groups = 1
        var padding: Padding, activation: Activation = .relu
    }

    /// Every conv path: Winograd (3x3, multiples of 8), direct 6x16 (and its 1-pixel tail),
    /// narrow-output (tap lanes, 3 channels), depthwise (with a scalar channel tail), grouped, strided.
    let layers: [Layer] = [
        Layer(h: 13, w: 17, cin: 64, cout: 48, k: 3, padding: .reflect(1)),
        Layer(h: 9, w: 14, cin: 3, cout: 64, k: 3, padding: .reflect(1)),
        Layer(h: 3, w: 4, cin: 20, cout: 33, k: 3, padding: .reflect(1), activation: .relu6),
        Layer(h: 11, w: 12, cin: 64, cout: 3, k: 3, padding: .reflect(1), activation: .none),
        Layer(h: 10, w: 9, cin: 21, cout: 21, k: 3, stride: 2, groups: 21, padding: .same, activation: .relu6),
        Layer(h: 9, w: 11, cin: 44, cout: 44, k: 3, groups: 44, padding: .reflect(1), activation: .relu),
        Layer(n: 2, h: 7, w: 8, cin: 12, cout: 18, k: 3, groups: 3, padding: .zero(top: 1, left: 1, bottom: 1, right: 1)),
        Layer(h: 8, w: 8, cin: 40, cout: 24, k: 1, stride: 2, padding: .none),
    ]

    func testVariantsAgreeOnEveryConvPath() throws {
        let variants = KernelISA.supported
        guard variants.count > 1 else {
            throw XCTSkip("only the \(variants[0].name) kernels run on this CPU: nothing to compare")
        }
        var rng = SeededRandom(seed: 1234)
        var worstSeen: Float = 0
        for (i, l) in layers.enumerated() {
            let x = rng.tensor(Shape(n: l.n, h: l.h, w: l.w, c: l.cin))
            let cpg = l.cin / l.groups
            let wts = rng.floats(l.cout * cpg * l.k * l.k), bias = rng.floats(l.cout)
            let w = ConvWeights(oihw: wts, outChannels: l.cout, inChannels: cpg, kernelH: l.k, kernelW: l.k,
                                bias: bias, groups: l.groups)
            let absW = ConvWeights(oihw: wts.map(abs), outChannels: l.cout, inChannels: cpg, kernelH: l.k,
                                   kernelW: l.k, bias: bias.map(abs), groups: l.groups)
            let scale = conv2dNaive(Tensor(shape: x.shape, data: x.data.map(abs)), absW, stride: l.stride, padding: l.padding)
            for algorithm in [ConvAlgorithm.auto, .direct] {
                var outputs: [KernelISA: Tensor] = [:]
                forEachISA { isa in
                    outputs[isa] = conv2d(x, w, stride: l.stride, padding: l.padding, activation: l.activation,
                                          algorithm: algorithm)
                }
                let reference = outputs[.generic]!
                for isa in variants where isa != .generic {
                    let worst = worstRelativeError(outputs[isa]!.data, reference.data, scale: scale.data,
                                                   relTol: 2e-5, absFloor: 1e-6)
                    worstSeen = max(worstSeen, worst)
                    XCTAssertLessThanOrEqual(worst, 1, "layer \(i) \(algorithm): \(isa) vs generic, \(worst) x bound")
                }
            }
        }
        // planar pixel-vectorised kernel (Magenta's 9x9 RGB layer)
        let x = rng.tensor(Shape(h: 21, w: 30, c: 8))
        let wts = rng.floats(3 * 8 * 81), bias = rng.floats(3)
        let w = ConvWeights(oihw: wts, outChannels: 3, inChannels: 8, kernelH: 9, kernelW: 9, bias: bias)
        let absW = ConvWeights(oihw: wts.map(abs), outChannels: 3, inChannels: 8, kernelH: 9, kernelW: 9, bias: bias.map(abs))
        let scale = conv2dNaive(Tensor(shape: x.shape, data: x.data.map(abs)), absW, padding: .reflect(4))
        var outputs: [KernelISA: Tensor] = [:]
        forEachISA { isa in outputs[isa] = conv2dPixelLanes(x, w, padding: .reflect(4), activation: .relu) }
        for isa in variants where isa != .generic {
            let worst = worstRelativeError(outputs[isa]!.data, outputs[.generic]!.data, scale: scale.data,
                                           relTol: 2e-5, absFloor: 1e-6)
            worstSeen = max(worstSeen, worst)
            XCTAssertLessThanOrEqual(worst, 1, "planar 9x9: \(isa) vs generic, \(worst) x bound")
        }
        print("KernelISATests: variants differ by at most \(worstSeen) x bound")
    }

    /// The AVX-512F variant runs the same chain of fused multiply-adds per output as the
    /// AVX2+FMA one (bias, then the taps and input channels in order), only 16 lanes and 12
    /// pixels at a time, so its outputs must be identical, bit for bit, on every conv path:
    /// widths that give 12-pixel tiles, a lone 6-pixel tile and an overlapping last tile,
    /// fewer than 16 output channels, ReLU6, and the Winograd GEMMs.
    func testAVX512MatchesAVX2BitForBit() throws {
        let variants = KernelISA.supported
        guard variants.contains(.avx512F), variants.contains(.avx2FMA) else {
            throw XCTSkip("this CPU does not run both the AVX2+FMA and the AVX-512F kernels")
        }
        let wide = layers + [
            Layer(h: 9, w: 40, cin: 32, cout: 40, k: 3, padding: .reflect(1)),
            Layer(h: 6, w: 29, cin: 16, cout: 7, k: 3, padding: .reflect(1), activation: .relu6),
            Layer(h: 5, w: 31, cin: 24, cout: 64, k: 1, padding: .none, activation: .none),
            Layer(h: 33, w: 35, cin: 64, cout: 64, k: 3, padding: .reflect(1)),
            // tap lanes: every output count, leftover terms (run 18, 30), a lone-pixel row, stride 2
            Layer(h: 4, w: 37, cin: 6, cout: 1, k: 3, padding: .reflect(1)),
            Layer(h: 5, w: 19, cin: 40, cout: 2, k: 3, padding: .reflect(1)),
            Layer(h: 6, w: 41, cin: 32, cout: 3, k: 3, padding: .reflect(1), activation: .none),
            Layer(h: 3, w: 13, cin: 10, cout: 4, k: 3, stride: 2, padding: .same),
            Layer(h: 3, w: 1, cin: 16, cout: 3, k: 3, padding: .zero(top: 1, left: 1, bottom: 1, right: 1)),
        ]
        var rng = SeededRandom(seed: 4321)
        var compared = 0
        for (i, l) in wide.enumerated() {
            let x = rng.tensor(Shape(n: l.n, h: l.h, w: l.w, c: l.cin))
            let cpg = l.cin / l.groups
            let w = ConvWeights(oihw: rng.floats(l.cout * cpg * l.k * l.k), outChannels: l.cout, inChannels: cpg,
                                kernelH: l.k, kernelW: l.k, bias: rng.floats(l.cout), groups: l.groups)
            for algorithm in [ConvAlgorithm.auto, .direct] {
                var outputs: [KernelISA: Tensor] = [:]
                forEachISA { isa in
                    outputs[isa] = conv2d(x, w, stride: l.stride, padding: l.padding, activation: l.activation,
                                          algorithm: algorithm)
                }
                let a = outputs[.avx2FMA]!.data, b = outputs[.avx512F]!.data
                let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(differing, 0, "layer \(i) \(algorithm): \(differing) of \(a.count) values differ")
                compared += a.count
            }
        }
        // the pixel-lanes kernel (16-lane tiles of up to 8 vectors against 8-lane tiles of up
        // to 8) and its upsampling phases: the same chain per output
        for (h, w, cin, cout, k, up) in [(21, 150, 8, 3, 9, false), (9, 61, 3, 8, 9, false), (5, 19, 5, 6, 3, false),
                                         (7, 45, 16, 8, 3, true), (6, 23, 4, 3, 3, true)] {
            let x = rng.tensor(Shape(h: h, w: w, c: cin))
            let wt = ConvWeights(oihw: rng.floats(cout * cin * k * k), outChannels: cout, inChannels: cin,
                                 kernelH: k, kernelW: k, bias: rng.floats(cout))
            var outputs: [KernelISA: Tensor] = [:]
            forEachISA { isa in
                outputs[isa] = conv2dPixelLanes(x, wt, padding: .reflect(k / 2), activation: .relu, upsampleFirst: up)
            }
            let a = outputs[.avx2FMA]!.data, b = outputs[.avx512F]!.data
            let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(differing, 0, "pixel lanes \(h)x\(w) \(cin)->\(cout) k\(k) up \(up): \(differing) of \(a.count) values differ")
            compared += a.count
        }
        XCTAssertGreaterThan(compared, 100_000)
    }
}
