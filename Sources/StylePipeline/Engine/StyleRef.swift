import ImageCodecs

/// A style as the engine receives it: a file, an image already in memory, or one of
/// Magenta's built-in styles.
public enum StyleRef: Sendable {
    /// A style image file (JPEG or PNG, recognised by its bytes).
    case file(String)
    /// A decoded style image; `name` identifies it in messages and in the style cache,
    /// so two different images must not share a name within one engine.
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
        case .image(_, let name): return "image:" + name
        case .preset(let spec): return "preset:" + spec
        }
    }

    var isPreset: Bool { if case .preset = self { return true } else { return false } }
}
