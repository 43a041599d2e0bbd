import Dispatch
import Synchronization

/// The process-wide thread budget and the one way kernels split work across threads.
///
/// Every kernel divides its output into independent pieces (rows, channel blocks,
/// tiles) whose partition never depends on the thread count, and each piece is
/// computed by exactly one thread with the same arithmetic order. Results are
/// therefore bit-identical for any `threadCount`.
public enum Parallel {
    private static let lock = DispatchSemaphore(value: 1)
    nonisolated(unsafe) private static var _threadCount = ProcessInfo_activeProcessorCount()

    /// Number of threads kernels may use (the `--threads` option). Default: all cores.
    public static var threadCount: Int {
        get { lock.wait(); defer { lock.signal() }; return _threadCount }
        set { lock.wait(); _threadCount = max(1, newValue); lock.signal() }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, on at most `threadCount` threads.
    /// `body` must write disjoint outputs.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEach(count, workers: workers(for: count)) { i, _ in body(i) }
    }

    /// Number of workers `forEach(_:workers:_:)` should be given for `count` pieces:
    /// min(threadCount, count), at least 1. Callers size per-worker scratch with it.
    public static func workers(for count: Int) -> Int {
        max(1, min(threadCount, count))
    }

    /// Like `forEach`, on at most `workers` threads, also passing the worker index
    /// (0..<workers) so the body can use that worker's slice of a scratch buffer.
    /// The worker index must not influence any result.
    ///
    /// Pieces are handed out dynamically (each worker takes the next piece from a
    /// shared counter), so a thread slowed down by other processes on the machine
    /// does not hold the others back; which thread computes a piece never changes
    /// what it computes.
    public static func forEach(_ count: Int, workers: Int, _ body: (_ piece: Int, _ worker: Int) -> Void) {
        let threads = max(1, min(workers, count))
        if threads <= 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        let next = Atomic<Int>(0)
        // The body runs on several threads at once by design: callers pass bodies that write
        // disjoint pieces (the contract above), which the compiler cannot see.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= count { break }
                    body(i, t)
                }
            }
        }
    }
}

@inline(__always)
private func ProcessInfo_activeProcessorCount() -> Int {
    #if canImport(Glibc)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
    return 1
    #endif
}

#if canImport(Glibc)
import Glibc
#endif
