import ImageCodecs

/// A style as the engine receives it: a file, an image already in memory, or one of
/// Magenta's built-in styles.
public enum StyleRef: Sendable {
    /// A style image file (JPEG or PNG, recognised by its bytes).
    case file(String)
    /// A decoded style image; `name` identifies it in messages (the style cache keys it by
    /// its pixels, so different images may share a name).
    case image(Image, name: String)
    /// Magenta's built-in styles: an index 0-25 or a blend such as "3:0.5,12:0.5".
    case preset(String)

    /// The name used in messages and output file names.
    public var name: String {
        switch self {
        case .file(let path): return path
        case .image(_, let name): return name
        case .preset(let spec): return "preset " + spec
        }
    }

    /// Cache key of the prepared style (with the size and norm it was prepared for).
    var cacheKey: String {
        switch self {
        case .file(let path): return "file:" + path
        case .image(let image, _): return "image:\(image.width)x\(image.height):\(Self.fingerprint(image.rgb))"
        case .preset(let spec): return "preset:" + spec
        }
    }

    /// FNV-1a (64-bit) over the bytes taken as 8-byte little-endian words, then the last
    /// bytes one by one: h = (h XOR word) * 1099511628211, from 14695981039346656037. Word by
    /// word because a style given as pixels is keyed on every use (each frame of a live
    /// stream): 0.33 ms for a 683x512 style instead of 1.5 ms byte by byte.
    static func fingerprint(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 14695981039346656037
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words { h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) &* 1099511628211 }
            for i in (8 * words)..<raw.count { h = (h ^ UInt64(raw[i])) &* 1099511628211 }
        }
        return String(h, radix: 16)
    }

    var isPreset: Bool { if case .preset = self { return true } else { return false } }
}
