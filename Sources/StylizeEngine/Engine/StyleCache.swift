import Foundation

/// What an engine remembers about the styles it has seen (AdaIN style statistics, Magenta
/// style vectors), so a batch, a video or a server asked for the same style again skips
/// the style network. Bounded twice: it keeps at most `capacity` entries and at most
/// `maxBytes` bytes of them (each entry's size given by `cost`), forgetting the least
/// recently used entries beyond either bound, so a long-running server that receives a new
/// uploaded style with every request does not grow without end. Entry sizes differ by three
/// orders of magnitude: a mean and a variance per feature channel are a few KB (4 KB for
/// VGG's 512 channels), a 100-float Magenta style vector 400 bytes, a covariance target
/// (C x C colouring matrix in Double) 0.3 MB at 192 channels and a distribution table
/// (C x 1024 quantiles in Double) 1.5 MB; the default 64 MB holds 1024 of the small ones
/// but about 40 distribution tables. An entry larger than `maxBytes` is not kept. Thread-safe.
final class StyleCache<Value>: @unchecked Sendable {
    /// How many entries are kept (at least 1).
    let capacity: Int
    /// How many bytes of entries are kept.
    let maxBytes: Int
    private let cost: (Value) -> Int
    private let lock = NSLock()
    private var values: [String: (value: Value, bytes: Int)] = [:]
    /// Keys from least to most recently used.
    private var order: [String] = []
    private var total = 0

    /// The default byte bound: 64 MB.
    static var defaultMaxBytes: Int { 64_000_000 }

    init(capacity: Int = 1024, maxBytes: Int = StyleCache.defaultMaxBytes, cost: @escaping (Value) -> Int = { _ in 0 }) {
        self.capacity = max(1, capacity)
        self.maxBytes = maxBytes
        self.cost = cost
    }

    /// The value stored under `key`, which becomes the most recently used; nil if absent.
    subscript(key: String) -> Value? {
        lock.lock(); defer { lock.unlock() }
        guard let entry = values[key] else { return nil }
        touch(key)
        return entry.value
    }

    /// Stores `value` under `key` as the most recently used entry, forgetting the least
    /// recently used ones while the cache holds more than `capacity` entries or `maxBytes`.
    func store(_ value: Value, for key: String) {
        let bytes = cost(value)
        lock.lock(); defer { lock.unlock() }
        if let old = values[key] {
            total -= old.bytes
            touch(key)
        } else {
            order.append(key)
        }
        values[key] = (value, bytes)
        total += bytes
        while order.count > capacity || (total > maxBytes && !order.isEmpty) {
            let dropped = order.removeFirst()
            total -= values.removeValue(forKey: dropped)?.bytes ?? 0
        }
    }

    /// The keys held, least recently used first.
    var keys: [String] {
        lock.lock(); defer { lock.unlock() }
        return order
    }

    /// The bytes of the entries held (by `cost`).
    var bytes: Int {
        lock.lock(); defer { lock.unlock() }
        return total
    }

    private func touch(_ key: String) {
        if let i = order.firstIndex(of: key) { order.remove(at: i) }
        order.append(key)
    }
}
