import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes the display matrix of the video track of an MP4/QuickTime file: the
/// nine 32-bit values in the track header box (`moov/trak/tkhd`, ISO/IEC 14496-12 8.3.2)
/// of the track whose handler (`mdia/hdlr`) is `vide`. This is where phones store the
/// rotation of a clip filmed upright; ffprobe reports it as `rotation`.
///
/// ffmpeg 5.1 (Debian 12) cannot attach a rotation to frames it reads from a pipe, so the
/// video pipeline writes the input's matrix into the finished output before renaming it
/// into place. Only the 36 bytes of the matrix change; no box moves.
public enum MP4DisplayMatrix {
    /// The identity matrix (no rotation).
    public static let identity: [Int32] = [65536, 0, 0, 0, 65536, 0, 0, 0, 1 << 30]

    /// The matrix whose rotation ffprobe reports as `degrees` (counter-clockwise, as
    /// `av_display_rotation_get`): ffmpeg's `av_display_rotation_set(-degrees)`, i.e.
    /// [cos, -sin, 0; sin, cos, 0; 0, 0, 1] of `degrees` in 16.16, with w = 1 in 2.30.
    public static func rotation(degrees: Double) -> [Int32] {
        let r = degrees * Double.pi / 180
        func fixed(_ v: Double) -> Int32 { Int32((v * 65536).rounded()) }
        let c = fixed(cos(r)), s = fixed(sin(r))
        return [c, -s, 0, s, c, 0, 0, 0, 1 << 30]
    }

    /// The video track's matrix, or nil when the file has no such track.
    public static func read(file path: String) throws -> [Int32]? {
        guard let location = try locate(path) else { return nil }
        return location.values
    }

    /// Overwrites the video track's matrix with `matrix` (9 values). Throws when the file
    /// is not an MP4/QuickTime file with a video track.
    public static func write(_ matrix: [Int32], file path: String) throws {
        precondition(matrix.count == 9, "a display matrix has 9 values")
        guard let location = try locate(path) else {
            throw VideoError.io(file: path, detail: "no video track header found to store the rotation in")
        }
        var bytes = [UInt8]()
        for v in matrix { withUnsafeBytes(of: UInt32(bitPattern: v).bigEndian) { bytes += $0 } }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VideoError.io(file: path, detail: "cannot open to store the rotation: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, 36, off_t(location.offset)) }
        guard n == 36 else { throw VideoError.io(file: path, detail: "cannot store the rotation: \(String(cString: strerror(errno)))") }
    }

    // MARK: - Boxes

    struct Box { let type: String; let start: Int; let headerSize: Int; let size: Int
        var payloadStart: Int { start + headerSize }; var end: Int { start + size } }

    /// File offset and current values of the video track's matrix.
    static func locate(_ path: String) throws -> (offset: Int, values: [Int32])? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VideoError.io(file: path, detail: "cannot be opened")
        }
        defer { try? handle.close() }
        let fileSize = Int(try handle.seekToEnd())
        // Top level: find moov by reading box headers only (mdat may be gigabytes).
        var offset = 0
        var moov: Box? = nil
        while offset + 8 <= fileSize {
            try handle.seek(toOffset: UInt64(offset))
            let header = [UInt8](try handle.read(upToCount: 16) ?? Data())
            guard let box = parseHeader(header, at: offset, limit: fileSize) else { return nil }
            if box.type == "moov" { moov = box; break }
            offset = box.end
        }
        guard let moov, moov.size < 256 << 20 else { return nil }
        try handle.seek(toOffset: UInt64(moov.start))
        let bytes = [UInt8](try handle.read(upToCount: moov.size) ?? Data())
        guard bytes.count == moov.size else { return nil }
        for trak in children(bytes, from: moov.headerSize, to: bytes.count, base: 0) where trak.type == "trak" {
            let parts = children(bytes, from: trak.payloadStart, to: trak.end, base: 0)
            guard let tkhd = parts.first(where: { $0.type == "tkhd" }),
                  let mdia = parts.first(where: { $0.type == "mdia" }),
                  let hdlr = children(bytes, from: mdia.payloadStart, to: mdia.end, base: 0).first(where: { $0.type == "hdlr" }),
                  hdlr.payloadStart + 12 <= hdlr.end,
                  String(decoding: bytes[(hdlr.payloadStart + 8)..<(hdlr.payloadStart + 12)], as: UTF8.self) == "vide"
            else { continue }
            let version = bytes[tkhd.payloadStart]
            let matrixStart = tkhd.payloadStart + (version == 1 ? 52 : 40)
            guard matrixStart + 36 <= tkhd.end else { return nil }
            let values = (0..<9).map { i -> Int32 in
                let p = matrixStart + 4 * i
                return Int32(bitPattern: UInt32(bytes[p]) << 24 | UInt32(bytes[p + 1]) << 16 | UInt32(bytes[p + 2]) << 8 | UInt32(bytes[p + 3]))
            }
            return (moov.start + matrixStart, values)
        }
        return nil
    }

    /// A box header at `at` from the first bytes of the box (size, type, optional 64-bit size).
    static func parseHeader(_ h: [UInt8], at: Int, limit: Int) -> Box? {
        guard h.count >= 8 else { return nil }
        var size = Int(UInt32(h[0]) << 24 | UInt32(h[1]) << 16 | UInt32(h[2]) << 8 | UInt32(h[3]))
        let type = String(decoding: h[4..<8], as: UTF8.self)
        var headerSize = 8
        if size == 1 {
            guard h.count >= 16 else { return nil }
            size = h[8..<16].reduce(0) { $0 << 8 | Int($1) }
            headerSize = 16
        } else if size == 0 {
            size = limit - at
        }
        guard size >= headerSize, at + size <= limit else { return nil }
        return Box(type: type, start: at, headerSize: headerSize, size: size)
    }

    /// The boxes directly inside bytes[from..<to].
    static func children(_ bytes: [UInt8], from: Int, to: Int, base: Int) -> [Box] {
        var out: [Box] = []
        var p = from
        while p + 8 <= to {
            guard let box = parseHeader(Array(bytes[p..<min(p + 16, to)]), at: p, limit: to) else { break }
            out.append(box)
            p = box.end
        }
        return out
    }
}
