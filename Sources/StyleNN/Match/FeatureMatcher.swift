import StyleTensor

/// A style's statistics under one `StatisticMatch`, as the engine caches them per style:
/// made once per style image, reused for any number of contents.
public enum StyleMatchStatistics: Equatable, Sendable {
    case moments(FeatureStatistics)
    case covariance(CovarianceTarget)
    case distribution(StyleQuantiles)

    public var match: StatisticMatch {
        switch self {
        case .moments: return .moments
        case .covariance: return .covariance
        case .distribution: return .distribution
        }
    }
}

/// A content's statistics under one `StatisticMatch`, gathered over a whole image (merged
/// tile by tile with `merged(with:)`, exactly) or over a clip.
public enum ContentMatchStatistics: Equatable, Sendable {
    case moments(FeatureStatistics)
    case covariance(CovarianceStatistics)
    case distribution(DistributionSketch)

    public var match: StatisticMatch {
        switch self {
        case .moments: return .moments
        case .covariance: return .covariance
        case .distribution: return .distribution
        }
    }

    /// The statistics of both parts together (same match, kind, channels, rows; for
    /// distribution also the same range).
    public func merged(with other: ContentMatchStatistics) throws -> ContentMatchStatistics {
        switch (self, other) {
        case (.moments(let a), .moments(let b)): return .moments(try a.merged(with: b))
        case (.covariance(let a), .covariance(let b)): return .covariance(try a.merged(with: b))
        case (.distribution(let a), .distribution(let b)): return .distribution(try a.merged(with: b))
        default: throw MatchError.wrongStatistics(expected: match, got: other.match)
        }
    }
}

/// The match of one content image, ready to apply to the whole feature map or to each tile:
/// everything per image (eigendecompositions, quantile tables, mixes) is done when it is made.
public struct MatchPlan: Sendable {
    enum Kind: Sendable {
        case moments(StatisticSwap, FeatureStatistics?, [WeightedStyle], Float)
        case affine(AffineFeatureMap)
        case quantiles(QuantileMap)
    }
    let kind: Kind
    let alpha: Float

    /// The matched features of `x` (the whole map, or a tile of it).
    public func apply(to x: Tensor) throws -> Tensor {
        if alpha == 0 { return x }
        switch kind {
        case .moments(let swap, let stats, let styles, let alpha):
            return try swap.apply(content: x, styles: styles, alpha: alpha, contentStatistics: stats)
        case .affine(let map): return map.apply(to: x)
        case .quantiles(let map): return map.apply(to: x)
        }
    }
}

/// The two-region form of `MatchPlan` (spatial control with a binary mask).
public struct MaskedMatchPlan: Sendable {
    enum Kind: Sendable {
        case moments(StatisticSwap, (foreground: FeatureStatistics, background: FeatureStatistics)?, [WeightedStyle], [WeightedStyle], Float)
        case affine(AffineFeatureMap, AffineFeatureMap)
        case quantiles(QuantileMap, QuantileMap)
    }
    let kind: Kind
    let alpha: Float

    /// The matched features of `x`; `mask` (1|N x H x W x 1 at x's resolution, >= 0.5 =
    /// foreground) is the part of the feature mask that covers x.
    public func apply(to x: Tensor, mask: Tensor) throws -> Tensor {
        if alpha == 0 { return x }
        switch kind {
        case .moments(let swap, let regions, let fg, let bg, let alpha):
            return try swap.apply(content: x, mask: mask, foreground: fg, background: bg, alpha: alpha, regionStatistics: regions)
        case .affine(let a, let b):
            return AffineFeatureMap.apply(x, regionWeights: try maskWeights(mask, for: x.shape, foreground: true), foreground: a, background: b)
        case .quantiles(let a, let b):
            return QuantileMap.apply(x, regionWeights: try maskWeights(mask, for: x.shape, foreground: true), foreground: a, background: b)
        }
    }
}

/// One statistic swap chosen by norm (`NormKind`) and match (`StatisticMatch`): the single
/// entry point the engine needs for every combination, tiled or not.
///
/// Untiled: `apply(content:styles:alpha:)`. Tiled (content statistics over the whole image):
///
///     pass 0 (distribution only): range = merge over tiles of contentRange(of: tile)
///     pass 1: stats = merge over tiles of contentStatistics(of: tile, range: range)
///     once:   plan = plan(content: stats, styles: ..., alpha: ...)     (eigendecompositions here)
///     pass 2: for each tile, plan.apply(to: tile)
///
/// The untiled path runs the same steps on one tensor, so tiled and untiled agree (covariance
/// up to the merge's rounding in Double; distribution exactly).
public struct FeatureMatcher: Sendable {
    public let match: StatisticMatch
    public let norm: NormKind
    let moments: StatisticSwap?
    let covariance: CovarianceSwap?
    let distribution: DistributionSwap?

