import StyleNN

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
