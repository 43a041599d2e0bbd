import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) @testable import StyleTensor
import StylizeTestSupport

/// The banded inverted-residual block gives the bits of its three separate convs (and the
/// residual add), for any band height, strides 1 and 2, with and without the expansion, at
/// float32 and bf16, on every kernel variant.
final class InvertedResidualTests: XCTestCase {
    func testBandsGiveTheSeparateConvsBits() {
        var rng = SeededRandom(seed: 71)
        for precision in Precision.allCases {
            for (stride, hasExpand, residual) in [(1, true, true), (2, true, false), (1, false, false)] {
                let cin = 16, wide = hasExpand ? 40 : 16, cout = residual ? 16 : 24
                let x = rng.tensor(Shape(n: 2, h: 13, w: 11, c: cin))
                let expand = ConvWeights(oihw: rng.floats(wide * cin), outChannels: wide, inChannels: cin, kernelH: 1, kernelW: 1,
                                         bias: rng.floats(wide)).withPrecision(precision)
                let dw = ConvWeights(oihw: rng.floats(wide * 9), outChannels: wide, inChannels: 1, kernelH: 3, kernelW: 3,
                                     bias: rng.floats(wide), groups: wide).withPrecision(precision)
                let project = ConvWeights(oihw: rng.floats(cout * wide), outChannels: cout, inChannels: wide, kernelH: 1, kernelW: 1,
                                          bias: rng.floats(cout)).withPrecision(precision)
                let block = InvertedResidual(expand: hasExpand ? (expand, .relu6) : nil, depthwise: (dw, stride, .same, .relu6),
                                             project: (project, .none), residual: residual)
                forEachISA { isa in
                    var e = x
                    if hasExpand { e = conv2d(x, expand, padding: .none, activation: .relu6) }
                    var expected = conv2d(conv2d(e, dw, stride: stride, padding: .same, activation: .relu6), project, padding: .none)
                    if residual { expected = add(expected, x) }
                    for band in [1, 2, 5, nil] as [Int?] {
                        let got = block(x, bandRows: band)
                        XCTAssertEqual(got.shape, expected.shape)
                        XCTAssertEqual(got.data.map(\.bitPattern), expected.data.map(\.bitPattern),
                                       "\(precision) stride \(stride) expand \(hasExpand) band \(band.map(String.init) ?? "auto") \(isa)")
                    }
                }
            }
        }
    }
}
