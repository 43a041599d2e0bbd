import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) @testable import StyleTensor
import StylizeTestSupport

/// Padding, pooling, upsampling and elementwise ops against their naive twins
/// (exact equality: these ops do no arithmetic, or the same arithmetic per value)
/// and against hand-computed values.
final class SpatialOpTests: XCTestCase {
    func testReflectIndex() {
        XCTAssertEqual((-3...6).map { reflectIndex($0, 4) }, [3, 2, 1, 0, 1, 2, 3, 2, 1, 0])
        XCTAssertEqual(reflectIndex(-1, 1), 0)
        XCTAssertEqual(reflectIndex(2, 2), 0)
    }

    func testPadMatchesNaive() {
        var rng = SeededRandom(seed: 7)
        let shapes = [Shape(h: 1, w: 1, c: 3), Shape(n: 2, h: 5, w: 7, c: 13), Shape(h: 4, w: 3, c: 64)]
        for s in shapes {
            let x = rng.tensor(s)
            for mode in [PadMode.reflect, .zero] {
                for (t, l, b, r) in [(1, 1, 1, 1), (0, 1, 2, 3), (4, 4, 4, 4)] {
                    let fast = pad(x, top: t, left: l, bottom: b, right: r, mode: mode)
                    var slow = Tensor(shape: fast.shape)
                    x.data.withUnsafeBufferPointer { ip in
                        slow.data.withUnsafeMutableBufferPointer { op in
                            PadKernel.naive(input: ip.baseAddress!, batch: s.n, height: s.h, width: s.w, channels: s.c,
                                            top: t, left: l, bottom: b, right: r, mode: mode, output: op.baseAddress!)
                        }
                    }
                    XCTAssertEqual(fast, slow, "\(s) \(mode) \(t),\(l),\(b),\(r)")
                }
            }
        }
        // Hand-computed reflection of the row [1 2 3] by 2: [3 2 | 1 2 3 | 2 1].
        let row = Tensor(shape: Shape(h: 1, w: 3, c: 1), data: [1, 2, 3])
        XCTAssertEqual(pad(row, top: 0, left: 2, bottom: 0, right: 2, mode: .reflect).data, [3, 2, 1, 2, 3, 2, 1])
        XCTAssertEqual(pad(row, top: 0, left: 1, bottom: 0, right: 0, mode: .zero).data, [0, 1, 2, 3])
    }

    func testMaxPoolCeilMode() {
        // 3x3 single channel: windows {1,2,4,5}, {3,6}, {7,8}, {9}.
        let x = Tensor(shape: Shape(h: 3, w: 3, c: 1), data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let y = maxPool2x2(x)
        XCTAssertEqual(y.shape, Shape(h: 2, w: 2, c: 1))
        XCTAssertEqual(y.data, [5, 6, 8, 9])
        // negative values: a partial window must not see padding zeros
        XCTAssertEqual(maxPool2x2(Tensor(shape: Shape(h: 1, w: 1, c: 2), data: [-3, -1])).data, [-3, -1])

        var rng = SeededRandom(seed: 11)
        for s in [Shape(h: 1, w: 1, c: 1), Shape(n: 2, h: 7, w: 5, c: 13), Shape(h: 8, w: 9, c: 64),
                  Shape(h: 3, w: 2, c: 512)] {
            let x = rng.tensor(s)
            let fast = maxPool2x2(x)
            var slow = Tensor(shape: fast.shape)
            x.data.withUnsafeBufferPointer { ip in
                slow.data.withUnsafeMutableBufferPointer { op in
                    MaxPoolKernel.naive(input: ip.baseAddress!, batch: s.n, height: s.h, width: s.w,
                                        channels: s.c, output: op.baseAddress!)
                }
            }
            XCTAssertEqual(fast, slow, "\(s)")
        }
    }

    func testUpsampleNearest2x() {
        let x = Tensor(shape: Shape(h: 1, w: 2, c: 2), data: [1, 2, 3, 4])
        XCTAssertEqual(upsampleNearest2x(x).data, [1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4])
        var rng = SeededRandom(seed: 12)
        for s in [Shape(h: 1, w: 1, c: 3), Shape(n: 2, h: 5, w: 3, c: 17)] {
            let x = rng.tensor(s)
            let fast = upsampleNearest2x(x)
            var slow = Tensor(shape: fast.shape)
            x.data.withUnsafeBufferPointer { ip in
                slow.data.withUnsafeMutableBufferPointer { op in
                    UpsampleKernel.nearest2xNaive(input: ip.baseAddress!, batch: s.n, height: s.h, width: s.w,
                                                  channels: s.c, output: op.baseAddress!)
                }
            }
            XCTAssertEqual(fast, slow, "\(s)")
        }
    }

    func testElementwiseMatchNaive() {
        var rng = SeededRandom(seed: 13)
        let count = 3 * 65_536 + 13       // several pieces plus a scalar tail
        let a = Tensor(shape: Shape(h: 1, w: count, c: 1), data: rng.floats(count).map { $0 * 10 })
        let b = rng.tensor(a.shape)
        func naive(_ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
            var out = [Float](repeating: 0, count: count)
            a.data.withUnsafeBufferPointer { ap in out.withUnsafeMutableBufferPointer { f(ap.baseAddress!, $0.baseAddress!) } }
            return out
        }
        XCTAssertEqual(relu(a).data, naive { ElementwiseKernels.activationNaive($0, count: count, .relu, output: $1) })
        XCTAssertEqual(relu6(a).data, naive { ElementwiseKernels.activationNaive($0, count: count, .relu6, output: $1) })
        let sumNaive = naive { ap, op in
            b.data.withUnsafeBufferPointer { ElementwiseKernels.addNaive(ap, $0.baseAddress!, count: count, output: op) }
        }
        XCTAssertEqual(add(a, b).data, sumNaive)
        let sig = sigmoid(a).data
        let sigNaive = naive { ElementwiseKernels.sigmoidNaive($0, count: count, output: $1) }
        for i in stride(from: 0, to: count, by: 97) { XCTAssertEqual(sig[i], sigNaive[i], accuracy: 2e-7) }
        XCTAssertEqual(relu6(Tensor(shape: Shape(h: 1, w: 3, c: 1), data: [-1, 3, 7])).data, [0, 3, 6])
        XCTAssertEqual(sigmoid(Tensor(shape: Shape(h: 1, w: 1, c: 1), data: [0])).data, [0.5])
    }
}
