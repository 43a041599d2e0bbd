import Foundation
import StyleNN
import StylizeEngine

/// Where the content statistics at each statistics site (the AdaIN bottleneck; each of
/// Magenta's conditional norms) come from when a video is stylized (`--stats`).
public enum VideoStatisticsMode: Sendable, Equatable, CustomStringConvertible {
    /// Each frame's own statistics (what a photo gets; instance statistics for `--norm instance`).
    case frame
    /// An exponential running average over the frames so far, as batch normalization keeps
    /// its running statistics (see `RunningStatistics`).
    case running(momentum: Double)
    /// The statistics of the whole clip, gathered in a first pass (population statistics,
    /// as batch normalization uses at inference; see `ClipStatistics`).
    case clip

    /// PyTorch's default batch-norm momentum.
    public static let defaultMomentum = 0.1

    /// Parses "frame", "running" or "clip".
    public init(name: String, momentum: Double = VideoStatisticsMode.defaultMomentum) throws {
        switch name.lowercased() {
        case "frame": self = .frame
        case "running":
            guard momentum > 0, momentum <= 1 else {
                throw OptionError(.momentum, "\(option: .momentum) must be in (0, 1], got \(momentum)")
            }
            self = .running(momentum: momentum)
        case "clip": self = .clip
        default: throw OptionError(.stats, "\(option: .stats) must be frame, running or clip, got '\(name)'")
        }
    }

    /// Throws unless `match`'s statistics can be shared across frames this way: a mean and
    /// variance (moments) or a mean and covariance (covariance) average and merge over frames;
    /// the distribution match's histograms are over each frame's own value range, so they can
    /// neither be averaged nor merged across frames (`frame` only).
    public func validate(match: StatisticMatch) throws {
        guard match == .distribution, self != .frame else { return }
        throw OptionError(.stats, "\(option: .stats) \(name) cannot share the distribution match's statistics across frames: "
            + "each frame's histogram is over its own range of values, so histograms of different frames neither average nor merge; "
            + "use \(option: .stats) frame with \(option: .match) distribution")
    }

    /// "frame", "running" or "clip".
    public var name: String {
        switch self {
        case .frame: return "frame"
        case .running: return "running"
        case .clip: return "clip"
        }
    }

    /// "frame", "running(m=0.1)", "clip".
    public var description: String {
        if case .running(let m) = self { return "running(m=\(m))" }
        return name
    }
}

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

/// A clip's statistics: each site's statistics merged over all frames (exactly, with
/// `ContentMatchStatistics.merged(with:)`), i.e. the mean and biased variance (moments) or
/// the mean and channel co-moments (covariance) over every pixel of every frame (per channel
/// for instance and batch, per group for group, per frame-wide slot for layer). For a clip
/// this is what batch normalization's population statistics are over a data set.
///
/// For Magenta the statistics of the later norms depend on how the earlier ones normalised:
/// the first pass runs each frame with its own statistics at every norm (a frame-by-frame
/// run) and records what each norm sees; the second pass then normalises every frame with
/// these clip statistics at every norm.
public struct ClipStatistics: Sendable {
    public private(set) var sites: [ContentMatchStatistics] = []
    public private(set) var frames = 0

    public init() {}

    /// Adds one frame's statistics (one per site, in site order).
    public mutating func add(_ frame: [ContentMatchStatistics]) throws {
        if sites.isEmpty { sites = frame } else {
            guard frame.count == sites.count else {
                throw EngineError.unsupported("a frame has \(frame.count) statistics sites, earlier ones \(sites.count)")
            }
            sites = try zip(sites, frame).map { try $0.merged(with: $1) }
        }
        frames += 1
    }

    public var policy: StatisticsPolicy { .fixed(sites) }
}
