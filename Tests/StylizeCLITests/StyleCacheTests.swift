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
}
