import CStyleKernels

/// The reduced-precision (bfloat16) kernels of `Precision.bf16`: AVX512_BF16's vdpbf16ps where
/// the CPU has it, a portable emulation of the same arithmetic elsewhere (see `sk_bf16.h` for
/// the formulas: bf16 rounding, and `dot`, two fused multiply-adds per pair, odd term first,
/// denormals read and written as zeros).
///
/// Chosen at start-up: the instruction when the active `KernelISA` is AVX-512F and the CPU
/// has AVX512_BF16, else the emulation (exact, but scalar: several times slower than f32);
/// `STYLIZE_BF16=emulated` forces the emulation.
public enum BF16Kernels: String, Sendable, CaseIterable, CustomStringConvertible {
    /// vdpbf16ps (x86-64 with AVX512_BF16).
    case instruction = "avx512bf16"
    /// Portable scalar code, bit-identical to the instruction.
    case emulated = "emulated"

    public var description: String { rawValue }

    /// The kernels in use.
    public static var active: BF16Kernels {
        String(cString: sk_bf16_active().pointee.name) == "emulated" ? .emulated : .instruction
    }

    /// The variants this CPU runs, the emulation first.
    public static var supported: [BF16Kernels] {
        sk_bf16_instruction() == nil ? [.emulated] : [.emulated, .instruction]
    }

    /// Makes `kernels` active for the process (tests, benchmarks); false if the CPU lacks it.
    @_spi(Testing) @discardableResult
    public static func select(_ kernels: BF16Kernels) -> Bool { sk_bf16_select(kernels == .instruction ? 1 : 0) == 0 }

    /// Runs `body` with each supported variant active, then restores the one that was.
    @_spi(Testing)
    public static func forEachSupported(_ body: (BF16Kernels) throws -> Void) rethrows {
        let saved = active
        defer { select(saved) }
        for k in supported {
            select(k)
            try body(k)
        }
    }

    /// dst[i] = bf16(src[i]) (round to nearest even; zeros and denormals to the signed zero).
    public static func round(_ src: UnsafePointer<Float>, count: Int, into dst: UnsafeMutablePointer<UInt16>) {
        sk_bf16_active().pointee.from_f32(src, count, dst)
    }

    /// `values` rounded to bf16.
    public static func rounded(_ values: [Float]) -> [UInt16] {
        [UInt16](unsafeUninitializedCapacity: values.count) { out, n in
            values.withUnsafeBufferPointer { round($0.baseAddress!, count: values.count, into: out.baseAddress!) }
            n = values.count
        }
    }

    /// Test hook: out[i] = dot(acc[i], (a[2i], a[2i+1]), (b[2i], b[2i+1])) by the active variant.
    @_spi(Testing)
    public static func dotLanes(acc: [Float], a: [UInt16], b: [UInt16]) -> [Float] {
        precondition(a.count == 2 * acc.count && b.count == a.count, "dotLanes: sizes")
        var out = [Float](repeating: 0, count: acc.count)
        sk_bf16_active().pointee.dot_lanes(acc, a, b, &out, Int32(acc.count))
        return out
    }
}

/// The bf16 weight layout of the GEMM tile (`sk_bf16.h`'s gemm_tiles): per block of 16 output
/// channels, `[ky][q][16][2]`, q the pairs of the kernel row's `kw * cin` run (kx, ci) in
/// order; output channels past the end are zero.
public enum BF16Packing {
    /// Elements of the packed weights: blocks x kh x (kw*cin/2) x 32.
    public static func packedCount(outChannels: Int, inChannels: Int, kernelH: Int, kernelW: Int) -> Int {
        ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * kernelH * kernelW * inChannels * 16
    }

    /// True when a single-group conv can run in bf16: its kernel rows hold whole pairs.
    public static func isApplicable(inChannels: Int, kernelW: Int, groups: Int) -> Bool {
        groups == 1 && (kernelW * inChannels) % 2 == 0
    }

    /// True when the direct bf16 kernel is worth it: kernel rows of at least 24 values (12
    /// pairs). Shorter rows (a 1x1 conv from 16 channels) were slower in bf16 than in float32,
    /// the per-row rounding of the input outweighing the shorter sums (`stylize-bench convs
    /// --precision bf16`, default model at 512 px, one AVX512_BF16 core).
    public static func pays(inChannels: Int, kernelW: Int) -> Bool { kernelW * inChannels >= 24 }

    /// Packs OIHW weights for the direct bf16 kernel (`Conv2DKernel.runBF16`).
    public static func pack(oihw: [Float], outChannels: Int, inChannels cin: Int, kernelH kh: Int, kernelW kw: Int) -> [UInt16] {
        precondition(isApplicable(inChannels: cin, kernelW: kw, groups: 1), "BF16Packing: kw * cin must be even")
        let nb = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1)
        let run = kw * cin
        var f = [Float](repeating: 0, count: packedCount(outChannels: outChannels, inChannels: cin, kernelH: kh, kernelW: kw))
        for b in 0..<nb {
            for ky in 0..<kh {
                for j in 0..<run {
                    let kx = j / cin, ci = j % cin
                    for lane in 0..<16 where b * 16 + lane < outChannels {
                        let co = b * 16 + lane
                        f[((b * kh + ky) * (run / 2) + j / 2) * 32 + lane * 2 + j % 2] = oihw[((co * cin + ci) * kh + ky) * kw + kx]
                    }
                }
            }
        }
        return BF16Kernels.rounded(f)
    }

    /// The Winograd-transformed weights (`Winograd4x4ConvKernel.pack`'s `[ξ][b][ci][16]`)
    /// rearranged to `[ξ][b][q][16][2]` and rounded to bf16.
    public static func packWinograd(_ u: [Float], outChannels: Int, inChannels cin: Int) -> [UInt16] {
        precondition(cin % 2 == 0, "BF16Packing: Winograd needs an even channel count")
        let nb = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1)
        var f = [Float](repeating: 0, count: u.count)
        for m in 0..<(36 * nb) {
            for ci in 0..<cin {
                for lane in 0..<16 {
                    f[(m * (cin / 2) + ci / 2) * 32 + lane * 2 + ci % 2] = u[(m * cin + ci) * 16 + lane]
                }
            }
        }
        return BF16Kernels.rounded(f)
    }
}
