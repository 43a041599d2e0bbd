@_spi(KernelTesting) import StyleKernels
import StyleTensor

/// Runs `body` once per kernel variant this CPU supports (portable first, then AVX2+FMA
/// where the CPU has it), with that variant active for the whole process, and restores the
/// variant that was active. Kernel tests wrap their checks in it so that every variant is
/// compared with the naive twins at the same stated bounds.
func forEachISA(_ body: (KernelISA) throws -> Void) rethrows {
    try KernelISA.forEachSupported(body)
}

/// SplitMix64: a tiny seeded generator so every random shape and value is reproducible.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in float() } }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    mutating func tensor(_ shape: Shape) -> Tensor { Tensor(shape: shape, data: floats(shape.count)) }
}

/// Largest |a - b| / (scale[i] + floor) over all values: the test fails when it exceeds 1.
func worstRelativeError(_ a: [Float], _ b: [Float], scale: [Float], relTol: Float, absFloor: Float) -> Float {
    precondition(a.count == b.count && a.count == scale.count)
    var worst: Float = 0
    for i in 0..<a.count {
        let allowed = relTol * scale[i] + absFloor
        worst = max(worst, abs(a[i] - b[i]) / allowed)
    }
    return worst
}
