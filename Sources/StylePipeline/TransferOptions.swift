import StyleNN

/// Everything that decides how one content image is stylized, shared by the single
/// command, batches, tiles and comparisons.
public struct TransferOptions: Sendable {
    /// Content-style trade-off: t' = alpha * t + (1 - alpha) * f_c. 0 gives the content back, 1 full style.
    public var alpha: Float = 1
    /// Mixing weights, one per style (normalised to sum to 1). Empty means equal weights.
    public var styleWeights: [Float] = []
    /// Which statistics the swap uses (AdaIN = instance).
    public var norm: NormKind = .instance
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

    /// Checks the ranges of the values, with messages that name the option.
    public func validate(styleCount: Int) throws {
        guard alpha >= 0, alpha <= 1 else { throw PipelineError.invalidOption("--alpha must be between 0 and 1, got \(alpha)") }
        guard contentSize >= 0 else { throw PipelineError.invalidOption("--content-size must be 0 or positive") }
        guard styleSize >= 0 else { throw PipelineError.invalidOption("--style-size must be 0 or positive") }
        guard tileSize >= 0 else { throw PipelineError.invalidOption("--tile must be 0 (automatic) or positive") }
        guard maxMemoryBytes > 0 else { throw PipelineError.invalidOption("--max-memory must be positive") }
        if !styleWeights.isEmpty {
            guard styleWeights.count == styleCount else {
                throw PipelineError.invalidOption("--style-weights has \(styleWeights.count) values for \(styleCount) styles")
            }
            guard styleWeights.allSatisfy({ $0 >= 0 }), styleWeights.reduce(0, +) > 0 else {
                throw PipelineError.invalidOption("--style-weights must be non-negative and not all zero")
            }
        }
    }

    /// The style weights normalised to sum 1 (equal weights when none were given).
    public func normalisedStyleWeights(styleCount: Int) -> [Float] {
        let raw = styleWeights.isEmpty ? [Float](repeating: 1, count: styleCount) : styleWeights
        let sum = raw.reduce(0, +)
        return raw.map { $0 / sum }
    }
}
