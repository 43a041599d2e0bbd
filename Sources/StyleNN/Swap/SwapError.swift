import StyleTensor

/// A statistic swap that cannot be done as asked; the message says what is wrong.
public enum SwapError: Error, Equatable, CustomStringConvertible {
    case missingPopulationStatistics
    case populationCount(mean: Int, variance: Int, channels: Int?)
    case invalidPopulationVariance(channel: Int, value: Float)
    case invalidEpsilon(Float)
    case kindMismatch(swap: NormKind, statistics: NormKind)
    case channelMismatch(content: Int, statistics: Int)
    case rowMismatch(content: Int, statistics: Int)
    case noStyles
    case invalidWeights([Float])
    case invalidAlpha(Float)
    case maskShape(mask: Shape, features: Shape)
    case emptyFeatures(Shape)
    case statisticsShape(String)

    public var description: String {
        switch self {
        case .missingPopulationStatistics:
            return "the batch-norm swap needs population statistics (per-channel running mean and variance of content features, e.g. from the weights file's calibration)"
        case .populationCount(let m, let v, let c):
            return "population statistics have \(m) means and \(v) variances" + (c.map { " for \($0) channels" } ?? "")
        case .invalidPopulationVariance(let c, let v): return "population variance of channel \(c) is \(v); it must be finite and >= 0"
        case .invalidEpsilon(let e): return "swap epsilon must be finite and >= 0, got \(e)"
        case .kindMismatch(let s, let t): return "a \(s) swap was given \(t) statistics"
        case .channelMismatch(let c, let s): return "content features have \(c) channels, statistics \(s)"
        case .rowMismatch(let c, let s): return "statistics with \(s) rows cannot pair with \(c) content samples (need 1 or \(c))"
        case .noStyles: return "no style statistics given"
        case .invalidWeights(let w): return "style weights \(w) must be finite, >= 0 and not all 0"
        case .invalidAlpha(let a): return "alpha must be in [0, 1], got \(a)"
        case .maskShape(let m, let f): return "mask of shape \(m) does not fit features \(f) (need 1|N x H x W x 1)"
        case .emptyFeatures(let s): return "cannot take statistics of empty features \(s)"
        case .statisticsShape(let what): return "bad feature statistics: \(what)"
        }
    }
}
