import StyleTensor

/// The four normalizations as the networks run them (Magenta's conditional instance norms,
/// the band sweep, the comparisons): for x of shape N x H x W x C and statistics of one
/// `NormKind` (`FeatureStatistics`: mean and biased variance per slot),
///
///     y[n,h,w,c] = act( gamma[c] * (x[n,h,w,c] - mu[slot]) / sqrt(var[slot] + eps) + beta[c] )
///
/// where slot is (row of sample n, group of channel c): per sample and channel for
/// instance norm (Ulyanov et al. 2016), per channel over the batch for batch norm (Ioffe &
/// Szegedy 2015), per sample for layer norm (Ba et al. 2016), per sample and group of C/G
/// channels for group norm (Wu & He 2018). Checked against PyTorch's `nn.InstanceNorm2d`,
/// `nn.BatchNorm2d`, `nn.LayerNorm` and `nn.GroupNorm` (Tests/StyleNNTests/Golden).
public enum Normalize {
    /// The normalization as one scale and shift per (sample, channel), in Double:
    ///
    ///     scale = gamma[c] / sqrt(var[slot] + eps),   shift = beta[c] - mu[slot] * scale
    ///
    /// `gamma` and `beta` default to 1 and 0; `samples` is N of the tensor normalised (a
    /// single statistics row serves every sample).
    public static func coefficients(_ stats: FeatureStatistics, samples n: Int, gamma: [Float]? = nil, beta: [Float]? = nil,
                                    eps: Float) -> (scale: [Float], shift: [Float]) {
        let c = stats.channels
        precondition(gamma.map { $0.count == c } ?? true && beta.map { $0.count == c } ?? true,
                     "normalization: gamma and beta need \(c) values")
        precondition(stats.rows == 1 || stats.rows == n, "normalization: \(stats.rows) statistics rows for \(n) samples")
        let perGroup = c / stats.groups
        var scale = [Float](repeating: 0, count: n * c), shift = scale
        for sample in 0..<n {
            let row = stats.rows == 1 ? 0 : sample
            for ch in 0..<c {
                let slot = row * stats.groups + ch / perGroup
                let s = Double(gamma?[ch] ?? 1) / (stats.variance[slot] + Double(eps)).squareRoot()
                scale[sample * c + ch] = Float(s)
                shift[sample * c + ch] = Float(Double(beta?[ch] ?? 0) - stats.mean[slot] * s)
            }
        }
        return (scale, shift)
    }

    /// Normalises `x` in place with `stats` (of x itself, or fixed ones such as running or
    /// population statistics), then the activation.
    public static func apply(_ x: inout Tensor, statistics stats: FeatureStatistics, gamma: [Float]? = nil,
                             beta: [Float]? = nil, eps: Float, activation: Activation = .none) throws {
        guard stats.channels == x.shape.c, stats.rows == 1 || stats.rows == x.shape.n else {
            throw SwapError.statisticsShape("statistics of \(stats.rows) rows x \(stats.channels) channels for a tensor \(x.shape)")
        }
        let (scale, shift) = coefficients(stats, samples: x.shape.n, gamma: gamma, beta: beta, eps: eps)
        channelScaleShiftInPlace(&x, scale: scale, shift: shift, activation: activation)
    }
}

/// Batch norm's running estimates (PyTorch `nn.BatchNorm2d` in training mode), per channel:
///
///     runningMean = (1 - m) * runningMean + m * mu_B
///     runningVar  = (1 - m) * runningVar  + m * var_B * count / (count - 1)     (unbiased)
///
/// with mu_B, var_B the statistics of the newest batch (`.batch` kind: over N, H, W). Used
/// for video frames (`--stats running`) as for training batches. Starts at mean 0,
/// variance 1 (PyTorch), or at the first batch's statistics (`start(with:)`).
public struct RunningStatistics: Equatable, Sendable {
    public private(set) var mean: [Double]
    /// Unbiased running variance, as PyTorch stores it.
    public private(set) var variance: [Double]
    public let momentum: Float
    /// Batches folded in (PyTorch's `num_batches_tracked`).
    public private(set) var batches = 0

    /// PyTorch's initial state for `channels` channels: mean 0, variance 1.
    public init(channels: Int, momentum: Float) throws {
        guard channels >= 1 else { throw NormError.invalidChannels(channels) }
        guard momentum.isFinite, momentum >= 0, momentum <= 1 else { throw NormError.invalidMomentum(momentum) }
        mean = [Double](repeating: 0, count: channels)
        variance = [Double](repeating: 1, count: channels)
        self.momentum = momentum
    }

    /// Running statistics that start at `first`'s (one row; its variance made unbiased).
    public static func start(with first: FeatureStatistics, momentum: Float) throws -> RunningStatistics {
        var r = try RunningStatistics(channels: first.mean.count, momentum: momentum)
        guard first.rows == 1 else { throw SwapError.statisticsShape("running statistics need one row, got \(first.rows)") }
        r.mean = first.mean
        r.variance = first.variance(.unbiased)
        r.batches = 1
        return r
    }

    /// Folds in a batch's statistics (one row, one slot per entry of `mean`).
    public mutating func update(with batch: FeatureStatistics) throws {
        guard batch.rows == 1, batch.mean.count == mean.count else {
            throw SwapError.statisticsShape("running statistics of \(mean.count) slots cannot take \(batch.rows) x \(batch.mean.count)")
        }
        let keep = 1 - Double(momentum), take = Double(momentum)
        let unbiased = batch.variance(.unbiased)
        for i in mean.indices {
            mean[i] = keep * mean[i] + take * batch.mean[i]
            variance[i] = keep * variance[i] + take * (batch.count[i] > 1 ? unbiased[i] : batch.variance[i])
        }
        batches += 1
    }

    /// The running estimates as statistics of `kind` over `channels` channels, with the
    /// running (unbiased) variance as the variance used, as batch norm uses it at inference.
    public func statistics(kind: NormKind, channels: Int) throws -> FeatureStatistics {
        try FeatureStatistics(kind: kind, channels: channels, rows: 1, mean: mean, variance: variance,
                              count: [Double](repeating: Double(max(batches, 1)), count: mean.count))
    }
}
