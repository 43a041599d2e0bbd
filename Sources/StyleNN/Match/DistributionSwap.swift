import StyleKernels
import StyleTensor

/// Exact feature distribution matching (Zhang, Li, Zhu, Xu, Bi & Sun 2022, "Exact Feature
/// Distribution Matching for Arbitrary Style Transfer and Domain Generalization"), per
/// channel over H, W (`.instance` only, see `StatisticMatch.validate`): each content value
/// takes the style's value at the same quantile,
///
///     t = Q_s(q_c(x)),    t' = alpha t + (1 - alpha) x,
///
/// where the paper sorts both (t at rank r = the style's sorted value of rank r). Here q_c
/// comes from the content's `DistributionSketch` (a histogram over the whole image's range,
/// gathered tile by tile in two passes, linear inside a bin) and Q_s from the style's
/// `StyleQuantiles` table, so a tiled image gets exactly the untiled answer; the error bound
/// against the sort-based version is stated with those types. Style mixing: the quantile
/// functions are mixed, Q = sum_k w_k Q_k (the mix of the single-style outputs; in 1-D the
/// Wasserstein barycentre of the styles' distributions). Masks: each region is ranked under
/// its own sketch and takes its own style mix.
public struct DistributionSwap: Sendable {
    public let bins: Int
    public let levels: Int

    public init(bins: Int = DistributionSketch.defaultBins, levels: Int = StyleQuantiles.defaultLevels) throws {
        guard bins >= 1, levels >= 2 else { throw MatchError.statisticsMismatch("bins \(bins) (>= 1) and levels \(levels) (>= 2)") }
        self.bins = bins; self.levels = levels
    }

    /// The style's quantile table (only pixels where mask >= 0.5, with a mask).
    public func styleQuantiles(of features: Tensor, mask: Tensor? = nil) throws -> StyleQuantiles {
        try StyleQuantiles(of: features, levels: levels, mask: mask)
    }

    /// Pass 1 over the content: its range (merge the tiles' ranges for a whole image).
    public func contentRange(of features: Tensor, mask: Tensor? = nil) throws -> DistributionRange {
        try DistributionRange(of: features, mask: mask)
    }

    /// Pass 2: the content's sketch over `range` (the whole image's; merge the tiles' sketches).
    public func contentSketch(of features: Tensor, range: DistributionRange, mask: Tensor? = nil) throws -> DistributionSketch {
        try DistributionSketch(of: features, range: range, bins: bins, mask: mask)
    }

    /// Both passes over one tensor.
    public func contentSketch(of features: Tensor) throws -> DistributionSketch {
        try contentSketch(of: features, range: contentRange(of: features))
    }

    /// The ranges of the foreground (mask >= 0.5) and background.
    public func regionRanges(of features: Tensor, mask: Tensor) throws -> (foreground: DistributionRange, background: DistributionRange) {
        (DistributionRange(of: features, weights: try maskWeights(mask, for: features.shape, foreground: true)),
         DistributionRange(of: features, weights: try maskWeights(mask, for: features.shape, foreground: false)))
    }

    /// The sketches of the foreground and background over their ranges.
    public func regionSketches(of features: Tensor, mask: Tensor, ranges: (foreground: DistributionRange, background: DistributionRange))
        throws -> (foreground: DistributionSketch, background: DistributionSketch) {
        (try DistributionSketch(of: features, range: ranges.foreground, bins: bins, weights: maskWeights(mask, for: features.shape, foreground: true)),
         try DistributionSketch(of: features, range: ranges.background, bins: bins, weights: maskWeights(mask, for: features.shape, foreground: false)))
    }

