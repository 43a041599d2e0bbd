/// A tight FMA loop for measuring the machine's peak float32 throughput (the
/// benchmark's reference for "% of peak"): 12 independent 8-wide accumulators, so
/// both FMA pipes stay busy despite the 4-cycle FMA latency.
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

    @inline(never)
    static func loop(_ iterations: Int, seed: Float) -> Float {
        let m = SIMD8<Float>(repeating: 0.999_999), a = SIMD8<Float>(repeating: 1e-7)
        var c0 = SIMD8<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3
        var c4 = c0 + 4, c5 = c0 + 5, c6 = c0 + 6, c7 = c0 + 7
        var c8 = c0 + 8, c9 = c0 + 9, c10 = c0 + 10, c11 = c0 + 11
        for _ in 0..<iterations {
            c0 = a.addingProduct(c0, m); c1 = a.addingProduct(c1, m); c2 = a.addingProduct(c2, m)
            c3 = a.addingProduct(c3, m); c4 = a.addingProduct(c4, m); c5 = a.addingProduct(c5, m)
            c6 = a.addingProduct(c6, m); c7 = a.addingProduct(c7, m); c8 = a.addingProduct(c8, m)
            c9 = a.addingProduct(c9, m); c10 = a.addingProduct(c10, m); c11 = a.addingProduct(c11, m)
        }
        let s = (c0 + c1 + c2 + c3) + (c4 + c5 + c6 + c7) + (c8 + c9 + c10 + c11)
        return s.sum()
    }
}
