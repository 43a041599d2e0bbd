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
/// With a time constant of 1/m frames (10 at m = 0.1, 0.4 s at 25 fps) the statistics follow
/// slow changes of the scene (a pan into a darker area) but not frame-to-frame jitter.
public final class RunningStatistics: @unchecked Sendable {
    public let momentum: Double
    private let lock = NSLock()
    private var state: [Int: FeatureStatistics] = [:]

    public init(momentum: Double) {
        precondition(momentum > 0 && momentum <= 1, "momentum must be in (0, 1]")
        self.momentum = momentum
    }

    /// The running statistics after `own`, stored as the site's new state.
    func update(site: Int, own: FeatureStatistics) throws -> FeatureStatistics {
        lock.lock(); defer { lock.unlock() }
        guard let previous = state[site] else { state[site] = own; return own }
        guard previous.kind == own.kind, previous.channels == own.channels, previous.rows == own.rows else {
            throw EngineError.unsupported("running statistics at site \(site) changed shape between frames")
        }
        let m = momentum
        let mean = zip(previous.mean, own.mean).map { (1 - m) * $0 + m * $1 }
        let variance = zip(previous.variance, own.variance).map { (1 - m) * $0 + m * $1 }
        let next = try FeatureStatistics(kind: own.kind, channels: own.channels, rows: own.rows,
                                         mean: mean, variance: variance, count: own.count)
        state[site] = next
        return next
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
    public var current: [Int: FeatureStatistics] { lock.lock(); defer { lock.unlock() }; return state }
}

/// The statistics one frame has used so far, per site.
private final class FrameSites: @unchecked Sendable {
    let lock = NSLock()
    var sites: [Int: FeatureStatistics] = [:]
}
