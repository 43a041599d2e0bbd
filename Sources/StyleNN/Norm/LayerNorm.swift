import StyleKernels
import StyleTensor

/// Layer normalization over C, H and W (Ba, Kiros & Hinton 2016, "Layer Normalization"):
///
///     y[n,h,w,c] = gamma[c] * (x[n,h,w,c] - mu[n]) / sqrt(var[n] + eps) + beta[c]
///     mu[n]  = mean over h, w, c of x[n,h,w,c]
///     var[n] = mean over h, w, c of (x[n,h,w,c] - mu[n])^2      (biased)
///
/// The affine parameters are per channel (C values), as in group norm, so the layer
/// works at any image size. This is exactly PyTorch's `nn.GroupNorm(1, C)`. PyTorch's
/// `nn.LayerNorm([C, H, W])` normalises identically but its elementwise affine has
/// C*H*W values tied to one image size; without affine (or with gamma = 1, beta = 0)
/// the two agree. The golden tests check both equivalences.
public struct LayerNorm: Normalization, Equatable, Sendable {
    public var kind: NormKind { .layer }
    public let channels: Int
    public let eps: Float
    /// gamma and beta (per channel), or nil for a layer without affine parameters.
    public private(set) var affine: AffineParameters?

    /// A layer with gamma = 1, beta = 0 when `affine` is true.
    public init(channels: Int, eps: Float = 1e-5, affine: Bool = true) throws {
        try validate(channels: channels, eps: eps)
        self.channels = channels
        self.eps = eps
        self.affine = affine ? AffineParameters(identityFor: channels) : nil
    }

    /// Sets trained gamma and beta (C values each).
    public mutating func setAffine(gamma: [Float], beta: [Float]) throws {
        affine = try AffineParameters(gamma: gamma, beta: beta, channels: channels)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        // y = gamma[c] * (x - mu[n]) / sqrt(var[n] + eps) + beta[c], statistics over C, H, W
        checkChannels(x, channels, "LayerNorm")
        let layout = ReductionLayout(kind: .layer, shape: x.shape)
        let m = moments(of: x, layout: layout)
        return normalize(x, layout: layout, mean: m.mean, variance: m.variance, affine: affine, eps: eps)
    }
}
