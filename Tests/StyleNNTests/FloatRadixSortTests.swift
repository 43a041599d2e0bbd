import XCTest
@testable import StyleNN
import StylizeTestSupport

final class FloatRadixSortTests: XCTestCase {
    /// The radix sort gives `sort()`'s sequence (its naive twin) on random values with
    /// negatives, ties, zeros, infinities and lengths 0 to 5000.
    func testMatchesSort() {
        var rng = SeededRandom(seed: 90)
        for n in [0, 1, 2, 3, 17, 256, 4096, 5000] {
            var values = (0..<n).map { i -> Float in
                switch i % 11 {
                case 0: return 0
                case 1: return 1.5
                case 2: return i % 2 == 0 ? .infinity : -.infinity
                default: return rng.float() * 1000
                }
            }
            let expected = values.sorted()
            var scratch = [UInt32](repeating: 0, count: n)
            values.withUnsafeMutableBufferPointer { v in scratch.withUnsafeMutableBufferPointer { radixSort(v, scratch: $0) } }
            XCTAssertEqual(values, expected, "n = \(n)")
        }
    }
}
