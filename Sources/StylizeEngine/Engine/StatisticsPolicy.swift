import Foundation
import StyleNN

/// Where the content statistics at each of a network's statistics sites come from
/// (`DescribedNetwork.statisticsSites`: the AdaIN bottleneck, or each of Magenta's
/// conditional instance norms).
///
/// Without a policy a run uses the statistics of the image itself (gathered over the whole
/// image even when it is tiled), or for `--norm batch` on an AdaIN model the population
/// statistics stored with the weights. With a policy, the engine computes the image's own
/// statistics at each site (`own`: the run's match under its norm, e.g. a mean and variance
/// per channel, a channel covariance, or a distribution sketch) and uses whatever the policy
/// returns instead: e.g. a running average over a video's frames, or the statistics of a
/// whole clip gathered beforehand. The returned statistics must be of the same match, kind,
/// channels and rows as `own` (`StatisticsLayout`). Magenta's sites take moments only.
public struct StatisticsPolicy: Sendable {
    public let choose: @Sendable (_ site: Int, _ own: ContentMatchStatistics) throws -> ContentMatchStatistics

    public init(_ choose: @escaping @Sendable (_ site: Int, _ own: ContentMatchStatistics) throws -> ContentMatchStatistics) {
        self.choose = choose
    }

    /// Each site's own statistics, unchanged.
    public static var own: StatisticsPolicy { StatisticsPolicy { _, own in own } }

    /// Fixed statistics per site (e.g. a clip's, from `StyleEngine.contentStatistics`).
    public static func fixed(_ statistics: [ContentMatchStatistics]) -> StatisticsPolicy {
        StatisticsPolicy { site, own in
            guard site < statistics.count else {
                throw EngineError.unsupported("statistics for site \(site) missing (\(statistics.count) given)")
            }
            let s = statistics[site]
            guard StatisticsLayout(s) == StatisticsLayout(own) else {
                throw EngineError.unsupported("statistics for site \(site) are \(StatisticsLayout(s)), the run needs \(StatisticsLayout(own))")
            }
            return s
        }
    }

    /// The choice at a site that takes moments (Magenta's norms).
    func moments(_ site: Int, _ own: FeatureStatistics) throws -> FeatureStatistics {
        guard case .moments(let chosen) = try choose(site, .moments(own)) else {
            throw EngineError.unsupported("the statistics policy gave site \(site) statistics of another match than moments")
        }
        return chosen
    }
}

/// The shape of a site's statistics: what a policy's answer must keep.
public struct StatisticsLayout: Equatable, Sendable, CustomStringConvertible {
    public let match: StatisticMatch
    public let kind: NormKind
    public let channels: Int
    public let rows: Int

    public init(_ s: ContentMatchStatistics) {
        switch s {
        case .moments(let m): (match, kind, channels, rows) = (.moments, m.kind, m.channels, m.rows)
        case .covariance(let c): (match, kind, channels, rows) = (.covariance, c.kind, c.channels, c.rows)
        case .distribution(let d): (match, kind, channels, rows) = (.distribution, .instance, d.channels, d.rows)
        }
    }

    /// "moments of instance over 192 channels", "covariance of batch over 192 channels".
    public var description: String { "\(match) of \(kind.name) over \(channels) channels" + (rows > 1 ? " x \(rows) rows" : "") }
}

extension ContentMatchStatistics {
    /// The mean and variance per slot, for the moments match; nil otherwise.
    public var moments: FeatureStatistics? {
        if case .moments(let m) = self { return m }
        return nil
    }
}

/// Keeps the statistics a run computed at each site (a policy that uses them unchanged).
final class StatisticsRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Int: ContentMatchStatistics] = [:]

    var statistics: [ContentMatchStatistics] {
        lock.lock(); defer { lock.unlock() }
        return recorded.keys.sorted().map { recorded[$0]! }
    }

    var policy: StatisticsPolicy {
        StatisticsPolicy { [self] site, own in
            lock.lock(); recorded[site] = own; lock.unlock()
            return own
        }
    }
}
