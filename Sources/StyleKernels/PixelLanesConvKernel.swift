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
    /// Checked once per call (live preconditions): 1 to 8 output channels and sizes. Every row
    /// runs in the C row kernel `pixel_lanes_conv_row` of the active `KernelISA` (one
    /// multiply-add per term, fused on AVX2, AVX-512F and NEON; tiles of up to 8 vectors of
    /// neighbouring pixels x all outputs, pixel by pixel for rows narrower than a vector), which
    /// trusts the pointers.
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
            row(input + (n * inC * inH + y) * inW, inH * inW, inW, Int32(inC), Int32(kh), Int32(kw),
                oihw, bias, Int32(outC), act, output + ((n * outH + y) * outW) * outC, outC, Int32(outW))
        }
    }

    // MARK: nearest x2 upsampling, padding 1 and a 3x3 conv, as four 2x2 convs on the input

    /// Floats of `phaseWeights`: 4 phases x outC x inC x 2 x 2.
    public static func phaseWeightCount(outChannels: Int, inChannels: Int) -> Int { 16 * outChannels * inChannels }

    /// The 3x3 weights W (OIHW) folded for the four output phases of a conv after nearest x2
    /// upsampling and padding 1:
    ///
    ///     E[a][b][o][i][dy][dx] = Σ_{ky ∈ S(a, dy)} Σ_{kx ∈ S(b, dx)} W[o, i, ky, kx]   (in Double, rounded once)
    ///     S(0, 0) = {0}, S(0, 1) = {1, 2}, S(1, 0) = {0, 1}, S(1, 1) = {2}
    ///
    /// Output row 2y + a of the upsampled conv reads upsampled rows 2y + a - 1 ... 2y + a + 1,
    /// which are input rows y + a - 1 + dy for the two dy whose S(a, dy) holds the kernel row
    /// (columns alike), so each phase is a 2x2 conv of the input: 4 taps per output instead of 9
    /// and no upsampled map.
    public static func phaseWeights(oihw: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                                    output: UnsafeMutablePointer<Float>) {
        let sets = [[[0], [1, 2]], [[0, 1], [2]]]  // sets[phase][d]
        var k = 0
        for a in 0..<2 {
            for b in 0..<2 {
                for o in 0..<outChannels {
                    for i in 0..<inChannels {
                        let w = oihw + (o * inChannels + i) * 9
                        for dy in 0..<2 {
                            for dx in 0..<2 {
                                var s = 0.0
                                for ky in sets[a][dy] { for kx in sets[b][dx] { s += Double(w[ky * 3 + kx]) } }
                                output[k] = Float(s)
                                k += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The planar input of `runUpsampled2x`: NHWC `x` (h x w) to planar (h + 2) x (w + 2) with a
    /// one-pixel border that repeats the edge (`zeroBorder` false: reflection padding by 1 of
    /// the x2 upsampled image reads exactly these values) or is zero (zero padding by 1).
    ///
    ///     out[n, c, r, q] = x[n, clamp(r - 1, 0, h - 1), clamp(q - 1, 0, w - 1), c]   (or 0 on the border)
    public static func planarBordered(_ x: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, channels c: Int,
                                      zeroBorder: Bool, output: UnsafeMutablePointer<Float>) {
        let oh = h + 2, ow = w + 2
        Parallel.forEach(batch * oh) { row in
            let n = row / oh, r = row % oh
            let border = r == 0 || r == oh - 1
            let sy = min(max(r - 1, 0), h - 1)
            let src = x + ((n * h + sy) * w) * c
            for ch in 0..<c {
                let dst = output + ((n * c + ch) * oh + r) * ow
                if zeroBorder && border {
                    dst.update(repeating: 0, count: ow)
                    continue
                }
                let s = src + ch
                for q in 0..<w { dst[q + 1] = s[q * c] }
                dst[0] = zeroBorder ? 0 : s[0]
                dst[ow - 1] = zeroBorder ? 0 : s[(w - 1) * c]
            }
        }
    }

    /// Nearest x2 upsampling, padding 1 (reflection or zero, as made by `planarBordered`) and a
    /// 3x3 conv, from the bordered planar input (batch x inC x (h + 2) x (w + 2)) to NHWC output
    /// (batch x 2h x 2w x outC), through `phaseWeights` (`E`):
    ///
    ///     out[n, 2y + a, 2x + b, o] = act( bias[o] + Σ_{i, dy, dx} in[n, i, y + a + dy, x + b + dx] * E[a][b][o][i][dy][dx] )
    ///
    /// the sum in (i, dy, dx) order: each (output row, column phase) is one call of the row kernel
    /// `pixel_lanes_conv_row` with a 2x2 kernel writing every other pixel. Rows are split across
    /// threads; each value is computed the same way whatever the thread count.
    public static func runUpsampled2x(
        planarInput input: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, inC: Int,
        phaseWeights e: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>
    ) {
        precondition(outC >= 1 && outC <= maxOutputChannels, "PixelLanesConvKernel: 1 to 8 output channels")
        precondition(h >= 0 && w >= 0 && inC >= 1 && batch >= 0, "PixelLanesConvKernel: bad sizes")
        guard batch > 0, h > 0, w > 0 else { return }
        let row = activeKernels.pixel_lanes_conv_row!
        let act = activation.code
        let ih = h + 2, iw = w + 2, oh = 2 * h, ow = 2 * w
        let phase = outC * inC * 4
        Parallel.forEach(batch * oh) { piece in
            let n = piece / oh, yy = piece % oh
            let y = yy / 2, a = yy % 2
            let outRow = output + ((n * oh + yy) * ow) * outC
            for b in 0..<2 {
                row(input + (n * inC * ih + y + a) * iw + b, ih * iw, iw, Int32(inC), 2, 2,
                    e + (a * 2 + b) * phase, bias, Int32(outC), act, outRow + b * outC, 2 * outC, Int32(w))
            }
        }
    }
}
