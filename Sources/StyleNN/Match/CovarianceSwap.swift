import StyleKernels
import StyleTensor

/// The style side of the covariance match, made once per style (and cacheable): per row its
/// mean and the colouring blocks S_s^(1/2) = E diag(sqrt(max(lambda, 0) + eps)) E^T.
public struct CovarianceTarget: Equatable, Sendable {
    public let kind: NormKind
    public let channels: Int
    public let rows: Int
    /// Mean per row and channel.
    public let mean: [Double]
    /// Colouring blocks per row, laid out as `CovarianceStatistics.comoment`.
    public let colour: [Double]

    public var blocks: Int { CovarianceStatistics.blocks(kind) }
    public var blockSize: Int { channels / blocks }
}

/// One style's covariance target and its weight in a mix.
public struct WeightedCovariance: Equatable, Sendable {
    public var target: CovarianceTarget
    public var weight: Float
    public init(_ target: CovarianceTarget, weight: Float = 1) {
        self.target = target
        self.weight = weight
    }
}

/// Whitening and colouring (Li, Fang, Yang, Wang, Lu & Yang 2017, "Universal Style Transfer
/// via Feature Transforms"): the content features are whitened with their own covariance and
/// coloured with the style's, per block of channels:
///
///     t = T (f - mu_c) + mu_s,   T = S_s^(1/2) S_c^(-1/2),
///     S^(p) = E diag((max(lambda, 0) + eps)^p) E^T   for S = E diag(lambda) E^T,
///
/// covariances unbiased (the moments swap's convention), eigendecompositions in Double
/// (`SymmetricEigen`). eps (default 1e-5, the moments swap's) is a ridge added to every
/// eigenvalue of both covariances, not a clamp or a cut-off: it is continuous in the data
/// (no eigenvalue crossing a threshold between tiles, frames or nearby images), a whitened
/// direction never gets more than unit variance (lambda / (lambda + eps) < 1), so directions
/// the content hardly uses (dead ReLU channels) are not blown up, and with 1x1 blocks
/// (`.group(groups: C)`) T = sqrt(var_s + eps) / sqrt(var_c + eps): exactly the moments swap.
///
/// - `.instance`: one C x C covariance per image (WCT).
/// - `.group(G)`: G independent (C/G) x (C/G) blocks (block-diagonal WCT, the group-norm analogue).
/// - `.batch`: the content is whitened with the population mean and covariance of content
///   features (stored with the weights); the style's covariance is over N, H, W.
/// - `.layer`: refused (`StatisticMatch.validate`): one statistic over all channels has no covariance.
///
/// Controls, as the moments swap:
/// - alpha: t' = alpha t + (1 - alpha) f.
/// - style mixing: the weighted mix of the single-style outputs (Li et al.'s interpolation),
///   t = sum_k w_k t_k = (sum_k w_k S_k^(1/2)) S_c^(-1/2) (f - mu_c) + sum_k w_k mu_k:
///   the colouring matrices and means are mixed (as the moments swap mixes sigma and mu).
/// - masks: each region is whitened with the content covariance over that region and
///   coloured with its own style mix.
///
/// All of it is one affine map per pixel (`AffineFeatureMap`): `transform` makes it once per
/// image (eigendecompositions and products of C x C matrices), `AffineFeatureMap.apply` runs
/// it on each tile.
public struct CovarianceSwap: Sendable {
    public let kind: NormKind
    public let eps: Double
    public let convention: VarianceConvention
    /// Population statistics of content features (`.batch` only).
    public let population: CovarianceStatistics?

    /// `.batch` requires `population` (one row, `.batch` kind); `.layer` is refused.
    public init(kind: NormKind, population: CovarianceStatistics? = nil, eps: Double = 1e-5,
                convention: VarianceConvention = .unbiased) throws {
        try StatisticMatch.covariance.validate(norm: kind)
        guard eps.isFinite, eps >= 0 else { throw SwapError.invalidEpsilon(Float(eps)) }
        if case .group(let g) = kind, g < 1 { throw NormError.invalidGroups(g) }
        if kind == .batch {
            guard let p = population else { throw MatchError.missingPopulationCovariance }
            guard p.kind == .batch, p.rows == 1 else { throw MatchError.invalidPopulationCovariance("needs batch statistics of one row, got \(p.kind) of \(p.rows) rows") }
            guard p.count[0] > 1 else { throw MatchError.invalidPopulationCovariance("count \(p.count[0]) (needs at least 2 values)") }
        }
        self.kind = kind; self.eps = eps; self.convention = convention
        self.population = kind == .batch ? population : nil
    }