    /// The per-value map for content with `sketch` and the mix of `styles` (made once per image).
    public func map(content sketch: DistributionSketch, styles: [WeightedQuantiles], alpha: Float = 1) throws -> QuantileMap {
        guard alpha.isFinite, alpha >= 0, alpha <= 1 else { throw SwapError.invalidAlpha(alpha) }
        guard !styles.isEmpty else { throw SwapError.noStyles }
        let weights = styles.map(\.weight)
        let total = weights.reduce(0.0) { $0 + Double($1) }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), total > 0, total.isFinite else { throw SwapError.invalidWeights(weights) }
        let c = sketch.channels, k = styles[0].quantiles.levels
        var rows = sketch.rows
        for s in styles {
            guard s.quantiles.channels == c else { throw SwapError.channelMismatch(content: c, statistics: s.quantiles.channels) }
            guard s.quantiles.levels == k else { throw MatchError.statisticsMismatch("style tables of \(k) and \(s.quantiles.levels) levels") }
            guard s.quantiles.rows == 1 || rows == 1 || s.quantiles.rows == rows else {
                throw SwapError.rowMismatch(content: rows, statistics: s.quantiles.rows)
            }
            rows = max(rows, s.quantiles.rows)
        }
        var table = [Double](repeating: 0, count: rows * c * k)
        for s in styles {
            let w = Double(s.weight) / total
            for r in 0..<rows {
                let sr = s.quantiles.rows == 1 ? 0 : r
                for i in 0..<(c * k) { table[r * c * k + i] += w * s.quantiles.values[sr * c * k + i] }
            }
        }
        var cdfs: [QuantileCDF] = []
        for r in 0..<rows { for ch in 0..<c { cdfs.append(QuantileCDF(sketch, row: sketch.rows == 1 ? 0 : r, channel: ch)) } }
        return QuantileMap(channels: c, rows: rows, levels: k, alpha: Double(alpha), cdfs: cdfs, table: table)
    }

    /// The match applied to `content`; `contentSketch` replaces the content's own (e.g. a whole image's).
    public func apply(content: Tensor, styles: [WeightedQuantiles], alpha: Float = 1,
                      contentSketch: DistributionSketch? = nil) throws -> Tensor {
        guard content.shape.count > 0 else { throw SwapError.emptyFeatures(content.shape) }
        let sketch = try contentSketch ?? self.contentSketch(of: content)
        guard sketch.channels == content.shape.c, sketch.rows == 1 || sketch.rows == content.shape.n else {
            throw MatchError.statisticsMismatch("a sketch of \(sketch.rows)x\(sketch.channels) for features \(content.shape)")
        }
        let m = try map(content: sketch, styles: styles, alpha: alpha)
        if alpha == 0 { return content }
        return m.apply(to: content)
    }

    /// Spatial control: each region ranked under its own sketch, with its own style mix.
    public func apply(content: Tensor, mask: Tensor, foreground: [WeightedQuantiles], background: [WeightedQuantiles],
                      alpha: Float = 1,
                      regionSketches: (foreground: DistributionSketch, background: DistributionSketch)? = nil) throws -> Tensor {
        guard content.shape.count > 0 else { throw SwapError.emptyFeatures(content.shape) }
        let weights = try maskWeights(mask, for: content.shape, foreground: true)
        let sketches = try regionSketches ?? self.regionSketches(of: content, mask: mask, ranges: regionRanges(of: content, mask: mask))
        let fg = try map(content: sketches.foreground, styles: foreground, alpha: alpha)
        let bg = try map(content: sketches.background, styles: background, alpha: alpha)
        if alpha == 0 { return content }
        return QuantileMap.apply(content, regionWeights: weights, foreground: fg, background: bg)
    }
}

/// The distribution match of one image, ready to apply to any part of it (tile):
/// y = alpha Q(q_c(x)) + (1 - alpha) x per value, in Double, rounded to Float once.
/// Values are independent and split into fixed pixel chunks, so results are bit-identical
/// for any thread count.
public struct QuantileMap: Sendable {
    public let channels: Int
    public let rows: Int
    public let levels: Int
    let alpha: Double
    /// Per row and channel: the sketch's lower end, bins per unit (bins / (M - m)), count and whether it is
    /// constant (q = 1/2), and (below_j, count_j) per bin, flat.
    let lower: [Double], scale: [Double], total: [Double], constant: [Bool]
    let bins: Int
    let cumulative: [Double]
    /// The mixed style table per row and channel.
    let table: [Double]

