import StyleKernels
import StyleTensor

/// The style side of the distribution match: per row and channel, the style's feature values
/// at `levels` evenly spaced quantile levels k / (levels - 1), from the sorted values with
/// linear interpolation (numpy's default `quantile`):
///
///     pos = k / (levels - 1) * (n - 1),  Q_k = v[floor(pos)] + (pos - floor(pos)) (v[floor(pos) + 1] - v[floor(pos)])
///
/// and read back at any level q in [0, 1] by linear interpolation between the stored values:
/// u = q (levels - 1), k = min(floor(u), levels - 2), Q(q) = Q_k + (u - k) (Q_{k+1} - Q_k).
/// Stored instead of all sorted values so a large style costs a fixed C x levels table; the
/// table reproduces the sorted values exactly at its levels, and between them it is off by at
/// most the style's spread over 1 / (levels - 1) of its mass.
public struct StyleQuantiles: Equatable, Sendable {
    public let channels: Int
    public let rows: Int
    public let levels: Int
    /// Values per row and channel (`(row * C + c) * levels + k`).
    public let values: [Double]

    /// The default number of levels (the Python replica's `swaps.QUANTILES`).
    public static let defaultLevels = 1024

    /// The quantile table of `features`; with a `mask` only the pixels where mask >= 0.5.
    public init(of features: Tensor, levels: Int = defaultLevels, mask: Tensor? = nil) throws {
        let s = features.shape
        guard s.count > 0 else { throw SwapError.emptyFeatures(s) }
        guard levels >= 2 else { throw MatchError.statisticsMismatch("a quantile table needs at least 2 levels, got \(levels)") }
        let weights = try mask.map { try maskWeights($0, for: s, foreground: true) }
        var values = [Double](repeating: 0, count: s.n * s.c * levels)
        for n in 0..<s.n {
            let pixels = (0..<s.pixels).filter { p in weights.map { $0[n * s.pixels + p] > 0 } ?? true }
            guard !pixels.isEmpty else { throw MatchError.statisticsMismatch("the style mask selects no pixel of sample \(n)") }
            let count = pixels.count, last = Double(count - 1)
            // One task per channel: gather, sort (radix sort of the Float values), interpolate.
            features.data.withUnsafeBufferPointer { xb in
                values.withUnsafeMutableBufferPointer { vb in
                    pixels.withUnsafeBufferPointer { pb in
                        let xp = xb.baseAddress!, out = vb.baseAddress!, px = pb.baseAddress!
                        Parallel.forEach(s.c) { ch in
                            var column = [Float](repeating: 0, count: count)
                            var scratch = [UInt32](repeating: 0, count: count)
                            column.withUnsafeMutableBufferPointer { col in
                                for i in 0..<count { col[i] = xp[(n * s.pixels + px[i]) * s.c + ch] }
                                scratch.withUnsafeMutableBufferPointer { radixSort(col, scratch: $0) }
                                let o = out + (n * s.c + ch) * levels
                                for k in 0..<levels {
                                    let pos = Double(k) / Double(levels - 1) * last
                                    let i0 = Int(pos.rounded(.down)), i1 = min(i0 + 1, count - 1)
                                    let frac = pos - Double(i0)
                                    o[k] = Double(col[i0]) + frac * (Double(col[i1]) - Double(col[i0]))
                                }
                            }
                        }
                    }
                }
            }
        }
        channels = s.c; rows = s.n; self.levels = levels; self.values = values
    }

    init(channels: Int, rows: Int, levels: Int, values: [Double]) {
        self.channels = channels; self.rows = rows; self.levels = levels; self.values = values
    }
}

/// One style's quantile table and its weight in a mix.
public struct WeightedQuantiles: Equatable, Sendable {
    public var quantiles: StyleQuantiles
    public var weight: Float
    public init(_ quantiles: StyleQuantiles, weight: Float = 1) {
        self.quantiles = quantiles
        self.weight = weight
    }
}