    // MARK: - Statistics

    /// The style's statistics (for `.batch`: over N, H, W). With a `mask` only its pixels >= 0.5.
    public func styleStatistics(of features: Tensor, mask: Tensor? = nil) throws -> CovarianceStatistics {
        try CovarianceStatistics(of: features, kind: kind, mask: mask)
    }

    /// The style target (mean and colouring matrices) of `statistics`.
    public func styleTarget(of statistics: CovarianceStatistics) throws -> CovarianceTarget {
        guard statistics.kind == kind else { throw SwapError.kindMismatch(swap: kind, statistics: statistics.kind) }
        var colour: [Double] = []
        for r in 0..<statistics.rows {
            for g in 0..<statistics.blocks {
                colour += power(statistics.covariance(row: r, block: g, convention: convention), statistics.blockSize, 0.5)
            }
        }
        return CovarianceTarget(kind: kind, channels: statistics.channels, rows: statistics.rows, mean: statistics.mean, colour: colour)
    }

    /// `styleTarget(of: styleStatistics(of:mask:))`.
    public func styleTarget(of features: Tensor, mask: Tensor? = nil) throws -> CovarianceTarget {
        try styleTarget(of: styleStatistics(of: features, mask: mask))
    }

    /// The content statistics `apply` would use for `.instance` and `.group`; merge those of
    /// tiles (`CovarianceStatistics.merged(with:)`) to get the whole image's.
    public func contentStatistics(of features: Tensor, mask: Tensor? = nil) throws -> CovarianceStatistics {
        try CovarianceStatistics(of: features, kind: kind, mask: mask)
    }

    /// The content statistics over the foreground (mask >= 0.5) and the background.
    public func regionStatistics(of features: Tensor, mask: Tensor) throws
        -> (foreground: CovarianceStatistics, background: CovarianceStatistics) {
        (try CovarianceStatistics(of: features, kind: kind, weights: maskWeights(mask, for: features.shape, foreground: true)),
         try CovarianceStatistics(of: features, kind: kind, weights: maskWeights(mask, for: features.shape, foreground: false)))
    }

    // MARK: - The transform

