import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The temporary files being written right now, so that a forced exit can remove them.
public final class TemporaryFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: Set<String> = []

    public init() {}

    /// Registers a temporary file (or folder) being written.
    public func add(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
    /// Forgets a temporary path (it was renamed into place or removed).
    public func remove(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }

    /// The paths currently registered.
    public var current: Set<String> { lock.lock(); defer { lock.unlock() }; return paths }

    /// Unlinks every registered file, and removes every registered folder with its
    /// contents (used just before a forced exit).
    public func removeAll() {
        lock.lock()
        for path in paths where unlink(path) != 0 && errno == EISDIR { try? FileManager.default.removeItem(atPath: path) }
        paths.removeAll()
        lock.unlock()
    }
}
