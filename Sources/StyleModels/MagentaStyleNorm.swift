import StyleNN
import StyleTensor
import StyleWeights

/// Conditional instance normalization (Dumoulin et al. 2017; Ghiasi et al. 2017): the
/// affine parameters come from the style vector v (D numbers) through a linear map,
///
///     gamma = Wg v + bg,   beta = Wb v + bb                       (C values each)
///     y[n,h,w,c] = gamma[c] * (x[n,h,w,c] - mu[slot]) / sqrt(var[slot] + eps) + beta[c]
///
/// where mu and the biased variance are instance statistics (over H, W per sample and
/// channel) in the trained networks. `kind` swaps them for batch (N, H, W per channel),
/// layer (C, H, W per sample) or group statistics, the comparison of Ulyanov et al. 2016;
/// only `.instance` reproduces the trained model.
public struct MagentaStyleNorm: Sendable {
    public let name: String
    public let channels: Int
    public let styleDimension: Int
    /// Wg, C x D row-major; bg, C.
    let gammaWeight: [Float], gammaBias: [Float]
    /// Wb, C x D row-major; bb, C.
    let betaWeight: [Float], betaBias: [Float]
    public let eps: Float

    /// Reads `prefix.gamma.weight/bias`, `prefix.beta.weight/bias` and `prefix.eps`.
    init(_ r: WeightReader, prefix: String, channels: Int, styleDimension: Int) throws {
        func matrix(_ n: String) throws -> [Float] {
            let (shape, v) = try r.values(n)
            guard shape == [channels, styleDimension] else {
                throw ModelError.badShape(file: r.path, name: n, expected: "[\(channels), \(styleDimension)]", got: shape)
            }
            return v
        }
        func vector(_ n: String, _ count: Int) throws -> [Float] {
            let (shape, v) = try r.values(n)
            guard shape == [count] else { throw ModelError.badShape(file: r.path, name: n, expected: "[\(count)]", got: shape) }
            return v
        }
        name = prefix
        self.channels = channels
        self.styleDimension = styleDimension
        gammaWeight = try matrix(prefix + ".gamma.weight")
        gammaBias = try vector(prefix + ".gamma.bias", channels)
        betaWeight = try matrix(prefix + ".beta.weight")
        betaBias = try vector(prefix + ".beta.bias", channels)
        let e = try vector(prefix + ".eps", 1)[0]
        guard e.isFinite, e >= 0 else {
            throw ModelError.badShape(file: r.path, name: prefix + ".eps", expected: "a finite value >= 0", got: [1])
        }
        eps = e
    }

    /// gamma = Wg v + bg and beta = Wb v + bb (sums in Double, in index order).
    public func affine(style v: [Float]) -> (gamma: [Float], beta: [Float]) {
        precondition(v.count == styleDimension, "\(name): style vector has \(v.count) values, expected \(styleDimension)")
        func project(_ w: [Float], _ b: [Float]) -> [Float] {
            (0..<channels).map { c in
                var s = Double(b[c])
                for d in 0..<styleDimension { s += Double(w[c * styleDimension + d]) * Double(v[d]) }
                return Float(s)
            }
        }
        return (project(gammaWeight, gammaBias), project(betaWeight, betaBias))
    }

    /// The normalization of `x` with the style's gamma and beta and `kind`'s statistics.
    public func callAsFunction(_ x: Tensor, gamma: [Float], beta: [Float], kind: NormKind) throws -> Tensor {
        var y = x
        try apply(&y, gamma: gamma, beta: beta, kind: kind, activation: .none)
        return y
    }

    /// In place: x = act(gamma * (x - mu) / sqrt(var + eps) + beta), folded into one scale and
    /// shift per (sample, channel) computed in Double from `kind`'s statistics.
    /// `fixed` replaces the statistics of `x` (population statistics of a calibration set,
    /// one row, see `MagentaTransformer.collectPopulation`, or one row per sample);
    /// `recorded` receives the ones used.
    public func apply(_ x: inout Tensor, gamma: [Float], beta: [Float], kind: NormKind, activation: Activation,
                      fixed: FeatureStatistics? = nil, recorded: ((FeatureStatistics) -> Void)? = nil) throws {
        if let fixed, fixed.channels != x.shape.c || (fixed.rows != 1 && fixed.rows != x.shape.n) {
            throw SwapError.statisticsShape("\(name): population statistics for \(fixed.channels) channels and \(fixed.rows) rows, features have \(x.shape.c) channels")
        }
        let stats = try fixed ?? FeatureStatistics(of: x, kind: kind)
        recorded?(stats)
        try Normalize.apply(&x, statistics: stats, gamma: gamma, beta: beta, eps: eps, activation: activation)
    }

    /// The normalization as one scale and shift per (sample, channel) (`Normalize.coefficients`).
    public func coefficients(gamma: [Float], beta: [Float], statistics stats: FeatureStatistics,
                             samples n: Int) -> (scale: [Float], shift: [Float]) {
        Normalize.coefficients(stats, samples: n, gamma: gamma, beta: beta, eps: eps)
    }
}
