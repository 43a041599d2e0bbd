/// The image file formats this library reads and writes.
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    /// JPEG (JFIF / EXIF), read and written through libjpeg-turbo.
    case jpeg
    /// PNG, read and written through libpng.
    case png

    /// Detects the format from a file's first bytes (the name is never consulted):
    /// JPEG starts `FF D8 FF`, PNG with its 8-byte signature `89 'PNG' 0D 0A 1A 0A`.
    /// Returns nil for anything else, including too few bytes.
    public init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(8))
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF {
            self = .jpeg
        } else if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = .png
        } else {
            return nil
        }
    }

    /// The format an output file name asks for: `jpg`/`jpeg` or `png`, case-insensitive,
    /// with or without the leading dot. Nil for anything else.
    public init?(pathExtension: String) {
        var ext = pathExtension.lowercased()
        if ext.hasPrefix(".") { ext.removeFirst() }
        switch ext {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        default: return nil
        }
    }

    /// The format for a path's extension (text after the last dot of the last component), or nil.
    static func forPath(_ path: String) -> ImageFormat? {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return ImageFormat(pathExtension: String(name[name.index(after: dot)...]))
    }
}
