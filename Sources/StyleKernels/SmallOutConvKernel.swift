/// Direct convolution with few output channels (1 to 4, e.g. a decoder's final RGB
/// layer) of an already padded NHWC image, groups == 1, any kernel size and stride.
///
/// out[n, y, x, o] = act( bias[o] + Σ_{ky} Σ_{j < KW*Cin} in[n, y*s + ky, x*s*Cin + j] * W'[o, ky, j] )
///
/// where j runs over the contiguous taps x channels of one kernel row and
/// W'[o, ky, kx*Cin + ci] = W[o, ci, ky, kx]. The 16-output-channel kernel would
/// waste 13 of 16 lanes on a 3-channel output; here the vector axis is the
/// reduction: 3 pixels x 4 output channels in 12 accumulators, each reduced to a
/// scalar at the end (fixed order), then the `KW*Cin mod 8` leftover terms are
/// added with scalar FMAs. A lone pixel uses the same arithmetic, so values do not
/// depend on where a pixel falls or which thread computes it.
public enum SmallOutConvKernel {
    /// Output channels this kernel handles at most.
    public static let maxOutChannels = 4

    /// Floats of packed weights: 4 x KH x KW x Cin (zero rows past outChannels).
    public static func packedCount(inChannels: Int, kernelH: Int, kernelW: Int) -> Int {
        maxOutChannels * kernelH * kernelW * inChannels
    }

    /// Packs OIHW weights as `[o][ky][kx][ci]` for o < 4.
    public static func pack(oihw: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                            kernelH kh: Int, kernelW kw: Int, output: UnsafeMutablePointer<Float>) {
        output.update(repeating: 0, count: packedCount(inChannels: inChannels, kernelH: kh, kernelW: kw))
        for o in 0..<outChannels {
            for ky in 0..<kh {
                for kx in 0..<kw {
                    for ci in 0..<inChannels {
                        output[((o * kh + ky) * kw + kx) * inChannels + ci] = oihw[((o * inChannels + ci) * kh + ky) * kw + kx]
                    }
                }
            }
        }
    }

    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        packedWeights w: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int,
        kernelH kh: Int, kernelW kw: Int, stride s: Int, activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(outC >= 1 && outC <= maxOutChannels, "SmallOutConvKernel handles 1 to 4 output channels")
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        guard batch > 0, outH > 0, outW > 0 else { return }
        let run = kw * inC                   // contiguous terms per kernel row
        let vecEnd = run / 8 * 8
        let oStride = kh * run               // distance between output channels' weights
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let inRow = input + ((n * inH + y * s) * inW) * inC
            let outRow = output + ((n * outH + y) * outW) * outC
            var x = 0
            while x + 3 <= outW {
                var a00 = SIMD8<Float>(), a01 = a00, a02 = a00, a03 = a00
                var a10 = a00, a11 = a00, a12 = a00, a13 = a00
                var a20 = a00, a21 = a00, a22 = a00, a23 = a00
                for ky in 0..<kh {
                    let p0 = inRow + ky * inW * inC + x * s * inC
                    let p1 = p0 + s * inC, p2 = p1 + s * inC
                    let wr = w + ky * run
                    var j = 0
                    while j < vecEnd {
                        let w0 = load8(wr + j), w1 = load8(wr + oStride + j)
                        let w2 = load8(wr + 2 * oStride + j), w3 = load8(wr + 3 * oStride + j)
                        let v0 = load8(p0 + j), v1 = load8(p1 + j), v2 = load8(p2 + j)
                        a00 = a00.addingProduct(v0, w0); a01 = a01.addingProduct(v0, w1)
                        a02 = a02.addingProduct(v0, w2); a03 = a03.addingProduct(v0, w3)
                        a10 = a10.addingProduct(v1, w0); a11 = a11.addingProduct(v1, w1)
                        a12 = a12.addingProduct(v1, w2); a13 = a13.addingProduct(v1, w3)
                        a20 = a20.addingProduct(v2, w0); a21 = a21.addingProduct(v2, w1)
                        a22 = a22.addingProduct(v2, w2); a23 = a23.addingProduct(v2, w3)
                        j += 8
                    }
                }
                finish(a00, a01, a02, a03, inRow + x * s * inC, w, bias, outRow + x * outC, outC,
                       kh, inW * inC, run, vecEnd, oStride, activation)
                finish(a10, a11, a12, a13, inRow + (x + 1) * s * inC, w, bias, outRow + (x + 1) * outC, outC,
                       kh, inW * inC, run, vecEnd, oStride, activation)
                finish(a20, a21, a22, a23, inRow + (x + 2) * s * inC, w, bias, outRow + (x + 2) * outC, outC,
                       kh, inW * inC, run, vecEnd, oStride, activation)
                x += 3
            }
            while x < outW {
                var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0
                for ky in 0..<kh {
                    let p0 = inRow + ky * inW * inC + x * s * inC
                    let wr = w + ky * run
                    var j = 0
                    while j < vecEnd {
                        let v0 = load8(p0 + j)
                        a0 = a0.addingProduct(v0, load8(wr + j)); a1 = a1.addingProduct(v0, load8(wr + oStride + j))
                        a2 = a2.addingProduct(v0, load8(wr + 2 * oStride + j)); a3 = a3.addingProduct(v0, load8(wr + 3 * oStride + j))
                        j += 8
                    }
                }
                finish(a0, a1, a2, a3, inRow + x * s * inC, w, bias, outRow + x * outC, outC,
                       kh, inW * inC, run, vecEnd, oStride, activation)
                x += 1
            }
        }
    }

    /// Horizontal sums in a fixed order, plus the scalar leftover terms, bias, activation.
    @inline(__always)
    static func finish(_ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ a2: SIMD8<Float>, _ a3: SIMD8<Float>,
                       _ pixel: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                       _ out: UnsafeMutablePointer<Float>, _ outC: Int, _ kh: Int, _ rowStride: Int,
                       _ run: Int, _ vecEnd: Int, _ oStride: Int, _ activation: FusedActivation) {
        let sums = (hsum(a0), hsum(a1), hsum(a2), hsum(a3))
        for o in 0..<outC {
            var v: Float
            switch o {
            case 0: v = sums.0
            case 1: v = sums.1
            case 2: v = sums.2
            default: v = sums.3
            }
            if vecEnd < run {
                for ky in 0..<kh {
                    let p = pixel + ky * rowStride, wr = w + o * oStride + ky * run
                    for j in vecEnd..<run { v = v.addingProduct(p[j], wr[j]) }
                }
            }
            out[o] = activation.apply(v + bias[o])
        }
    }

    @inline(__always)
    static func hsum(_ v: SIMD8<Float>) -> Float {
        let h = v.lowHalf + v.highHalf
        return (h[0] + h[2]) + (h[1] + h[3])
    }
}
