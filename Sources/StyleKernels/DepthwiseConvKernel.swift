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
    /// `run` on the padding of an unpadded input, without a padded copy (`PaddedRows`): the
    /// same formula on pad(x), the same bits.
    public static func run(
        input: UnsafePointer<Float>, batch: Int, padded rows: PaddedRows,
        packedWeights w: UnsafePointer<Float>, bias: UnsafePointer<Float>, activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(batch >= 0, "DepthwiseConvKernel: bad sizes")
        let outH = rows.outH, outW = rows.outW, c = rows.channels
        guard batch > 0, outH > 0, outW > 0 else { return }
        let row = activeKernels.depthwise_row!
        let act = activation.code
        let c32 = Int32(c), s32 = Int32(rows.stride), kh32 = Int32(rows.kernelH), kw32 = Int32(rows.kernelW)
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let outRow = output + ((n * outH + y) * outW) * c
            rows.forEachSpan(of: input + n * rows.height * rows.width * c, row: y) { taps, rowPixels, x0, count in
                row(taps, rowPixels * c, c32, s32, kh32, kw32, w, bias, act, outRow + x0 * c, Int32(count))
            }
        }
    }
}
