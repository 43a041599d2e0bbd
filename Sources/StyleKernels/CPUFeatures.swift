import CStyleKernels

/// What the running CPU offers the kernels, as the start-up dispatcher sees it.
///
/// The package is compiled for the baseline instruction set of its architecture (no
/// `-target-cpu`); the AVX2+FMA and AVX-512F kernels are compiled beside the portable ones and chosen at
/// start-up only when the CPU and the OS support them (`KernelISA`). A binary built on
/// any machine therefore runs on any CPU of the architecture, and never stops with an
/// illegal instruction: on a CPU without AVX2 it uses the portable kernels.
public enum CPUFeatures {
    /// True when the CPU reports AVX2 and FMA (CPUID) and the OS saves the AVX registers
    /// (XGETBV); always false off x86-64.
    public static var hasAVX2FMA: Bool { sk_cpu_has_avx2_fma() != 0 }

    /// True when, in addition, the CPU reports AVX-512F and the OS saves the opmask and zmm
    /// registers; always false off x86-64.
    public static var hasAVX512F: Bool { sk_cpu_has_avx512f() != 0 }

    /// True when, in addition, the CPU reports AVX512_BF16 (and AVX512BW/VL); always false
    /// off x86-64.
    public static var hasAVX512BF16: Bool { sk_cpu_has_avx512bf16() != 0 }

    /// One line for `--version` and logs: the kernels in use and why, e.g.
    /// "kernels: avx512f (CPU supports: generic, avx2+fma, avx512f); bf16: avx512bf16".
    public static var summary: String {
        var line = "kernels: \(KernelISA.active.name) (CPU supports: \(KernelISA.supported.map(\.name).joined(separator: ", ")))"
        line += "; bf16: \(BF16Kernels.active.rawValue)"
        if let note = KernelISA.startupNote { line += "; \(note)" }
        return line
    }
}
