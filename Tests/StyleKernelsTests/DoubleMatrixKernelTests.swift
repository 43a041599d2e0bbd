import Foundation
import XCTest
@_spi(Testing) import StyleKernels
import StylizeTestSupport

/// `DoubleMatrixKernels` (the covariance match's Double GEMM and plane rotation) against
/// their naive twins on every kernel variant the CPU runs, and the variants against each other.
final class DoubleMatrixKernelTests: XCTestCase {
    /// gemm with the three stride patterns the callers use (product, transposed left factor,
    /// Gram matrix), sizes that leave row and column tails: within 8 k 2^-53 Σ|terms| of the
    /// naive twin (rounding only), and with `upper` every entry j >= i equal to the full run's.
    func testGemmAgainstNaive() throws {
        var rng = SeededRandom(seed: 64)
        forEachISA { isa in
            for (m, n, k) in [(1, 1, 1), (5, 7, 3), (12, 12, 12), (37, 29, 50), (64, 64, 64), (13, 21, 130)] {
                for pattern in 0..<3 {
                    let (lda, rows) = pattern == 0 ? (k, m) : (m, k)             // a is m x k or k x m
                    let aValues = (0..<(rows * lda)).map { _ in Double(rng.float()) * 3 }
                    let bValues = pattern == 2 && m == n ? aValues : (0..<(k * n)).map { _ in Double(rng.float()) * 2 }
                    let ldb = pattern == 2 && m == n ? lda : n
                    let (ais, aps) = pattern == 0 ? (lda, 1) : (1, lda)
                    let start = (0..<(m * n)).map { _ in Double(rng.float()) }
                    var fast = start, slow = start, magnitude = [Double](repeating: 0, count: m * n)
                    aValues.withUnsafeBufferPointer { a in bValues.withUnsafeBufferPointer { b in
                        fast.withUnsafeMutableBufferPointer { c in
                            DoubleMatrixKernels.gemm(m: m, n: n, k: k, a: a.baseAddress!, rowStride: ais, depthStride: aps,
                                                     b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: n)
                        }
                        slow.withUnsafeMutableBufferPointer { c in
                            DoubleMatrixKernels.gemmNaive(m: m, n: n, k: k, a: a.baseAddress!, rowStride: ais, depthStride: aps,
                                                          b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: n)
                        }
                        for i in 0..<m { for j in 0..<n {
                            magnitude[i * n + j] = abs(start[i * n + j])
                            for p in 0..<k { magnitude[i * n + j] += abs(a[i * ais + p * aps] * b[p * ldb + j]) }
                        } }
                    } }
                    for i in 0..<(m * n) {
                        let bound = 8 * Double(k + 1) * 0x1p-53 * magnitude[i]
                        XCTAssertLessThanOrEqual(abs(fast[i] - slow[i]), bound, "\(isa) \(m)x\(n)x\(k) pattern \(pattern) entry \(i)")
                    }
                    if m == n {
                        var upper = start
                        aValues.withUnsafeBufferPointer { a in bValues.withUnsafeBufferPointer { b in upper.withUnsafeMutableBufferPointer { c in
                            DoubleMatrixKernels.gemm(m: m, n: n, k: k, a: a.baseAddress!, rowStride: ais, depthStride: aps,
                                                     b: b.baseAddress!, ldb: ldb, c: c.baseAddress!, ldc: n, upper: true)
                        } } }
                        for i in 0..<m { for j in i..<n { XCTAssertEqual(upper[i * n + j], fast[i * n + j], "\(isa) upper \(i),\(j)") } }
                    }
                }
            }
        }
    }

    /// rotate within 4 ulp-scale of its naive twin per value, on lengths with and without a tail.
    func testRotateAgainstNaive() throws {
        var rng = SeededRandom(seed: 65)
        forEachISA { isa in
            for n in [1, 3, 4, 9, 192] {
                let x0 = (0..<n).map { _ in Double(rng.float()) }, y0 = (0..<n).map { _ in Double(rng.float()) }
                let angle = Double(rng.float()) * 3, c = cos(angle), s = sin(angle)
                var xf = x0, yf = y0, xs = x0, ys = y0
                DoubleMatrixKernels.rotate(&xf, &yf, count: n, c: c, s: s)
                DoubleMatrixKernels.rotateNaive(&xs, &ys, count: n, c: c, s: s)
                for k in 0..<n {
                    let bound = 4 * 0x1p-53 * (abs(s * x0[k]) + abs(c * y0[k]) + abs(c * x0[k]) + abs(s * y0[k]))
                    XCTAssertLessThanOrEqual(abs(xf[k] - xs[k]), bound, "\(isa) x[\(k)] of \(n)")
                    XCTAssertLessThanOrEqual(abs(yf[k] - ys[k]), bound, "\(isa) y[\(k)] of \(n)")
                }
            }
        }
    }

    /// The AVX2+FMA and AVX-512F variants run the same fused chains: bit-identical.
    func testFusedVariantsAgree() throws {
        let fused = KernelISA.supported.filter { $0 == .avx2FMA || $0 == .avx512F }
        guard fused.count == 2 else { throw XCTSkip("needs both AVX2+FMA and AVX-512F") }
        var rng = SeededRandom(seed: 66)
        let n = 45, k = 70
        let a = (0..<(n * k)).map { _ in Double(rng.float()) }, b = (0..<(k * n)).map { _ in Double(rng.float()) }
        var results: [[UInt64]] = []
        forEachISA { isa in
            guard fused.contains(isa) else { return }
            var c = [Double](repeating: 0, count: n * n)
            DoubleMatrixKernels.gemm(m: n, n: n, k: k, a: a, rowStride: k, depthStride: 1, b: b, ldb: n, c: &c, ldc: n)
            results.append(c.map(\.bitPattern))
        }
        XCTAssertEqual(results[0], results[1])
    }
}
