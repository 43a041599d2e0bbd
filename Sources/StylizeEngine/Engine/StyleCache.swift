import Foundation

/// What an engine remembers about the styles it has seen (AdaIN style statistics, Magenta
/// style vectors), so a batch, a video or a server asked for the same style again skips
/// the style network. Bounded: it keeps the `capacity` most recently used entries and
/// forgets the least recently used one beyond that, so a long-running server that receives
/// a new uploaded style with every request does not grow without end. An entry is a few KB
/// at most (a mean and a variance per feature channel: 4 KB for VGG's 512 channels; a
/// 100-float Magenta style vector), so the default 1024 entries stay under ~5 MB; a batch
/// with more styles than that encodes each style again for every content. Thread-safe.
final class StyleCache<Value>: @unchecked Sendable {
    /// How many entries are kept (at least 1).
    let capacity: Int
    private let lock = NSLock()
    private var values: [String: Value] = [:]
    /// Keys from least to most recently used.
    private var order: [String] = []

    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// The value stored under `key`, which becomes the most recently used; nil if absent.
    subscript(key: String) -> Value? {
        lock.lock(); defer { lock.unlock() }
        guard let value = values[key] else { return nil }
        touch(key)
        return value
    }

    /// Stores `value` under `key` as the most recently used entry, forgetting the least
    /// recently used one when the cache is full.
    func store(_ value: Value, for key: String) {
        lock.lock(); defer { lock.unlock() }
        if values.updateValue(value, forKey: key) != nil {
            touch(key)
            return
        }
        order.append(key)
        if order.count > capacity { values[order.removeFirst()] = nil }
    }

    /// The keys held, least recently used first.
    var keys: [String] {
        lock.lock(); defer { lock.unlock() }
        return order
    }

    private func touch(_ key: String) {
        if let i = order.firstIndex(of: key) { order.remove(at: i) }
        order.append(key)
    }
}
