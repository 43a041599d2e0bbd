/// A read-only view of the entries of a zip archive held in memory, parsed from its
/// central directory (ZIP64 records included). Only stored (uncompressed) entries can be
/// read, which is how `torch.save` writes them.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: Int
        let flags: Int
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let file: String
    let bytes: UnsafeRawBufferPointer
    private(set) var entries: [String: Entry] = [:]
    private(set) var names: [String] = []

    init(file: String, bytes: UnsafeRawBufferPointer) throws {
        self.file = file
        self.bytes = bytes
        func bad(_ detail: String) -> WeightsError { .invalidCheckpoint(file: file, detail: "zip archive: \(detail)") }
        let n = bytes.count
        // End of central directory: 22 bytes plus a comment of up to 65535 bytes.
        guard n >= 22 else { throw WeightsError.truncated(file: file, detail: "zip archive of \(n) bytes has no end record") }
        var eocd = -1
        var at = n - 22
        while at >= max(0, n - 22 - 65535) {
            if readLE(bytes, at: at, as: UInt32.self) == 0x0605_4B50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw WeightsError.truncated(file: file, detail: "zip end-of-central-directory record not found") }
        var count = Int(readLE(bytes, at: eocd + 10, as: UInt16.self))
        var cdSize = Int(readLE(bytes, at: eocd + 12, as: UInt32.self))
        var cdOffset = Int(readLE(bytes, at: eocd + 16, as: UInt32.self))
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // ZIP64 locator just before the end record points at the ZIP64 end record.
            let locator = eocd - 20
            guard locator >= 0, readLE(bytes, at: locator, as: UInt32.self) == 0x0706_4B50 else { throw bad("ZIP64 locator missing") }
            let z64 = readLE(bytes, at: locator + 8, as: UInt64.self)
            // (n - 56 is negative for files shorter than a ZIP64 end record: check first.)
            guard n >= 56, z64 <= UInt64(n - 56), readLE(bytes, at: Int(z64), as: UInt32.self) == 0x0606_4B50 else { throw bad("ZIP64 end record missing") }
            let r = Int(z64)
            let c64 = readLE(bytes, at: r + 32, as: UInt64.self), s64 = readLE(bytes, at: r + 40, as: UInt64.self), o64 = readLE(bytes, at: r + 48, as: UInt64.self)
            guard c64 <= UInt64(n), s64 <= UInt64(n), o64 <= UInt64(n) else { throw bad("ZIP64 end record out of range") }
            count = Int(c64); cdSize = Int(s64); cdOffset = Int(o64)
        }
        guard cdOffset <= n, cdSize <= n - cdOffset else {
            throw WeightsError.truncated(file: file, detail: "zip central directory (\(cdSize) bytes at \(cdOffset)) beyond the end of the file")
        }
        guard count <= cdSize / 46 + 1 else { throw bad("\(count) entries cannot fit a central directory of \(cdSize) bytes") }
        let directory = UnsafeRawBufferPointer(rebasing: bytes[cdOffset ..< cdOffset + cdSize])
        var cursor = ByteCursor(directory) { at, detail in
            WeightsError.invalidCheckpoint(file: file, detail: "zip central directory at byte \(cdOffset + at): \(detail)")
        }
        for _ in 0 ..< count {
            let start = cursor.position
            let fixed = try cursor.take(46, "central directory entry")
            guard readLE(fixed, at: 0, as: UInt32.self) == 0x0201_4B50 else { throw bad("bad central directory signature at byte \(cdOffset + start)") }
            let flags = Int(readLE(fixed, at: 8, as: UInt16.self))
            let method = Int(readLE(fixed, at: 10, as: UInt16.self))
            var compressed = Int(readLE(fixed, at: 20, as: UInt32.self))
            var size = Int(readLE(fixed, at: 24, as: UInt32.self))
            let nameLength = Int(readLE(fixed, at: 28, as: UInt16.self))
            let extraLength = Int(readLE(fixed, at: 30, as: UInt16.self))
            let commentLength = Int(readLE(fixed, at: 32, as: UInt16.self))
            var local = Int(readLE(fixed, at: 42, as: UInt32.self))
            let nameBytes = try cursor.take(nameLength, "entry name")
            guard let name = String(validating: nameBytes, as: UTF8.self) else { throw bad("entry name is not UTF-8") }
            let extra = try cursor.take(extraLength, "extra field")
            _ = try cursor.take(commentLength, "entry comment")
            // ZIP64 extended information: 8-byte values for the fields saturated at 0xFFFFFFFF.
            var e = 0
            while e + 4 <= extra.count {
                let id = readLE(extra, at: e, as: UInt16.self), length = Int(readLE(extra, at: e + 2, as: UInt16.self))
                guard e + 4 + length <= extra.count else { throw bad("extra field of '\(name)' overruns") }
                if id == 0x0001 {
                    var f = e + 4
                    func next() throws -> Int {
                        guard f + 8 <= e + 4 + length else { throw bad("ZIP64 field of '\(name)' too short") }
                        let v = readLE(extra, at: f, as: UInt64.self); f += 8
                        guard v <= UInt64(n) else { throw bad("ZIP64 value of '\(name)' beyond the file") }
                        return Int(v)
                    }
                    if size == 0xFFFF_FFFF { size = try next() }
                    if compressed == 0xFFFF_FFFF { compressed = try next() }
                    if local == 0xFFFF_FFFF { local = try next() }
                }
                e += 4 + length
            }
            guard entries[name] == nil else { throw bad("duplicate entry '\(name)'") }
            entries[name] = Entry(name: name, method: method, flags: flags, compressedSize: compressed, size: size, localHeaderOffset: local)
            names.append(name)
        }
    }

    /// The bytes of a stored entry, bounds-checked against the file.
    func data(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let entry = entries[name] else {
            throw WeightsError.invalidCheckpoint(file: file, detail: "zip archive has no entry '\(name)'")
        }
        guard entry.flags & 1 == 0 else {
            throw WeightsError.invalidCheckpoint(file: file, detail: "zip entry '\(name)' is encrypted")
        }
        guard entry.method == 0 else { throw WeightsError.compressedEntry(file: file, entry: name, method: entry.method) }
        guard entry.compressedSize == entry.size else {
            throw WeightsError.invalidCheckpoint(file: file, detail: "stored zip entry '\(name)' has differing sizes")
        }
        let local = entry.localHeaderOffset
        guard local <= bytes.count - 30, readLE(bytes, at: local, as: UInt32.self) == 0x0403_4B50 else {
            throw WeightsError.truncated(file: file, detail: "local header of zip entry '\(name)' is missing")
        }
        let start = local + 30 + Int(readLE(bytes, at: local + 26, as: UInt16.self)) + Int(readLE(bytes, at: local + 28, as: UInt16.self))
        guard start <= bytes.count, entry.size <= bytes.count - start else {
            throw WeightsError.truncated(file: file, detail: "zip entry '\(name)' (\(entry.size) bytes at \(start)) goes beyond the end of the file")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start ..< start + entry.size])
    }
}
