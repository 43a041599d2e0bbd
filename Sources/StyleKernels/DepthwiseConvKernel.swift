/// Depthwise convolution (groups == channels, one filter per channel) of an already
/// padded NHWC image, with bias and a fused activation.
///
/// out[n, y, x, c] = act( bias[c] + Σ_{ky<KH, kx<KW} in[n, y*s + ky, x*s + kx, c] * W[c, 0, ky, kx] )
///
/// outH = (inH - KH)/s + 1. Weights packed `[ky][kx][c]` (`ConvPacking.packDepthwise`).
/// NHWC makes the channel the vector axis: 8 channels per AVX register, taps in
/// order, 4 pixels per weight load; the last `c % 8` channels use scalar FMAs.
/// Work is split into (sample, output row) pieces; every value is computed the same
/// way whatever the thread count.
public enum DepthwiseConvKernel {
    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, channels c: Int,
        packedWeights w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        kernelH kh: Int, kernelW kw: Int, stride s: Int, activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        guard batch > 0, outH > 0, outW > 0, c > 0 else { return }
        let vecEnd = c / 8 * 8
        let rowStride = inW * c
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let inRow = input + ((n * inH + y * s) * inW) * c
            let outRow = output + ((n * outH + y) * outW) * c
            var c0 = 0
            while c0 < vecEnd {
                let b = load8(bias + c0)
                var x = 0
                while x + 4 <= outW {
                    var a0 = b, a1 = b, a2 = b, a3 = b
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let wv = load8(w + (ky * kw + kx) * c + c0)
                            let p = inRow + ky * rowStride + (x * s + kx) * c + c0
                            a0 = a0.addingProduct(load8(p), wv)
                            a1 = a1.addingProduct(load8(p + s * c), wv)
                            a2 = a2.addingProduct(load8(p + 2 * s * c), wv)
                            a3 = a3.addingProduct(load8(p + 3 * s * c), wv)
                        }
                    }
                    let o = outRow + x * c + c0
                    store8(activation.apply(a0), o)
                    store8(activation.apply(a1), o + c)
                    store8(activation.apply(a2), o + 2 * c)
                    store8(activation.apply(a3), o + 3 * c)
                    x += 4
                }
                while x < outW {
                    var a0 = b
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let wv = load8(w + (ky * kw + kx) * c + c0)
                            a0 = a0.addingProduct(load8(inRow + ky * rowStride + (x * s + kx) * c + c0), wv)
                        }
                    }
                    store8(activation.apply(a0), outRow + x * c + c0)
                    x += 1
                }
                c0 += 8
            }
            if vecEnd < c {
                for x in 0..<outW {
                    for ch in vecEnd..<c {
                        var a = bias[ch]
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                a = a.addingProduct(inRow[ky * rowStride + (x * s + kx) * c + ch],
                                                    w[(ky * kw + kx) * c + ch])
                            }
                        }
                        outRow[x * c + ch] = activation.apply(a)
                    }
                }
            }
        }
    }
}
