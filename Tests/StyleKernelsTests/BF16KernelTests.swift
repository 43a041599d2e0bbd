import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) @testable import StyleTensor
import StylizeTestSupport

/// The bf16 kernels (`Precision.bf16`): the AVX512_BF16 instruction against the portable
/// emulation lane by lane on any bits, both against the naive Swift twin (`BF16Naive`) bit
/// for bit on the direct convolution, the Winograd bf16 path against float32 within the
/// rounding of 8-bit significands, and the same bits for every thread count.
final class BF16KernelTests: XCTestCase {
    /// Floats of every kind: random bits (NaNs, infinities, denormals included), values near
    /// the underflow boundary 2^-126, ties at bit 16, ordinary values.
    func awkwardFloats(_ rng: inout SeededRandom, count: Int) -> [Float] {
        (0..<count).map { i in
            let bits = UInt32(truncatingIfNeeded: rng.next())
            switch i % 6 {
            case 0: return Float(bitPattern: bits)
            case 1: return Float(bitPattern: (bits & 0x807f_ffff) | 0x0080_0000)      // exponent -126
            case 2: return Float(bitPattern: bits & 0x807f_ffff)                      // denormal or zero
            case 3: return Float(bitPattern: (bits & 0xffff_0000) | 0x8000)           // a tie at bit 16
            case 4: return [Float.infinity, -.infinity, 0, -0, .greatestFiniteMagnitude][Int(bits % 5)]
            default: return rng.float() * 4
            }
        }
    }

    func testRoundingMatchesTheNaiveTwinOnAnyBits() {
        var rng = SeededRandom(seed: 7)
        let values = awkwardFloats(&rng, count: 60_000)
        let expected = values.map(BF16Naive.round)
        XCTAssertEqual(BF16Naive.round(1.0), 0x3f80)
        XCTAssertEqual(BF16Naive.round(Float(bitPattern: 0x3f80_8000)), 0x3f80, "a tie rounds to even (down)")
        XCTAssertEqual(BF16Naive.round(Float(bitPattern: 0x3f81_8000)), 0x3f82, "a tie rounds to even (up)")
        XCTAssertEqual(BF16Naive.round(-Float.leastNonzeroMagnitude), 0x8000, "a denormal becomes the signed zero")
        BF16Kernels.forEachSupported { k in
            let got = BF16Kernels.rounded(values)
            let mismatches = zip(got, expected).filter { $0 != $1 }.count
            XCTAssertEqual(mismatches, 0, "\(k): \(mismatches) of \(values.count) roundings differ")
        }
    }

    func testInstructionMatchesTheEmulationOnAnyBits() throws {
        guard BF16Kernels.supported.contains(.instruction) else {
            throw XCTSkip("this CPU has no AVX512_BF16: the emulation alone runs")
        }
        var rng = SeededRandom(seed: 11)
        let n = 200_000
        let acc = awkwardFloats(&rng, count: n)
        let a = awkwardFloats(&rng, count: 2 * n).map(BF16Naive.round)
        var b = awkwardFloats(&rng, count: 2 * n).map(BF16Naive.round)
        // products landing near 2^-126 and cancellations: b the negated a for some lanes
        for i in stride(from: 0, to: 2 * n, by: 7) { b[i] = a[i] ^ 0x8000 }
        var results: [BF16Kernels: [Float]] = [:]
        BF16Kernels.forEachSupported { k in results[k] = BF16Kernels.dotLanes(acc: acc, a: a, b: b) }
        let emulated = results[.emulated]!, instruction = results[.instruction]!
        var mismatches = 0
        for i in 0..<n where !(emulated[i].isNaN && instruction[i].isNaN) && emulated[i].bitPattern != instruction[i].bitPattern {
            if mismatches < 5 {
                print(String(format: "lane %d: acc %08x a %04x %04x b %04x %04x: emulated %08x instruction %08x", i,
                             acc[i].bitPattern, a[2 * i], a[2 * i + 1], b[2 * i], b[2 * i + 1],
                             emulated[i].bitPattern, instruction[i].bitPattern))
            }
            mismatches += 1
        }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(n) lanes differ")
    }

