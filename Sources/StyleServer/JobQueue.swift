import Foundation
import StylizeEngine

/// The server's bounded job queue: one job runs at a time, on one worker thread, with the
/// whole process thread budget (`ThreadBudget.threads`) for its kernels; at most `capacity`
/// jobs wait behind it. A job that would exceed that is refused at once (`QueueFull`, the
/// server's 429 with Retry-After), so memory stays at one job's budget plus the waiting
/// jobs' compressed uploads.
///
/// Jobs are synchronous CPU work; they run on the worker thread, never on the Swift
/// concurrency pool, so the HTTP side keeps answering (health checks, 429s) while a job runs.
/// A job carries a `Cancellation`: a job withdrawn while waiting (time limit, client gone)
/// leaves the queue at once; a running one stops at the engine's next check.
///
/// Live frames (`live: true`) share the one worker with the API's jobs, first come first
/// served, so neither starves the other: a live client has at most one frame here at a time
/// (the server refuses a second), so a job waits behind at most one frame per live client,
/// and a frame behind the jobs ahead of it. Frames are bounded by the number of live clients,
/// not by `capacity`, and are counted apart (`liveFrames`), outside the job statistics and
/// the Retry-After estimate.
public final class JobQueue: @unchecked Sendable {
    /// Thrown by `submit` when `capacity` jobs already wait; `retryAfter` is the estimated
    /// seconds until a place frees up (at least 1).
    public struct QueueFull: Error, Equatable {
        public let retryAfter: Int
    }

    /// Counters since start.
    public struct Snapshot: Sendable, Equatable {
        public var running: Bool
        public var waiting: Int
        public var capacity: Int
        /// Jobs that ran (whatever their outcome).
        public var completed: Int
        /// Jobs refused because the queue was full (429).
        public var rejected: Int
        /// Jobs cancelled before they ran (time limit, client gone, shutdown).
        public var withdrawn: Int
        /// Mean duration of the last jobs (seconds), 0 before the first.
        public var meanSeconds: Double
        /// Live frames that ran (whatever their outcome), and those waiting now.
        public var liveFrames: Int
        public var liveWaiting: Int
    }

    private final class Job {
        let cancellation: Cancellation
        let live: Bool
        /// Runs the work and returns what answers the submitter (called after the counters
        /// are updated, so a snapshot taken by the submitter includes its own job).
        let execute: () -> () -> Void
        let fail: (any Error) -> Void
        init(cancellation: Cancellation, live: Bool, execute: @escaping () -> () -> Void, fail: @escaping (any Error) -> Void) {
            self.cancellation = cancellation; self.live = live; self.execute = execute; self.fail = fail
        }
    }

    public let capacity: Int
    private let condition = NSCondition()
    private var waiting: [Job] = []
    private var running: Job?
    private var stopped = false
    private var workerStarted = false
    private var recent: [Double] = []
    private var completed = 0, rejected = 0, withdrawn = 0, liveFrames = 0

    /// `capacity`: jobs allowed to wait behind the running one (>= 0).
    public init(capacity: Int) {
        precondition(capacity >= 0, "queue capacity must be >= 0")
        self.capacity = capacity
    }

    /// Runs `work` on the worker thread when its turn comes and returns its result.
    /// Throws `QueueFull` when the queue is full, `EngineError.cancelled` when the job is
    /// withdrawn (or the queue stopped) before it ran, or what `work` throws. `live`: a live
    /// frame (never refused as `QueueFull`; see the type's note).
    public func submit<T: Sendable>(cancellation: Cancellation, live: Bool = false,
                                    _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(cancellation: cancellation, live: live,
                          execute: { let result = Result { try work() }; return { continuation.resume(with: result) } },
                          fail: { continuation.resume(throwing: $0) })
            condition.lock()
            if stopped {
                condition.unlock()
                continuation.resume(throwing: EngineError.cancelled("the server is shutting down"))
                return
            }
            if !live, running != nil, waitingJobsLocked >= capacity {
                rejected += 1
                let retry = retryAfterLocked()
                condition.unlock()
                continuation.resume(throwing: QueueFull(retryAfter: retry))
                return
            }
            waiting.append(job)
            startWorkerLocked()
            condition.signal()
            condition.unlock()
        }
    }

    /// Cancels the job of `cancellation` (with `reason`): a waiting job leaves the queue and
    /// its `submit` throws `EngineError.cancelled` at once; a running job is only asked to stop.
    public func withdraw(_ cancellation: Cancellation, reason: String) {
        cancellation.cancel(reason: reason)
        condition.lock()
        guard let index = waiting.firstIndex(where: { $0.cancellation === cancellation }) else {
            condition.unlock()
            return
        }
        let job = waiting.remove(at: index)
        if !job.live { withdrawn += 1 }
        condition.unlock()
        job.fail(EngineError.cancelled(reason))
    }

    /// Stops taking jobs: waiting jobs fail as cancelled, the running one is asked to stop,
    /// and the worker thread ends after it.
    public func shutdown(reason: String = "the server is shutting down") {
        condition.lock()
        stopped = true
        let dropped = waiting
        waiting.removeAll()
        running?.cancellation.cancel(reason: reason)
        condition.broadcast()
        condition.unlock()
        for job in dropped { job.cancellation.cancel(reason: reason); job.fail(EngineError.cancelled(reason)) }
    }

    /// Whether `shutdown` was called.
    public var isStopped: Bool { condition.lock(); defer { condition.unlock() }; return stopped }

    public var snapshot: Snapshot {
        condition.lock(); defer { condition.unlock() }
        return Snapshot(running: running != nil, waiting: waitingJobsLocked, capacity: capacity, completed: completed,
                        rejected: rejected, withdrawn: withdrawn,
                        meanSeconds: recent.isEmpty ? 0 : recent.reduce(0, +) / Double(recent.count),
                        liveFrames: liveFrames, liveWaiting: waiting.count - waitingJobsLocked)
    }

    /// API jobs waiting (live frames left out).
    private var waitingJobsLocked: Int { waiting.reduce(0) { $0 + ($1.live ? 0 : 1) } }

    /// Seconds until a place is likely free: the running job and those waiting, at the mean
    /// duration of recent jobs (at least 1).
    private func retryAfterLocked() -> Int {
        let mean = recent.isEmpty ? 1 : recent.reduce(0, +) / Double(recent.count)
        return max(1, Int((mean * Double(waitingJobsLocked + 1)).rounded(.up)))
    }

    private func startWorkerLocked() {
        guard !workerStarted else { return }
        workerStarted = true
        let thread = Thread { [self] in work() }
        thread.name = "stylize-serve-worker"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func work() {
        while true {
            condition.lock()
            while waiting.isEmpty && !stopped { condition.wait() }
            if waiting.isEmpty {   // stopped
                condition.unlock()
                return
            }
            let job = waiting.removeFirst()
            running = job
            condition.unlock()

            let start = Date()
            let answer: () -> Void
            let ran = !job.cancellation.isCancelled
            if ran {
                answer = job.execute()
            } else {
                let reason = job.cancellation.reason ?? "cancelled"
                answer = { job.fail(EngineError.cancelled(reason)) }
            }
            condition.lock()
            running = nil
            if job.live {
                if ran { liveFrames += 1 }
            } else if ran {
                completed += 1
                recent.append(Date().timeIntervalSince(start))
                if recent.count > 16 { recent.removeFirst() }
            } else {
                withdrawn += 1
            }
            condition.unlock()
            answer()
        }
    }
}
