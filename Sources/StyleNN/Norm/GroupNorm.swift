import StyleKernels
import StyleTensor

/// Group normalization (Wu & He 2018, "Group Normalization"): the C channels are split
/// into G groups of C/G consecutive channels, and
///
///     y[n,h,w,c] = gamma[c] * (x[n,h,w,c] - mu[n,g]) / sqrt(var[n,g] + eps) + beta[c],  g = c / (C/G)
///     mu[n,g]  = mean over h, w and the channels of group g
///     var[n,g] = mean over the same values of (x - mu[n,g])^2      (biased)
///
/// G = 1 is layer norm (statistics over C, H, W); G = C is instance norm (over H, W).
/// Matches PyTorch's `nn.GroupNorm(G, C, eps, affine)`.
public struct GroupNorm: Normalization, Equatable, Sendable {
    public var kind: NormKind { .group(groups: groups) }
    public let groups: Int
    public let channels: Int
    public let eps: Float
    /// gamma and beta (per channel), or nil for a layer without affine parameters.
    public private(set) var affine: AffineParameters?

    /// Throws `NormError.groupsDoNotDivideChannels` unless G divides C.
    public init(groups: Int, channels: Int, eps: Float = 1e-5, affine: Bool = true) throws {
        try validate(channels: channels, eps: eps)
        try NormKind.group(groups: groups).validate(channels: channels)
        self.groups = groups
        self.channels = channels
        self.eps = eps
        self.affine = affine ? AffineParameters(identityFor: channels) : nil
    }

    /// Sets trained gamma and beta (C values each).
    public mutating func setAffine(gamma: [Float], beta: [Float]) throws {
        affine = try AffineParameters(gamma: gamma, beta: beta, channels: channels)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        // y = gamma[c] * (x - mu[n,g]) / sqrt(var[n,g] + eps) + beta[c], statistics over C/G channels, H, W
        checkChannels(x, channels, "GroupNorm")
        let layout = ReductionLayout(kind: kind, shape: x.shape)
        let m = moments(of: x, layout: layout)
        return normalize(x, layout: layout, mean: m.mean, variance: m.variance, affine: affine, eps: eps)
    }
}
