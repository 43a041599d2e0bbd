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
