extension NormKind {
    /// The swap's short name: "AdaIN", "AdaBN", "AdaLN" or "AdaGN (G=8)".
    public var swapName: String {
        switch self {
        case .instance: return "AdaIN"
        case .batch: return "AdaBN"
        case .layer: return "AdaLN"
        case .group(let g): return "AdaGN (G=\(g))"
        }
    }

    /// One line defining the swap, for comparison grids and reports (see `StatisticSwap`).
    public var swapCaption: String {
        switch self {
        case .instance: return "AdaIN: content and style mean/std per channel over H,W"
        case .batch: return "AdaBN: content normalised with population statistics, style mean/std per channel"
        case .layer: return "AdaLN: content and style one mean/std per image over C,H,W"
        case .group(let g): return "AdaGN (G=\(g)): mean/std per group of C/\(g) channels over H,W"
        }
    }
}
