import StyleKernels
import StyleTensor

/// Per row (sample) and channel, the range [min, max] of feature values: the first of the
/// distribution match's two passes over the content. Ranges of parts merge into the range
/// of the whole (min of mins, max of maxes), exactly.
public struct DistributionRange: Equatable, Sendable {
    public let channels: Int
    public let rows: Int
    /// Per row and channel; +infinity / -infinity where no value counted.
    public let lower: [Double]
    public let upper: [Double]

    /// The range of `features` (pixels where `weights` > 0 only, when given).
    init(of features: Tensor, weights: [Float]?) {
        let s = features.shape, c = s.c
        var lo = [Double](repeating: .infinity, count: s.n * c), hi = [Double](repeating: -.infinity, count: s.n * c)
        features.data.withUnsafeBufferPointer { x in
            for n in 0..<s.n {
                for p in 0..<s.pixels {
                    if let w = weights, w[n * s.pixels + p] <= 0 { continue }
                    let base = (n * s.pixels + p) * c
                    for ch in 0..<c {
                        let v = Double(x[base + ch])
                        if v < lo[n * c + ch] { lo[n * c + ch] = v }
                        if v > hi[n * c + ch] { hi[n * c + ch] = v }
                    }
                }
            }
        }
        channels = c; rows = s.n; lower = lo; upper = hi
    }

    /// The range of `features`; with a `mask` (1|N x H x W x 1) only where mask >= 0.5.
    public init(of features: Tensor, mask: Tensor? = nil) throws {
        guard features.shape.count > 0 else { throw SwapError.emptyFeatures(features.shape) }
        self.init(of: features, weights: try mask.map { try maskWeights($0, for: features.shape, foreground: true) })
    }

    init(channels: Int, rows: Int, lower: [Double], upper: [Double]) {
        self.channels = channels; self.rows = rows; self.lower = lower; self.upper = upper
    }

    /// The range of the union of both parts' values.
    public func merged(with other: DistributionRange) throws -> DistributionRange {
        guard channels == other.channels, rows == other.rows else {
            throw MatchError.statisticsMismatch("cannot merge ranges of \(rows)x\(channels) and \(other.rows)x\(other.channels)")
        }
        return DistributionRange(channels: channels, rows: rows, lower: zip(lower, other.lower).map { min($0, $1) },
                                 upper: zip(upper, other.upper).map { max($0, $1) })
    }
}

/// The content side of the distribution match (EFDM): per row and channel a histogram of
/// `bins` equal bins over the channel's whole-image range [m, M] (`DistributionRange`, the
/// first pass), with which a value x gets the quantile
///
///     u = (x - m) * (bins / (M - m)),  j = min(max(floor(u), 0), bins - 1),
///     q(x) = (below_j + count_j * min(max(u - j, 0), 1)) / n      (q = 1/2 when M = m or n = 0)
///
/// (below_j: the values in bins before j; linear inside a bin). Counts are sums of 0/1 weights,
/// exact in Double in any order, so the sketch of a tiled image, merged tile by tile over the
/// same range, equals the untiled one bit for bit.
///
/// Approximation: against the exact rank r(x)/n of the sort-based EFDM, |q(x) - r(x)/n| <=
/// count_j / n (the share of values in x's bin; inside the bin the values are taken as
/// spread evenly), so the output differs from the exact one by at most the style's spread
/// of values over that quantile interval (plus the style table's own step, see `StyleQuantiles`).
public struct DistributionSketch: Equatable, Sendable {
    public let range: DistributionRange
    public let bins: Int
    /// Counts per row, channel and bin (`(row * C + c) * bins + j`).
    public let counts: [Double]
    /// Values counted per row.
    public let total: [Double]

    public var channels: Int { range.channels }
    public var rows: Int { range.rows }

    /// The default number of bins (the Python replica's `swaps.BINS`).
    public static let defaultBins = 1024

    /// Counts the values of `features` into `bins` bins over `range` (which must cover them:
    /// the range of these features, or of a whole image they are a part of).
    public init(of features: Tensor, range: DistributionRange, bins: Int = defaultBins, mask: Tensor? = nil) throws {
        guard features.shape.count > 0 else { throw SwapError.emptyFeatures(features.shape) }
        try self.init(of: features, range: range, bins: bins,
                      weights: mask.map { try maskWeights($0, for: features.shape, foreground: true) })
    }

