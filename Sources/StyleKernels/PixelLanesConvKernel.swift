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
public enum PixelLanesConvKernel {
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
    ///
    /// Checked once per call (live preconditions): 1 to 8 output channels and sizes. Rows of
    /// at least 8 outputs run in the C row kernel `pixel_lanes_conv_row` of the active
    /// `KernelISA` (one multiply-add per term, fused on AVX2 and NEON), which trusts the
    /// pointers; narrower rows use the scalar loop below (a multiply, then an add).
    public static func run(
        planarInput input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int, kernelH kh: Int, kernelW kw: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>
    ) {
        precondition(outC >= 1 && outC <= maxOutputChannels, "PixelLanesConvKernel: 1 to 8 output channels")
        precondition(kh >= 1 && kw >= 1 && inC >= 1 && batch >= 0, "PixelLanesConvKernel: bad sizes")
        let outH = inH - kh + 1, outW = inW - kw + 1
        guard batch > 0, outH > 0, outW > 0 else { return }
        let row = activeKernels.pixel_lanes_conv_row!
        let act = activation.code
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
            row(input + (n * inC * inH + y) * inW, inH * inW, inW, Int32(inC), Int32(kh), Int32(kw),
                oihw, bias, Int32(outC), act, outRow, Int32(outW))
        }
    }
}
