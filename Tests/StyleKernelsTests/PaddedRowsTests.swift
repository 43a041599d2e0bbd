import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) @testable import StyleTensor
import StylizeTestSupport

/// The depthwise and few-output-channel convs read their padding in place (`PaddedRows`):
/// the same bits as padding a copy first and convolving that, for zero and reflection
/// padding, strides 1 and 2, odd channel counts, pads wider than the kernel's reach and
/// images narrower than the kernel, on every kernel variant.
final class PaddedRowsTests: XCTestCase {
    struct Case { let h, w, c, k, s: Int; let padding: Padding }

    func testDepthwiseReadsThePaddingInPlaceWithTheCopysBits() {
        let cases = [
            Case(h: 17, w: 23, c: 16, k: 3, s: 1, padding: .same),
            Case(h: 17, w: 23, c: 20, k: 3, s: 2, padding: .same),
            Case(h: 9, w: 12, c: 3, k: 3, s: 2, padding: .reflect(1)),
            Case(h: 6, w: 7, c: 24, k: 5, s: 1, padding: .reflect(2)),
            Case(h: 2, w: 3, c: 8, k: 3, s: 1, padding: .reflect(1)),
            Case(h: 4, w: 5, c: 12, k: 3, s: 1, padding: .zero(top: 3, left: 0, bottom: 1, right: 4)),
            Case(h: 1, w: 9, c: 9, k: 3, s: 2, padding: .same),
        ]
        var rng = SeededRandom(seed: 61)
        forEachISA { isa in
            for c in cases {
                let x = rng.tensor(Shape(n: 2, h: c.h, w: c.w, c: c.c))
                let w = ConvWeights(oihw: rng.floats(c.c * c.k * c.k), outChannels: c.c, inChannels: 1,
                                    kernelH: c.k, kernelW: c.k, bias: rng.floats(c.c), groups: c.c)
                let p = c.padding.resolve(height: c.h, width: c.w, kernelH: c.k, kernelW: c.k, stride: c.s)
                let copy = pad(x, top: p.top, left: p.left, bottom: p.bottom, right: p.right, mode: p.mode)
                let expected = conv2d(copy, w, stride: c.s, padding: .none, activation: .relu6)
                let got = conv2d(x, w, stride: c.s, padding: c.padding, activation: .relu6)
                XCTAssertEqual(got.shape, expected.shape, "\(isa) \(c)")
                XCTAssertEqual(got.data.map(\.bitPattern), expected.data.map(\.bitPattern), "\(isa) \(c)")
            }
        }
    }

    func testFewOutputChannelsReadThePaddingInPlaceWithTheCopysBits() {
        let cases = [
            Case(h: 19, w: 26, c: 32, k: 3, s: 1, padding: .reflect(1)),
            Case(h: 9, w: 12, c: 8, k: 3, s: 2, padding: .same),
            Case(h: 2, w: 3, c: 16, k: 3, s: 1, padding: .reflect(1)),
            Case(h: 5, w: 9, c: 6, k: 5, s: 1, padding: .zero(top: 2, left: 3, bottom: 0, right: 1)),
        ]
        var rng = SeededRandom(seed: 62)
        forEachISA { isa in
            for c in cases {
                for cout in [1, 3, 4] {
                    let x = rng.tensor(Shape(n: 2, h: c.h, w: c.w, c: c.c))
                    let w = ConvWeights(oihw: rng.floats(cout * c.c * c.k * c.k), outChannels: cout, inChannels: c.c,
                                        kernelH: c.k, kernelW: c.k, bias: rng.floats(cout))
                    XCTAssertNotNil(w.tapLanes, "\(c) should take the few-output-channel kernel")
                    let p = c.padding.resolve(height: c.h, width: c.w, kernelH: c.k, kernelW: c.k, stride: c.s)
                    let copy = pad(x, top: p.top, left: p.left, bottom: p.bottom, right: p.right, mode: p.mode)
                    let expected = conv2d(copy, w, stride: c.s, padding: .none, activation: .relu)
                    let got = conv2d(x, w, stride: c.s, padding: c.padding, activation: .relu)
                    XCTAssertEqual(got.shape, expected.shape, "\(isa) \(c)")
                    XCTAssertEqual(got.data.map(\.bitPattern), expected.data.map(\.bitPattern), "\(isa) \(c) cout \(cout)")
                }
            }
        }
    }
}
