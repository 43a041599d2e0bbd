import StyleTensor

/// A normalization layer: y = gamma * (x - mean) / sqrt(var + eps) + beta, where the
/// mean and the (biased) variance are taken over a set of values that depends on the
/// norm (see `NormKind`). Inputs are NHWC tensors whose channel count equals the
/// layer's `channels`.
public protocol Normalization {
    /// The norm this layer implements.
    var kind: NormKind { get }
    /// Number of channels C the layer accepts.
    var channels: Int { get }
    /// The normalized tensor, same shape as `x`. Batch norm uses its running
    /// statistics here (inference mode).
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// The optional per-channel affine parameters gamma (scale) and beta (shift), C each.
public struct AffineParameters: Equatable, Sendable {
    public let gamma: [Float]
    public let beta: [Float]

    /// gamma = 1, beta = 0 (PyTorch's initialisation).
    public init(identityFor channels: Int) {
        gamma = [Float](repeating: 1, count: channels)
        beta = [Float](repeating: 0, count: channels)
    }

    /// Explicit parameters; both must have `channels` values.
    public init(gamma: [Float], beta: [Float], channels: Int) throws {
        guard gamma.count == channels else { throw NormError.parameterCount(name: "gamma", expected: channels, got: gamma.count) }
        guard beta.count == channels else { throw NormError.parameterCount(name: "beta", expected: channels, got: beta.count) }
        self.gamma = gamma
        self.beta = beta
    }
}

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

/// Checks shared by every layer's initialiser.
func validate(channels: Int, eps: Float) throws {
    guard channels >= 1 else { throw NormError.invalidChannels(channels) }
    guard eps.isFinite, eps >= 0 else { throw NormError.invalidEpsilon(eps) }
}
