/// Double-precision matrix kernels for the covariance match (co-moment gathering, the
/// symmetric eigendecomposition and products of C x C matrices), in the active `KernelISA`'s
/// C loops:
///
///     gemm:   c[i*ldc + j] += Σ_{p<k} a[i*ais + p*aps] * b[p*ldb + j]     (i < m, j < n)
///     rotate: t = y[k];  y[k] = s x[k] + c t;  x[k] = c x[k] - s t          (k < n)
///
/// The strides of `a` make one kernel do a product (ais = lda, aps = 1), a product with a
/// transposed left factor (ais = 1, aps = lda) and a Gram matrix X^T X (a = b = X).
/// Register-blocked: 4 rows of c x 2 vectors of doubles (2 per vector in the portable and
/// NEON variants, 4 in the AVX2 and AVX-512F ones), the sum over p in order in registers,
/// one multiply-add per term (fused on AVX2, AVX-512F and NEON, a multiply and an add in the
/// portable variant), added to c at the end. Single-threaded and sequential, so results do
/// not depend on the thread count; callers split work into fixed pieces.
public enum DoubleMatrixKernels {
    /// The `gemm` formula; with `upper`, 4 x 2-vector tiles wholly below the diagonal (all
    /// j < i) are skipped (for symmetric results whose lower triangle is mirrored afterwards).
    public static func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, rowStride ais: Int, depthStride aps: Int,
                            b: UnsafePointer<Double>, ldb: Int, c: UnsafeMutablePointer<Double>, ldc: Int, upper: Bool = false) {
        precondition(m >= 0 && n >= 0 && k >= 0 && ldb >= n && ldc >= n, "DoubleMatrixKernels.gemm: bad sizes")
        guard m > 0, n > 0, k > 0 else { return }
        activeKernels.dgemm_acc!(Int32(m), Int32(n), Int32(k), a, ais, aps, b, ldb, c, ldc, upper ? 1 : 0)
    }

    /// The `rotate` formula on two rows of `n` values.
    public static func rotate(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, c: Double, s: Double) {
        guard n > 0 else { return }
        activeKernels.drot!(x, y, Int32(n), c, s)
    }

    /// The naive twin of `gemm` (plain loops, every entry, a multiply then an add per term).
    @_spi(Testing) public static func gemmNaive(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, rowStride ais: Int, depthStride aps: Int,
                                 b: UnsafePointer<Double>, ldb: Int, c: UnsafeMutablePointer<Double>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += a[i * ais + p * aps] * b[p * ldb + j] }
                c[i * ldc + j] += sum
            }
        }
    }

    /// The naive twin of `rotate`.
    @_spi(Testing) public static func rotateNaive(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, c: Double, s: Double) {
        for k in 0..<n {
            let t = y[k]
            y[k] = s * x[k] + c * t
            x[k] = c * x[k] - s * t
        }
    }
}
