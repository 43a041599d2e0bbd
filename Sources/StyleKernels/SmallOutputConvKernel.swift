/// Stride-1 convolution for layers with few output channels (1 to 8), vectorised over 8
/// neighbouring output pixels instead of over output channels:
///
///     y[n, oy, ox, o] = act( b[o] + Σ_{i, ky, kx} x[n, i, oy + ky, ox + kx] * W[o, i, ky, kx] )
///
/// The general kernel fills 16-output-channel blocks, so a 9x9 conv to 3 channels (the RGB
/// output of a style transformer) wastes 13 of 16 lanes; here every lane does useful work.
/// The input is planar (N x C x H x W, already padded: see `planar`), the output NHWC.
/// Rows are split across threads; each value's sum runs in the same order whatever the
/// thread count. Pixel tiles that do not fit overlap the previous one (same values rewritten).
public enum SmallOutputConvKernel {
    /// Largest output channel count this kernel takes.
    public static let maxOutputChannels = 8

    /// NHWC -> planar NCHW copy (the workspace the kernel reads).
    public static func planar(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, channels c: Int,
                              output: UnsafeMutablePointer<Float>) {
        Parallel.forEach(batch * h) { row in
            let n = row / h, y = row % h
            let src = x + row * w * c
            for ch in 0..<c {
                let dst = output + ((n * c + ch) * h + y) * w
                for xx in 0..<w { dst[xx] = src[xx * c + ch] }
            }
        }
    }

    /// One pass from NHWC `x` (h x w) to the planar input of the convolution, with an
    /// optional nearest x2 upsampling and then padding applied on the fly:
    ///
    ///     out[n, c, yy, xx] = u[n, src(yy - top), src(xx - left), c],  u = x or x upsampled x2
    ///
    /// where src reflects (`PadMode.reflect`) or reads zero outside (`.zero`). The result is
    /// identical to upsampling, padding and `planar` one after the other (pure copies).
    public static func planarPadded(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, channels c: Int,
                                    upsample: Bool, top: Int, left: Int, bottom: Int, right: Int, mode: PadMode,
                                    output: UnsafeMutablePointer<Float>) {
        let f = upsample ? 2 : 1
        let uh = h * f, uw = w * f
        let oh = uh + top + bottom, ow = uw + left + right
        // source column (in x) per output column, -1 for zero padding
        var cols = [Int](repeating: -1, count: ow)
        for xx in 0..<ow {
            let u = xx - left
            if u >= 0 && u < uw { cols[xx] = u / f } else if mode == .reflect { cols[xx] = reflectIndex(u, uw) / f }
        }
        cols.withUnsafeBufferPointer { colp in
            let col = colp.baseAddress!
            Parallel.forEach(batch * oh) { row in
                let n = row / oh, yy = row % oh
                let u = yy - top
                var sy = -1
                if u >= 0 && u < uh { sy = u / f } else if mode == .reflect { sy = reflectIndex(u, uh) / f }
                for ch in 0..<c {
                    let dst = output + ((n * c + ch) * oh + yy) * ow
                    if sy < 0 {
                        for xx in 0..<ow { dst[xx] = 0 }
                        continue
                    }
                    let src = x + ((n * h + sy) * w) * c + ch
                    for xx in 0..<ow {
                        let sx = col[xx]
                        dst[xx] = sx < 0 ? 0 : src[sx * c]
                    }
                }
            }
        }
    }

