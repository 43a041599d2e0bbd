import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) @testable import StyleTensor
import StylizeTestSupport

/// The Winograd kernel reads the padded (and upsampled) input through an index map
/// (`Winograd4x4ConvKernel.InputMap`) instead of a copy. Checked, per kernel variant:
///
/// - against the naive twin on an explicitly upsampled input (tolerance of `ConvTests`:
///   1e-4 x Σ|terms| + 1e-6), so the map reads the right values;
/// - bit for bit against the same kernel on the explicit upsampled and padded copy (identity
///   map), since the map must change where values come from, not the arithmetic.
///
/// Sizes include odd ones (partial tiles at the right and bottom), a one-row input (reflection
/// folds), zero and reflection padding, batches of two, and channel counts of 16 and 24
/// (the AVX-512F transform's 16-channel vectors plus an 8-channel rest).
final class WinogradInputMapTests: XCTestCase {
    struct Case {
        var n = 1
        var h: Int, w: Int, cin: Int, cout: Int, upsample: Bool, padding: Padding
    }

    func testMappedInputMatchesTheCopies() {
        let cases: [Case] = [
            Case(h: 5, w: 7, cin: 16, cout: 16, upsample: true, padding: .reflect(1)),
            Case(n: 2, h: 6, w: 3, cin: 24, cout: 8, upsample: true, padding: .reflect(1)),
            Case(h: 1, w: 4, cin: 16, cout: 16, upsample: true, padding: .reflect(1)),
            Case(h: 9, w: 10, cin: 32, cout: 24, upsample: false, padding: .reflect(1)),
            Case(h: 7, w: 5, cin: 16, cout: 8, upsample: true, padding: .zero(top: 1, left: 1, bottom: 1, right: 1)),
            Case(h: 8, w: 9, cin: 16, cout: 16, upsample: false, padding: .same),
            Case(h: 4, w: 4, cin: 16, cout: 16, upsample: true, padding: .none),
        ]
        for (i, c) in cases.enumerated() {
            var rng = SeededRandom(seed: 900 + UInt64(i))
            let x = rng.tensor(Shape(n: c.n, h: c.h, w: c.w, c: c.cin))
            let weights = rng.floats(c.cout * c.cin * 9), bias = rng.floats(c.cout)
            let w = ConvWeights(oihw: weights, outChannels: c.cout, inChannels: c.cin, kernelH: 3, kernelW: 3, bias: bias)
            XCTAssertNotNil(w.winograd, "case \(i) must take the Winograd kernel")
            let source = c.upsample ? upsampleNearest2x(x) : x
            let slow = conv2dNaive(source, w, padding: c.padding, activation: .relu)
            let absW = ConvWeights(oihw: weights.map(abs), outChannels: c.cout, inChannels: c.cin, kernelH: 3, kernelW: 3,
                                   bias: bias.map(abs))
            let scale = conv2dNaive(Tensor(shape: source.shape, data: source.data.map(abs)), absW, padding: c.padding)
            let p = c.padding.resolve(height: source.shape.h, width: source.shape.w, kernelH: 3, kernelW: 3, stride: 1)
            let copy = pad(source, top: p.top, left: p.left, bottom: p.bottom, right: p.right, mode: p.mode)
            forEachISA { isa in
                let mapped = conv2d(x, w, padding: c.padding, activation: .relu, upsampleFirst: c.upsample)
                XCTAssertEqual(mapped.shape, slow.shape, "case \(i)")
                let worst = worstRelativeError(mapped.data, slow.data, scale: scale.data, relTol: 1e-4, absFloor: 1e-6)
                XCTAssertLessThanOrEqual(worst, 1, "case \(i) \(isa): error \(worst) x tolerance")
                let copied = conv2d(copy, w, padding: .none, activation: .relu)
                XCTAssertEqual(mapped.data.map(\.bitPattern), copied.data.map(\.bitPattern), "case \(i) \(isa): map vs copy")
            }
        }
    }

    /// The offsets themselves on a small case: reflection of the upsampled line, then / 2.
    func testOffsetsOfAnUpsampledReflectedLine() {
        // 3 source columns of 1 channel, upsampled to 6, padded 1 each side: 8 positions,
        // tiles read 4 * ceil(6 / 4) + 2 = 10.
        let map = Winograd4x4ConvKernel.InputMap(height: 2, width: 3, channels: 1, upsample: 2,
                                                 top: 1, left: 1, bottom: 1, right: 1, mode: .reflect)
        // upsampled column u = k - 1: -1 -> 1 (source 0), 0,1 -> 0, 2,3 -> 1, 4,5 -> 2, 6 -> 4 (source 2); past 8: -1
        XCTAssertEqual(map.columnOffsets, [0, 0, 0, 1, 1, 2, 2, 2, -1, -1])
        // rows: 2 upsampled to 4, padded to 6 (a row is 3 floats): -1 -> 1 (source 0), 0,1 -> 0, 2,3 -> 1, 4 -> 2 (source 1)
        XCTAssertEqual(map.rowOffsets, [0, 0, 0, 3, 3, 3])
        XCTAssertEqual(map.paddedH, 6)
        XCTAssertEqual(map.paddedW, 8)
    }
}
