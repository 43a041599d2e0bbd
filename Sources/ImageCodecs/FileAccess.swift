#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes on top of POSIX calls, reporting every
/// failure as a `CodecError` naming the path.
enum FileAccess {
    /// The text of the current errno.
    static func lastError() -> String { String(cString: strerror(errno)) }

    /// Largest input file read (2 GiB): far above any image within the pixel
    /// limit, and a stop for endless inputs such as /dev/zero.
    static let maxFileBytes = 1 << 31

    /// Reads a whole file (at most `maxFileBytes`).
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CodecError(file: path, kind: .io, detail: "cannot open: \(lastError())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CodecError(file: path, kind: .io, detail: "cannot stat: \(lastError())") }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw CodecError(file: path, kind: .io, detail: "is a directory, not an image file")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(min(max(0, Int(st.st_size)), maxFileBytes))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CodecError(file: path, kind: .io, detail: "read failed: \(lastError())")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maxFileBytes {
                throw CodecError(file: path, kind: .tooLarge, detail: "file is larger than \(maxFileBytes >> 30) GiB")
            }
        }
        return bytes
    }

    /// The first `count` bytes of a file (fewer if it is shorter).
    static func readHead(_ path: String, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CodecError(file: path, kind: .io, detail: "cannot open: \(lastError())") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw CodecError(file: path, kind: .io, detail: "is a directory, not an image file")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CodecError(file: path, kind: .io, detail: "read failed: \(lastError())")
            }
            if n == 0 { break }
            got += n
        }
        return Array(bytes[0..<got])
    }

    /// Device and inode of the file a path resolves to (following links), or nil if it does not exist.
    static func identity(_ path: String) -> (dev: UInt64, ino: UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// Writes `bytes` to a temporary file in the destination's directory, then
    /// renames it over `path`, so the output appears whole or not at all. The
    /// temporary file is removed on any failure. `tracking` is told the temporary
    /// path before it is created (true) and after it is gone (false).
    static func writeAtomically(_ bytes: [UInt8], to path: String, tracking: ((String, Bool) -> Void)? = nil) throws {
        try writeAtomically(to: path, tracking: tracking) { fd in
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CodecError(file: path, kind: .io, detail: "write failed: \(lastError())")
                }
                offset += n
            }
        }
    }

    /// The same with the bytes written by `body` to the temporary file's descriptor
    /// (e.g. an encoder streaming its output, so no encoded copy is held in memory).
    static func writeAtomically(to path: String, tracking: ((String, Bool) -> Void)? = nil, _ body: (Int32) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw CodecError(file: path, kind: .io, detail: "output path has no file name") }
        let temp = (directory.isEmpty ? "" : directory) + "/." + name + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        tracking?(temp, true)
        defer { tracking?(temp, false) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw CodecError(file: path, kind: .io, detail: "cannot create a file in \(directory.isEmpty ? "/" : directory): \(lastError())")
        }
        var closed = false
        do {
            try body(fd)
            guard fsync(fd) == 0 else { throw CodecError(file: path, kind: .io, detail: "fsync failed: \(lastError())") }
            closed = true
            guard close(fd) == 0 else { throw CodecError(file: path, kind: .io, detail: "close failed: \(lastError())") }
            guard rename(temp, path) == 0 else { throw CodecError(file: path, kind: .io, detail: "cannot replace the file: \(lastError())") }
        } catch {
            if !closed { close(fd) }
            unlink(temp)
            throw error
        }
    }
}
