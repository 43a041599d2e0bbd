import XCTest
@testable import StylizeEngine

/// The engine's style cache forgets the least recently used style beyond its capacity, so a
/// server receiving a new uploaded style with every request stays bounded.
final class StyleCacheTests: XCTestCase {
    func testKeepsTheMostRecentlyUsedEntries() {
        let cache = StyleCache<Int>(capacity: 3)
        cache.store(1, for: "a")
        cache.store(2, for: "b")
        cache.store(3, for: "c")
        XCTAssertEqual(cache["a"], 1)            // a becomes the most recently used
        cache.store(4, for: "d")                 // full: b, the least recently used, goes
        XCTAssertNil(cache["b"])
        XCTAssertEqual(cache.keys, ["c", "a", "d"])
        cache.store(5, for: "c")                 // replacing a value does not grow the cache
        XCTAssertEqual(cache.keys, ["a", "d", "c"])
        XCTAssertEqual(cache["c"], 5)
        for i in 0..<100 { cache.store(i, for: "k\(i)") }
        XCTAssertEqual(cache.keys, ["k97", "k98", "k99"])
    }

    func testCapacityIsAtLeastOne() {
        let cache = StyleCache<String>(capacity: 0)
        cache.store("x", for: "1")
        cache.store("y", for: "2")
        XCTAssertEqual(cache.keys, ["2"])
        XCTAssertEqual(cache["2"], "y")
    }

    /// The byte bound: entries are forgotten, least recently used first, while their cost sums
    /// to more than `maxBytes`; an entry larger than the bound is not kept at all.
    func testByteBound() {
        let cache = StyleCache<[Double]>(capacity: 100, maxBytes: 1000, cost: { 8 * $0.count })
        cache.store([Double](repeating: 0, count: 50), for: "a")      // 400 bytes
        cache.store([Double](repeating: 1, count: 50), for: "b")      // 800
        XCTAssertEqual(cache.bytes, 800)
        XCTAssertNotNil(cache["a"])                                   // a is now the most recent
        cache.store([Double](repeating: 2, count: 50), for: "c")      // 1200 > 1000: b goes
        XCTAssertEqual(cache.keys, ["a", "c"])
        XCTAssertEqual(cache.bytes, 800)
        cache.store([Double](repeating: 3, count: 10), for: "a")      // replacing a shrinks it
        XCTAssertEqual(cache.bytes, 480)
        cache.store([Double](repeating: 4, count: 200), for: "big")   // 1600 alone: nothing can stay
        XCTAssertEqual(cache.keys, [])
        XCTAssertEqual(cache.bytes, 0)
    }
}
