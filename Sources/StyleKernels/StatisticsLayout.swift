/// Which values of an NHWC tensor share one mean and one variance.
///
/// The tensor is viewed as `samples` x `pixels` x `channels` (NHWC with H and W
/// flattened into pixels). The channels are split into `groups` runs of
/// `channelsPerGroup` consecutive channels. One statistic ("slot") is computed per
/// (row, group), where a row is one sample, or the whole batch when
/// `acrossSamples` is true:
///
/// | norm      | groups | acrossSamples | statistics over      |
/// |-----------|--------|---------------|----------------------|
/// | instance  | C      | false         | H, W                 |
/// | batch     | C      | true          | N, H, W              |
/// | layer     | 1      | false         | C, H, W              |
/// | group (G) | G      | false         | C/G channels, H, W   |
///
/// Slots are stored row-major: slot `row * groups + group`.
public struct ReductionLayout: Equatable, Hashable, Sendable {
    public let samples: Int
    public let pixels: Int
    public let channels: Int
    public let groups: Int
    public let acrossSamples: Bool

    /// `groups` must divide `channels`; all sizes non-negative, `groups` at least 1.
    public init(samples: Int, pixels: Int, channels: Int, groups: Int, acrossSamples: Bool) {
        precondition(samples >= 0 && pixels >= 0 && channels >= 1 && groups >= 1,
                     "ReductionLayout: bad sizes samples=\(samples) pixels=\(pixels) channels=\(channels) groups=\(groups)")
        precondition(channels % groups == 0, "ReductionLayout: \(groups) groups do not divide \(channels) channels")
        self.samples = samples
        self.pixels = pixels
        self.channels = channels
        self.groups = groups
        self.acrossSamples = acrossSamples
    }

    /// Per sample and channel, over H and W (instance norm).
    public static func instance(samples: Int, pixels: Int, channels: Int) -> ReductionLayout {
        ReductionLayout(samples: samples, pixels: pixels, channels: channels, groups: channels, acrossSamples: false)
    }

    /// Per channel, over N, H and W (batch norm).
    public static func batch(samples: Int, pixels: Int, channels: Int) -> ReductionLayout {
        ReductionLayout(samples: samples, pixels: pixels, channels: channels, groups: channels, acrossSamples: true)
    }

    /// Per sample, over C, H and W (layer norm).
    public static func layer(samples: Int, pixels: Int, channels: Int) -> ReductionLayout {
        ReductionLayout(samples: samples, pixels: pixels, channels: channels, groups: 1, acrossSamples: false)
    }

    /// Per sample and group of `channels / groups` channels, over those channels, H and W (group norm).
    public static func group(samples: Int, pixels: Int, channels: Int, groups: Int) -> ReductionLayout {
        ReductionLayout(samples: samples, pixels: pixels, channels: channels, groups: groups, acrossSamples: false)
    }

    public var channelsPerGroup: Int { channels / groups }
    /// Number of statistic rows: 1 when reducing across samples, else `samples`.
    public var rows: Int { acrossSamples ? 1 : samples }
    /// Number of (row, group) statistics.
    public var slotCount: Int { rows * groups }
    /// Pixels per piece of the reduction's fixed partition (see `Statistics.moments`).
    public static let chunkPixels = 256
    /// Pieces per sample: ceil(pixels / chunkPixels).
    public var chunksPerSample: Int { (pixels + Self.chunkPixels - 1) / Self.chunkPixels }
    /// Doubles of scratch space `Statistics.moments` needs: one partial sum per
    /// (sample, chunk, channel), plus two arrays of (sample, channel) values.
    public var workspaceCount: Int { samples * chunksPerSample * channels + 2 * samples * channels }

    /// The slot that the value at (sample, channel) belongs to.
    @inline(__always)
    public func slot(sample: Int, channel: Int) -> Int {
        (acrossSamples ? 0 : sample) * groups + channel / channelsPerGroup
    }
}