    func testDotMatchesTheNaiveTwinOnOrdinaryValues() {
        var rng = SeededRandom(seed: 12)
        let n = 20_000
        let acc = rng.floats(n).map { $0 * 10 }
        let a = rng.floats(2 * n).map(BF16Naive.round), b = rng.floats(2 * n).map(BF16Naive.round)
        let expected = (0..<n).map { BF16Naive.dot(acc[$0], a[2 * $0], a[2 * $0 + 1], b[2 * $0], b[2 * $0 + 1]) }
        BF16Kernels.forEachSupported { k in
            let got = BF16Kernels.dotLanes(acc: acc, a: a, b: b)
            XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "\(k)")
        }
    }

    struct Case {
        var n: Int = 1
        var h: Int, w: Int, cin: Int, cout: Int, kh: Int, kw: Int
        var stride: Int = 1
        var act: Activation = .none
    }

    /// The direct bf16 conv (1x1, 3x3 with channel counts the Winograd kernel does not take,
    /// strided, an odd channel count with an even row, narrow rows under 6 pixels, partial
    /// output blocks) equals the naive twin bit for bit, on every variant.
    func testDirectConvMatchesTheNaiveTwinBitForBit() {
        let cases: [Case] = [
            Case(h: 9, w: 17, cin: 24, cout: 40, kh: 1, kw: 1, act: .relu6),
            Case(n: 2, h: 7, w: 13, cin: 8, cout: 20, kh: 3, kw: 3, stride: 2, act: .relu),
            Case(h: 5, w: 4, cin: 10, cout: 16, kh: 3, kw: 3),
            Case(h: 6, w: 31, cin: 13, cout: 8, kh: 2, kw: 2),
            Case(h: 11, w: 29, cin: 12, cout: 33, kh: 3, kw: 3),
        ]
        var rng = SeededRandom(seed: 21)
        for c in cases {
            let x = rng.tensor(Shape(n: c.n, h: c.h, w: c.w, c: c.cin))
            let oihw = rng.floats(c.cout * c.cin * c.kh * c.kw), bias = rng.floats(c.cout)
            let w = ConvWeights(oihw: oihw, outChannels: c.cout, inChannels: c.cin, kernelH: c.kh, kernelW: c.kw, bias: bias)
                .withPrecision(.bf16)
            XCTAssertNotNil(w.bf16?.direct, "\(c) should run on the direct bf16 kernel")
            XCTAssertNil(w.bf16?.winograd)
            let expected = BF16Naive.conv(input: x.data, batch: c.n, inH: c.h, inW: c.w, inC: c.cin, oihw: oihw, bias: bias,
                                          outC: c.cout, kernelH: c.kh, kernelW: c.kw, stride: c.stride, activation: c.act.fused)
            BF16Kernels.forEachSupported { k in
                let got = conv2d(x, w, stride: c.stride, padding: .none, activation: c.act)
                XCTAssertEqual(got.data.map(\.bitPattern), expected.map(\.bitPattern), "\(c) \(k)")
            }
        }
    }

    /// Winograd in bf16: every variant gives the same bits; against the float32 naive conv the
    /// error stays within 3e-2 x Σ|terms| (operands rounded to 8 significant bits: 2^-9
    /// relative each, grown by the transforms), far below what an indexing mistake gives (~1).
    func testWinogradBF16IsCloseToFloat32AndTheSameOnEveryVariant() {
        var rng = SeededRandom(seed: 31)
        for (h, w, cin, cout, up) in [(13, 17, 16, 24, false), (8, 9, 32, 8, true), (23, 6, 24, 40, false)] {
            let x = rng.tensor(Shape(n: 1, h: h, w: w, c: cin))
            let oihw = rng.floats(cout * cin * 9), bias = rng.floats(cout)
            let f32 = ConvWeights(oihw: oihw, outChannels: cout, inChannels: cin, kernelH: 3, kernelW: 3, bias: bias)
            let b16 = f32.withPrecision(.bf16)
            XCTAssertNotNil(b16.bf16?.winograd)
            let source = up ? upsampleNearest2x(x) : x
            let slow = conv2dNaive(source, f32, padding: .reflect(1), activation: .relu)
            let scale = conv2dNaive(Tensor(shape: source.shape, data: source.data.map(abs)),
                                    ConvWeights(oihw: oihw.map(abs), outChannels: cout, inChannels: cin, kernelH: 3, kernelW: 3,
                                                bias: bias.map(abs)), padding: .reflect(1))
            var outputs: [[UInt32]] = []
            var worstSeen: Float = 0
            BF16Kernels.forEachSupported { k in
                let fast = conv2d(x, b16, padding: .reflect(1), activation: .relu, upsampleFirst: up)
                let worst = worstRelativeError(fast.data, slow.data, scale: scale.data, relTol: 3e-2, absFloor: 1e-6)
                XCTAssertLessThanOrEqual(worst, 1, "\(h)x\(w) \(cin)->\(cout) \(k): error \(worst) x tolerance")
                worstSeen = max(worstSeen, worst)
                outputs.append(fast.data.map(\.bitPattern))
            }
            print("Winograd bf16 \(h)x\(w) \(cin)->\(cout): worst error \(worstSeen) x tolerance")
            XCTAssertTrue(outputs.dropFirst().allSatisfy { $0 == outputs[0] }, "variants differ")
            let f32Out = conv2d(x, f32, padding: .reflect(1), activation: .relu, upsampleFirst: up)
            XCTAssertNotEqual(f32Out.data.map(\.bitPattern), outputs[0], "bf16 weights should change the arithmetic")
        }
    }

    /// Layers the bf16 kernels do not take, or that do not pay, stay float32, bit for bit.
    func testOtherLayersStayFloat32() {
        var rng = SeededRandom(seed: 51)
        let x = rng.tensor(Shape(n: 1, h: 10, w: 12, c: 16))
        let layers = [
            ConvWeights(oihw: rng.floats(16 * 9), outChannels: 16, inChannels: 1, kernelH: 3, kernelW: 3, bias: nil, groups: 16),
            ConvWeights(oihw: rng.floats(32 * 16), outChannels: 32, inChannels: 16, kernelH: 1, kernelW: 1, bias: nil),
            ConvWeights(oihw: rng.floats(3 * 16 * 9), outChannels: 3, inChannels: 16, kernelH: 3, kernelW: 3, bias: nil),
        ]
        for w in layers {
            let b16 = w.withPrecision(.bf16)
            XCTAssertNil(b16.bf16?.direct)
            XCTAssertNil(b16.bf16?.winograd)
            XCTAssertEqual(conv2d(x, b16, padding: .same).data.map(\.bitPattern), conv2d(x, w, padding: .same).data.map(\.bitPattern))
        }
    }

    func testSameBitsForOneTwoThreeThreads() {
        var rng = SeededRandom(seed: 41)
        let x = rng.tensor(Shape(n: 2, h: 23, w: 29, c: 40))
        let w3 = ConvWeights(oihw: rng.floats(48 * 40 * 9), outChannels: 48, inChannels: 40, kernelH: 3, kernelW: 3,
                             bias: rng.floats(48)).withPrecision(.bf16)
        let w1 = ConvWeights(oihw: rng.floats(24 * 40), outChannels: 24, inChannels: 40, kernelH: 1, kernelW: 1,
                             bias: nil).withPrecision(.bf16)
        func run() -> [[Float]] {
            [conv2d(x, w3, padding: .reflect(1), activation: .relu).data,
             conv2d(x, w3, padding: .reflect(1), upsampleFirst: true).data,
             conv2d(x, w1, stride: 2, padding: .same).data]
        }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        BF16Kernels.forEachSupported { k in
            Parallel.threadCount = 1
            let one = run()
            for threads in [2, 3] {
                Parallel.threadCount = threads
                for (i, (a, b)) in zip(one, run()).enumerated() {
                    XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(k): output \(i) differs between 1 and \(threads) threads")
                }
            }
        }
    }
}
