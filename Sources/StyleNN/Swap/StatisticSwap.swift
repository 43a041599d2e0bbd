import StyleKernels
import StyleTensor

/// One style's statistics and its weight in a mix.
public struct WeightedStyle: Equatable, Sendable {
    public var statistics: FeatureStatistics
    public var weight: Float
    public init(_ statistics: FeatureStatistics, weight: Float = 1) {
        self.statistics = statistics
        self.weight = weight
    }
}

/// Style transfer on encoder features by swapping normalization statistics
/// (Huang & Belongie 2017, "Arbitrary Style Transfer in Real-time with Adaptive
/// Instance Normalization"), generalised to the four norms of `NormKind`:
///
///     t = sigma_s * (f_c - mu_c) / sigma_c + mu_s,     sigma = sqrt(var + eps)
///
/// - `.instance` (AdaIN): mu, sigma per sample and channel over H, W, for content and style.
/// - `.layer` (AdaLN): one mu, sigma per sample over C, H, W, for content and style.
/// - `.group(G)` (AdaGN): per sample and group of C/G channels, for content and style.
/// - `.batch` (AdaBN): the content is normalised with POPULATION statistics, the
///   per-channel running mean and variance accumulated over a reference set of content
///   images (stored with the weights, or `populationStatistics(of:)` over a batch run),
///   exactly as batch norm does at inference; then the style's per-channel statistics
///   (over N, H, W of the style features) are applied. The content keeps its own
///   contrast and brightness relative to the population, which is the visible
///   difference from AdaIN. (Batch statistics of a single content image would be its
///   instance statistics, making "AdaBN" identical to AdaIN.) The population variance is
///   used as given (running variances are already unbiased): sigma_c = sqrt(var_pop + eps).
///
/// Variances default to pytorch-AdaIN's convention: unbiased, eps = 1e-5 inside the
/// square root (see `VarianceConvention`).
///
/// Controls:
/// - alpha (content-style trade-off): t' = alpha * t + (1 - alpha) * f_c. alpha = 0
///   returns the content features exactly.
/// - style mixing (pytorch-AdaIN's interpolation): t = sum_k w_k * t_k where t_k is the
///   swap with style k and the weights are normalised to sum 1. Since every t_k is
///   affine in f_c this equals one swap with mu_s = sum w_k mu_k, sigma_s = sum w_k sigma_k.
/// - spatial control (AdaIN's `-mask` option): a binary mask at feature resolution
///   (values >= 0.5 are foreground) splits the content into two regions; each region is
///   normalised with the content statistics over that region only and receives its own
///   style mix (statistics of the whole style image, or of a masked part of it when the
///   style statistics were computed with a mask).
///
/// Usage: compute `styleStatistics(of:)` once per style, then `apply` for each content.
public struct StatisticSwap: Sendable {
    public let kind: NormKind
    public let eps: Float
    public let convention: VarianceConvention
    /// Per-channel population mean of content features (used by `.batch` only).
    public let populationMean: [Float]?
    /// Per-channel population (running, unbiased) variance of content features (`.batch` only).
    public let populationVariance: [Float]?

    /// `.batch` requires `populationMean` and `populationVariance` (same length, variances
    /// finite and >= 0); the other kinds ignore them.
    public init(kind: NormKind, populationMean: [Float]? = nil, populationVariance: [Float]? = nil,
                eps: Float = 1e-5, convention: VarianceConvention = .unbiased) throws {
        guard eps.isFinite, eps >= 0 else { throw SwapError.invalidEpsilon(eps) }
        if case .group(let g) = kind, g < 1 { throw NormError.invalidGroups(g) }
        if kind == .batch {
            guard let mean = populationMean, let variance = populationVariance else { throw SwapError.missingPopulationStatistics }
            guard mean.count == variance.count, !mean.isEmpty else {
                throw SwapError.populationCount(mean: mean.count, variance: variance.count, channels: nil)
            }
            for (c, v) in variance.enumerated() where !(v.isFinite && v >= 0) {
                throw SwapError.invalidPopulationVariance(channel: c, value: v)
            }
        }
        self.kind = kind
        self.eps = eps
        self.convention = convention
        self.populationMean = populationMean
        self.populationVariance = populationVariance
    }

    /// The style's statistics under this swap's kind (for `.batch`: per channel over N, H, W).
    /// With a `mask`, only the style pixels where mask >= 0.5 count.
    public func styleStatistics(of features: Tensor, mask: Tensor? = nil) throws -> FeatureStatistics {
        try FeatureStatistics(of: features, kind: kind, mask: mask)
    }

