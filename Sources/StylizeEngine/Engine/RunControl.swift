import Foundation

/// A stop request shared by everything working on one run (the stages of a batch, the
/// tiles of a transfer, a video's frames, a server request): set by a signal handler, a
/// time limit or a client that went away, checked between units of work.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var _signal: Int32?
    private var _reason: String?
    private var _cancelled = false

    public init() {}

    /// Asks the work to stop at the next check; `signal` (SIGINT, SIGTERM) or `reason`
    /// say why (the first one given is kept).
    public func cancel(signal: Int32? = nil, reason: String? = nil) {
        lock.lock()
        _cancelled = true
        if _signal == nil { _signal = signal }
        if _reason == nil { _reason = reason }
        lock.unlock()
    }

    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return _cancelled }

    /// The signal that stopped the work, if any.
    public var signal: Int32? { lock.lock(); defer { lock.unlock() }; return _signal }

    /// Why the work was stopped, when the canceller said so.
    public var reason: String? { lock.lock(); defer { lock.unlock() }; return _reason }

    /// "SIGINT", "SIGTERM" or "signal N".
    public static func signalName(_ sig: Int32) -> String {
        switch sig {
        case 2: return "SIGINT"
        case 15: return "SIGTERM"
        default: return "signal \(sig)"
        }
    }

    /// Throws `EngineError.cancelled` once cancelled.
    public func check() throws {
        if isCancelled { throw EngineError.cancelled(reason ?? signal.map { "signal \($0)" } ?? "cancelled") }
    }
}

/// Progress of one stylization: `done` of `total` units of `phase` (tiles, layers).
public struct EngineProgress: Sendable, Equatable {
    /// What is being counted, e.g. "tiles" or "bands".
    public var phase: String
    public var done: Int
    public var total: Int

    public init(phase: String, done: Int, total: Int) {
        self.phase = phase; self.done = done; self.total = total
    }
}

/// How a caller watches and stops one stylization. The engine never prints: notes
/// (e.g. "style resized to fit the memory budget") and progress go to these closures.
public struct RunControl: Sendable {
    public var cancellation: Cancellation?
    /// Called after each unit of work of a tiled run (never for an untiled one).
    public var progress: (@Sendable (EngineProgress) -> Void)?
    /// Called with a remark the user should see.
    public var note: (@Sendable (String) -> Void)?

    public init(cancellation: Cancellation? = nil, progress: (@Sendable (EngineProgress) -> Void)? = nil,
                note: (@Sendable (String) -> Void)? = nil) {
        self.cancellation = cancellation; self.progress = progress; self.note = note
    }

    /// Throws `EngineError.cancelled` once the work has been cancelled.
    public func check() throws { try cancellation?.check() }
}

/// How one content image will run (see `StyleEngine.plan`).
public struct RunPlan: Sendable, Equatable {
    /// 1 for an untiled run, else the number of tiles or bands.
    public let pieces: Int
    /// "tiles" (AdaIN) or "bands" (Magenta's layer-by-layer sweep).
    public let unit: String
    /// The memory model's estimate of the run's peak (bytes).
    public let estimatedPeakBytes: Int

    public var isTiled: Bool { pieces > 1 }
}
