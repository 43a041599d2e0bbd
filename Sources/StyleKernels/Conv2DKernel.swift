/// Direct convolution of an already padded NHWC image ("valid" convolution), any
/// kernel size, stride and group count, with bias and a fused activation.
///
/// out[n, y, x, g*opg + o] = act( bias[g*opg + o]
///     + Σ_{ky<KH, kx<KW, i<cpg} in[n, y*s + ky, x*s + kx, g*cpg + i] * W[g*opg + o, i, ky, kx] )
///
/// with cpg = inChannels/groups, opg = outChannels/groups, outH = (inH - KH)/s + 1.
/// Weights come packed by `ConvPacking.pack` (blocks of 16 output channels).
///
/// Register blocking (the C micro-kernel `conv_tiles_6x16` of the active `KernelISA`): 6
/// neighbouring output pixels x 16 output channels in 12 accumulators (AVX2: 8-float
/// registers, one FMA per term; portable: two passes of 6 x 8 channels in 4-float registers,
/// a multiply and an add per term); for every tap and input channel it loads the weight
/// vectors, broadcasts 6 input values and multiply-adds. A row whose width is not a
/// multiple of 6 ends with a 6-pixel tile that overlaps the previous one (recomputing
/// identical values); rows narrower than 6 use a 1-pixel kernel. With one group, the KW
/// taps x Cin channels of a kernel row are contiguous in the padded input and in the packed
/// weights, so they run as one loop. Tiles of a row are processed in chunks whose input
/// spans about `chunkInputBytes`; every 16-channel weight block runs over a chunk before the
/// next chunk starts. Every output value is produced by the same sequence of operations
/// wherever it falls in a tile and whatever thread computes it, so results are
/// bit-identical for any thread count. Work is split into (sample, output row) pieces.
///
/// Checked once per call (live preconditions): sizes, stride, groups dividing both channel
/// counts. The C inner loops trust the pointers: `input` must hold batch x inH x inW x inC
/// floats, `output` batch x outH x outW x outC, the packed buffers `ConvPacking`'s counts.
public enum Conv2DKernel {
    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        packedWeights: UnsafePointer<Float>, packedBias: UnsafePointer<Float>,
        outC: Int, kernelH kh: Int, kernelW kw: Int, stride s: Int, groups: Int,
        activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(kh >= 1 && kw >= 1 && s >= 1 && groups >= 1 && batch >= 0 && inH >= 0 && inW >= 0,
                     "Conv2DKernel: bad sizes")
        precondition(inC % groups == 0 && outC % groups == 0, "Conv2DKernel: groups must divide both channel counts")
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        guard batch > 0, inH >= kh, inW >= kw, outH > 0, outW > 0, outC > 0 else { return }
        let cpg = inC / groups, opg = outC / groups
        let nb = ConvPacking.blocksPerGroup(outChannels: outC, groups: groups)
        let blockWeights = kh * kw * cpg * 16
        // groups == 1: the KW taps x cpg channels of one kernel row are contiguous in
        // both the padded input row and the packed weights, so they form one loop.
        let merged = groups == 1
        let runLength = Int32(merged ? kw * cpg : cpg)
        let kwLoop = Int32(merged ? 1 : kw), kh32 = Int32(kh)
        let nTiles = (outW + 5) / 6
        // Tiles are processed in chunks whose input rows fit in L2; within a chunk all
        // output-channel blocks run over the same input (weights stream from L2/L3).
        let tileInputBytes = kh * (6 * s + kw) * cpg * 4
        let tilesPerChunk = max(1, min(nTiles, chunkInputBytes / max(tileInputBytes, 1)))
        let kernels = activeKernels
        let tiles = kernels.conv_tiles_6x16!, pixels = kernels.conv_pixels_1x16!
        let act = activation.code
        let rowStride = inW * inC, pixelStride = s * inC
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let inRow = input + ((n * inH + y * s) * inW) * inC
            let outRow = output + ((n * outH + y) * outW) * outC
            for g in 0..<groups {
                let inBase = inRow + g * cpg
                if outW < 6 {
                    for b in 0..<nb {
                        pixels(inBase, rowStride, pixelStride, inC, kh32, kwLoop, runLength,
                               packedWeights + (g * nb + b) * blockWeights, packedBias + (g * nb + b) * 16,
                               outRow + g * opg + b * 16, outC, Int32(min(16, opg - b * 16)), act, Int32(outW))
                    }
                    continue
                }
                var t0 = 0
                while t0 < nTiles {
                    let t1 = min(nTiles, t0 + tilesPerChunk)
                    for b in 0..<nb {
                        tiles(inBase, rowStride, pixelStride, inC, kh32, kwLoop, runLength,
                              packedWeights + (g * nb + b) * blockWeights, packedBias + (g * nb + b) * 16,
                              outRow + g * opg + b * 16, outC, Int32(min(16, opg - b * 16)), act,
                              Int32(outW), Int32(t0), Int32(t1))
                    }
                    t0 = t1
                }
            }
        }
    }

    /// Bytes of input a chunk of tiles may span (tuning knob, read by the benchmark).
    nonisolated(unsafe) public static var chunkInputBytes = 192 * 1024
}
