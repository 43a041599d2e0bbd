import XCTest
import StyleKernels
import StyleTensor

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
