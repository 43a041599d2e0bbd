import Foundation

/// A first-in first-out queue of at most `capacity` elements between two pipeline threads:
/// `push` waits while it is full (so a fast decoder cannot fill memory) and `pop` waits
/// while it is empty; after `close()` pushes are refused and pops drain what is left,
/// then return nil.
final class FrameQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var elements: [Element] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    /// Adds an element, waiting for room. Returns false (dropping it) once the queue is closed.
    /// `stop` is asked every 0.1 s while waiting; when it says true the element is dropped
    /// and false returned (so a Ctrl-C is seen even when the next stage is stuck).
    @discardableResult
    func push(_ element: Element, stop: () -> Bool = { false }) -> Bool {
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
    func pop(stop: () -> Bool = { false }) -> Element? {
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
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Closes the queue and drops what it holds (on failure or interruption).
    func cancel() {
        condition.lock()
        closed = true
        elements.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// A thread that runs one closure; `join()` waits for it to return.
final class PipelineThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var joined = false

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    func join() {
        lock.lock(); let already = joined; joined = true; lock.unlock()
        if !already { done.wait() }
    }
}
