import StyleNN
import StyleTensor

/// How the content statistics of one match under one norm are gathered from features, in
/// the same way `FeatureMatcher.contentRange` and `contentStatistics` gather them, but
/// without the population a `.batch` matcher needs: collecting statistics (a video clip's,
/// a calibration set's) must work on weights that do not store them yet.
///
///     pass 0 (distribution only): range = merge over parts of range(of: part)
///     pass 1: statistics = merge over parts of statistics(of: part, range: range)
struct StatisticsGatherer: Sendable {
    let match: StatisticMatch
    let norm: NormKind

    init(match: StatisticMatch, norm: NormKind) throws {
        try match.validate(norm: norm)
        self.match = match; self.norm = norm
    }

    init(_ matcher: FeatureMatcher) {
        match = matcher.match; norm = matcher.norm
    }

    /// Whether statistics need the range pass first.
    var needsRangePass: Bool { match == .distribution }

    /// Pass 0: the value range of `features` (distribution only; nil otherwise).
    func range(of features: Tensor) throws -> DistributionRange? {
        needsRangePass ? try DistributionRange(of: features) : nil
    }

    /// Pass 1: the statistics of `features`; `range` (the whole image's) for distribution.
    func statistics(of features: Tensor, range: DistributionRange?) throws -> ContentMatchStatistics {
        switch match {
        case .moments: return .moments(try FeatureStatistics(of: features, kind: norm))
        case .covariance: return .covariance(try CovarianceStatistics(of: features, kind: norm))
        case .distribution:
            guard let range else { throw MatchError.statisticsMismatch("the distribution match needs the content's range (pass 0) first") }
            return .distribution(try DistributionSketch(of: features, range: range))
        }
    }
}

extension StyleMatchStatistics {
    /// Bytes held by these statistics (for the style cache's bound).
    var bytes: Int {
        switch self {
        case .moments(let m): return 8 * (m.mean.count + m.variance.count + m.count.count)
        case .covariance(let c): return 8 * (c.mean.count + c.colour.count)
        case .distribution(let d): return 8 * d.values.count
        }
    }
}
