#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (`mmap`), unmapped when released.
/// Weights are read straight from the mapping, never copied wholesale.
final class MappedFile {
    let path: String
    /// The file's bytes; empty for an empty file.
    let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw WeightsError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw WeightsError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw WeightsError.cannotOpen(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw WeightsError.cannotOpen(file: path, reason: "mmap failed: " + String(cString: strerror(errno)))
        }
        mapping = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    var count: Int { bytes.count }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}

/// Reads little-endian integers from a byte buffer; every read is bounds-checked and
/// a failed check calls `fail`, which builds the error for the caller's format.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let fail: (Int, String) -> Error

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0, fail: @escaping (Int, String) -> Error) {
        self.bytes = bytes
        self.position = position
        self.fail = fail
    }

    var remaining: Int { bytes.count - position }
    var atEnd: Bool { position >= bytes.count }

    mutating func take(_ n: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard n >= 0, position >= 0, n <= bytes.count - position else {
            throw fail(position, "\(what) needs \(n) bytes, only \(max(0, bytes.count - position)) remain")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position ..< position + n])
        position += n
        return slice
    }

    mutating func u8(_ what: String) throws -> UInt8 { try take(1, what)[0] }

    mutating func le<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> T {
        let raw = try take(MemoryLayout<T>.size, what)
        return readLE(raw, at: 0, as: T.self)
    }
}

/// Little-endian integer at `offset` (the caller has checked the bounds).
@inline(__always)
func readLE<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int, as: T.Type) -> T {
    var value: T = 0
    withUnsafeMutableBytes(of: &value) { dst in
        dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + MemoryLayout<T>.size]))
    }
    return T(littleEndian: value)
}
