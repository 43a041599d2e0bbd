import StyleKernels
import StyleTensor

/// Instance normalization (Ulyanov, Vedaldi & Lempitsky 2016, "Instance Normalization:
/// The Missing Ingredient for Fast Stylization"):
///
///     y[n,h,w,c] = gamma[c] * (x[n,h,w,c] - mu[n,c]) / sqrt(var[n,c] + eps) + beta[c]
///     mu[n,c]  = mean over h, w of x[n,h,w,c]
///     var[n,c] = mean over h, w of (x[n,h,w,c] - mu[n,c])^2      (biased)
///
/// Matches PyTorch's `nn.InstanceNorm2d(C, eps, affine: affine, track_running_stats=False)`.
public struct InstanceNorm: Normalization, Equatable, Sendable {
    public var kind: NormKind { .instance }
    public let channels: Int
    public let eps: Float
    /// gamma and beta, or nil for a layer without affine parameters.
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
        // y = gamma * (x - mu[n,c]) / sqrt(var[n,c] + eps) + beta, statistics over H, W
        checkChannels(x, channels, "InstanceNorm")
        let layout = ReductionLayout(kind: .instance, shape: x.shape)
        let m = moments(of: x, layout: layout)
        return normalize(x, layout: layout, mean: m.mean, variance: m.variance, affine: affine, eps: eps)
    }
}
