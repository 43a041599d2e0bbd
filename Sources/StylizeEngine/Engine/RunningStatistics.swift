import Foundation
import StyleNN

/// Batch normalization's running statistics applied to a video's frames, per site and slot:
///
///     R_1 = S_1                                   (the first frame starts from its own)
///     R_t = (1 - m) R_{t-1} + m S_t               (t = 2, 3, ...), for the mean and the variance
///
/// where S_t is frame t's own statistics at the site (mean and biased variance per slot) and
/// m the momentum (`--momentum`, default 0.1 as in PyTorch's BatchNorm). Frame t is
/// normalised with R_t, which includes its own statistics. As in batch norm, the variances
/// are averaged as they are (the spread of the means between frames is not added). The
/// first frame starts from its own statistics rather than from zero mean and unit variance
/// (PyTorch's initial buffers), which would wash out the opening frames.
///
/// For the covariance match the same update runs on the mean vector and the (unbiased)
/// channel covariance, entry by entry: R_t = (1 - m) R_t-1 + m S_t for both, a convex
/// combination of covariances and so again a covariance. The distribution match has no
/// running form (`VideoStatisticsMode.validate(match:)`).
///
/// With a time constant of 1/m frames (10 at m = 0.1, 0.4 s at 25 fps) the statistics follow
/// slow changes of the scene (a pan into a darker area) but not frame-to-frame jitter.
public final class RunningStatistics: @unchecked Sendable {
    public let momentum: Double
    private let lock = NSLock()
    private var state: [Int: ContentMatchStatistics] = [:]

    public init(momentum: Double) {
        precondition(momentum > 0 && momentum <= 1, "momentum must be in (0, 1]")
        self.momentum = momentum
    }

    /// The running statistics after `own`, stored as the site's new state.
    func update(site: Int, own: ContentMatchStatistics) throws -> ContentMatchStatistics {
        lock.lock(); defer { lock.unlock() }
        guard let previous = state[site] else { state[site] = own; return own }
        guard StatisticsLayout(previous) == StatisticsLayout(own) else {
            throw EngineError.unsupported("running statistics at site \(site) changed shape between frames")
        }
        let next = try Self.step(previous, own, momentum: momentum)
        state[site] = next
        return next
    }

    /// (1 - m) previous + m own, for the mean and the (co)variance.
    static func step(_ previous: ContentMatchStatistics, _ own: ContentMatchStatistics, momentum m: Double) throws -> ContentMatchStatistics {
        func mix(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { (1 - m) * $0 + m * $1 } }
        switch (previous, own) {
        case (.moments(let p), .moments(let o)):
            return .moments(try FeatureStatistics(kind: o.kind, channels: o.channels, rows: o.rows,
                                                  mean: mix(p.mean, o.mean), variance: mix(p.variance, o.variance), count: o.count))
        case (.covariance(let p), .covariance(let o)):
            // The co-moments of `own`'s count whose unbiased covariance is the mixed covariance.
            var comoment: [Double] = []
            for r in 0..<o.rows {
                let n = o.count[r]
                for g in 0..<o.blocks {
                    comoment += mix(p.covariance(row: r, block: g), o.covariance(row: r, block: g)).map { $0 * max(n - 1, 0) }
                }
            }
            return .covariance(try CovarianceStatistics(kind: o.kind, channels: o.channels, rows: o.rows,
                                                        mean: mix(p.mean, o.mean), comoment: comoment, count: o.count))
        default:
            throw EngineError.unsupported("running statistics of the \(own.match) match are not defined (use frame statistics)")
        }
    }

    /// The policy for one frame: each site is updated once with the frame's own statistics
    /// (a second call for the same site within the frame returns the same answer).
    public func policy() -> StatisticsPolicy {
        let used = FrameSites()
        return StatisticsPolicy { [self] site, own in
            used.lock.lock(); defer { used.lock.unlock() }
            if let done = used.sites[site] { return done }
            let next = try update(site: site, own: own)
            used.sites[site] = next
            return next
        }
    }

    /// The current state per site (for tests and reports).
    public var current: [Int: ContentMatchStatistics] { lock.lock(); defer { lock.unlock() }; return state }
}

/// The statistics one frame has used so far, per site.
private final class FrameSites: @unchecked Sendable {
    let lock = NSLock()
    var sites: [Int: ContentMatchStatistics] = [:]
}
