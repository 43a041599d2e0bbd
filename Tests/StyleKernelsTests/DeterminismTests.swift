import XCTest
import StyleKernels
@testable import StyleTensor
import StylizeTestSupport

/// Results must be bit-identical for any thread count: the kernels split work into
/// pieces that do not depend on the count, and compute each value the same way; for
/// every kernel variant the CPU supports.
final class DeterminismTests: XCTestCase {
    func testSameBytesForOneTwoThreeThreads() {
        var rng = SeededRandom(seed: 99)
        let x = rng.tensor(Shape(n: 2, h: 23, w: 29, c: 40))
        let w3 = ConvWeights(oihw: rng.floats(48 * 40 * 9), outChannels: 48, inChannels: 40,
                             kernelH: 3, kernelW: 3, bias: rng.floats(48))
        let w1 = ConvWeights(oihw: rng.floats(24 * 40), outChannels: 24, inChannels: 40,
                             kernelH: 1, kernelW: 1, bias: nil)
        let dw = ConvWeights(oihw: rng.floats(40 * 9), outChannels: 40, inChannels: 1,
                             kernelH: 3, kernelW: 3, bias: rng.floats(40), groups: 40)
        let rgb = ConvWeights(oihw: rng.floats(3 * 40 * 9), outChannels: 3, inChannels: 40,
                              kernelH: 3, kernelW: 3, bias: rng.floats(3))
        let big = rng.tensor(Shape(h: 3, w: 300_000, c: 1))
        func run() -> [[Float]] {
            [conv2d(x, w3, padding: .reflect(1), activation: .relu).data,
             conv2d(x, w3, padding: .reflect(1), activation: .relu, algorithm: .direct).data,
             conv2d(x, w1, stride: 2, padding: .same).data,
             conv2d(x, rgb, padding: .reflect(1)).data,
             conv2d(x, dw, stride: 2, padding: .same, activation: .relu6).data,
             maxPool2x2(x).data, upsampleNearest2x(x).data, reflectionPad(x, 1).data,
             sigmoid(big).data, add(big, big).data]
        }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        forEachISA { isa in
            Parallel.threadCount = 1
            let one = run()
            for threads in [2, 3] {
                Parallel.threadCount = threads
                let other = run()
                for (i, (a, b)) in zip(one, other).enumerated() {
                    XCTAssertTrue(a.withUnsafeBytes { ab in b.withUnsafeBytes { ab.elementsEqual($0) } },
                                  "\(isa): output \(i) differs between 1 and \(threads) threads")
                }
            }
        }
    }
}
