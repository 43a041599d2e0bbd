import CStyleKernels

/// The instruction set whose kernels run: chosen once, when the library is loaded.
///
/// The inner loops of the convolution kernels (direct, Winograd F(4x4,3x3) transforms and
/// GEMM, few-output-channel, depthwise) are compiled several times in one build, in the C
/// target `CStyleKernels`: a portable variant (4-lane vectors, a multiply and an add per term:
/// SSE2 on x86-64), an AVX2+FMA variant (per-function target attributes, x86-64), an
/// AVX-512F variant (the AVX2 one with a 16-lane conv tile of 12 pixels, x86-64) and a NEON
/// variant (aarch64). Code compiled for the baseline ISA reads CPUID and XGETBV at start-up
/// and fills the table of kernels, as onnxruntime's MLAS does; the environment variable
/// `STYLIZE_ISA` (`generic`, `avx2`, `avx512f`, `neon`, `auto`) overrides the choice. A
/// binary therefore never executes an instruction its CPU lacks.
///
/// The variants differ only in rounding (one fused multiply-add per term, or a multiply and
/// an add): each is deterministic for any thread count, and the tests compare every
/// variant the machine supports with the naive twins and with each other. The AVX2+FMA and
/// AVX-512F variants compute every output by the same chain of fused multiply-adds, so
/// their results are bit-identical.
public enum KernelISA: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Portable kernels (SSE2 on x86-64): multiply, then add.
    case generic = "generic"
    /// AVX2 + FMA kernels (x86-64, Haswell / Zen and later).
    case avx2FMA = "avx2+fma"
    /// AVX-512F kernels (x86-64, Skylake-SP / Zen 4 and later): the AVX2+FMA ones with a
    /// 16-lane conv tile; bit-identical results.
    case avx512F = "avx512f"
    /// NEON kernels with fused multiply-add (aarch64).
    case neon = "neon"

    /// The name printed by `stylize --version` ("generic", "avx2+fma", "avx512f", "neon").
    public var name: String { rawValue }
    public var description: String { rawValue }

    var cValue: sk_isa {
        switch self {
        case .generic: return SK_ISA_GENERIC
        case .avx2FMA: return SK_ISA_AVX2
        case .avx512F: return SK_ISA_AVX512F
        case .neon: return SK_ISA_NEON
        }
    }

    init(_ isa: sk_isa) {
        switch isa {
        case SK_ISA_AVX2: self = .avx2FMA
        case SK_ISA_AVX512F: self = .avx512F
        case SK_ISA_NEON: self = .neon
        default: self = .generic
        }
    }

    /// The kernels in use.
    public static var active: KernelISA { KernelISA(sk_active().pointee.isa) }

    /// The variants this binary contains that the running CPU (and its OS) can execute,
    /// portable first.
    public static var supported: [KernelISA] { allCases.filter { sk_table($0.cValue) != nil } }

    /// Why `STYLIZE_ISA` was not honoured at start-up (an unknown value, or an instruction
    /// set this CPU lacks), or nil. The library also printed it to standard error then.
    public static var startupNote: String? { sk_startup_note().map { String(cString: $0) } }

    /// Makes `isa` the active variant for the whole process (tests and benchmarks compare
    /// variants with it). Returns false, changing nothing, when the CPU cannot run it.
    /// Not for use while kernels run on other threads.
    @_spi(Testing) @discardableResult
    public static func select(_ isa: KernelISA) -> Bool { sk_select(isa.cValue) == 0 }

    /// Runs `body` once with each supported variant active, then restores the one that was.
    @_spi(Testing)
    public static func forEachSupported(_ body: (KernelISA) throws -> Void) rethrows {
        let saved = active
        defer { select(saved) }
        for isa in supported {
            select(isa)
            try body(isa)
        }
    }
}

/// The table of the active kernels (read once per kernel call, outside the loops).
@inline(__always)
var activeKernels: sk_kernels { sk_active().pointee }