    init(channels: Int, rows: Int, levels: Int, alpha: Double, cdfs: [QuantileCDF], table: [Double]) {
        self.channels = channels; self.rows = rows; self.levels = levels; self.alpha = alpha; self.table = table
        lower = cdfs.map(\.lo); scale = cdfs.map(\.scale); total = cdfs.map(\.n); constant = cdfs.map(\.constant)
        bins = cdfs.first?.bins ?? 1
        cumulative = cdfs.flatMap(\.table)
    }

    /// y = alpha Q(q(x)) + (1 - alpha) x for every value of `x` (N x H x W x C).
    public func apply(to x: Tensor) -> Tensor {
        precondition(x.shape.c == channels && (rows == 1 || rows == x.shape.n), "QuantileMap: \(rows)x\(channels) for \(x.shape)")
        var y = x
        let s = x.shape, c = channels, k = levels, chunk = 256, bins = self.bins, alpha = self.alpha
        let chunks = (s.pixels + chunk - 1) / chunk
        x.data.withUnsafeBufferPointer { xb in
            y.data.withUnsafeMutableBufferPointer { yb in
                table.withUnsafeBufferPointer { tb in
                    cumulative.withUnsafeBufferPointer { cb in
                        lower.withUnsafeBufferPointer { lo in
                            scale.withUnsafeBufferPointer { wd in
                                total.withUnsafeBufferPointer { nb in
                                    constant.withUnsafeBufferPointer { kb in
                                        let xp = xb.baseAddress!, yp = yb.baseAddress!, t = tb.baseAddress!, cum = cb.baseAddress!
                                        Parallel.forEach(s.n * chunks) { task in
                                            let n = task / chunks, r = rows == 1 ? 0 : n
                                            let p0 = (task % chunks) * chunk, p1 = min(s.pixels, p0 + chunk)
                                            // Channel by channel, so one channel's two tables (24 KB) stay in
                                            // cache while the chunk's values of that channel are looked up.
                                            for ch in 0..<c {
                                                let slot = r * c + ch
                                                let table = cum + slot * 2 * bins, levels = t + slot * k
                                                for p in p0..<p1 {
                                                    let at = (n * s.pixels + p) * c + ch
                                                    let v = Double(xp[at])
                                                    let q = kb[slot] ? 0.5
                                                        : QuantileCDF.quantile(v, lo: lo[slot], scale: wd[slot], n: nb[slot], bins: bins,
                                                                               table: table)
                                                    yp[at] = Float(Self.blend(Self.lookup(q, levels, k), v, alpha))
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    @inline(__always)
    static func blend(_ t: Double, _ x: Double, _ alpha: Double) -> Double { alpha * t + (1 - alpha) * x }

    /// Q(q): u = q (k - 1), i = min(max(floor(u), 0), k - 2), Q_i + (u - i) (Q_{i+1} - Q_i).
    @inline(__always)
    static func lookup(_ q: Double, _ t: UnsafePointer<Double>, _ k: Int) -> Double {
        let u = q * Double(k - 1)
        let i = min(Int(max(u, 0)), k - 2)      // floor by truncation of a value >= 0
        return t[i] + (u - Double(i)) * (t[i + 1] - t[i])
    }

    static func apply(_ x: Tensor, regionWeights: [Float], foreground: QuantileMap, background: QuantileMap) -> Tensor {
        let a = foreground.apply(to: x), b = background.apply(to: x)
        let c = x.shape.c
        var y = b
        for (i, w) in regionWeights.enumerated() where w >= 0.5 {
            for k in 0..<c { y.data[i * c + k] = a.data[i * c + k] }
        }
        return y
    }
}
