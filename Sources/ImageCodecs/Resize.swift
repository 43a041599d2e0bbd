/// Separable resampling weights along one axis: output sample `i` is
/// `sum_k weights[i*taps + k] * source[first[i] + k]`.
struct ResampleAxis {
    let first: [Int]
    let taps: Int
    let weights: [Float]

    /// Weights for resizing `source` samples to `target` samples.
    ///
    /// Shrinking (target < source): exact area averaging, a box filter with
    /// fractional coverage. Output i covers source interval [i*s, (i+1)*s) with
    /// s = source/target; each source sample j weighs |[j, j+1) ∩ that interval| / s.
    /// Enlarging (target > source): bilinear interpolation with pixel centres
    /// aligned, x = (i + 0.5) * source/target - 0.5, clamped at the edges.
    /// Equal sizes: identity.
    init(source: Int, target: Int) {
        precondition(source > 0 && target > 0)
        var first = [Int](repeating: 0, count: target)
        if target == source {
            taps = 1
            for i in 0..<target { first[i] = i }
            weights = [Float](repeating: 1, count: target)
        } else if target < source {
            let scale = Double(source) / Double(target)
            let maxTaps = Int(scale.rounded(.up)) + 1
            var w = [Float](repeating: 0, count: target * maxTaps)
            for i in 0..<target {
                let lo = Double(i) * scale, hi = Double(i + 1) * scale
                let start = Int(lo.rounded(.down))
                let end = min(source, Int(hi.rounded(.up)))   // exclusive
                first[i] = start
                for j in start..<end {
                    let overlap = min(Double(j + 1), hi) - max(Double(j), lo)
                    if overlap > 0 { w[i * maxTaps + (j - start)] = Float(overlap / scale) }
                }
            }
            taps = maxTaps
            weights = w
        } else {
            taps = 2
            var w = [Float](repeating: 0, count: target * 2)
            let scale = Double(source) / Double(target)
            for i in 0..<target {
                let x = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(source - 1))
                let j0 = min(Int(x.rounded(.down)), source - 1)
                let f = x - Double(j0)
                if j0 + 1 < source {
                    first[i] = j0
                    w[2 * i] = Float(1 - f)
                    w[2 * i + 1] = Float(f)
                } else {
                    first[i] = source - 2 >= 0 ? source - 2 : 0
                    // Last sample: all weight on source-1 (which is first+1, or first when source == 1).
                    if source == 1 { w[2 * i] = 1 } else { w[2 * i + 1] = 1 }
                }
            }
            weights = w
        }
        self.first = first
    }
}

/// Resamples interleaved 8-bit samples (`channels` per pixel), horizontally
/// then vertically in Float, rounding the result to nearest (halves up).
func resample(_ src: [UInt8], width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int) -> [UInt8] {
    let horizontal = ResampleAxis(source: width, target: toWidth)
    let vertical = ResampleAxis(source: height, target: toHeight)
    // Pass 1: rows of the source, resampled horizontally.
    var mid = [Float](repeating: 0, count: height * toWidth * channels)
    src.withUnsafeBufferPointer { s in
        mid.withUnsafeMutableBufferPointer { m in
            horizontal.weights.withUnsafeBufferPointer { w in
                for y in 0..<height {
                    let row = y * width * channels
                    for x in 0..<toWidth {
                        let start = horizontal.first[x]
                        for c in 0..<channels {
                            var acc: Float = 0
                            for k in 0..<horizontal.taps {
                                let weight = w[x * horizontal.taps + k]
                                if weight == 0 { continue }
                                let j = min(start + k, width - 1)
                                acc += weight * Float(s[row + j * channels + c])
                            }
                            m[(y * toWidth + x) * channels + c] = acc
                        }
                    }
                }
            }
        }
    }
    // Pass 2: columns, resampled vertically, rounded and clamped to 0...255.
    var out = [UInt8](repeating: 0, count: toHeight * toWidth * channels)
    mid.withUnsafeBufferPointer { m in
        out.withUnsafeMutableBufferPointer { o in
            vertical.weights.withUnsafeBufferPointer { w in
                let stride = toWidth * channels
                for y in 0..<toHeight {
                    let start = vertical.first[y]
                    for i in 0..<stride {
                        var acc: Float = 0
                        for k in 0..<vertical.taps {
                            let weight = w[y * vertical.taps + k]
                            if weight == 0 { continue }
                            let j = min(start + k, height - 1)
                            acc += weight * m[j * stride + i]
                        }
                        o[y * stride + i] = UInt8(min(max((acc + 0.5).rounded(.down), 0), 255))
                    }
                }
            }
        }
    }
    return out
}

extension Image {
    /// This image resampled to `width` x `height` (both at least 1).
    ///
    /// Each axis is handled on its own: shrinking uses exact area averaging (a
    /// box filter with fractional pixel coverage, as OpenCV's `INTER_AREA`; for
    /// integer factors a plain block mean; Pillow's `BOX` differs slightly
    /// because it counts whole pixels); enlarging uses bilinear
    /// interpolation with pixel centres aligned. Intermediate values are Float;
    /// results are rounded to nearest, halves up. Alpha, when present, is
    /// resampled the same way as a separate channel (colours are not
    /// premultiplied). Same size returns the image unchanged.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "resized size must be at least 1x1")
        if newWidth == width && newHeight == height { return self }
        precondition(width > 0 && height > 0, "cannot resize an empty image")
        let rgbOut = resample(rgb, width: width, height: height, channels: 3, toWidth: newWidth, toHeight: newHeight)
        let alphaOut = alpha.map { resample($0, width: width, height: height, channels: 1, toWidth: newWidth, toHeight: newHeight) }
        return Image(width: newWidth, height: newHeight, rgb: rgbOut, alpha: alphaOut)
    }

    /// The size `resized(shorterSide:)` produces: the shorter side becomes `n`,
    /// the longer side is scaled by the same factor and rounded to nearest
    /// (halves up), at least 1. A square image becomes n x n. `n <= 0` keeps
    /// the size.
    public func sizeForShorterSide(_ n: Int) -> (width: Int, height: Int) {
        guard n > 0, width > 0, height > 0 else { return (width, height) }
        if width <= height {
            return (n, max(1, (2 * height * n + width) / (2 * width)))
        } else {
            return (max(1, (2 * width * n + height) / (2 * height)), n)
        }
    }

    /// This image scaled so its shorter side is `n` pixels, keeping the aspect
    /// ratio (see `sizeForShorterSide` for the rounding). `n == 0` returns the
    /// image unchanged. Shrinks with area averaging, enlarges bilinearly.
    public func resized(shorterSide n: Int) -> Image {
        let size = sizeForShorterSide(n)
        if size.width == width && size.height == height { return self }
        return resized(width: size.width, height: size.height)
    }
}
