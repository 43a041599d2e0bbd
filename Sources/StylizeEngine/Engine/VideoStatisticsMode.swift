import StyleNN

/// Where the content statistics at each statistics site (the AdaIN bottleneck; each of
/// Magenta's conditional norms) come from when the frames of a video or of a live stream are
/// stylized one after the other (`--stats`, the live view's `stats`).
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

    /// A mode for frames that arrive one at a time with no end known (the live view): "frame"
    /// or "running"; "clip" needs the whole clip before the first frame and is refused.
    public init(streamingName name: String, momentum: Double = VideoStatisticsMode.defaultMomentum) throws {
        let mode = try VideoStatisticsMode(name: name, momentum: momentum)
        guard mode != .clip else {
            throw OptionError(.stats, "\(option: .stats) must be frame or running for a live stream (clip needs the whole clip before its first frame)")
        }
        self = mode
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
