/// An 8-bit RGB image with optional straight (not premultiplied) alpha.
///
/// Pixels are stored row by row, top row first, interleaved R, G, B. Images
/// decoded from files are already upright (the EXIF orientation is applied).
public struct Image: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `width * height * 3` bytes: R, G, B per pixel, top row first.
    public var rgb: [UInt8]
    /// `width * height` alpha values (255 = opaque), or nil when the source has
    /// no alpha channel or its alpha is 255 everywhere.
    public var alpha: [UInt8]?

    /// Creates an image from its pixels. The array sizes must match
    /// `width * height * 3` (and `width * height` for alpha); a mismatch is a
    /// programming error and traps.
    public init(width: Int, height: Int, rgb: [UInt8], alpha: [UInt8]? = nil) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        precondition(rgb.count == width * height * 3, "rgb must hold width*height*3 bytes")
        precondition(alpha == nil || alpha!.count == width * height, "alpha must hold width*height bytes")
        self.width = width
        self.height = height
        self.rgb = rgb
        self.alpha = alpha
    }

    /// Number of pixels, `width * height`.
    public var pixelCount: Int { width * height }

    /// Whether the stored arrays match the stated size (the fields are mutable, so
    /// encoders check this rather than trusting it).
    var isConsistent: Bool {
        width > 0 && height > 0 && rgb.count == width * height * 3 &&
            (alpha == nil || alpha!.count == width * height)
    }
}
