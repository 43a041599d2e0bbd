/// The statistics policy for each frame under a `VideoStatisticsMode`, frames in order (one
/// schedule per clip or per live stream: a running average keeps its state here).
public struct StatisticsSchedule: Sendable {
    public let mode: VideoStatisticsMode
    private let running: RunningStatistics?
    private let clip: StatisticsPolicy?

    public init(mode: VideoStatisticsMode, clip: ClipStatistics? = nil) {
        self.mode = mode
        if case .running(let m) = mode { running = RunningStatistics(momentum: m) } else { running = nil }
        self.clip = clip?.policy
    }

    /// The policy for the next frame: the frame's own statistics, the running average
    /// updated with them, or the clip's.
    public func policy() -> StatisticsPolicy {
        switch mode {
        case .frame: return StatisticsPolicy { _, own in own }
        case .running: return running!.policy()
        case .clip:
            guard let clip else { preconditionFailure("clip statistics must be gathered first") }
            return clip
        }
    }
}
