import StyleKernels
import StyleTensor

/// Means and channel co-moments of feature maps in Double, for the covariance match (WCT):
/// per sample over H, W (`.instance`: one C x C block; `.group(G)`: G blocks of (C/G) x (C/G),
/// the block-diagonal analogue of group norm) or per channel over N, H, W (`.batch`: one row).
/// Each channel has its own mean (for `.group` too). With n the count (sum of pixel weights):
///
///     mean[c] = sum_p w_p x[p,c] / n,    M[i,j] = sum_p w_p (x[p,i] - mean[i]) (x[p,j] - mean[j])
///
/// for i, j in the same block; the covariance is M / (n - 1) (unbiased, the moments swap's
/// convention) or M / n. Statistics of parts (tiles, frames, a calibration set) merge exactly
/// into those of the whole by Chan et al.'s pairwise update (`merged(with:)`).
///
/// Gathering (deterministic for any thread count): each sample's pixels are cut into at most
/// 16 fixed chunks (at least 256 pixels each); one task per chunk takes the chunk's mean, then
/// its co-moments of the centred values (a rank-64 update of the upper triangle per 64 pixels, `DoubleMatrixKernels.gemm`),
/// and the chunks are merged in order with the pairwise update.
public struct CovarianceStatistics: Equatable, Sendable {
    /// Which statistics these are: `.instance`, `.group(G)` or `.batch`.
    public let kind: NormKind
    public let channels: Int
    /// Statistic rows: one per sample, or 1 for `.batch`.
    public let rows: Int
    /// Mean per row and channel (`rows * channels`).
    public let mean: [Double]
    /// Co-moments per row and block, each block full and symmetric, row-major:
    /// `comoment[(row * blocks + g) * b * b + i * b + j]` with b = `blockSize`.
    public let comoment: [Double]
    /// Sum of pixel weights per row.
    public let count: [Double]

    /// Diagonal blocks: 1, or G for `.group(G)`.
    public var blocks: Int { Self.blocks(kind) }
    /// Channels per block.
    public var blockSize: Int { channels / blocks }

    static func blocks(_ kind: NormKind) -> Int {
        if case .group(let g) = kind { return g }
        return 1
    }

