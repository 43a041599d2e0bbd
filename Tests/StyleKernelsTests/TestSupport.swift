@_spi(Testing) import StyleKernels
import StyleTensor

/// Runs `body` once per kernel variant this CPU supports (portable first, then AVX2+FMA
/// where the CPU has it), with that variant active for the whole process, and restores the
/// variant that was active. Kernel tests wrap their checks in it so that every variant is
/// compared with the naive twins at the same stated bounds.
func forEachISA(_ body: (KernelISA) throws -> Void) rethrows {
    try KernelISA.forEachSupported(body)
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