    /// Refuses combinations without meaning (`MatchError.unsupported`, with the reason).
    /// `.batch` needs the population statistics its match whitens with: per-channel mean and
    /// variance (moments) or the population covariance (covariance).
    public init(match: StatisticMatch, norm: NormKind, populationMean: [Float]? = nil, populationVariance: [Float]? = nil,
                populationCovariance: CovarianceStatistics? = nil) throws {
        try match.validate(norm: norm)
        self.match = match; self.norm = norm
        switch match {
        case .moments:
            moments = try StatisticSwap(kind: norm, populationMean: populationMean, populationVariance: populationVariance)
            covariance = nil; distribution = nil
        case .covariance:
            covariance = try CovarianceSwap(kind: norm, population: populationCovariance)
            moments = nil; distribution = nil
        case .distribution:
            distribution = try DistributionSwap()
            moments = nil; covariance = nil
        }
    }

    /// Whether content statistics need the extra range pass (`contentRange`) first.
    public var needsRangePass: Bool { match == .distribution }

    /// Whether, with no content statistics given, the content's own are used (false for
    /// `.batch`, which uses the population's).
    public var usesContentStatistics: Bool { norm != .batch }

    /// A style's statistics (only where mask >= 0.5, with a mask).
    public func styleStatistics(of features: Tensor, mask: Tensor? = nil) throws -> StyleMatchStatistics {
        switch match {
        case .moments: return .moments(try moments!.styleStatistics(of: features, mask: mask))
        case .covariance: return .covariance(try covariance!.styleTarget(of: features, mask: mask))
        case .distribution: return .distribution(try distribution!.styleQuantiles(of: features, mask: mask))
        }
    }

    /// Pass 0 (distribution only; nil otherwise): the value range of `features`.
    public func contentRange(of features: Tensor, mask: Tensor? = nil) throws -> DistributionRange? {
        guard let d = distribution else { return nil }
        return try d.contentRange(of: features, mask: mask)
    }

    /// Pass 1: the content statistics of `features`; `range` is the whole image's (required
    /// for distribution, ignored otherwise).
    public func contentStatistics(of features: Tensor, range: DistributionRange? = nil, mask: Tensor? = nil) throws -> ContentMatchStatistics {
        switch match {
        case .moments: return .moments(try moments!.contentStatistics(of: features, mask: mask))
        case .covariance: return .covariance(try covariance!.contentStatistics(of: features, mask: mask))
        case .distribution:
            guard let range else { throw MatchError.statisticsMismatch("the distribution match needs the content's range (pass 0) first") }
            return .distribution(try distribution!.contentSketch(of: features, range: range, mask: mask))
        }
    }

    /// The per-image plan: content statistics (nil: the content's own must be given for every
    /// norm but `.batch`, which then uses the population's) and the weighted styles.
    public func plan(content: ContentMatchStatistics?, styles: [(StyleMatchStatistics, Float)], alpha: Float = 1) throws -> MatchPlan {
        switch match {
        case .moments:
            let stats = try content.map { try momentsOf($0) }
            if stats == nil, usesContentStatistics { throw MatchError.statisticsMismatch("content statistics are needed for \(norm.name)") }
            let weighted = try styles.map { WeightedStyle(try momentsOf($0.0), weight: $0.1) }
            return MatchPlan(kind: .moments(moments!, stats, weighted, alpha), alpha: alpha)
        case .covariance:
            let stats = try content.map { try covarianceOf($0) }
            let weighted = try styles.map { WeightedCovariance(try covarianceOf($0.0), weight: $0.1) }
            return MatchPlan(kind: .affine(try covariance!.transform(content: stats, styles: weighted, alpha: alpha)), alpha: alpha)
        case .distribution:
            guard let content else { throw MatchError.statisticsMismatch("the distribution match needs the content's sketch") }
            let sketch = try sketchOf(content)
            let weighted = try styles.map { WeightedQuantiles(try quantilesOf($0.0), weight: $0.1) }
            return MatchPlan(kind: .quantiles(try distribution!.map(content: sketch, styles: weighted, alpha: alpha)), alpha: alpha)
        }
    }

