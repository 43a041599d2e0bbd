import Foundation

/// A thread that runs one closure; `join()` waits for it to return.
package final class PipelineThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var joined = false

    package init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    package func join() {
        lock.lock(); let already = joined; joined = true; lock.unlock()
        if !already { done.wait() }
    }
}