    /// The content statistics `apply` would use (for `.instance`, `.layer`, `.group`).
    /// Computing them separately lets a caller take them over a whole image, e.g. merged
    /// tile by tile, and pass them to `apply(content:styles:alpha:contentStatistics:)`.
    public func contentStatistics(of features: Tensor, mask: Tensor? = nil) throws -> FeatureStatistics {
        try FeatureStatistics(of: features, kind: kind, mask: mask)
    }

    /// Swaps the statistics of `content` for the weighted mix of `styles`, then blends
    /// with the content by `alpha`: t' = alpha * sum_k w_k t_k + (1 - alpha) * f_c.
    ///
    /// `contentStatistics` (optional) replaces the content's own statistics, e.g. global
    /// statistics of a large image processed in tiles, or of a whole video clip; for
    /// `.batch` it replaces the population statistics (batch statistics over a set the
    /// caller chose, e.g. a clip's frames).
    public func apply(content: Tensor, styles: [WeightedStyle], alpha: Float = 1,
                      contentStatistics: FeatureStatistics? = nil) throws -> Tensor {
        try checkAlpha(alpha)
        let target = try mixedTarget(styles, content: content.shape)
        let source = try contentNormalizer(content, statistics: contentStatistics, weights: nil)
        let (scale, shift) = coefficients(source: source, target: target, alpha: alpha)
        return scaleShift(content, scale: scale, shift: shift)
    }

    /// Spatial control: where `mask` >= 0.5 (foreground) the content, normalised with its
    /// statistics over the foreground, receives the `foreground` style mix; elsewhere the
    /// content, normalised over the background, receives the `background` mix. `mask` has
    /// shape 1 x H x W x 1 or N x H x W x 1 at the features' resolution. For `.batch` both
    /// regions are normalised with the population statistics.
    ///
    /// `regionStatistics` (optional) replaces the content's own statistics over the two
    /// regions (e.g. gathered over a whole image processed in tiles, see `regionStatistics(of:mask:)`).
    public func apply(content: Tensor, mask: Tensor, foreground: [WeightedStyle], background: [WeightedStyle],
                      alpha: Float = 1,
                      regionStatistics: (foreground: FeatureStatistics, background: FeatureStatistics)? = nil) throws -> Tensor {
        try checkAlpha(alpha)
        let fgWeights = try maskWeights(mask, for: content.shape, foreground: true)
        let bgWeights = try maskWeights(mask, for: content.shape, foreground: false)
        let fg = coefficients(source: try contentNormalizer(content, statistics: regionStatistics?.foreground, weights: fgWeights),
                              target: try mixedTarget(foreground, content: content.shape), alpha: alpha)
        let bg = coefficients(source: try contentNormalizer(content, statistics: regionStatistics?.background, weights: bgWeights),
                              target: try mixedTarget(background, content: content.shape), alpha: alpha)
        // One weight per sample and pixel, 1 = foreground, for the two-region kernel.
        return scaleShift(content, mask: fgWeights, a: fg, b: bg)
    }

    /// The content statistics over the foreground (mask >= 0.5) and the background of
    /// `features`, as `apply(content:mask:...)` takes them; statistics of parts of an image
    /// merge into those of the whole (`FeatureStatistics.merged(with:)`).
    public func regionStatistics(of features: Tensor, mask: Tensor) throws
        -> (foreground: FeatureStatistics, background: FeatureStatistics) {
        (try FeatureStatistics(of: features, kind: kind, weights: maskWeights(mask, for: features.shape, foreground: true)),
         try FeatureStatistics(of: features, kind: kind, weights: maskWeights(mask, for: features.shape, foreground: false)))
    }

    /// Per-channel population mean and unbiased variance of a set of content features
    /// (all values of every tensor, per channel), for the `.batch` swap: the statistics
    /// batch norm would have accumulated. Tensors may differ in size, not in channels.
    public static func populationStatistics(of features: [Tensor]) throws -> (mean: [Float], variance: [Float]) {
        guard var total = try features.first.map({ try FeatureStatistics(of: $0, kind: .batch) }) else {
            throw SwapError.emptyFeatures(Shape(n: 0, h: 0, w: 0, c: 0))
        }
        for f in features.dropFirst() {
            guard f.shape.c == total.channels else { throw SwapError.channelMismatch(content: f.shape.c, statistics: total.channels) }
            total = try total.merged(with: FeatureStatistics(of: f, kind: .batch))
        }
        return (total.mean.map { Float($0) }, total.variance(.unbiased).map { Float($0) })
    }

    // MARK: - The arithmetic

    /// Mean and standard deviation per (sample, channel), n*C values each.
    struct Moments2 {
        var mean: [Double]
        var std: [Double]
    }