    init(of features: Tensor, range: DistributionRange, bins: Int, weights: [Float]?) throws {
        let s = features.shape, c = s.c
        guard bins >= 1 else { throw MatchError.statisticsMismatch("a sketch needs at least one bin, got \(bins)") }
        guard range.channels == c, range.rows == s.n else {
            throw MatchError.statisticsMismatch("a range of \(range.rows)x\(range.channels) for features \(s)")
        }
        var counts = [Double](repeating: 0, count: s.n * c * bins), total = [Double](repeating: 0, count: s.n)
        // One task per (sample, channel block of 16): each writes its own counts.
        let blocks = (c + 15) / 16
        features.data.withUnsafeBufferPointer { x in
            counts.withUnsafeMutableBufferPointer { cb in
                let xp = x.baseAddress!, out = cb.baseAddress!
                Parallel.forEach(s.n * blocks) { task in
                    let n = task / blocks, c0 = (task % blocks) * 16, c1 = min(c, c0 + 16)
                    for p in 0..<s.pixels {
                        if let w = weights, w[n * s.pixels + p] <= 0 { continue }
                        let base = (n * s.pixels + p) * c
                        for ch in c0..<c1 {
                            let j = Self.bin(Double(xp[base + ch]), lo: range.lower[n * c + ch], hi: range.upper[n * c + ch], bins: bins)
                            out[(n * c + ch) * bins + j] += 1
                        }
                    }
                }
            }
        }
        for n in 0..<s.n {
            total[n] = weights.map { w in (0..<s.pixels).reduce(0.0) { $0 + (w[n * s.pixels + $1] > 0 ? 1 : 0) } } ?? Double(s.pixels)
        }
        self.range = range; self.bins = bins; self.counts = counts; self.total = total
    }

    init(range: DistributionRange, bins: Int, counts: [Double], total: [Double]) {
        self.range = range; self.bins = bins; self.counts = counts; self.total = total
    }

    /// The sketch of the union of both parts' values (same range and bins).
    public func merged(with other: DistributionSketch) throws -> DistributionSketch {
        guard range == other.range, bins == other.bins else {
            throw MatchError.statisticsMismatch("sketches merge only over the same range and bins (gather the range of the whole first)")
        }
        return DistributionSketch(range: range, bins: bins, counts: zip(counts, other.counts).map { $0 + $1 },
                                  total: zip(total, other.total).map { $0 + $1 })
    }

    /// j = min(max(floor((x - m) * (bins / (M - m))), 0), bins - 1) (0 when M <= m).
    @inline(__always)
    static func bin(_ x: Double, lo: Double, hi: Double, bins: Int) -> Int {
        guard hi > lo else { return 0 }
        let u = (x - lo) * (Double(bins) / (hi - lo))
        return min(Int(max(u, 0)), bins - 1)     // floor by truncation of a value >= 0
    }

    /// The quantile q(x) of channel `channel` of row `row` (see the type's formula).
    public func quantile(_ x: Double, row: Int = 0, channel: Int) -> Double {
        let table = QuantileCDF(self, row: row, channel: channel)
        return table.quantile(x)
    }
}

/// One channel's sketch, ready for lookups: q(x) from cumulative counts.
struct QuantileCDF {
    /// lo, bins / (hi - lo), the count, the bin count.
    let lo: Double, scale: Double, n: Double, bins: Int
    let constant: Bool
    /// below[j] (values in bins before j) and counts[j], interleaved: [2j], [2j+1].
    let table: [Double]

    init(_ s: DistributionSketch, row: Int, channel: Int) {
        let c = s.channels, lo = s.range.lower[row * c + channel], hi = s.range.upper[row * c + channel]
        self.lo = lo; bins = s.bins; n = s.total[row]
        scale = Double(s.bins) / (hi - lo)
        constant = !(hi > lo) || n == 0
        var t = [Double](repeating: 0, count: 2 * s.bins), below = 0.0
        let base = (row * c + channel) * s.bins
        for j in 0..<s.bins {
            t[2 * j] = below
            t[2 * j + 1] = s.counts[base + j]
            below += s.counts[base + j]
        }
        table = t
    }

    func quantile(_ x: Double) -> Double {
        if constant { return 0.5 }
        return table.withUnsafeBufferPointer { Self.quantile(x, lo: lo, scale: scale, n: n, bins: bins, table: $0.baseAddress!) }
    }

    /// q(x) = (below_j + count_j * min(max(u - j, 0), 1)) / n, u = (x - lo) * scale,
    /// j = min(max(floor(u), 0), bins - 1); `table` holds (below_j, count_j) pairs.
    @inline(__always)
    static func quantile(_ x: Double, lo: Double, scale: Double, n: Double, bins: Int, table: UnsafePointer<Double>) -> Double {
        let u = (x - lo) * scale
        let j = min(Int(min(max(u, 0), Double(bins))), bins - 1)   // floor by truncation of a value >= 0
        let t = min(max(u - Double(j), 0), 1)
        return (table[2 * j] + table[2 * j + 1] * t) / n
    }
}
