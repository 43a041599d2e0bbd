import CStyleKernels

/// Mean and variance reductions over NHWC tensors (the work behind every norm and
/// every statistic swap), and the per-channel scale/shift that applies them.
///
/// Determinism: the pixels of each sample are cut into fixed chunks of
/// `ReductionLayout.chunkPixels`; one task per (sample, chunk) accumulates per-channel
/// partial sums in Double over its pixels in order, reading memory contiguously. The
/// partials are then added chunk by chunk, and the per-channel sums channel by channel
/// into slots, always in the same order. The partition never depends on
/// `Parallel.threadCount`, so results are bit-identical for any thread count.
public enum Statistics {
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
        let pixels = layout.pixels, perSample = layout.samples * layout.channels
        let partials = workspace
        let centers = workspace + layout.samples * layout.chunksPerSample * layout.channels
        let sums = centers + perSample

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
        channelSums(x, weights: weights, layout: layout, centers: nil, partials: partials, into: sums)
        combine(sums, layout: layout, count: count, into: mean)

        // Pass 2: weighted squared deviations from the slot mean.
        for n in 0..<layout.samples {
            for c in 0..<layout.channels { centers[n * layout.channels + c] = mean[layout.slot(sample: n, channel: c)] }
        }
        channelSums(x, weights: weights, layout: layout, centers: UnsafePointer(centers), partials: partials, into: sums)
        combine(sums, layout: layout, count: count, into: variance)
    }

    /// sums[n*C + c] = sum_p w[n,p] * (x[n,p,c] - center)^k, with k = 1 and center 0 when
    /// `centers` is nil, else k = 2 and center = centers[n*C + c].
    private static func channelSums(
        _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>?, layout: ReductionLayout,
        centers: UnsafePointer<Double>?, partials: UnsafeMutablePointer<Double>,
        into sums: UnsafeMutablePointer<Double>
    ) {
        let channels = layout.channels, pixels = layout.pixels, chunks = layout.chunksPerSample
        Parallel.forEach(layout.samples * chunks) { task in
            let n = task / chunks
            let p0 = (task % chunks) * ReductionLayout.chunkPixels
            let p1 = min(pixels, p0 + ReductionLayout.chunkPixels)
            let acc = partials + task * channels
            for c in 0..<channels { acc[c] = 0 }
            guard let w = weights.map({ $0 + n * pixels }) else {
                // unweighted: in C, the same sums in the same order with the running sums in registers
                sk_channel_sums(x + (n * pixels + p0) * channels, p1 - p0, Int32(channels), centers.map { $0 + n * channels }, acc)
                return
            }
            if let center = centers.map({ $0 + n * channels }) {
                for p in p0..<p1 {
                    let weight = Double(w[p])
                    if weight == 0 { continue }
                    let value = x + (n * pixels + p) * channels
                    for c in 0..<channels { let d = Double(value[c]) - center[c]; acc[c] += weight * d * d }
                }
            } else {
                for p in p0..<p1 {
                    let weight = Double(w[p])
                    if weight == 0 { continue }
                    let value = x + (n * pixels + p) * channels
                    for c in 0..<channels { acc[c] += weight * Double(value[c]) }
                }
            }
        }
        // Chunk partials added in chunk order.
        for n in 0..<layout.samples {
            let out = sums + n * channels
            for c in 0..<channels { out[c] = 0 }
            for k in 0..<chunks {
                let part = partials + (n * chunks + k) * channels
                for c in 0..<channels { out[c] += part[c] }
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
