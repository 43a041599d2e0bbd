/// The naive twin of the bf16 kernels: `sk_bf16.h`'s formulas in plain Swift loops on the
/// OIHW weights, with `Float.addingProduct` as the fused multiply-add. It agrees with the
/// instruction and the C emulation bit for bit away from the underflow boundary (|x| near
/// 2^-126, where the instruction's flush and IEEE's gradual underflow round differently;
/// the C emulation is compared with the instruction there). For tests only.
@_spi(Testing) public enum BF16Naive {
    /// bf16(x): NaN quieted, zero/denormal to the signed zero, else nearest even at bit 16.
    public static func round(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        if u & 0x7fff_ffff > 0x7f80_0000 { return UInt16(truncatingIfNeeded: (u >> 16) | 0x40) }
        if u & 0x7f80_0000 == 0 { return UInt16(truncatingIfNeeded: (u >> 16) & 0x8000) }
        return UInt16(truncatingIfNeeded: (u &+ 0x7fff &+ ((u >> 16) & 1)) >> 16)
    }

    /// The float a bf16 value (or a float accumulator) reads as: denormals as the signed zero.
    public static func value(_ h: UInt16) -> Float { flush(Float(bitPattern: UInt32(h) << 16)) }

    static func flush(_ x: Float) -> Float { x.isSubnormal ? Float(signOf: x, magnitudeOf: 0) : x }

    /// dot(acc, (a0, a1), (b0, b1)) = F(F(acc + a1*b1) + a0*b0).
    public static func dot(_ acc: Float, _ a0: UInt16, _ a1: UInt16, _ b0: UInt16, _ b1: UInt16) -> Float {
        let s = flush(flush(acc).addingProduct(value(a1), value(b1)))
        return flush(s.addingProduct(value(a0), value(b0)))
    }

    /// out[n, y, x, o] = act(acc): acc = bias[o], then for ky, and the pairs of the (kx, ci)
    /// run in order, acc <- dot(acc, (bf16(in), bf16(in)), (bf16(W), bf16(W))); `input`
    /// already padded, NHWC, one group, kw*inC even.
    public static func conv(input: [Float], batch: Int, inH: Int, inW: Int, inC: Int, oihw: [Float], bias: [Float]?,
                            outC: Int, kernelH kh: Int, kernelW kw: Int, stride s: Int,
                            activation: FusedActivation) -> [Float] {
        precondition((kw * inC) % 2 == 0, "BF16Naive.conv: kw * inC must be even")
        let outH = (inH - kh) / s + 1, outW = (inW - kw) / s + 1
        var out = [Float](repeating: 0, count: batch * outH * outW * outC)
        for n in 0..<batch {
            for y in 0..<outH {
                for x in 0..<outW {
                    for o in 0..<outC {
                        var acc = bias?[o] ?? 0
                        for ky in 0..<kh {
                            var j = 0
                            while j < kw * inC {
                                func inp(_ j: Int) -> UInt16 {
                                    round(input[((n * inH + y * s + ky) * inW + x * s + j / inC) * inC + j % inC])
                                }
                                func wt(_ j: Int) -> UInt16 { round(oihw[((o * inC + j % inC) * kh + ky) * kw + j / inC]) }
                                acc = dot(acc, inp(j), inp(j + 1), wt(j), wt(j + 1))
                                j += 2
                            }
                        }
                        out[((n * outH + y) * outW + x) * outC + o] = activation.apply(acc)
                    }
                }
            }
        }
        return out
    }
}
