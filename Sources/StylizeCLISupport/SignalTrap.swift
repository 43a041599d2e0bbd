import Dispatch
import Foundation
import StylizeEngine
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a `Cancellation` request.
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
    public init(cancellation: Cancellation, temporaries: TemporaryFiles,
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
    public static func name(_ sig: Int32) -> String { Cancellation.signalName(sig) }
}