    /// The per-pixel map t' = A f + b for content with `content` statistics (nil for
    /// `.batch`: the population's) and the mix of `styles`, with A = alpha T + (1 - alpha) I,
    /// b = alpha (mu_s - T mu_c). One row per content row (a single style row serves all).
    public func transform(content: CovarianceStatistics?, styles: [WeightedCovariance], alpha: Float = 1) throws -> AffineFeatureMap {
        guard alpha.isFinite, alpha >= 0, alpha <= 1 else { throw SwapError.invalidAlpha(alpha) }
        guard let source = content ?? population else {
            throw MatchError.statisticsMismatch("content statistics are needed for the \(kind.name) covariance match")
        }
        guard source.kind == kind else { throw SwapError.kindMismatch(swap: kind, statistics: source.kind) }
        guard !styles.isEmpty else { throw SwapError.noStyles }
        let weights = styles.map(\.weight)
        let total = weights.reduce(0.0) { $0 + Double($1) }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), total > 0, total.isFinite else { throw SwapError.invalidWeights(weights) }
        let c = source.channels, g = source.blocks, b = source.blockSize
        var rows = source.rows
        for s in styles {
            guard s.target.kind == kind else { throw SwapError.kindMismatch(swap: kind, statistics: s.target.kind) }
            guard s.target.channels == c else { throw SwapError.channelMismatch(content: c, statistics: s.target.channels) }
            guard s.target.rows == 1 || rows == 1 || s.target.rows == rows else {
                throw SwapError.rowMismatch(content: rows, statistics: s.target.rows)
            }
            rows = max(rows, s.target.rows)
        }
        let a = Double(alpha)
        var matrices: [[Float]] = [], biases: [[Float]] = []
        for r in 0..<rows {
            let cr = source.rows == 1 ? 0 : r
            var matrix = [Float](repeating: 0, count: c * b), bias = [Float](repeating: 0, count: c)
            for blk in 0..<g {
                let whiten = power(source.covariance(row: cr, block: blk, convention: convention), b, -0.5)
                var colour = [Double](repeating: 0, count: b * b), mu = [Double](repeating: 0, count: b)
                for s in styles {
                    let w = Double(s.weight) / total, sr = s.target.rows == 1 ? 0 : r
                    let start = (sr * g + blk) * b * b
                    for i in 0..<(b * b) { colour[i] += w * s.target.colour[start + i] }
                    for i in 0..<b { mu[i] += w * s.target.mean[sr * c + blk * b + i] }
                }
                let t = multiply(colour, whiten, b)
                for i in 0..<b {
                    var tm = 0.0
                    for j in 0..<b {
                        let tij = t[i * b + j]
                        tm += tij * source.mean[cr * c + blk * b + j]
                        matrix[(blk * b + i) * b + j] = Float(a * tij + (i == j ? 1 - a : 0))
                    }
                    bias[blk * b + i] = Float(a * (mu[i] - tm))
                }
            }
            matrices.append(matrix); biases.append(bias)
        }
        return AffineFeatureMap(channels: c, groups: g, matrices: matrices, biases: biases)
    }

    /// Whitens and colours `content` with the mix of `styles`, blended by `alpha`.
    /// `contentStatistics` replaces the content's own (e.g. a whole image's, merged over tiles);
    /// for `.batch` it replaces the population's.
    public func apply(content: Tensor, styles: [WeightedCovariance], alpha: Float = 1,
                      contentStatistics: CovarianceStatistics? = nil) throws -> Tensor {
        guard content.shape.count > 0 else { throw SwapError.emptyFeatures(content.shape) }
        let stats = try contentStatistics ?? (kind == .batch ? nil : self.contentStatistics(of: content))
        try check(stats, content: content.shape)
        let map = try transform(content: stats, styles: styles, alpha: alpha)
        if alpha == 0 { return content }
        return map.apply(to: content)
    }

    /// Spatial control: where `mask` >= 0.5 the content, whitened with its covariance over the
    /// foreground, is coloured with the `foreground` mix; elsewhere with its background
    /// covariance and the `background` mix (`.batch`: both regions whitened with the population's).
    public func apply(content: Tensor, mask: Tensor, foreground: [WeightedCovariance], background: [WeightedCovariance],
                      alpha: Float = 1,
                      regionStatistics: (foreground: CovarianceStatistics, background: CovarianceStatistics)? = nil) throws -> Tensor {
        guard content.shape.count > 0 else { throw SwapError.emptyFeatures(content.shape) }
        let weights = try maskWeights(mask, for: content.shape, foreground: true)
        let regions = try kind == .batch ? nil : (regionStatistics ?? self.regionStatistics(of: content, mask: mask))
        try check(regions?.foreground, content: content.shape)
        try check(regions?.background, content: content.shape)
        let fg = try transform(content: regions?.foreground, styles: foreground, alpha: alpha)
        let bg = try transform(content: regions?.background, styles: background, alpha: alpha)
        if alpha == 0 { return content }
        return AffineFeatureMap.apply(content, regionWeights: weights, foreground: fg, background: bg)
    }

    private func check(_ stats: CovarianceStatistics?, content: Shape) throws {
        guard let stats else { return }
        guard stats.kind == kind else { throw SwapError.kindMismatch(swap: kind, statistics: stats.kind) }
        guard stats.channels == content.c else { throw SwapError.channelMismatch(content: content.c, statistics: stats.channels) }
        guard stats.rows == 1 || stats.rows == content.n else { throw SwapError.rowMismatch(content: content.n, statistics: stats.rows) }
    }

    /// S^(p) with the ridge: E diag((max(lambda, 0) + eps)^p) E^T.
    func power(_ s: [Double], _ n: Int, _ p: Double) -> [Double] {
        let e = SymmetricEigen(symmetric: s, size: n), eps = self.eps
        if p == 0.5 { return e.function { (max($0, 0) + eps).squareRoot() } }
        if p == -0.5 { return e.function { 1 / (max($0, 0) + eps).squareRoot() } }
        return e.function { Foundation_pow(max($0, 0) + eps, p) }
    }
}

/// a b for n x n row-major matrices (`DoubleMatrixKernels.gemm`).
func multiply(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { op in
                DoubleMatrixKernels.gemm(m: n, n: n, k: n, a: ap.baseAddress!, rowStride: n, depthStride: 1,
                                         b: bp.baseAddress!, ldb: n, c: op.baseAddress!, ldc: n)
            }
        }
    }
    return out
}
