/// Which statistics of the features the swap matches (`--match`), orthogonal to the norm
/// (`NormKind`, over which axes the statistics are taken):
///
/// | case         | matches                                  | paper                               |
/// |--------------|------------------------------------------|-------------------------------------|
/// | moments      | mean and standard deviation per slot     | Huang & Belongie 2017 (AdaIN)       |
/// | covariance   | mean and channel covariance (whitening, then colouring) | Li et al. 2017 (WCT) |
/// | distribution | the whole distribution of each channel (sorted values) | Zhang et al. 2022 (EFDM) |
///
/// Combinations (`validate(norm:)`): moments with every norm; covariance with instance (full
/// C x C per image), group (block-diagonal, one (C/G) x (C/G) covariance per group) and batch
/// (the content whitened with a population covariance); distribution with instance only.
/// The others are refused with the reason (`MatchError.unsupported`).
public enum StatisticMatch: String, Equatable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case moments
    case covariance
    case distribution

    /// The names accepted by `init(name:)`, for help texts.
    public static let names = allCases.map(\.rawValue)

    /// Parses a CLI name (`moments`, `covariance`, `distribution`; case-insensitive).
    public init(name: String) throws {
        guard let m = StatisticMatch(rawValue: name.lowercased()) else { throw MatchError.unknownMatch(name) }
        self = m
    }

    public var name: String { rawValue }
    public var description: String { rawValue }

    /// Throws `MatchError.unsupported` with the reason when this match has no meaning (or no
    /// data) under `norm`.
    public func validate(norm: NormKind) throws {
        if let why = refusal(norm: norm) { throw MatchError.unsupported(match: self, norm: norm, reason: why) }
    }

    /// Whether `validate(norm:)` accepts the pair.
    public func supports(_ norm: NormKind) -> Bool { refusal(norm: norm) == nil }

    /// Why this match has no meaning under `norm` (nil when it has), in neutral words (no
    /// option names: each front end says which of its options to change).
    public func refusal(norm: NormKind) -> String? {
        switch (self, norm) {
        case (.moments, _), (.covariance, .instance), (.covariance, .group), (.covariance, .batch), (.distribution, .instance):
            return nil
        case (.covariance, .layer):
            return "layer norm takes one mean and variance over all channels together, so there is no channel-by-channel covariance to whiten"
        case (.distribution, .layer):
            return "layer norm pools the values of all channels into one statistic; sorting them together would hand one channel's values to another, so the distribution is matched per channel only"
        case (.distribution, .group):
            return "group norm pools the values of C/G channels; sorting them together would hand one channel's values to another, so the distribution is matched per channel only"
        case (.distribution, .batch):
            return "batch norm would rank the content under a population distribution of every channel, which the weights do not store (they store a mean and variance, and a covariance)"
        }
    }

    /// The norms this match combines with, by name ("instance", "batch", "layer", "group").
    public var normNames: [String] {
        switch self {
        case .moments: return NormKind.names
        case .covariance: return ["instance", "group", "batch"]
        case .distribution: return ["instance"]
        }
    }

    /// The swap's short name under `norm`: "AdaIN", "WCT", "WCT (G=8)", "EFDM", ...
    public func swapName(norm: NormKind) -> String {
        switch (self, norm) {
        case (.moments, _): return norm.swapName
        case (.covariance, .group(let g)): return "WCT (G=\(g))"
        case (.covariance, .batch): return "WCT-BN"
        case (.covariance, _): return "WCT"
        case (.distribution, _): return "EFDM"
        }
    }

    /// One line defining the swap under `norm`, for comparison grids and reports.
    public func swapCaption(norm: NormKind) -> String {
        switch (self, norm) {
        case (.moments, _): return norm.swapCaption
        case (.covariance, .group(let g)):
            return "WCT (G=\(g)): whiten and colour each group of C/\(g) channels with its covariance"
        case (.covariance, .batch):
            return "WCT-BN: content whitened with the population covariance, coloured with the style's"
        case (.covariance, _): return "WCT: content whitened, then coloured with the style's channel covariance"
        case (.distribution, _): return "EFDM: each channel takes the style's value at the content value's quantile"
        }
    }
}

/// A statistic match that cannot be done as asked; the message says what is wrong.
public enum MatchError: Error, Equatable, CustomStringConvertible {
    case unknownMatch(String)
    case unsupported(match: StatisticMatch, norm: NormKind, reason: String)
    case statisticsMismatch(String)
    case missingPopulationCovariance
    case invalidPopulationCovariance(String)
    case wrongStatistics(expected: StatisticMatch, got: StatisticMatch)

    public var description: String {
        switch self {
        case .unknownMatch(let name):
            return "unknown match '\(name)' (expected \(StatisticMatch.names.joined(separator: ", ")))"
        case .unsupported(let m, let n, let why): return "the \(m) match with \(n.name) norm: \(why)"
        case .statisticsMismatch(let what): return "statistics do not fit: \(what)"
        case .missingPopulationCovariance:
            return "the batch-norm covariance swap needs a population mean and covariance of content features (stats.population_covariance in the weights, see Training/population_covariance.py)"
        case .invalidPopulationCovariance(let what): return "bad population covariance: \(what)"
        case .wrongStatistics(let e, let g): return "a \(e) match was given \(g) statistics"
        }
    }
}
