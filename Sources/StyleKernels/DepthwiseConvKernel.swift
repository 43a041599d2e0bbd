/// Depthwise convolution (groups == channels, one filter per channel) of an already
/// padded NHWC image, with bias and a fused activation.
///
/// out[n, y, x, c] = act( bias[c] + Σ_{ky<KH, kx<KW} in[n, y*s + ky, x*s + kx, c] * W[c, 0, ky, kx] )
///
/// outH = (inH - KH)/s + 1. Weights packed `[ky][kx][c]` (`ConvPacking.packDepthwise`).
/// NHWC makes the channel the vector axis (the C row kernel `depthwise_row` of the active
/// `KernelISA`): 8 channels per AVX2 register (4 in the portable variant), taps in order,
/// 4 pixels per weight load; the channels past the last full vector use scalar
/// multiply-adds of the same kind (fused on AVX2 and NEON, separate in the portable
/// variant). Work is split into (sample, output row) pieces; every value is computed the
/// same way whatever the thread count.
///
/// Checked once per call (live preconditions): sizes and stride. The C row kernel trusts
/// the pointers (KH x KW x C weights, C biases).
public enum DepthwiseConvKernel {
    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, channels c: Int,
        packedWeights w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        kernelH kh: Int, kernelW kw: Int, stride s: Int, activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(kh >= 1 && kw >= 1 && s >= 1 && batch >= 0 && c >= 0, "DepthwiseConvKernel: bad sizes")
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        guard batch > 0, inH >= kh, inW >= kw, outH > 0, outW > 0, c > 0 else { return }
        let row = activeKernels.depthwise_row!
        let act = activation.code
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            row(input + ((n * inH + y * s) * inW) * c, inW * c, Int32(c), Int32(s), Int32(kh), Int32(kw),
                w, bias, act, output + ((n * outH + y) * outW) * c, Int32(outW))
        }
    }
}

extension DepthwiseConvKernel {
    /// `run` on the padding of an unpadded input, without a padded copy: the same formula on
    /// pad(x) (`mode`, `top`/`left`/`bottom`/`right`), the same bits. Output rows and columns
    /// whose taps all fall inside x read x directly; the others (the image's border) read a
    /// small padded copy of just their taps, made per output row.
    public static func run(
        input: UnsafePointer<Float>, batch: Int, height inH: Int, width inW: Int, channels c: Int,
        top: Int, left: Int, bottom: Int, right: Int, mode: PadMode,
        packedWeights w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        kernelH kh: Int, kernelW kw: Int, stride s: Int, activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(kh >= 1 && kw >= 1 && s >= 1 && batch >= 0 && c >= 0 && inH >= 1 && inW >= 1
                     && min(top, left, bottom, right) >= 0, "DepthwiseConvKernel: bad sizes")
        let paddedH = inH + top + bottom, paddedW = inW + left + right
        let outH = (paddedH - kh) / s + 1, outW = (paddedW - kw) / s + 1
        guard batch > 0, paddedH >= kh, paddedW >= kw, outH > 0, outW > 0, c > 0 else { return }
        // columns x whose taps x*s - left ..< x*s - left + kw are all inside 0..<inW
        let xa = min(outW, (left + s - 1) / s)
        let xb = max(xa, min(outW, inW - kw + left >= 0 ? (inW - kw + left) / s + 1 : 0))
        let row = activeKernels.depthwise_row!
        let act = activation.code
        func source(_ i: Int, _ n: Int) -> Int { i >= 0 && i < n ? i : (mode == .reflect ? reflectIndex(i, n) : -1) }
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let image = input + n * inH * inW * c
            let outRow = output + ((n * outH + y) * outW) * c
            let firstRow = y * s - top
            let insideRows = firstRow >= 0 && firstRow + kh <= inH
            /// Output columns x0..<x1 from a padded copy of their kh x span taps.
            func staged(_ x0: Int, _ x1: Int) {
                guard x1 > x0 else { return }
                let span = (x1 - x0 - 1) * s + kw
                withUnsafeTemporaryAllocation(of: Float.self, capacity: kh * span * c) { buffer in
                    let stage = buffer.baseAddress!
                    for ky in 0..<kh {
                        let sy = source(firstRow + ky, inH)
                        for j in 0..<span {
                            let sx = source(x0 * s + j - left, inW)
                            let dst = stage + (ky * span + j) * c
                            if sy < 0 || sx < 0 {
                                dst.update(repeating: 0, count: c)
                            } else {
                                dst.update(from: image + (sy * inW + sx) * c, count: c)
                            }
                        }
                    }
                    row(stage, span * c, Int32(c), Int32(s), Int32(kh), Int32(kw), w, bias, act, outRow + x0 * c, Int32(x1 - x0))
                }
            }
            if insideRows && xb > xa {
                row(image + (firstRow * inW + xa * s - left) * c, inW * c, Int32(c), Int32(s), Int32(kh), Int32(kw),
                    w, bias, act, outRow + xa * c, Int32(xb - xa))
                staged(0, xa)
                staged(xb, outW)
            } else {
                staged(0, outW)
            }
        }
    }
}