    /// The two-region plan: region statistics (foreground, background) and a style mix per region.
    public func plan(regions: (foreground: ContentMatchStatistics, background: ContentMatchStatistics)?,
                     foreground: [(StyleMatchStatistics, Float)], background: [(StyleMatchStatistics, Float)],
                     alpha: Float = 1) throws -> MaskedMatchPlan {
        switch match {
        case .moments:
            let r = try regions.map { (foreground: try momentsOf($0.foreground), background: try momentsOf($0.background)) }
            return MaskedMatchPlan(kind: .moments(moments!, r, try foreground.map { WeightedStyle(try momentsOf($0.0), weight: $0.1) },
                                                  try background.map { WeightedStyle(try momentsOf($0.0), weight: $0.1) }, alpha), alpha: alpha)
        case .covariance, .distribution:
            let fg = try plan(content: regions?.foreground, styles: foreground, alpha: alpha)
            let bg = try plan(content: regions?.background, styles: background, alpha: alpha)
            switch (fg.kind, bg.kind) {
            case (.affine(let a), .affine(let b)): return MaskedMatchPlan(kind: .affine(a, b), alpha: alpha)
            case (.quantiles(let a), .quantiles(let b)): return MaskedMatchPlan(kind: .quantiles(a, b), alpha: alpha)
            default: preconditionFailure("one match makes one kind of plan")
            }
        }
    }

    /// Region statistics of `features` (pass 1 of a masked run); `ranges` for distribution.
    public func regionStatistics(of features: Tensor, mask: Tensor, ranges: (foreground: DistributionRange, background: DistributionRange)? = nil)
        throws -> (foreground: ContentMatchStatistics, background: ContentMatchStatistics) {
        switch match {
        case .moments:
            let r = try moments!.regionStatistics(of: features, mask: mask)
            return (.moments(r.foreground), .moments(r.background))
        case .covariance:
            let r = try covariance!.regionStatistics(of: features, mask: mask)
            return (.covariance(r.foreground), .covariance(r.background))
        case .distribution:
            guard let ranges else { throw MatchError.statisticsMismatch("the distribution match needs the regions' ranges (pass 0) first") }
            let r = try distribution!.regionSketches(of: features, mask: mask, ranges: ranges)
            return (.distribution(r.foreground), .distribution(r.background))
        }
    }

    /// Pass 0 of a masked run (distribution only; nil otherwise).
    public func regionRanges(of features: Tensor, mask: Tensor) throws -> (foreground: DistributionRange, background: DistributionRange)? {
        try distribution?.regionRanges(of: features, mask: mask)
    }

    /// Untiled: the content's own statistics (`.batch`: the population's), then the plan, applied.
    public func apply(content: Tensor, styles: [(StyleMatchStatistics, Float)], alpha: Float = 1) throws -> Tensor {
        let range = try contentRange(of: content)
        let stats = usesContentStatistics ? try contentStatistics(of: content, range: range) : nil
        return try plan(content: stats, styles: styles, alpha: alpha).apply(to: content)
    }

    /// Untiled with a mask (1|N x H x W x 1 at the features' resolution).
    public func apply(content: Tensor, mask: Tensor, foreground: [(StyleMatchStatistics, Float)],
                      background: [(StyleMatchStatistics, Float)], alpha: Float = 1) throws -> Tensor {
        let ranges = try regionRanges(of: content, mask: mask)
        let regions = usesContentStatistics ? try regionStatistics(of: content, mask: mask, ranges: ranges) : nil
        return try plan(regions: regions, foreground: foreground, background: background, alpha: alpha).apply(to: content, mask: mask)
    }

    private func momentsOf(_ s: ContentMatchStatistics) throws -> FeatureStatistics {
        guard case .moments(let m) = s else { throw MatchError.wrongStatistics(expected: .moments, got: s.match) }
        return m
    }
    private func momentsOf(_ s: StyleMatchStatistics) throws -> FeatureStatistics {
        guard case .moments(let m) = s else { throw MatchError.wrongStatistics(expected: .moments, got: s.match) }
        return m
    }
    private func covarianceOf(_ s: ContentMatchStatistics) throws -> CovarianceStatistics {
        guard case .covariance(let c) = s else { throw MatchError.wrongStatistics(expected: .covariance, got: s.match) }
        return c
    }
    private func covarianceOf(_ s: StyleMatchStatistics) throws -> CovarianceTarget {
        guard case .covariance(let c) = s else { throw MatchError.wrongStatistics(expected: .covariance, got: s.match) }
        return c
    }
    private func sketchOf(_ s: ContentMatchStatistics) throws -> DistributionSketch {
        guard case .distribution(let d) = s else { throw MatchError.wrongStatistics(expected: .distribution, got: s.match) }
        return d
    }
    private func quantilesOf(_ s: StyleMatchStatistics) throws -> StyleQuantiles {
        guard case .distribution(let d) = s else { throw MatchError.wrongStatistics(expected: .distribution, got: s.match) }
        return d
    }
}
