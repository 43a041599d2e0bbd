/// The four normalizations, selectable at run time (`--norm instance|batch|layer|group`,
/// `--groups G`). For x of shape N x C x H x W each computes a mean and a biased
/// variance over a different set and outputs y = gamma * (x - mean) / sqrt(var + eps) + beta:
///
/// | case      | statistics over    | one pair per                  | paper                  |
/// |-----------|--------------------|-------------------------------|------------------------|
/// | instance  | H, W               | sample and channel            | Ulyanov et al. 2016    |
/// | batch     | N, H, W            | channel (running at inference)| Ioffe & Szegedy 2015   |
/// | layer     | C, H, W            | sample                        | Ba et al. 2016         |
/// | group(G)  | C/G channels, H, W | sample and group              | Wu & He 2018           |
///
/// Identities: `.group(groups: 1)` equals `.layer`; `.group(groups: C)` equals `.instance`.
/// Adding a norm means one case here; the exhaustive switches show every place to change.
public enum NormKind: Equatable, Hashable, Sendable, CustomStringConvertible {
    case instance
    case batch
    case layer
    case group(groups: Int)

    /// The names accepted by `init(name:groups:)`, for help texts.
    public static let names = ["instance", "batch", "layer", "group"]

    /// Parses a CLI name; `groups` is required for "group" and ignored otherwise.
    public init(name: String, groups: Int? = nil) throws {
        switch name.lowercased() {
        case "instance": self = .instance
        case "batch": self = .batch
        case "layer": self = .layer
        case "group":
            guard let g = groups, g >= 1 else { throw NormError.invalidGroups(groups ?? 0) }
            self = .group(groups: g)
        default: throw NormError.unknownNorm(name)
        }
    }

    /// "instance", "batch", "layer" or "group".
    public var name: String {
        switch self {
        case .instance: return "instance"
        case .batch: return "batch"
        case .layer: return "layer"
        case .group: return "group"
        }
    }

    /// "instance", "batch", "layer", or "group(G=8)".
    public var description: String {
        if case .group(let g) = self { return "group(G=\(g))" }
        return name
    }

    /// Throws when this norm cannot work on `channels` channels (G must divide C).
    public func validate(channels: Int) throws {
        guard channels >= 1 else { throw NormError.invalidChannels(channels) }
        if case .group(let g) = self {
            guard g >= 1 else { throw NormError.invalidGroups(g) }
            guard channels % g == 0 else { throw NormError.groupsDoNotDivideChannels(groups: g, channels: channels) }
        }
    }
}
