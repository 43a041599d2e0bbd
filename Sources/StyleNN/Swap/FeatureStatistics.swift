import StyleKernels
import StyleTensor

/// How a standard deviation for the statistic swap is derived from the moments.
///
/// pytorch-AdaIN (Huang & Belongie's PyTorch port) uses `torch.var`, i.e. the unbiased
/// estimate, plus eps = 1e-5 inside the square root; the original Torch/Lua AdaIN used
/// the biased variance. `StatisticSwap` defaults to `.unbiased` so the official
/// pytorch-AdaIN weights behave as their authors trained them.
public enum VarianceConvention: Equatable, Hashable, Sendable {
    /// sum (x - mean)^2 / (count - 1). With a single value (count <= 1) the variance is
    /// defined as 0 here (PyTorch would give NaN), so std = sqrt(eps).
    case unbiased
    /// sum (x - mean)^2 / count.
    case biased
}

/// Means and variances of feature maps under one norm's statistics (see `NormKind`):
/// per sample and channel (instance), per channel over the batch (batch), per sample
/// (layer), per sample and group (group). Computed once per style image and reused for
/// every content. Values are kept in Double with their counts, so statistics of parts
/// (tiles, images of a calibration set) can be merged exactly (`merged(with:)`).
public struct FeatureStatistics: Equatable, Sendable {
    /// Which statistics these are.
    public let kind: NormKind
    /// Channel count C of the features they came from.
    public let channels: Int
    /// Statistic rows: one per sample, or 1 for `.batch`.
    public let rows: Int
    /// Mean per slot `row * groups + group`.
    public let mean: [Double]
    /// Biased variance per slot (sum of squared deviations / count).
    public let variance: [Double]
    /// Number of values (sum of mask weights) behind each slot.
    public let count: [Double]

    /// Groups per row: C for instance and batch, 1 for layer, G for group.
    public var groups: Int { Self.groups(kind, channels) }

    static func groups(_ kind: NormKind, _ channels: Int) -> Int {
        switch kind {
        case .instance, .batch: return channels
        case .layer: return 1
        case .group(let g): return g
        }
    }

    /// Statistics from stored values (e.g. read from a file); sizes are checked.
    public init(kind: NormKind, channels: Int, rows: Int, mean: [Double], variance: [Double], count: [Double]) throws {
        try kind.validate(channels: channels)
        let slots = rows * Self.groups(kind, channels)
        guard rows >= 1, (kind != .batch || rows == 1) else { throw SwapError.statisticsShape("rows \(rows) for \(kind)") }
        guard mean.count == slots, variance.count == slots, count.count == slots else {
            throw SwapError.statisticsShape("\(kind) statistics of \(rows) rows x \(Self.groups(kind, channels)) groups need \(slots) values each, got mean \(mean.count), variance \(variance.count), count \(count.count)")
        }
        self.kind = kind; self.channels = channels; self.rows = rows
        self.mean = mean; self.variance = variance; self.count = count
    }

    /// The statistics of `features` (NHWC). With a `mask` (shape 1 x H x W x 1 or
    /// N x H x W x 1, at the features' resolution) only the pixels where mask >= 0.5 count.
    public init(of features: Tensor, kind: NormKind, mask: Tensor? = nil) throws {
        try self.init(of: features, kind: kind, weights: mask.map { try maskWeights($0, for: features.shape, foreground: true) })
    }

    init(of features: Tensor, kind: NormKind, weights: [Float]?) throws {
        guard features.shape.count > 0 else { throw SwapError.emptyFeatures(features.shape) }
        try kind.validate(channels: features.shape.c)
        let layout = ReductionLayout(kind: kind, shape: features.shape)
        let m = moments(of: features, layout: layout, weights: weights)
        self.kind = kind; self.channels = features.shape.c; self.rows = layout.rows
        self.mean = m.mean; self.variance = m.variance; self.count = m.count
    }

    /// The variance per slot under `convention`.
    public func variance(_ convention: VarianceConvention) -> [Double] {
        switch convention {
        case .biased: return variance
        case .unbiased: return zip(variance, count).map { v, n in n > 1 ? v * n / (n - 1) : 0 }
        }
    }

    /// std = sqrt(variance(convention) + eps) per slot.
    public func standardDeviation(convention: VarianceConvention, eps: Float) -> [Double] {
        variance(convention).map { ($0 + Double(eps)).squareRoot() }
    }

    /// The statistics of the union of the values behind `self` and `other` (same kind,
    /// channels and rows), by Chan et al.'s pairwise update:
    ///
    ///     n = na + nb,  mean = ma + (mb - ma) nb / n,
    ///     n var = na var_a + nb var_b + (mb - ma)^2 na nb / n
    public func merged(with other: FeatureStatistics) throws -> FeatureStatistics {
        guard kind == other.kind, channels == other.channels, rows == other.rows else {
            throw SwapError.statisticsShape("cannot merge \(kind) statistics of \(rows)x\(channels) with \(other.kind) of \(other.rows)x\(other.channels)")
        }
        var mean = self.mean, variance = self.variance, count = self.count
        for i in mean.indices {
            let na = self.count[i], nb = other.count[i], n = na + nb
            guard n > 0 else { continue }
            let delta = other.mean[i] - self.mean[i]
            mean[i] = self.mean[i] + delta * nb / n
            variance[i] = (na * self.variance[i] + nb * other.variance[i] + delta * delta * na * nb / n) / n
            count[i] = n
        }
        return try FeatureStatistics(kind: kind, channels: channels, rows: rows, mean: mean, variance: variance, count: count)
    }
}

/// One weight per sample and pixel of `shape` from a mask of shape 1|N x H x W x 1:
/// 1 where mask >= 0.5 (foreground) or < 0.5 (background), 0 elsewhere.
func maskWeights(_ mask: Tensor, for shape: Shape, foreground: Bool) throws -> [Float] {
    let m = mask.shape
    guard m.c == 1, m.h == shape.h, m.w == shape.w, m.n == 1 || m.n == shape.n else {
        throw SwapError.maskShape(mask: m, features: shape)
    }
    var weights = [Float](repeating: 0, count: shape.n * shape.pixels)
    for n in 0..<shape.n {
        let source = (m.n == 1 ? 0 : n) * shape.pixels
        for p in 0..<shape.pixels {
            let inside = mask.data[source + p] >= 0.5
            weights[n * shape.pixels + p] = inside == foreground ? 1 : 0
        }
    }
    return weights
}