    private func checkAlpha(_ alpha: Float) throws {
        guard alpha.isFinite, alpha >= 0, alpha <= 1 else { throw SwapError.invalidAlpha(alpha) }
    }

    /// The content's mean and std per (sample, channel): the given statistics, else the
    /// population statistics for `.batch` and the content's own for the other kinds.
    private func contentNormalizer(_ content: Tensor, statistics: FeatureStatistics?, weights: [Float]?) throws -> Moments2 {
        let shape = content.shape
        guard shape.count > 0 else { throw SwapError.emptyFeatures(shape) }
        try kind.validate(channels: shape.c)
        switch kind {
        case .batch where statistics != nil:
            try check(statistics!, content: shape)
            return expand(statistics!, samples: shape.n)
        case .batch:
            let mean = populationMean!, variance = populationVariance!
            guard mean.count == shape.c else {
                throw SwapError.populationCount(mean: mean.count, variance: variance.count, channels: shape.c)
            }
            let std = variance.map { (Double($0) + Double(eps)).squareRoot() }
            return Moments2(mean: (0..<shape.n).flatMap { _ in mean.map(Double.init) },
                            std: (0..<shape.n).flatMap { _ in std })
        case .instance, .layer, .group:
            let stats = try statistics ?? FeatureStatistics(of: content, kind: kind, weights: weights)
            try check(stats, content: shape)
            return expand(stats, samples: shape.n)
        }
    }

    /// sum_k w_k mu_k and sum_k w_k sigma_k per (sample, channel), weights normalised to sum 1.
    private func mixedTarget(_ styles: [WeightedStyle], content: Shape) throws -> Moments2 {
        guard !styles.isEmpty else { throw SwapError.noStyles }
        let weights = styles.map(\.weight)
        let total = weights.reduce(0, +)
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), total > 0, total.isFinite else {
            throw SwapError.invalidWeights(weights)
        }
        var mix = Moments2(mean: [Double](repeating: 0, count: content.n * content.c),
                           std: [Double](repeating: 0, count: content.n * content.c))
        let weightSum = weights.reduce(0.0) { $0 + Double($1) }
        for style in styles {
            try check(style.statistics, content: content)
            let w = Double(style.weight) / weightSum
            let e = expand(style.statistics, samples: content.n)
            for i in mix.mean.indices {
                mix.mean[i] += w * e.mean[i]
                mix.std[i] += w * e.std[i]
            }
        }
        return mix
    }

    private func check(_ stats: FeatureStatistics, content: Shape) throws {
        guard stats.kind == kind else { throw SwapError.kindMismatch(swap: kind, statistics: stats.kind) }
        guard stats.channels == content.c else { throw SwapError.channelMismatch(content: content.c, statistics: stats.channels) }
        guard stats.rows == 1 || stats.rows == content.n else { throw SwapError.rowMismatch(content: content.n, statistics: stats.rows) }
    }

    /// Slot statistics repeated onto every (sample, channel): a single row serves every sample.
    private func expand(_ stats: FeatureStatistics, samples: Int) -> Moments2 {
        let std = stats.standardDeviation(convention: convention, eps: eps)
        let c = stats.channels, perGroup = stats.channels / stats.groups
        var out = Moments2(mean: [Double](repeating: 0, count: samples * c), std: [Double](repeating: 0, count: samples * c))
        for n in 0..<samples {
            let row = stats.rows == 1 ? 0 : n
            for channel in 0..<c {
                let slot = row * stats.groups + channel / perGroup
                out.mean[n * c + channel] = stats.mean[slot]
                out.std[n * c + channel] = std[slot]
            }
        }
        return out
    }

    /// t' = alpha * (sigma_t / sigma_c * (x - mu_c) + mu_t) + (1 - alpha) * x = scale * x + shift:
    ///
    ///     a = sigma_t / sigma_c,  scale = alpha * a + (1 - alpha),  shift = alpha * (mu_t - a * mu_c)
    ///
    /// (alpha = 0 gives scale 1 and shift 0, so the content comes back bit for bit).
    private func coefficients(source: Moments2, target: Moments2, alpha: Float) -> (scale: [Float], shift: [Float]) {
        let alpha = Double(alpha)
        var scale = [Float](repeating: 0, count: source.mean.count)
        var shift = scale
        for i in scale.indices {
            let a = target.std[i] / source.std[i]
            scale[i] = Float(alpha * a + (1 - alpha))
            shift[i] = Float(alpha * (target.mean[i] - a * source.mean[i]))
        }
        return (scale, shift)
    }
}
