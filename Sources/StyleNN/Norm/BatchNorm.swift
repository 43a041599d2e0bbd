import StyleKernels
import StyleTensor

/// Batch normalization (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep
/// Network Training by Reducing Internal Covariate Shift"), PyTorch's `nn.BatchNorm2d`:
///
///     y[n,h,w,c] = gamma[c] * (x[n,h,w,c] - mu[c]) / sqrt(var[c] + eps) + beta[c]
///
/// Training mode (`forwardTraining`): mu and var are the batch statistics over N, H, W
/// (var biased), and the running estimates are updated with momentum m:
///
///     runningMean = (1 - m) * runningMean + m * mu
///     runningVar  = (1 - m) * runningVar  + m * var * count / (count - 1)    (unbiased)
///
/// with count = N*H*W. Inference mode (`forwardInference`, `callAsFunction`): mu and var
/// are `runningMean` and `runningVariance`. Fresh layers start at mean 0, variance 1.
public struct BatchNorm: Normalization, Equatable, Sendable {
    public var kind: NormKind { .batch }
    public let channels: Int
    public let eps: Float
    /// Weight of the newest batch in the running averages (PyTorch's default 0.1).
    public let momentum: Float
    /// gamma and beta, or nil for a layer without affine parameters.
    public private(set) var affine: AffineParameters?
    /// Per-channel running mean (C values).
    public private(set) var runningMean: [Float]
    /// Per-channel running unbiased variance (C values).
    public private(set) var runningVariance: [Float]
    /// Number of training batches seen (PyTorch's `num_batches_tracked`).
    public private(set) var batchesTracked: Int = 0

    /// A layer with gamma = 1, beta = 0 (when `affine`), running mean 0 and variance 1.
    public init(channels: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) throws {
        try validate(channels: channels, eps: eps)
        guard momentum.isFinite, momentum >= 0, momentum <= 1 else { throw NormError.invalidMomentum(momentum) }
        self.channels = channels
        self.eps = eps
        self.momentum = momentum
        self.affine = affine ? AffineParameters(identityFor: channels) : nil
        self.runningMean = [Float](repeating: 0, count: channels)
        self.runningVariance = [Float](repeating: 1, count: channels)
    }

    /// Sets trained gamma and beta (C values each).
    public mutating func setAffine(gamma: [Float], beta: [Float]) throws {
        affine = try AffineParameters(gamma: gamma, beta: beta, channels: channels)
    }

    /// Sets trained running statistics (C values each; the variance unbiased, as PyTorch stores it).
    public mutating func setRunningStatistics(mean: [Float], variance: [Float], batchesTracked: Int = 0) throws {
        guard mean.count == channels else { throw NormError.parameterCount(name: "running_mean", expected: channels, got: mean.count) }
        guard variance.count == channels else { throw NormError.parameterCount(name: "running_var", expected: channels, got: variance.count) }
        runningMean = mean
        runningVariance = variance
        self.batchesTracked = batchesTracked
    }

    /// Training mode: normalises with the batch statistics and updates the running ones.
    public mutating func forwardTraining(_ x: Tensor) -> Tensor {
        // y = gamma * (x - mu_B) / sqrt(var_B + eps) + beta; running = (1-m) running + m batch (unbiased var)
        checkChannels(x, channels, "BatchNorm")
        let layout = ReductionLayout(kind: .batch, shape: x.shape)
        let m = moments(of: x, layout: layout)
        let y = normalize(x, layout: layout, mean: m.mean, variance: m.variance, affine: affine, eps: eps)
        let keep = 1 - Double(momentum), take = Double(momentum)
        for c in 0..<channels {
            let count = m.count[c]
            let unbiased = count > 1 ? m.variance[c] * count / (count - 1) : m.variance[c]
            runningMean[c] = Float(keep * Double(runningMean[c]) + take * m.mean[c])
            runningVariance[c] = Float(keep * Double(runningVariance[c]) + take * unbiased)
        }
        batchesTracked += 1
        return y
    }

    /// Inference mode: normalises with the running statistics.
    public func forwardInference(_ x: Tensor) -> Tensor {
        // y = gamma * (x - runningMean) / sqrt(runningVar + eps) + beta
        checkChannels(x, channels, "BatchNorm")
        let layout = ReductionLayout(kind: .batch, shape: x.shape)
        return normalize(x, layout: layout, mean: runningMean.map(Double.init),
                         variance: runningVariance.map(Double.init), affine: affine, eps: eps)
    }

    /// Inference mode (`forwardInference`).
    public func callAsFunction(_ x: Tensor) -> Tensor { forwardInference(x) }
}
