import Foundation

/// A first-in first-out queue of at most `capacity` elements between two pipeline threads:
/// `push` waits while it is full (so a fast producer cannot fill memory) and `pop` waits
/// while it is empty; after `close()` pushes are refused and pops drain what is left,
/// then return nil. The decoding, network and writing stages of `batch` and `video` are
/// joined by these.
package final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var elements: [Element] = []
    private var closed = false
    package let capacity: Int

    package init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    /// Adds an element, waiting for room. Returns false (dropping it) once the queue is closed.
    /// `stop` is asked every 0.1 s while waiting; when it says true the element is dropped
    /// and false returned (so a Ctrl-C is seen even when the next stage is stuck).
    @discardableResult
    package func push(_ element: Element, stop: () -> Bool = { false }) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while elements.count >= capacity && !closed {
            if stop() { return false }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
        }
        guard !closed else { return false }
        elements.append(element)
        condition.broadcast()
        return true
    }

    /// The oldest element, waiting for one; nil when closed and empty, or when `stop` (asked
    /// every 0.1 s while waiting) says true.
    package func pop(stop: () -> Bool = { false }) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while elements.isEmpty && !closed {
            if stop() { return nil }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
        }
        guard !elements.isEmpty else { return nil }
        let first = elements.removeFirst()
        condition.broadcast()
        return first
    }

    /// No more pushes; waiting pops return what is left, then nil.
    package func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Closes the queue and drops what it holds (on failure or interruption).
    package func cancel() {
        condition.lock()
        closed = true
        elements.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
