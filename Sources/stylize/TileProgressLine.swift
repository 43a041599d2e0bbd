import Foundation
import StylizeEngine
import StylizeCLISupport
#if canImport(Glibc)
import Glibc
#endif

/// The progress line of a tiled single transfer on standard error: tiles done, ETA,
/// redrawn in place. Shown only on a terminal, when not quiet, and once the run has taken
/// more than two seconds; notes from the engine are printed as lines.
final class TileProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let onTerminal = isatty(2) == 1
    private let start = Date()
    private var drawn = false
    private var phase = ""
    private var phaseStart = Date()

    init(enabled: Bool) { self.enabled = enabled }

    var control: RunControl {
        RunControl(progress: { [self] in draw($0) }, note: { [self] in note($0) })
    }

    func note(_ text: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data(((drawn ? "\r\u{1B}[2K" : "") + "note: " + text + "\n").utf8))
        drawn = false
    }

    private func draw(_ p: EngineProgress) {
        guard enabled, onTerminal else { return }
        let elapsed = Date().timeIntervalSince(start)
        guard elapsed > 2 else { return }
        lock.lock(); defer { lock.unlock() }
        if p.phase != phase { phase = p.phase; phaseStart = Date() }
        // The rate of the current phase (statistics tiles are cheaper than decoding tiles).
        let inPhase = Date().timeIntervalSince(phaseStart)
        let eta = p.done > 1 ? BatchProgress.clock(inPhase / Double(p.done - 1) * Double(p.total - p.done)) : "--:--"
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(p.phase) \(p.done)/\(p.total)  ETA \(eta)".utf8))
        drawn = true
    }

    /// Ends the line if one was drawn.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)); drawn = false }
    }
}
