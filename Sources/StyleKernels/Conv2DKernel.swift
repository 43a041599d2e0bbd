/// Direct convolution of an already padded NHWC image ("valid" convolution), any
/// kernel size, stride and group count, with bias and a fused activation.
///
/// out[n, y, x, g*opg + o] = act( bias[g*opg + o]
///     + Σ_{ky<KH, kx<KW, i<cpg} in[n, y*s + ky, x*s + kx, g*cpg + i] * W[g*opg + o, i, ky, kx] )
///
/// with cpg = inChannels/groups, opg = outChannels/groups, outH = (inH - KH)/s + 1.
/// Weights come packed by `ConvPacking.pack` (blocks of 16 output channels).
///
/// Register blocking: the micro-kernel computes 6 neighbouring output pixels x 16
/// output channels in 12 AVX 8-float accumulators; for every tap and input channel it
/// loads two weight vectors, broadcasts 6 input values and issues 12 FMAs. A row
/// whose width is not a multiple of 6 ends with a 6-pixel tile that overlaps the
/// previous one (recomputing identical values); rows narrower than 6 use a 1-pixel
/// kernel. With one group, the KW taps x Cin channels of a kernel row are contiguous
/// in the padded input and in the packed weights, so they run as one loop. Tiles of a
/// row are processed in chunks whose input spans about `chunkInputBytes`; every
/// 16-channel weight block runs over a chunk before the next chunk starts.
/// Every output value is produced by the same sequence of FMAs wherever it falls in
/// a tile and whatever thread computes it, so results are bit-identical for any
/// thread count. Work is split into (sample, output row) pieces.
public enum Conv2DKernel {
    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        packedWeights: UnsafePointer<Float>, packedBias: UnsafePointer<Float>,
        outC: Int, kernelH kh: Int, kernelW kw: Int, stride s: Int, groups: Int,
        activation: FusedActivation,
        output: UnsafeMutablePointer<Float>
    ) {
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        guard batch > 0, outH > 0, outW > 0, outC > 0 else { return }
        let cpg = inC / groups, opg = outC / groups
        let nb = ConvPacking.blocksPerGroup(outChannels: outC, groups: groups)
        let blockWeights = kh * kw * cpg * 16
        // groups == 1: the KW taps x cpg channels of one kernel row are contiguous in
        // both the padded input row and the packed weights, so they form one loop.
        let merged = groups == 1
        let runLength = merged ? kw * cpg : cpg
        let kwLoop = merged ? 1 : kw
        let nTiles = (outW + 5) / 6
        // Tiles are processed in chunks whose input rows fit in L2; within a chunk all
        // output-channel blocks run over the same input (weights stream from L2/L3).
        let tileInputBytes = kh * (6 * s + kw) * cpg * 4
        let tilesPerChunk = max(1, min(nTiles, chunkInputBytes / max(tileInputBytes, 1)))
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let inRow = input + ((n * inH + y * s) * inW) * inC
            let outRow = output + ((n * outH + y) * outW) * outC
            for g in 0..<groups {
                let inBase = inRow + g * cpg
                if outW < 6 {
                    for b in 0..<nb {
                        let w = packedWeights + (g * nb + b) * blockWeights
                        let co0 = g * opg + b * 16
                        for x in 0..<outW {
                            tile1x16(inBase + x * s * inC, rowStride: inW * inC,
                                     tapStride: inC, kh: kh, kw: kwLoop, cin: runLength, weights: w,
                                     bias: packedBias + (g * nb + b) * 16,
                                     out: outRow + x * outC + co0, valid: min(16, opg - b * 16),
                                     activation: activation)
                        }
                    }
                    continue
                }
                var t0 = 0
                while t0 < nTiles {
                    let t1 = min(nTiles, t0 + tilesPerChunk)
                    for b in 0..<nb {
                        let w = packedWeights + (g * nb + b) * blockWeights
                        let bias = packedBias + (g * nb + b) * 16
                        let co0 = g * opg + b * 16
                        let valid = min(16, opg - b * 16)
                        for t in t0..<t1 {
                            let x = min(t * 6, outW - 6)   // the last tile may overlap its neighbour
                            tile6x16(inBase + x * s * inC, rowStride: inW * inC, pixelStride: s * inC,
                                     tapStride: inC, kh: kh, kw: kwLoop, cin: runLength, weights: w, bias: bias,
                                     out: outRow + x * outC + co0, outPixelStride: outC,
                                     valid: valid, activation: activation)
                        }
                    }
                    t0 = t1
                }
            }
        }
    }

    /// Bytes of input a chunk of tiles may span (tuning knob, read by the benchmark).
    nonisolated(unsafe) public static var chunkInputBytes = 192 * 1024

    @inline(__always)
    static func storeBlock(_ lo: SIMD8<Float>, _ hi: SIMD8<Float>, _ out: UnsafeMutablePointer<Float>,
                           _ valid: Int, _ activation: FusedActivation) {
        let a = activation.apply(lo), b = activation.apply(hi)
        if valid == 16 {
            store8(a, out)
            store8(b, out + 8)
        } else {
            for l in 0..<min(valid, 8) { out[l] = a[l] }
            if valid > 8 { for l in 8..<valid { out[l] = b[l - 8] } }
        }
    }

    /// 6 output pixels x 16 output channels.
    @inline(__always)
    static func tile6x16(
        _ inBase: UnsafePointer<Float>, rowStride: Int, pixelStride ps: Int, tapStride: Int,
        kh: Int, kw: Int, cin: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, outPixelStride ops: Int, valid: Int, activation: FusedActivation
    ) {
        let b0 = load8(bias), b1 = load8(bias + 8)
        var c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1
        var c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1
        var wp = weights
        for ky in 0..<kh {
            for kx in 0..<kw {
                let a0 = inBase + ky * rowStride + kx * tapStride
                let a1 = a0 + ps, a2 = a1 + ps, a3 = a2 + ps, a4 = a3 + ps, a5 = a4 + ps
                for i in 0..<cin {
                    let w0 = load8(wp), w1 = load8(wp + 8)
                    wp += 16
                    var v = SIMD8<Float>(repeating: a0[i])
                    c00 = c00.addingProduct(v, w0); c01 = c01.addingProduct(v, w1)
                    v = SIMD8<Float>(repeating: a1[i])
                    c10 = c10.addingProduct(v, w0); c11 = c11.addingProduct(v, w1)
                    v = SIMD8<Float>(repeating: a2[i])
                    c20 = c20.addingProduct(v, w0); c21 = c21.addingProduct(v, w1)
                    v = SIMD8<Float>(repeating: a3[i])
                    c30 = c30.addingProduct(v, w0); c31 = c31.addingProduct(v, w1)
                    v = SIMD8<Float>(repeating: a4[i])
                    c40 = c40.addingProduct(v, w0); c41 = c41.addingProduct(v, w1)
                    v = SIMD8<Float>(repeating: a5[i])
                    c50 = c50.addingProduct(v, w0); c51 = c51.addingProduct(v, w1)
                }
            }
        }
        storeBlock(c00, c01, out, valid, activation)
        storeBlock(c10, c11, out + ops, valid, activation)
        storeBlock(c20, c21, out + 2 * ops, valid, activation)
        storeBlock(c30, c31, out + 3 * ops, valid, activation)
        storeBlock(c40, c41, out + 4 * ops, valid, activation)
        storeBlock(c50, c51, out + 5 * ops, valid, activation)
    }

    /// 1 output pixel x 16 output channels (rows narrower than 6 pixels).
    @inline(__always)
    static func tile1x16(
        _ inBase: UnsafePointer<Float>, rowStride: Int, tapStride: Int,
        kh: Int, kw: Int, cin: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, valid: Int, activation: FusedActivation
    ) {
        var c0 = load8(bias), c1 = load8(bias + 8)
        var wp = weights
        for ky in 0..<kh {
            for kx in 0..<kw {
                let a0 = inBase + ky * rowStride + kx * tapStride
                for i in 0..<cin {
                    let v = SIMD8<Float>(repeating: a0[i])
                    c0 = c0.addingProduct(v, load8(wp)); c1 = c1.addingProduct(v, load8(wp + 8))
                    wp += 16
                }
            }
        }
        storeBlock(c0, c1, out, valid, activation)
    }
}