    /// `input`: planar padded input (batch x inC x inH x inW); `oihw`: weights; `bias`: outC values.
    public static func run(
        planarInput input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int, kernelH kh: Int, kernelW kw: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>
    ) {
        precondition(outC >= 1 && outC <= maxOutputChannels, "SmallOutputConvKernel: 1 to 8 output channels")
        let outH = inH - kh + 1, outW = inW - kw + 1
        guard batch > 0, outH > 0, outW > 0 else { return }
        Parallel.forEach(batch * outH) { piece in
            let n = piece / outH, y = piece % outH
            let outRow = output + ((n * outH + y) * outW) * outC
            if outW < 8 {
                for x in 0..<outW {
                    for o in 0..<outC {
                        var s = bias[o]
                        for i in 0..<inC {
                            let plane = input + ((n * inC + i) * inH + y) * inW + x
                            let wo = oihw + ((o * inC + i) * kh) * kw
                            for ky in 0..<kh { for kx in 0..<kw { s += plane[ky * inW + kx] * wo[ky * kw + kx] } }
                        }
                        outRow[x * outC + o] = activation.apply(s)
                    }
                }
                return
            }
            var x = 0
            while true {
                if x + 8 > outW { x = outW - 8 }
                tile8(input + (n * inC * inH + y) * inW + x, planeStride: inH * inW, rowStride: inW,
                      inC: inC, kh: kh, kw: kw, oihw: oihw, bias: bias, outC: outC,
                      out: outRow + x * outC, activation: activation)
                if x + 8 >= outW { break }
                x += 8
            }
        }
    }

    @inline(__always)
    static func tile8(_ base: UnsafePointer<Float>, planeStride: Int, rowStride: Int, inC: Int, kh: Int, kw: Int,
                      oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int,
                      out: UnsafeMutablePointer<Float>, activation: FusedActivation) {
        var a0 = SIMD8<Float>(repeating: bias[0])
        var a1 = SIMD8<Float>(repeating: outC > 1 ? bias[1] : 0)
        var a2 = SIMD8<Float>(repeating: outC > 2 ? bias[2] : 0)
        var a3 = SIMD8<Float>(repeating: outC > 3 ? bias[3] : 0)
        var a4 = SIMD8<Float>(repeating: outC > 4 ? bias[4] : 0)
        var a5 = SIMD8<Float>(repeating: outC > 5 ? bias[5] : 0)
        var a6 = SIMD8<Float>(repeating: outC > 6 ? bias[6] : 0)
        var a7 = SIMD8<Float>(repeating: outC > 7 ? bias[7] : 0)
        let taps = kh * kw, perOut = inC * taps
        for i in 0..<inC {
            let plane = base + i * planeStride
            for ky in 0..<kh {
                let row = plane + ky * rowStride
                for kx in 0..<kw {
                    let v = load8(row + kx)
                    let wi = oihw + i * taps + ky * kw + kx
                    a0 = a0.addingProduct(v, SIMD8(repeating: wi[0]))
                    if outC > 1 { a1 = a1.addingProduct(v, SIMD8(repeating: wi[perOut])) }
                    if outC > 2 { a2 = a2.addingProduct(v, SIMD8(repeating: wi[2 * perOut])) }
                    if outC > 3 { a3 = a3.addingProduct(v, SIMD8(repeating: wi[3 * perOut])) }
                    if outC > 4 { a4 = a4.addingProduct(v, SIMD8(repeating: wi[4 * perOut])) }
                    if outC > 5 { a5 = a5.addingProduct(v, SIMD8(repeating: wi[5 * perOut])) }
                    if outC > 6 { a6 = a6.addingProduct(v, SIMD8(repeating: wi[6 * perOut])) }
                    if outC > 7 { a7 = a7.addingProduct(v, SIMD8(repeating: wi[7 * perOut])) }
                }
            }
        }
        @inline(__always) func put(_ a: SIMD8<Float>, _ o: Int) {
            let v = activation.apply(a)
            for p in 0..<8 { out[p * outC + o] = v[p] }
        }
        put(a0, 0)
        if outC > 1 { put(a1, 1) }
        if outC > 2 { put(a2, 2) }
        if outC > 3 { put(a3, 3) }
        if outC > 4 { put(a4, 4) }
        if outC > 5 { put(a5, 5) }
        if outC > 6 { put(a6, 6) }
        if outC > 7 { put(a7, 7) }
    }
}
