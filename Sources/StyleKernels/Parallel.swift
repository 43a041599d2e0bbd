import Dispatch

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
    /// The pieces are handed out in order; `body` must write disjoint outputs.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(threadCount, count)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        // Contiguous blocks of pieces per thread keep caches warm; the mapping from
        // piece to thread does not affect any result.
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = count * t / threads
            let end = count * (t + 1) / threads
            for i in start..<end { body(i) }
        }
    }

    /// Number of workers `forEach(_:workers:_:)` should be given for `count` pieces:
    /// min(threadCount, count), at least 1. Callers size per-worker scratch with it.
    public static func workers(for count: Int) -> Int {
        max(1, min(threadCount, count))
    }

    /// Like `forEach`, on exactly `workers` threads, also passing the worker index
    /// (0..<workers) so the body can use that worker's slice of a scratch buffer.
    /// The worker index must not influence any result.
    public static func forEach(_ count: Int, workers: Int, _ body: (_ piece: Int, _ worker: Int) -> Void) {
        let threads = max(1, min(workers, count))
        if threads <= 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = count * t / threads
            let end = count * (t + 1) / threads
            for i in start..<end { body(i, t) }
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
