/// A tight FMA loop for measuring the machine's peak float32 throughput (the
/// benchmark's reference for "% of peak"): 12 independent 8-wide accumulators, so
/// both FMA pipes stay busy despite the 4-cycle FMA latency. It runs in the active
/// `KernelISA`'s variant, so it measures the peak of the kernels in use.
///
/// flops = 2 (multiply + add) * 8 lanes * 12 accumulators * iterations, per piece.
public enum FMAPeak {
    /// Runs `pieces` independent FMA loops of `iterations` steps spread over the
    /// thread budget; returns the number of floating-point operations done and a
    /// value that depends on every result (so the loop cannot be optimised away).
    public static func run(pieces: Int, iterations: Int) -> (flops: Double, checksum: Float) {
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: pieces)
        defer { sums.deallocate() }
        Parallel.forEach(pieces) { p in
            sums[p] = loop(iterations, seed: Float(p))
        }
        var checksum: Float = 0
        for p in 0..<pieces { checksum += sums[p] }
        return (2 * 8 * 12 * Double(iterations) * Double(pieces), checksum)
    }

    /// 12 chains of 8 lanes, c <- c * 0.999999 + 1e-7, in the active `KernelISA`'s C loop
    /// (fused multiply-adds on AVX2, a multiply and an add in the portable variant).
    static func loop(_ iterations: Int, seed: Float) -> Float {
        activeKernels.peak_loop!(iterations, seed)
    }
}
