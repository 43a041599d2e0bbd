import StyleTensor

/// A colour-preservation request that cannot be done; the message says why.
public enum ColorError: Error, Equatable, CustomStringConvertible {
    case notRGB(Shape)
    case emptyImage(Shape)
    case shapeMismatch(Shape, Shape)

    public var description: String {
        switch self {
        case .notRGB(let s): return "colour preservation needs RGB images (3 channels), got \(s)"
        case .emptyImage(let s): return "colour preservation got an empty image \(s)"
        case .shapeMismatch(let a, let b): return "images of shapes \(a) and \(b) must have the same shape"
        }
    }
}

/// Colour preservation for style transfer (Gatys, Ecker, Bethge, Hertzmann & Shechtman 2017,
/// "Controlling Perceptual Factors in Neural Style Transfer", section 5). Images are float
/// RGB tensors (N x H x W x 3, values nominally in [0, 1]); statistics are taken over all
/// pixels of all samples. Results are not clamped: the encoder accepts any values, and
/// clamping would undo the exact statistics match.
///
/// Two methods, usable separately or together:
/// 1. Colour histogram matching (`matchColors`): before stylization, the style image's
///    colours are given the content's mean and covariance by a linear transform
///    x' = A (x - mu_s) + mu_c with A Sigma_s A^T = Sigma_c; then the recoloured style is
///    transferred as usual and the output keeps the content's palette.
/// 2. Luminance-only transfer (`luminanceMatched`, `combineLuminance`): stylize the
///    luminance only (with the style luminance's mean and std matched to the content's),
///    then put the content's chroma back (YIQ, ITU-R BT.601 luma weights).
public enum ColorPreservation {
    /// How to choose A among the matrices with A Sigma_s A^T = Sigma_c.
    public enum Method: Equatable, Sendable {
        /// A = Sigma_c^(1/2) Sigma_s^(-1/2), symmetric square roots from the eigen-
        /// decomposition (the "Image Analogies" variant; no arbitrary rotation of hues).
        case symmetricSquareRoot
        /// A = L_c L_s^(-1), Cholesky factors Sigma = L L^T.
        case cholesky
    }

    /// Mean (3 values) and covariance (3x3 row-major, biased: divided by the pixel count).
    public struct ColorStatistics: Equatable, Sendable {
        public let mean: [Double]
        public let covariance: [Double]
    }

    /// Colour mean and covariance over all pixels (two passes, in Double).
    public static func colorStatistics(of image: Tensor) throws -> ColorStatistics {
        try checkRGB(image)
        let pixels = image.shape.n * image.shape.pixels
        var mean = [0.0, 0.0, 0.0]
        image.data.withUnsafeBufferPointer { x in
            for p in 0..<pixels { for k in 0..<3 { mean[k] += Double(x[p * 3 + k]) } }
        }
        mean = mean.map { $0 / Double(pixels) }
        var cov = [Double](repeating: 0, count: 9)
        image.data.withUnsafeBufferPointer { x in
            for p in 0..<pixels {
                let d = (Double(x[p * 3]) - mean[0], Double(x[p * 3 + 1]) - mean[1], Double(x[p * 3 + 2]) - mean[2])
                cov[0] += d.0 * d.0; cov[1] += d.0 * d.1; cov[2] += d.0 * d.2
                cov[4] += d.1 * d.1; cov[5] += d.1 * d.2; cov[8] += d.2 * d.2
            }
        }
        cov[3] = cov[1]; cov[6] = cov[2]; cov[7] = cov[5]
        return ColorStatistics(mean: mean, covariance: cov.map { $0 / Double(pixels) })
    }

    /// The style image recoloured so that its colour mean and covariance equal the content's:
    ///
    ///     x' = A (x - mu_s) + mu_c,   A Sigma_s A^T = Sigma_c   (A chosen by `method`)
    ///
    /// Eigenvalues (symmetric method) or pivots (Cholesky) below 1e-12 are raised to 1e-12,
    /// so a single-colour style stays finite (its covariance cannot be matched then).
    public static func matchColors(of style: Tensor, to content: Tensor,
                                   method: Method = .symmetricSquareRoot) throws -> Tensor {
        let s = try colorStatistics(of: style), c = try colorStatistics(of: content)
        let sigmaS = Matrix3(s.covariance), sigmaC = Matrix3(c.covariance)
        let a: Matrix3
        switch method {
        case .symmetricSquareRoot: a = sigmaC.symmetricPower(0.5) * sigmaS.symmetricPower(-0.5)
        case .cholesky: a = sigmaC.cholesky() * sigmaS.cholesky().inverse
        }
        return transform(style) { rgb in
            let d = a.apply((rgb.0 - s.mean[0], rgb.1 - s.mean[1], rgb.2 - s.mean[2]))
            return (d.0 + c.mean[0], d.1 + c.mean[1], d.2 + c.mean[2])
        }
    }

