/// Mean and variance reductions over NHWC tensors (the work behind every norm and
/// every statistic swap), and the per-channel scale/shift that applies them.
///
/// Determinism: sums are accumulated in Double, per (sample, channel) over the
/// pixels in order, by exactly one task per (sample, block of `channelBlock`
/// channels); the per-channel sums are then combined into slots in a fixed order.
/// The partition never depends on `Parallel.threadCount`, so results are
/// bit-identical for any thread count.
public enum Statistics {
    /// Channels handled by one task of the reduction (16 floats = one cache line).
    public static let channelBlock = 16
    /// Pixels handled by one task of the scale/shift kernels.
    public static let pixelChunk = 1024

    /// Weighted two-pass mean and biased variance per slot of `layout`.
    ///
    ///     count[s]    = sum_{(n,p,c) in s} w[n,p]
    ///     mean[s]     = sum_{(n,p,c) in s} w[n,p] * x[n,p,c] / count[s]
    ///     variance[s] = sum_{(n,p,c) in s} w[n,p] * (x[n,p,c] - mean[s])^2 / count[s]
    ///
    /// `weights` (one per sample and pixel, `samples * pixels` values, >= 0) may be nil,
    /// meaning every weight is 1. Pixels with weight 0 are skipped entirely. A slot
    /// whose count is 0 gets mean 0 and variance 0. The variance is biased (divided by
    /// the count); callers wanting the unbiased estimate multiply by count/(count-1).
    /// `workspace` holds `layout.workspaceCount` Doubles; the outputs hold `layout.slotCount`.
    public static func moments(
        _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>?, layout: ReductionLayout,
        workspace: UnsafeMutablePointer<Double>,
        mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>,
        count: UnsafeMutablePointer<Double>
    ) {
        let groups = layout.groups, perGroup = layout.channelsPerGroup
        let pixels = layout.pixels

        // Counts: the total weight of each sample, times the channels of a group.
        for slot in 0..<layout.slotCount { count[slot] = 0 }
        for n in 0..<layout.samples {
            var total = 0.0
            if let w = weights {
                for p in 0..<pixels { total += Double(w[n * pixels + p]) }
            } else {
                total = Double(pixels)
            }
            let row = layout.acrossSamples ? 0 : n
            for g in 0..<groups { count[row * groups + g] += total * Double(perGroup) }
        }

        // Pass 1: weighted sums per (sample, channel), combined into slot means.
        channelSums(x, weights: weights, layout: layout, centers: nil, into: workspace)
        combine(workspace, layout: layout, count: count, into: mean)

        // Pass 2: weighted squared deviations from the slot mean.
        channelSums(x, weights: weights, layout: layout, centers: UnsafePointer(mean), into: workspace)
        combine(workspace, layout: layout, count: count, into: variance)
    }

    /// sums[n*C + c] = sum_p w[n,p] * (x[n,p,c] - center)^k, with k = 1 and center 0 when
    /// `centers` is nil, else k = 2 and center = centers[slot(n, c)].
    private static func channelSums(
        _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>?, layout: ReductionLayout,
        centers: UnsafePointer<Double>?, into sums: UnsafeMutablePointer<Double>
    ) {
        let channels = layout.channels, pixels = layout.pixels
        let blocks = (channels + channelBlock - 1) / channelBlock
        Parallel.forEach(layout.samples * blocks) { task in
            let n = task / blocks
            let c0 = (task % blocks) * channelBlock
            let width = min(channelBlock, channels - c0)
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * channelBlock) { scratch in
                let acc = scratch.baseAddress!
                let center = acc + channelBlock
                for i in 0..<width {
                    acc[i] = 0
                    center[i] = centers.map { $0[layout.slot(sample: n, channel: c0 + i)] } ?? 0
                }
                let base = x + n * pixels * channels + c0
                let w = weights.map { $0 + n * pixels }
                for p in 0..<pixels {
                    let value = base + p * channels
                    if let w = w {
                        let weight = Double(w[p])
                        if weight == 0 { continue }
                        if centers == nil {
                            for i in 0..<width { acc[i] += weight * Double(value[i]) }
                        } else {
                            for i in 0..<width { let d = Double(value[i]) - center[i]; acc[i] += weight * d * d }
                        }
                    } else if centers == nil {
                        for i in 0..<width { acc[i] += Double(value[i]) }
                    } else {
                        for i in 0..<width { let d = Double(value[i]) - center[i]; acc[i] += d * d }
                    }
                }
                for i in 0..<width { sums[n * channels + c0 + i] = acc[i] }
            }
        }
    }

    /// out[s] = (sum of the channel sums belonging to slot s, in order n, c) / count[s] (0 when count is 0).
    private static func combine(
        _ sums: UnsafeMutablePointer<Double>, layout: ReductionLayout,
        count: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>
    ) {
        for slot in 0..<layout.slotCount { out[slot] = 0 }
        for n in 0..<layout.samples {
            for c in 0..<layout.channels {
                out[layout.slot(sample: n, channel: c)] += sums[n * layout.channels + c]
            }
        }
        for slot in 0..<layout.slotCount {
            out[slot] = count[slot] > 0 ? out[slot] / count[slot] : 0
        }
    }

    /// y[n,p,c] = x[n,p,c] * scale[n*C + c] + shift[n*C + c]
    ///
    /// `x` and `y` hold `samples * pixels * channels` values and may be the same buffer.
    public static func scaleShift(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        samples: Int, pixels: Int, channels: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
    ) {
        let chunks = (pixels + pixelChunk - 1) / pixelChunk
        Parallel.forEach(samples * chunks) { task in
            let n = task / chunks
            let p0 = (task % chunks) * pixelChunk
            let p1 = min(pixels, p0 + pixelChunk)
            let s = scale + n * channels, b = shift + n * channels
            for p in p0..<p1 {
                let offset = (n * pixels + p) * channels
                scaleShiftPixel(x + offset, y + offset, channels, s, b)
            }
        }
    }

    /// y[n,p,c] = x[n,p,c] * scaleA[n*C+c] + shiftA[n*C+c]  where mask[n*P+p] >= 0.5,
    ///            x[n,p,c] * scaleB[n*C+c] + shiftB[n*C+c]  elsewhere.
    ///
    /// The two-region form of `scaleShift`, for spatial control with a binary mask
    /// (foreground A, background B).
    public static func scaleShiftMasked(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        samples: Int, pixels: Int, channels: Int, mask: UnsafePointer<Float>,
        scaleA: UnsafePointer<Float>, shiftA: UnsafePointer<Float>,
        scaleB: UnsafePointer<Float>, shiftB: UnsafePointer<Float>
    ) {
        let chunks = (pixels + pixelChunk - 1) / pixelChunk
        Parallel.forEach(samples * chunks) { task in
            let n = task / chunks
            let p0 = (task % chunks) * pixelChunk
            let p1 = min(pixels, p0 + pixelChunk)
            for p in p0..<p1 {
                let offset = (n * pixels + p) * channels
                if mask[n * pixels + p] >= 0.5 {
                    scaleShiftPixel(x + offset, y + offset, channels, scaleA + n * channels, shiftA + n * channels)
                } else {
                    scaleShiftPixel(x + offset, y + offset, channels, scaleB + n * channels, shiftB + n * channels)
                }
            }
        }
    }

    @inline(__always)
    private static func scaleShiftPixel(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ channels: Int,
        _ scale: UnsafePointer<Float>, _ shift: UnsafePointer<Float>
    ) {
        for c in 0..<channels { y[c] = x[c] * scale[c] + shift[c] }
    }
}
