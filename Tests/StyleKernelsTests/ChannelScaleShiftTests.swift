import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) import StyleTensor
import StylizeTestSupport

/// `channelScaleShift` against its naive twin (exact: one multiply-add per value either way;
/// the fast kernel may fuse it, so the tolerance is one rounding) and a hand-computed case.
final class ChannelScaleShiftTests: XCTestCase {
    func testMatchesNaiveOnRandomShapes() {
        var rng = SeededRandom(seed: 41)
        for s in [Shape(h: 1, w: 1, c: 1), Shape(n: 2, h: 7, w: 5, c: 3), Shape(n: 3, h: 33, w: 17, c: 32),
                  Shape(h: 64, w: 65, c: 8)] {
            let x = rng.tensor(s)
            let scale = rng.floats(s.n * s.c), shift = rng.floats(s.n * s.c)
            let fast = channelScaleShift(x, scale: scale, shift: shift)
            let slow = channelScaleShiftNaive(x, scale: scale, shift: shift)
            for i in fast.data.indices {
                XCTAssertEqual(fast.data[i], slow.data[i], accuracy: 1e-6 * max(1, abs(slow.data[i])), "\(s) at \(i)")
            }
        }
    }

    func testHandComputed() {
        // two samples, two channels, one pixel each: y = x * scale[n,c] + shift[n,c]
        let x = Tensor(shape: Shape(n: 2, h: 1, w: 1, c: 2), data: [1, 2, 3, 4])
        let y = channelScaleShift(x, scale: [2, 3, -1, 0.5], shift: [0, 1, 10, -2])
        XCTAssertEqual(y.data, [2, 7, 7, 0])
    }

    func testThreadCountDoesNotChangeResult() {
        var rng = SeededRandom(seed: 5)
        let s = Shape(n: 1, h: 129, w: 67, c: 16)
        let x = rng.tensor(s)
        let scale = rng.floats(16), shift = rng.floats(16)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let one = channelScaleShift(x, scale: scale, shift: shift)
        Parallel.threadCount = 4
        XCTAssertEqual(channelScaleShift(x, scale: scale, shift: shift), one)
    }
}

/// The in-place fused form against its naive twin (bit-identical: same multiply, then add,
/// then activation per value) for every activation, channel counts with and without a
/// vector path, and any thread count.
final class ChannelAffineKernelTests: XCTestCase {
    func testInPlaceMatchesNaiveExactly() {
        var rng = SeededRandom(seed: 77)
        for s in [Shape(h: 1, w: 1, c: 1), Shape(n: 2, h: 9, w: 11, c: 3), Shape(n: 1, h: 70, w: 33, c: 32),
                  Shape(n: 2, h: 17, w: 5, c: 8), Shape(h: 300, w: 301, c: 4)] {
            let x = rng.tensor(s)
            let scale = rng.floats(s.n * s.c).map { $0 * 4 }, shift = rng.floats(s.n * s.c)
            for act in [Activation.none, .relu, .relu6] {
                var fast = x, slow = x
                channelScaleShiftInPlace(&fast, scale: scale, shift: shift, activation: act)
                channelScaleShiftInPlaceNaive(&slow, scale: scale, shift: shift, activation: act)
                XCTAssertEqual(fast, slow, "\(s) \(act)")
            }
        }
    }

    func testHandComputedRelu() {
        var x = Tensor(shape: Shape(n: 1, h: 1, w: 2, c: 2), data: [1, -2, 3, 4])
        channelScaleShiftInPlace(&x, scale: [2, 1], shift: [-3, 1], activation: .relu)
        XCTAssertEqual(x.data, [0, 0, 3, 5])
    }

    func testThreadCountDoesNotChangeResult() {
        var rng = SeededRandom(seed: 9)
        let x = rng.tensor(Shape(n: 1, h: 257, w: 129, c: 16))
        let scale = rng.floats(16), shift = rng.floats(16)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        var one = x
        channelScaleShiftInPlace(&one, scale: scale, shift: shift, activation: .relu6)
        Parallel.threadCount = 3
        var three = x
        channelScaleShiftInPlace(&three, scale: scale, shift: shift, activation: .relu6)
        XCTAssertEqual(one, three)
    }
}
