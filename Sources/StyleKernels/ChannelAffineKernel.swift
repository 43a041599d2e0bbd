/// In-place per-(sample, channel) affine map with a fused activation, the last step of a
/// normalization whose statistics and gamma/beta were folded into one scale and shift:
///
///     x[n, p, c] = act( x[n, p, c] * scale[n*C + c] + shift[n*C + c] )
///
/// In place, so a large feature map is not copied or freshly allocated. Pixels are split
/// into fixed chunks (`elementwiseChunk` values), each value's arithmetic is independent,
/// so results are identical for any thread count. Vectorised over channels when C is a
/// multiple of 8 (one multiply then one add, like the naive twin, so results are identical).
public enum ChannelAffineKernel {
    public static func run(
        _ x: UnsafeMutablePointer<Float>, samples: Int, pixels: Int, channels c: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, activation: FusedActivation
    ) {
        guard samples > 0, pixels > 0, c > 0 else { return }
        let pixelsPerChunk = max(1, elementwiseChunk / c)
        let chunks = (pixels + pixelsPerChunk - 1) / pixelsPerChunk
        Parallel.forEach(samples * chunks) { task in
            let n = task / chunks
            let p0 = (task % chunks) * pixelsPerChunk, p1 = min(pixels, p0 + pixelsPerChunk)
            let s = scale + n * c, b = shift + n * c
            var v = x + (n * pixels + p0) * c
            if c % 8 == 0 {
                for _ in p0..<p1 {
                    var ch = 0
                    while ch < c {
                        let y = load8(v + ch) * load8(s + ch)
                        store8(activation.apply(y + load8(b + ch)), v + ch)
                        ch += 8
                    }
                    v += c
                }
            } else {
                for _ in p0..<p1 {
                    for ch in 0..<c {
                        let y = v[ch] * s[ch]
                        v[ch] = activation.apply(y + b[ch])
                    }
                    v += c
                }
            }
        }
    }

    /// The naive twin: x = act(x * scale + shift), plain loops.
    @_spi(Testing) public static func naive(
        _ x: UnsafeMutablePointer<Float>, samples: Int, pixels: Int, channels c: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, activation: FusedActivation
    ) {
        for n in 0..<samples {
            for p in 0..<pixels {
                for ch in 0..<c {
                    let i = (n * pixels + p) * c + ch
                    let y = x[i] * scale[n * c + ch]
                    x[i] = activation.apply(y + shift[n * c + ch])
                }
            }
        }
    }
}