    /// Statistics from stored values (e.g. a population covariance read from a weights file).
    public init(kind: NormKind, channels: Int, rows: Int, mean: [Double], comoment: [Double], count: [Double]) throws {
        try StatisticMatch.covariance.validate(norm: kind)
        try kind.validate(channels: channels)
        guard rows >= 1, kind != .batch || rows == 1 else { throw MatchError.statisticsMismatch("\(rows) rows for \(kind)") }
        let b = channels / Self.blocks(kind)
        guard mean.count == rows * channels, comoment.count == rows * Self.blocks(kind) * b * b, count.count == rows else {
            throw MatchError.statisticsMismatch("\(kind) covariance of \(rows) rows x \(channels) channels needs \(rows * channels) means, \(rows * Self.blocks(kind) * b * b) co-moments, \(rows) counts; got \(mean.count), \(comoment.count), \(count.count)")
        }
        guard mean.allSatisfy(\.isFinite), comoment.allSatisfy(\.isFinite), count.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw MatchError.statisticsMismatch("non-finite values in stored covariance statistics")
        }
        self.kind = kind; self.channels = channels; self.rows = rows
        self.mean = mean; self.comoment = comoment; self.count = count
    }

    /// The statistics of `features` (NHWC). With a `mask` (1|N x H x W x 1 at the features'
    /// resolution) only the pixels where mask >= 0.5 count.
    public init(of features: Tensor, kind: NormKind, mask: Tensor? = nil) throws {
        try self.init(of: features, kind: kind, weights: mask.map { try maskWeights($0, for: features.shape, foreground: true) })
    }

    init(of features: Tensor, kind: NormKind, weights: [Float]?) throws {
        guard features.shape.count > 0 else { throw SwapError.emptyFeatures(features.shape) }
        try StatisticMatch.covariance.validate(norm: kind)
        try kind.validate(channels: features.shape.c)
        let s = features.shape
        let g = Self.blocks(kind), b = s.c / g
        let parts = Self.chunkMoments(features, blocks: g, weights: weights)
        let perSample = parts.count / s.n
        var rowsOut: [Part] = []
        if kind == .batch {
            var total = parts[0]
            for p in parts.dropFirst() { total.merge(p, channels: s.c, blocks: g, blockSize: b) }
            rowsOut = [total]
        } else {
            for n in 0..<s.n {
                var total = parts[n * perSample]
                for p in parts[(n * perSample + 1)..<((n + 1) * perSample)] { total.merge(p, channels: s.c, blocks: g, blockSize: b) }
                rowsOut.append(total)
            }
        }
        self.kind = kind; self.channels = s.c; self.rows = rowsOut.count
        self.mean = rowsOut.flatMap(\.mean)
        self.comoment = rowsOut.flatMap(\.comoment)
        self.count = rowsOut.map(\.count)
    }

    /// The covariance of block `block` of row `row` (b x b, row-major) under `convention`
    /// (unbiased: M / (n - 1), 0 when n <= 1; biased: M / n, 0 when n = 0).
    public func covariance(row: Int = 0, block: Int = 0, convention: VarianceConvention = .unbiased) -> [Double] {
        let b = blockSize, n = count[row]
        let divisor = convention == .unbiased ? n - 1 : n
        let start = (row * blocks + block) * b * b
        guard divisor > 0 else { return [Double](repeating: 0, count: b * b) }
        return comoment[start..<(start + b * b)].map { $0 / divisor }
    }

    /// The statistics of the union of the values behind `self` and `other` (same kind,
    /// channels and rows), by Chan et al.'s pairwise update of co-moments:
    ///
    ///     n = na + nb,  d = mb - ma,  mean = ma + d nb / n,  M = Ma + Mb + d d^T na nb / n
    public func merged(with other: CovarianceStatistics) throws -> CovarianceStatistics {
        guard kind == other.kind, channels == other.channels, rows == other.rows else {
            throw MatchError.statisticsMismatch("cannot merge \(kind) covariance of \(rows)x\(channels) with \(other.kind) of \(other.rows)x\(other.channels)")
        }
        let c = channels, g = blocks, b = blockSize
        var mean: [Double] = [], comoment: [Double] = [], count: [Double] = []
        for r in 0..<rows {
            var a = part(r), o = other.part(r)
            a.merge(o, channels: c, blocks: g, blockSize: b)
            o = a
            mean += o.mean; comoment += o.comoment; count.append(o.count)
        }
        return try CovarianceStatistics(kind: kind, channels: c, rows: rows, mean: mean, comoment: comoment, count: count)
    }

    /// Population statistics of a set of content features (every pixel of every tensor), as
    /// the `.batch` covariance swap whitens with: one row, one C x C block.
    public static func population(of features: [Tensor]) throws -> CovarianceStatistics {
        guard let first = features.first else { throw SwapError.emptyFeatures(Shape(n: 0, h: 0, w: 0, c: 0)) }
        var total = try CovarianceStatistics(of: first, kind: .batch)
        for f in features.dropFirst() {
            guard f.shape.c == total.channels else { throw SwapError.channelMismatch(content: f.shape.c, statistics: total.channels) }
            total = try total.merged(with: CovarianceStatistics(of: f, kind: .batch))
        }
        return total
    }

    /// Population statistics as stored with the weights (`stats.population_covariance`, C x C
    /// unbiased, and `stats.population_covariance_mean`, see Training/population_covariance.py)
    /// over `count` positions. The covariance must be symmetric and finite, `count` >= 2.
    public static func population(mean: [Float], covariance: [Float], count: Double) throws -> CovarianceStatistics {
        let c = mean.count
        guard c >= 1, covariance.count == c * c else {
            throw MatchError.invalidPopulationCovariance("\(covariance.count) covariance values for \(c) means (need C x C)")
        }
        guard count >= 2, count.isFinite else { throw MatchError.invalidPopulationCovariance("count \(count) (needs at least 2)") }
        for i in 0..<c { for j in 0..<i where covariance[i * c + j] != covariance[j * c + i] {
            throw MatchError.invalidPopulationCovariance("not symmetric at (\(i), \(j))")
        } }
        return try CovarianceStatistics(kind: .batch, channels: c, rows: 1, mean: mean.map(Double.init),
                                        comoment: covariance.map { Double($0) * (count - 1) }, count: [count])
    }

    // MARK: - Gathering

    /// One row's (or one chunk's) mean, co-moment blocks and count.
    struct Part {
        var mean: [Double]
        var comoment: [Double]
        var count: Double

        /// Chan et al.'s pairwise update (a no-op when `other` is empty).
        mutating func merge(_ other: Part, channels c: Int, blocks g: Int, blockSize b: Int) {
            let na = count, nb = other.count, n = na + nb
            guard nb > 0 else { return }
            guard na > 0 else { self = other; return }
            let factor = na * nb / n
            var delta = [Double](repeating: 0, count: c)
            for i in 0..<c { delta[i] = other.mean[i] - mean[i] }
            for blk in 0..<g {
                let base = blk * b * b
                for i in 0..<b {
                    let di = delta[blk * b + i] * factor
                    for j in 0..<b {
                        comoment[base + i * b + j] += other.comoment[base + i * b + j] + di * delta[blk * b + j]
                    }
                }
            }
            for i in 0..<c { mean[i] += delta[i] * nb / n }
            count = n
        }
    }

    func part(_ r: Int) -> Part {
        let c = channels, bb = blocks * blockSize * blockSize
        return Part(mean: Array(mean[(r * c)..<((r + 1) * c)]), comoment: Array(comoment[(r * bb)..<((r + 1) * bb)]), count: count[r])
    }

    /// Pixels per chunk for a sample of `pixels` pixels: at most 16 chunks of at least 256.
    static func chunkPixels(_ pixels: Int) -> Int { max(256, (pixels + 15) / 16) }

    /// Pixels per rank-k update of the co-moments.
    static let panel = 64

    /// Per (sample, chunk) in order: the chunk's mean, co-moments and count. Each task writes
    /// its own slice of one flat buffer.
    static func chunkMoments(_ x: Tensor, blocks g: Int, weights: [Float]?) -> [Part] {
        let s = x.shape, c = s.c, b = c / g, pixels = s.pixels
        let chunk = chunkPixels(pixels), chunks = (pixels + chunk - 1) / chunk
        let stride = c + g * b * b + 1
        var flat = [Double](repeating: 0, count: s.n * chunks * stride)
        x.data.withUnsafeBufferPointer { xb in
            flat.withUnsafeMutableBufferPointer { fb in
                let xp = xb.baseAddress!, out = fb.baseAddress!
                Parallel.forEach(s.n * chunks) { task in
                    let n = task / chunks
                    let p0 = (task % chunks) * chunk, p1 = min(pixels, p0 + chunk)
                    let w: ArraySlice<Float>? = weights.map { $0[(n * pixels + p0)..<(n * pixels + p1)] }
                    chunkPart(xp + (n * pixels + p0) * c, pixels: p1 - p0, channels: c, blocks: g, blockSize: b,
                              weights: w, into: out + task * stride)
                }
            }
        }
        return (0..<(s.n * chunks)).map { t in
            let o = t * stride
            return Part(mean: Array(flat[o..<(o + c)]), comoment: Array(flat[(o + c)..<(o + stride - 1)]), count: flat[o + stride - 1])
        }
    }

    /// One chunk: two passes (mean, then centred co-moments), rank-`panel` updates of the
    /// upper triangle of each block, mirrored at the end.
    static func chunkPart(_ x: UnsafePointer<Float>, pixels: Int, channels c: Int, blocks g: Int, blockSize b: Int,
                          weights: ArraySlice<Float>?, into out: UnsafeMutablePointer<Double>) {
        let w0 = weights?.startIndex ?? 0
        var mean = [Double](repeating: 0, count: c)
        var count = 0.0
        for p in 0..<pixels {
            let wgt = weights.map { Double($0[w0 + p]) } ?? 1
            if wgt == 0 { continue }
            count += wgt
            let v = x + p * c
            for i in 0..<c { mean[i] += wgt * Double(v[i]) }
        }
        var comoment = [Double](repeating: 0, count: g * b * b)
        guard count > 0 else { return }   // out stays zero
        for i in 0..<c { mean[i] /= count }
        var panel = [Double](repeating: 0, count: Self.panel * c)
        mean.withUnsafeBufferPointer { mp in
            panel.withUnsafeMutableBufferPointer { pb in
                comoment.withUnsafeMutableBufferPointer { mb in
                    let m = mp.baseAddress!, d = pb.baseAddress!, acc = mb.baseAddress!
                    var p = 0
                    while p < pixels {
                        // Fill up to `panel` weighted, centred pixels: d[k*c + i] = sqrt(w) (x - mean).
                        var k = 0
                        while k < Self.panel && p < pixels {
                            let wgt = weights.map { Double($0[w0 + p]) } ?? 1
                            if wgt != 0 {
                                let v = x + p * c, row = d + k * c
                                if wgt == 1 {
                                    for i in 0..<c { row[i] = Double(v[i]) - m[i] }
                                } else {
                                    let r = wgt.squareRoot()
                                    for i in 0..<c { row[i] = r * (Double(v[i]) - m[i]) }
                                }
                                k += 1
                            }
                            p += 1
                        }
                        rankUpdate(d, rows: k, channels: c, blocks: g, blockSize: b, into: acc)
                    }
                }
            }
        }
        // Mirror the upper triangle.
        for blk in 0..<g {
            let base = blk * b * b
            for i in 0..<b { for j in 0..<i { comoment[base + i * b + j] = comoment[base + j * b + i] } }
        }
        for i in 0..<c { out[i] = mean[i] }
        for i in 0..<(g * b * b) { out[c + i] = comoment[i] }
        out[c + g * b * b] = count
    }

    /// acc[blk][i][j] += sum_{k < rows} d[k][blk*b + i] * d[k][blk*b + j] for j >= i (the
    /// Gram matrix of the panel's block columns, `DoubleMatrixKernels.gemm` with a = b = d).
    @inline(__always)
    static func rankUpdate(_ d: UnsafeMutablePointer<Double>, rows: Int, channels c: Int, blocks g: Int, blockSize b: Int,
                           into acc: UnsafeMutablePointer<Double>) {
        guard rows > 0 else { return }
        for blk in 0..<g {
            let col = UnsafePointer(d + blk * b)
            DoubleMatrixKernels.gemm(m: b, n: b, k: rows, a: col, rowStride: 1, depthStride: c, b: col, ldb: c,
                                     c: acc + blk * b * b, ldc: b, upper: true)
        }
    }
}
