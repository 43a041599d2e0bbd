/// Naive twin of every convolution path (general, grouped, depthwise, 1x1, strided,
/// padded): plain loops over the formula, reading PyTorch OIHW weights and the
/// unpadded input, accumulating in Double. It is the oracle the fast kernels are
/// tested against; it is never used for real work.
///
/// out[n, y, x, g*opg + o] = act( bias[g*opg + o] + Σ_{ky, kx, i<cpg}
///     pad(in)[n, y*s + ky - top, x*s + kx - left, g*cpg + i] * W[g*opg + o, i, ky, kx] )
///
/// where pad(in) reads 0 outside the image for `.zero` and mirrors for `.reflect`.
/// outH = (inH + top + bottom - KH)/s + 1 (likewise for the width).
@_spi(Testing) public enum Conv2DNaive {
    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        oihw: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outC: Int,
        kernelH kh: Int, kernelW kw: Int, stride s: Int, groups: Int,
        padTop: Int, padLeft: Int, padBottom: Int, padRight: Int, padMode: PadMode,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>
    ) {
        let outH = (inH + padTop + padBottom - kh) / s + 1
        let outW = (inW + padLeft + padRight - kw) / s + 1
        let cpg = inC / groups, opg = outC / groups
        for n in 0..<batch {
            for y in 0..<outH {
                for x in 0..<outW {
                    for oc in 0..<outC {
                        let g = oc / opg
                        var sum = Double(bias?[oc] ?? 0)
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                var iy = y * s + ky - padTop, ix = x * s + kx - padLeft
                                if padMode == .reflect {
                                    iy = reflectIndex(iy, inH); ix = reflectIndex(ix, inW)
                                } else if iy < 0 || iy >= inH || ix < 0 || ix >= inW {
                                    continue
                                }
                                for i in 0..<cpg {
                                    let v = input[((n * inH + iy) * inW + ix) * inC + g * cpg + i]
                                    let wv = oihw[((oc * cpg + i) * kh + ky) * kw + kx]
                                    sum += Double(v) * Double(wv)
                                }
                            }
                        }
                        output[((n * outH + y) * outW + x) * outC + oc] = activation.apply(Float(sum))
                    }
                }
            }
        }
    }
}
