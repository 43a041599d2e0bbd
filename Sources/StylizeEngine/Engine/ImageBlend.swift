import ImageCodecs
import StyleNN
import StyleTensor

/// Per-pixel combinations of two images of one size, done a band of rows at a time so a
/// large image never exists as floats in full.
enum ImageBlend {
    /// Rows per band.
    static let bandRows = 256

    /// out = round(clamp(alpha * a + (1 - alpha) * b, 0, 1) * 255) per channel, on [0, 1] values.
    static func mix(_ a: Image, _ b: Image, alpha: Float) -> Image {
        precondition(a.width == b.width && a.height == b.height, "mix: images of different sizes")
        var rgb = [UInt8](repeating: 0, count: a.rgb.count)
        for i in rgb.indices {
            let v = alpha * Float(a.rgb[i]) * (1 / 255) + (1 - alpha) * Float(b.rgb[i]) * (1 / 255)
            rgb[i] = UInt8((min(max(v, 0), 1) * 255).rounded())
        }
        return Image(width: a.width, height: a.height, rgb: rgb, alpha: a.alpha)
    }

    /// The luminance of `stylized` with the chroma of `content` (`ColorPreservation.combineLuminance`),
    /// band by band.
    static func luminance(of stylized: Image, colorsOf content: Image) throws -> Image {
        precondition(stylized.width == content.width && stylized.height == content.height, "luminance: images of different sizes")
        let w = stylized.width
        var rgb = [UInt8](repeating: 0, count: stylized.rgb.count)
        var y0 = 0
        while y0 < stylized.height {
            let rows = min(bandRows, stylized.height - y0)
            let range = (y0 * w * 3)..<((y0 + rows) * w * 3)
            let s = Tensor(image: Image(width: w, height: rows, rgb: Array(stylized.rgb[range])))
            let c = Tensor(image: Image(width: w, height: rows, rgb: Array(content.rgb[range])))
            let combined = try ColorPreservation.combineLuminance(stylized: s, colorsFrom: c)
            rgb.replaceSubrange(range, with: Image(tensor: combined).rgb)
            y0 += rows
        }
        return Image(width: w, height: stylized.height, rgb: rgb, alpha: stylized.alpha)
    }
}
