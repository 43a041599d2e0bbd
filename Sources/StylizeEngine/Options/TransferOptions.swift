import StyleNN

/// Everything that decides how one content image is stylized, shared by the single
/// command, batches, tiles and comparisons.
public struct TransferOptions: Sendable {
    /// Content-style trade-off: t' = alpha * t + (1 - alpha) * f_c. 0 gives the content back, 1 full style.
    public var alpha: Float = 1
    /// Mixing weights, one per style (normalised to sum to 1). Empty means equal weights.
    public var styleWeights: [Float] = []
    /// Over which axes the swap takes its statistics (AdaIN = instance).
    public var norm: NormKind = .instance
    /// Which statistics of the features the swap matches (`--match`): moments (AdaIN's mean
    /// and standard deviation), covariance (WCT) or distribution (EFDM). nil: the default
    /// for the model family and norm (`defaultMatch(family:)`).
    public var match: StatisticMatch? = nil
    /// Keep the content's colours (see `ColorPreservation`).
    public var preserveColor = false
    /// Shorter side of the content in pixels before stylization; 0 keeps its size.
    public var contentSize = 512
    /// Shorter side of each style image in pixels; 0 keeps its size.
    public var styleSize = 512
    /// Tile size in content pixels (`--tile`); 0 tiles automatically when the untiled run
    /// would exceed `maxMemoryBytes` (see `MemoryBudget`, `TiledStylizer`).
    public var tileSize = 0
    /// Memory budget in bytes for choosing automatic tiling (`--max-memory`).
    public var maxMemoryBytes = MemoryBudget.defaultBytes

    public init() {}

    /// Checks the ranges of the values for a run with `styleCount` styles: the one check of
    /// these rules, whichever front end set them (messages name the option through
    /// `OptionError`).
    public func validate(styleCount: Int) throws {
        guard alpha >= 0, alpha <= 1 else { throw OptionError(.alpha, "\(option: .alpha) must be between 0 and 1, got \(alpha)") }
        guard contentSize >= 0 else { throw OptionError(.contentSize, "\(option: .contentSize) must be 0 or positive, got \(contentSize)") }
        guard styleSize >= 0 else { throw OptionError(.styleSize, "\(option: .styleSize) must be 0 or positive, got \(styleSize)") }
        guard tileSize >= 0 else { throw OptionError(.tile, "\(option: .tile) must be 0 (automatic) or positive, got \(tileSize)") }
        guard maxMemoryBytes > 0 else { throw OptionError(.maxMemory, "\(option: .maxMemory) must be positive") }
        if let match, let why = match.refusal(norm: norm) {
            throw OptionError(.match, "\(option: .match) \(match) does not combine with \(option: .norm) \(norm.name): \(why); "
                + "it combines with \(option: .norm) \(match.normNames.joined(separator: ", "))")
        }
        if !styleWeights.isEmpty {
            guard styleWeights.count == styleCount else {
                throw OptionError(.styleWeights, "\(option: .styleWeights) has \(styleWeights.count) values for \(styleCount) styles")
            }
            guard styleWeights.allSatisfy({ $0 >= 0 && $0.isFinite }), styleWeights.reduce(0, +) > 0 else {
                throw OptionError(.styleWeights, "\(option: .styleWeights) must be non-negative and not all zero")
            }
        }
    }

    /// The match a run of `family` uses: `match` when given, else `defaultMatch(family:)`.
    public func resolvedMatch(family: ModelFamily) -> StatisticMatch {
        match ?? defaultMatch(family: family)
    }

    /// The match when none is given: moments for every model family and norm.
    public func defaultMatch(family: ModelFamily) -> StatisticMatch {
        .moments
    }

    /// The style weights normalised to sum 1 (equal weights when none were given).
    public func normalisedStyleWeights(styleCount: Int) -> [Float] {
        let raw = styleWeights.isEmpty ? [Float](repeating: 1, count: styleCount) : styleWeights
        let sum = raw.reduce(0, +)
        return raw.map { $0 / sum }
    }
}

extension OptionName {
    /// JPEG quality of written images (`--quality`).
    public static let quality = OptionName(field: "quality")
}

/// The JPEG quality of written images: 1 (smallest) to 100 (best).
public enum OutputQuality {
    /// Throws unless `quality` is 1...100.
    public static func validate(_ quality: Int) throws {
        guard (1...100).contains(quality) else {
            throw OptionError(.quality, "\(option: .quality) must be between 1 and 100, got \(quality)")
        }
    }
}
