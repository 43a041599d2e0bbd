/// Naive twins of the `Statistics` kernels: plain loops in the order of the formula,
/// single-threaded, easy to read. They are the oracles the tests compare against.
@_spi(Testing) public enum StatisticsNaive {
    /// Same contract as `Statistics.moments`, one slot at a time:
    ///
    ///     count    = sum w
    ///     mean     = sum w * x / count
    ///     variance = sum w * (x - mean)^2 / count
    public static func moments(
        _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>?, layout: ReductionLayout,
        mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>,
        count: UnsafeMutablePointer<Double>
    ) {
        let P = layout.pixels, C = layout.channels, perGroup = layout.channelsPerGroup
        for row in 0..<layout.rows {
            let sampleRange = layout.acrossSamples ? 0..<layout.samples : row..<(row + 1)
            for g in 0..<layout.groups {
                let channelRange = (g * perGroup)..<((g + 1) * perGroup)
                var total = 0.0, sum = 0.0
                for n in sampleRange {
                    for p in 0..<P {
                        let w = weights.map { Double($0[n * P + p]) } ?? 1
                        for c in channelRange {
                            total += w
                            sum += w * Double(x[(n * P + p) * C + c])
                        }
                    }
                }
                let m = total > 0 ? sum / total : 0
                var squares = 0.0
                for n in sampleRange {
                    for p in 0..<P {
                        let w = weights.map { Double($0[n * P + p]) } ?? 1
                        for c in channelRange {
                            let d = Double(x[(n * P + p) * C + c]) - m
                            squares += w * d * d
                        }
                    }
                }
                let slot = row * layout.groups + g
                count[slot] = total
                mean[slot] = m
                variance[slot] = total > 0 ? squares / total : 0
            }
        }
    }

    /// y[n,p,c] = x[n,p,c] * scale[n*C + c] + shift[n*C + c]
    public static func scaleShift(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        samples: Int, pixels: Int, channels: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
    ) {
        for n in 0..<samples {
            for p in 0..<pixels {
                for c in 0..<channels {
                    let i = (n * pixels + p) * channels + c
                    y[i] = x[i] * scale[n * channels + c] + shift[n * channels + c]
                }
            }
        }
    }

    /// y = x * scaleA + shiftA where mask >= 0.5, x * scaleB + shiftB elsewhere.
    public static func scaleShiftMasked(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        samples: Int, pixels: Int, channels: Int, mask: UnsafePointer<Float>,
        scaleA: UnsafePointer<Float>, shiftA: UnsafePointer<Float>,
        scaleB: UnsafePointer<Float>, shiftB: UnsafePointer<Float>
    ) {
        for n in 0..<samples {
            for p in 0..<pixels {
                let foreground = mask[n * pixels + p] >= 0.5
                for c in 0..<channels {
                    let i = (n * pixels + p) * channels + c
                    let k = n * channels + c
                    y[i] = foreground ? x[i] * scaleA[k] + shiftA[k] : x[i] * scaleB[k] + shiftB[k]
                }
            }
        }
    }
}