    /// RGB -> YIQ (NTSC; Y = 0.299 R + 0.587 G + 0.114 B).
    static let rgbToYIQ = Matrix3([0.299, 0.587, 0.114,
                                   0.595716, -0.274453, -0.321263,
                                   0.211456, -0.522591, 0.311135])
    static let yiqToRGB = rgbToYIQ.inverse

    /// The luminance Y = 0.299 R + 0.587 G + 0.114 B as an N x H x W x 1 tensor.
    public static func luminance(of image: Tensor) throws -> Tensor {
        try checkRGB(image)
        let s = image.shape
        var y = Tensor(shape: Shape(n: s.n, h: s.h, w: s.w, c: 1))
        for p in 0..<(s.n * s.pixels) {
            y.data[p] = Float(0.299 * Double(image.data[p * 3]) + 0.587 * Double(image.data[p * 3 + 1])
                              + 0.114 * Double(image.data[p * 3 + 2]))
        }
        return y
    }

    /// The style's luminance with its mean and std matched to the content's luminance,
    /// as a grey RGB image (Y, Y, Y) ready for the encoder:
    ///
    ///     Y' = sigma_c / sigma_s * (Y_s - mu_s) + mu_c     (biased std over all pixels)
    ///
    /// Stylize the content's luminance (`luminance(of:)` repeated to RGB) with it, then
    /// `combineLuminance` restores the content's colours.
    public static func luminanceMatched(style: Tensor, to content: Tensor) throws -> Tensor {
        let ys = try luminance(of: style), yc = try luminance(of: content)
        func meanStd(_ t: Tensor) -> (Double, Double) {
            let mean = t.data.reduce(0.0) { $0 + Double($1) } / Double(t.data.count)
            let variance = t.data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(t.data.count)
            return (mean, variance.squareRoot())
        }
        let (ms, ss) = meanStd(ys), (mc, sc) = meanStd(yc)
        let gain = ss > 0 ? sc / ss : 0
        return transform(style) { rgb in
            let y = gain * (0.299 * rgb.0 + 0.587 * rgb.1 + 0.114 * rgb.2 - ms) + mc
            return (y, y, y)
        }
    }

    /// Luminance of `stylized`, chroma (I, Q) of `content`, back in RGB. Both images have the same shape.
    public static func combineLuminance(stylized: Tensor, colorsFrom content: Tensor) throws -> Tensor {
        try checkRGB(stylized)
        try checkRGB(content)
        guard stylized.shape == content.shape else { throw ColorError.shapeMismatch(stylized.shape, content.shape) }
        var out = stylized
        for p in 0..<(stylized.shape.n * stylized.shape.pixels) {
            let st = rgbToYIQ.apply((Double(stylized.data[p * 3]), Double(stylized.data[p * 3 + 1]), Double(stylized.data[p * 3 + 2])))
            let co = rgbToYIQ.apply((Double(content.data[p * 3]), Double(content.data[p * 3 + 1]), Double(content.data[p * 3 + 2])))
            let rgb = yiqToRGB.apply((st.0, co.1, co.2))
            out.data[p * 3] = Float(rgb.0); out.data[p * 3 + 1] = Float(rgb.1); out.data[p * 3 + 2] = Float(rgb.2)
        }
        return out
    }

    private static func checkRGB(_ image: Tensor) throws {
        guard image.shape.c == 3 else { throw ColorError.notRGB(image.shape) }
        guard image.shape.count > 0 else { throw ColorError.emptyImage(image.shape) }
    }

    /// Applies `f` to every pixel's RGB (in Double).
    private static func transform(_ image: Tensor,
                                  _ f: ((Double, Double, Double)) -> (Double, Double, Double)) -> Tensor {
        var out = image
        for p in 0..<(image.shape.n * image.shape.pixels) {
            let v = f((Double(image.data[p * 3]), Double(image.data[p * 3 + 1]), Double(image.data[p * 3 + 2])))
            out.data[p * 3] = Float(v.0); out.data[p * 3 + 1] = Float(v.1); out.data[p * 3 + 2] = Float(v.2)
        }
        return out
    }
}
