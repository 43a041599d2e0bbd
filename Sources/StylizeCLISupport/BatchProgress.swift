import Foundation
import StyleBatch
import StylizeEngine
#if canImport(Glibc)
import Glibc
#endif

/// Reports a batch's progress on standard error: a one-line progress bar redrawn in
/// place on a terminal (done/total, images per second, ETA, the current file), plain
/// log lines otherwise (one per finished pair), nothing when quiet.
public final class BatchProgress: BatchObserver, @unchecked Sendable {
    public enum Style: Sendable { case bar, lines, silent }

    let style: Style
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var processed = 0
    private var start = Date()
    private let write: @Sendable (String) -> Void

    /// `style: nil` picks `.bar` when standard error is a terminal, else `.lines`.
    public init(style: Style? = nil, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.style = style ?? (isatty(2) == 1 ? .bar : .lines)
        self.write = write
    }

    /// The run starts with `total` pairs, `alreadyDone` of which need no work (skipped/refused).
    public func begin(total: Int, alreadyDone: Int) {
        lock.lock(); defer { lock.unlock() }
        self.total = total; done = alreadyDone; processed = 0; start = Date()
        if style == .lines { write("batch: \(total) pairs, \(total - alreadyDone) to run\n") }
        if style == .bar { draw(current: "") }
    }

    /// A pair was run (written or failed).
    public func finished(_ result: BatchItemResult) {
        lock.lock(); defer { lock.unlock() }
        done += 1; processed += 1
        switch style {
        case .silent: break
        case .lines:
            let what = result.status == .ok ? "ok \(result.output)" : "FAILED \(result.input) + \(result.style): \(result.error ?? "")"
            write("[\(done)/\(total)] \(what) (\(String(format: "%.2f", result.seconds)) s)\n")
        case .bar:
            if result.status == .failed {
                write("\r\u{1B}[2Kfailed: \(result.input) + \(result.style): \(result.error ?? "")\n")
            }
            draw(current: (result.input as NSString).lastPathComponent)
        }
    }

    /// A remark that is not a pair's result (e.g. a skipped file).
    public func note(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        guard style != .silent else { return }
        write((style == .bar ? "\r\u{1B}[2K" : "") + text + "\n")
    }

    /// Ends the bar's line.
    public func end() {
        lock.lock(); defer { lock.unlock() }
        if style == .bar { write("\n") }
    }

    private func draw(current: String) {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(processed) / elapsed : 0
        let remaining = total - done
        let eta = rate > 0 ? Self.clock(Double(remaining) / rate) : "--:--"
        let width = 24
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        write("\r\u{1B}[2K[\(bar)] \(done)/\(total)  \(String(format: "%.2f", rate)) img/s  ETA \(eta)  \(current)")
    }

    /// "m:ss" or "h:mm:ss".
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
