/// Direct convolution with few output channels (1 to 4, e.g. a decoder's final RGB
/// layer) of an already padded NHWC image, groups == 1, any kernel size and stride.
///
/// out[n, y, x, o] = act( bias[o] + Σ_{ky} Σ_{j < KW*Cin} in[n, y*s + ky, x*s*Cin + j] * W'[o, ky, j] )
///
/// where j runs over the contiguous taps x channels of one kernel row and
/// W'[o, ky, kx*Cin + ci] = W[o, ci, ky, kx]. The 16-output-channel kernel would
/// waste 13 of 16 lanes on a 3-channel output; here the vector axis is the
/// reduction (the C row kernel `tap_lanes_conv_row` of the active `KernelISA`): each output
/// keeps 16 partial sums (lane l takes the terms j ≡ l mod 16), reduced at the end by a fixed
/// lane tree (l + 8, then + 4, + 2, + 1), then the `KW*Cin mod 16` leftover terms are added
/// with scalar multiply-adds (fused on AVX2, AVX-512F and NEON). AVX-512F: 16/O pixels x O
/// outputs, 16 accumulators of 16 lanes reduced together by shuffles; AVX2: 2 pixels x O
/// outputs of two 8-lane vectors each, the same lanes and tree, so the two agree bit for bit.
/// A lone pixel uses the same arithmetic, so values do not depend on where a pixel falls or
/// which thread computes it.
public enum TapLanesConvKernel {
    /// Output channels this kernel handles at most.
    public static let maxOutputChannels = 4

    /// Floats of packed weights: 4 x KH x KW x Cin (zero rows past outChannels).
    public static func packedCount(inChannels: Int, kernelH: Int, kernelW: Int) -> Int {
        maxOutputChannels * kernelH * kernelW * inChannels
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

    /// Checked once per call (live preconditions): 1 to 4 output channels, sizes and stride.
    /// The C row kernel trusts the pointers (`packedCount` floats of weights, 4 of bias).
    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        packedWeights w: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int,
        kernelH kh: Int, kernelW kw: Int, stride s: Int, activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(outC >= 1 && outC <= maxOutputChannels, "TapLanesConvKernel handles 1 to 4 output channels")
        precondition(kh >= 1 && kw >= 1 && s >= 1 && inC >= 1 && batch >= 0, "TapLanesConvKernel: bad sizes")
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        guard batch > 0, inH >= kh, inW >= kw, outH > 0, outW > 0 else { return }
        let row = activeKernels.tap_lanes_conv_row!
        let act = activation.code
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            row(input + ((n * inH + y * s) * inW) * inC, Int32(inW), Int32(inC), Int32(s), Int32(kh), Int32(kw),
                w, bias, Int32(outC), act, output + ((n * outH + y) * outW) * outC, Int32(outW))
        }
    }
}

extension TapLanesConvKernel {
    /// `run` on the padding of an unpadded input, without a padded copy (`PaddedRows`): the
    /// same formula on pad(x), the same bits.
    public static func run(
        input: UnsafePointer<Float>, batch: Int, padded rows: PaddedRows,
        packedWeights w: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>
    ) {
        precondition(outC >= 1 && outC <= maxOutputChannels, "TapLanesConvKernel handles 1 to 4 output channels")
        precondition(batch >= 0, "TapLanesConvKernel: bad sizes")
        let outH = rows.outH, outW = rows.outW, inC = rows.channels
        guard batch > 0, outH > 0, outW > 0 else { return }
        let row = activeKernels.tap_lanes_conv_row!
        let act = activation.code
        let c32 = Int32(inC), s32 = Int32(rows.stride), kh32 = Int32(rows.kernelH), kw32 = Int32(rows.kernelW)
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let outRow = output + ((n * outH + y) * outW) * outC
            rows.forEachSpan(of: input + n * rows.height * rows.width * inC, row: y) { taps, rowPixels, x0, count in
                row(taps, Int32(rowPixels), c32, s32, kh32, kw32, w, bias, Int32(outC), act, outRow + x0 * outC, Int32(count))
            }
        }
    }
}
