import Foundation
import StyleNN

/// Where the content statistics at each of a network's statistics sites come from
/// (`DescribedNetwork.statisticsSites`: the AdaIN bottleneck, or each of Magenta's
/// conditional instance norms).
///
/// Without a policy a run uses the statistics of the image itself (gathered over the whole
/// image even when it is tiled), or for `--norm batch` on an AdaIN model the population
/// statistics stored with the weights. With a policy, the engine computes the image's own
/// statistics at each site (`own`, of the run's norm kind) and uses whatever the policy
/// returns instead: e.g. a running average over a video's frames, or the statistics of a
/// whole clip gathered beforehand. The returned statistics must have the same kind,
/// channels and rows as `own`.
public struct StatisticsPolicy: Sendable {
    public let choose: @Sendable (_ site: Int, _ own: FeatureStatistics) throws -> FeatureStatistics

    public init(_ choose: @escaping @Sendable (_ site: Int, _ own: FeatureStatistics) throws -> FeatureStatistics) {
        self.choose = choose
    }

    /// Fixed statistics per site (e.g. a clip's, from `StyleEngine.contentStatistics`).
    public static func fixed(_ statistics: [FeatureStatistics]) -> StatisticsPolicy {
        StatisticsPolicy { site, own in
            guard site < statistics.count else {
                throw EngineError.unsupported("statistics for site \(site) missing (\(statistics.count) given)")
            }
            let s = statistics[site]
            guard s.kind == own.kind, s.channels == own.channels, s.rows == own.rows else {
                throw EngineError.unsupported("statistics for site \(site) are \(s.kind) over \(s.channels) channels, the run needs \(own.kind) over \(own.channels)")
            }
            return s
        }
    }
}

/// Keeps the statistics a run computed at each site (a policy that uses them unchanged).
final class StatisticsRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Int: FeatureStatistics] = [:]

    var statistics: [FeatureStatistics] {
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
