import StyleTensor

/// A configuration error of a normalization layer or statistic swap.
public enum NormError: Error, Equatable, CustomStringConvertible {
    case invalidChannels(Int)
    case invalidGroups(Int)
    case groupsDoNotDivideChannels(groups: Int, channels: Int)
    case invalidEpsilon(Float)
    case invalidMomentum(Float)
    case parameterCount(name: String, expected: Int, got: Int)
    case unknownNorm(String)

    public var description: String {
        switch self {
        case .invalidChannels(let c): return "normalization needs at least one channel, got \(c)"
        case .invalidGroups(let g): return "group norm needs at least one group, got \(g)"
        case .groupsDoNotDivideChannels(let g, let c):
            return "group norm: \(g) groups do not divide \(c) channels (choose G with C % G == 0)"
        case .invalidEpsilon(let e): return "normalization epsilon must be finite and >= 0, got \(e)"
        case .invalidMomentum(let m): return "batch norm momentum must be in [0, 1], got \(m)"
        case .parameterCount(let name, let expected, let got):
            return "normalization parameter \(name) has \(got) values, expected \(expected) (one per channel)"
        case .unknownNorm(let name): return "unknown norm '\(name)' (expected instance, batch, layer or group)"
        }
    }
}
