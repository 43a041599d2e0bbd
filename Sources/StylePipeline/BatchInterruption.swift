import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stop request shared by the stages of a batch: set by a signal (or a test), read
/// between items.
public final class BatchCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var _signal: Int32?
    private var _cancelled = false

    public init() {}

    /// Asks the batch to stop after the item in progress.
    public func cancel(signal: Int32? = nil) {
        lock.lock(); _cancelled = true; if _signal == nil { _signal = signal }; lock.unlock()
    }

    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return _cancelled }

    /// The signal that stopped the batch (SIGINT, SIGTERM), if any.
    public var signal: Int32? { lock.lock(); defer { lock.unlock() }; return _signal }
}

/// The temporary files being written right now, so that a forced exit can remove them.
public final class TemporaryFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: Set<String> = []

    public init() {}

    func add(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
    func remove(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }

    /// The paths currently registered.
    public var current: Set<String> { lock.lock(); defer { lock.unlock() }; return paths }

    /// Unlinks every registered file (used just before a forced exit).
    public func removeAll() {
        lock.lock()
        for path in paths { unlink(path) }
        paths.removeAll()
        lock.unlock()
    }
}

/// Turns SIGINT and SIGTERM into a `BatchCancellation` request.
///
/// The signals' default action (terminate at once) is replaced by a Dispatch signal
/// source: the first signal only sets the flag, which the pipeline checks between
/// items, so the item being written finishes (or is abandoned before its write starts)
/// and no partial file is left. A second signal means "stop now": the temporary files
/// being written are removed and the process exits at once with 128 + signal
/// (130 for SIGINT, 143 for SIGTERM).
public final class SignalTrap {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "stylize.signals")

    /// Installs the handlers; `onFirst` is called (on a private queue) for the first signal.
    public init(cancellation: BatchCancellation, temporaries: TemporaryFiles,
                onFirst: @escaping @Sendable (Int32) -> Void = { _ in }) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                if cancellation.isCancelled {
                    temporaries.removeAll()
                    _exit(128 + sig)
                }
                cancellation.cancel(signal: sig)
                onFirst(sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default actions.
    public func uninstall() {
        for s in sources { s.cancel() }
        sources.removeAll()
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// "SIGINT", "SIGTERM" or "signal N".
    public static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(sig)"
        }
    }
}
