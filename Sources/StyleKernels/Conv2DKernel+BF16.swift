import CStyleKernels

extension Conv2DKernel {
    /// The direct convolution with bf16 operands (`Precision.bf16`), single group, kw*inC even:
    ///
    /// out[n, y, x, o] = act(acc), acc = bias[o], then for ky < KH and the pairs q of the
    /// kernel row's (kx, ci) run in order: acc <- dot(acc, bf16(in[n, y*s + ky, x*s + 2q/inC ...]), W_bf16)
    ///
    /// (`sk_bf16.h`'s gemm_tiles with the input rows rounded to bf16 as they are read: each
    /// output row converts its KH input rows into a scratch of its own). Weights from
    /// `BF16Packing.pack`; bias as `ConvPacking` packs it. Deterministic for any thread count:
    /// every output is the same chain of `dot`s.
    public static func runBF16(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        packedWeights: UnsafePointer<UInt16>, packedBias: UnsafePointer<Float>,
        outC: Int, kernelH kh: Int, kernelW kw: Int, stride s: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>
    ) {
        precondition(kh >= 1 && kw >= 1 && s >= 1 && batch >= 0 && inH >= 0 && inW >= 0, "Conv2DKernel.runBF16: bad sizes")
        precondition(BF16Packing.isApplicable(inChannels: inC, kernelW: kw, groups: 1), "Conv2DKernel.runBF16: kw * inC must be even")
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        guard batch > 0, inH >= kh, inW >= kw, outH > 0, outW > 0, outC > 0 else { return }
        let nb = ConvPacking.blocksPerGroup(outChannels: outC, groups: 1)
        let pairs = kw * inC / 2
        let blockWeights = kh * pairs * 32
        let rowCount = inW * inC
        let kernels = sk_bf16_active().pointee
        let tiles = kernels.gemm_tiles!, pixels = kernels.gemm_pixels!, round = kernels.from_f32!
        let act = activation.code
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let inRow = input + ((n * inH + y * s) * inW) * inC
            let outRow = output + ((n * outH + y) * outW) * outC
            withUnsafeTemporaryAllocation(of: UInt16.self, capacity: kh * rowCount) { buffer in
                let rows = buffer.baseAddress!
                round(inRow, kh * rowCount, rows)
                let valid = Int32(outC - (nb - 1) * 16)
                if outW < 6 {
                    pixels(rows, rowCount, s * inC, Int32(kh), Int32(pairs), packedWeights, blockWeights, Int32(nb),
                           packedBias, outRow, outC, valid, act, Int32(outW))
                } else {
                    tiles(rows, rowCount, s * inC, Int32(kh), Int32(pairs), packedWeights, blockWeights, Int32(nb),
                          packedBias, outRow, outC, valid, act, Int32(outW), 0, Int32((outW + 5) / 6))
                }
            }
        }
    }
}
