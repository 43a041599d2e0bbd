import Foundation
import StylizeEngine

/// A first-in first-out queue of at most `capacity` elements between two pipeline
/// threads: `push` waits while it is full (so a fast producer cannot fill memory) and
/// `pop` waits while it is empty; after `close()` pops drain what is left, then return nil.
final class BatchQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var elements: [Element] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    /// Adds an element, waiting for room. Returns false (dropping it) once the queue is closed.
    @discardableResult
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while elements.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        elements.append(element)
        condition.broadcast()
        return true
    }

    /// The oldest element, waiting for one; nil when closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while elements.isEmpty && !closed { condition.wait() }
        guard !elements.isEmpty else { return nil }
        let first = elements.removeFirst()
        condition.broadcast()
        return first
    }

    /// No more pushes; waiting pops return what is left, then nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
