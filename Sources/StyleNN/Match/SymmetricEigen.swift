import StyleKernels

/// The eigendecomposition of a real symmetric n x n matrix in Double,
///
///     A = V diag(values) V^T,   V orthogonal,   values ascending,
///
/// by Householder reduction to tridiagonal form and the implicit QL algorithm with Wilkinson
/// shifts (EISPACK tred2/tql2, as in JAMA's public-domain EigenvalueDecomposition), with the
/// transformations stored transposed so every inner loop runs over contiguous memory. Cost
/// about 4 n^3 multiply-adds (n = 192: about 28 million). Only the lower triangle of the input
/// is read. Deterministic: plain sequential loops, no threads.
public struct SymmetricEigen: Equatable, Sendable {
    public let size: Int
    /// Eigenvalues, ascending.
    public let values: [Double]
    /// Eigenvectors as rows: row k (`vectors[k*n ..< (k+1)*n]`) belongs to `values[k]`.
    public let vectors: [Double]

    /// Decomposes the symmetric `matrix` (n x n, row-major; the lower triangle is used).
    public init(symmetric matrix: [Double], size n: Int) {
        precondition(n >= 1 && matrix.count == n * n, "SymmetricEigen: \(matrix.count) values for a \(n) x \(n) matrix")
        size = n
        var w = [Double](repeating: 0, count: n * n)   // w[b*n + a] = V[a][b]
        // V starts as A; storing A^T is the same for a symmetric matrix, but only the lower
        // triangle of `matrix` may be read, so mirror it.
        for i in 0..<n { for j in 0...i { w[i * n + j] = matrix[i * n + j]; w[j * n + i] = matrix[i * n + j] } }
        var d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: n)
        if n == 1 {
            values = [matrix[0]]
            vectors = [1]
            return
        }
        w.withUnsafeMutableBufferPointer { wb in
            d.withUnsafeMutableBufferPointer { db in
                e.withUnsafeMutableBufferPointer { eb in
                    Self.tred2(wb.baseAddress!, db.baseAddress!, eb.baseAddress!, n)
                    Self.tql2(wb.baseAddress!, db.baseAddress!, eb.baseAddress!, n)
                }
            }
        }
        // Sort ascending (selection sort, as JAMA), swapping rows of w.
        for i in 0..<(n - 1) {
            var k = i, p = d[i]
            for j in (i + 1)..<n where d[j] < p { k = j; p = d[j] }
            if k != i {
                d[k] = d[i]; d[i] = p
                for c in 0..<n { w.swapAt(i * n + c, k * n + c) }
            }
        }
        values = d
        vectors = w
    }

    /// V diag(f(values)) V^T: a function of the matrix (n x n, row-major).
    public func function(_ f: (Double) -> Double) -> [Double] {
        let n = size
        let fv = values.map(f)
        var scaled = vectors                        // row k times f(value k)
        for k in 0..<n { for c in 0..<n { scaled[k * n + c] *= fv[k] } }
        var out = [Double](repeating: 0, count: n * n)
        // out[a][b] = sum_k V[a][k] f_k V[b][k] = sum_k vectors[k][a] * scaled[k][b]
        vectors.withUnsafeBufferPointer { v in
            scaled.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    DoubleMatrixKernels.gemm(m: n, n: n, k: n, a: v.baseAddress!, rowStride: 1, depthStride: n,
                                             b: s.baseAddress!, ldb: n, c: o.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }

    /// Householder reduction (EISPACK tred2) on w = V^T: on return the rows of w hold the
    /// accumulated orthogonal transformation, d the diagonal and e the sub-diagonal (e[0] = 0).
    private static func tred2(_ w: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
                              _ e: UnsafeMutablePointer<Double>, _ n: Int) {
        // V[a][b] is w[b*n + a].
        for j in 0..<n { d[j] = w[j * n + n - 1] }
        var i = n - 1
        while i > 0 {
            var scale = 0.0, h = 0.0
            for k in 0..<i { scale += abs(d[k]) }
            if scale == 0 {
                e[i] = d[i - 1]
                for j in 0..<i {
                    d[j] = w[j * n + i - 1]
                    w[j * n + i] = 0
                    w[i * n + j] = 0
                }
            } else {
                for k in 0..<i { d[k] /= scale; h += d[k] * d[k] }
                var f = d[i - 1]
                var g = h.squareRoot()
                if f > 0 { g = -g }
                e[i] = scale * g
                h -= f * g
                d[i - 1] = f - g
                for j in 0..<i { e[j] = 0 }
                for j in 0..<i {
                    f = d[j]
                    w[i * n + j] = f
                    let col = w + j * n           // V[k][j] = col[k]
                    g = e[j] + col[j] * f
                    if j + 1 <= i - 1 {
                        for k in (j + 1)...(i - 1) {
                            g += col[k] * d[k]
                            e[k] += col[k] * f
                        }
                    }
                    e[j] = g
                }
                f = 0
                for j in 0..<i { e[j] /= h; f += e[j] * d[j] }
                let hh = f / (h + h)
                for j in 0..<i { e[j] -= hh * d[j] }
                for j in 0..<i {
                    f = d[j]; g = e[j]
                    let col = w + j * n
                    for k in j..<i { col[k] -= f * e[k] + g * d[k] }
                    d[j] = col[i - 1]
                    col[i] = 0
                }
            }
            d[i] = h
            i -= 1
        }
        // Accumulate the transformations.
        for i in 0..<(n - 1) {
            w[i * n + n - 1] = w[i * n + i]
            w[i * n + i] = 1
            let h = d[i + 1]
            let next = w + (i + 1) * n          // V[k][i+1] = next[k]
            if h != 0 {
                for k in 0...i { d[k] = next[k] / h }
                for j in 0...i {
                    let col = w + j * n
                    var g = 0.0
                    for k in 0...i { g += next[k] * col[k] }
                    for k in 0...i { col[k] -= g * d[k] }
                }
            }
            for k in 0...i { next[k] = 0 }
        }
        for j in 0..<n {
            d[j] = w[j * n + n - 1]
            w[j * n + n - 1] = 0
        }
        w[(n - 1) * n + n - 1] = 1
        e[0] = 0
    }

    /// Implicit QL with shifts (EISPACK tql2) on the tridiagonal (d, e); the rotations are
    /// applied to the rows of w. On return d holds the eigenvalues (unsorted).
    private static func tql2(_ w: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
                             _ e: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 1..<n { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0, tst1 = 0.0
        let eps = Double.ulpOfOne
        for l in 0..<n {
            tst1 = max(tst1, abs(d[l]) + abs(e[l]))
            var m = l
            while m < n - 1 {
                if abs(e[m]) <= eps * tst1 { break }
                m += 1
            }
            if m > l {
                var iterations = 0
                repeat {
                    iterations += 1
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = hypot2(p, 1)
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    if l + 2 < n { for i in (l + 2)..<n { d[i] -= h } }
                    f += h
                    p = d[m]
                    var c = 1.0, c2 = 1.0, c3 = 1.0
                    let el1 = e[l + 1]
                    var s = 0.0, s2 = 0.0
                    var i = m - 1
                    while i >= l {
                        c3 = c2; c2 = c; s2 = s
                        g = c * e[i]
                        h = c * p
                        r = hypot2(p, e[i])
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        DoubleMatrixKernels.rotate(w + i * n, w + (i + 1) * n, count: n, c: c, s: s)
                        i -= 1
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                } while abs(e[l]) > eps * tst1 && iterations < 64
            }
            d[l] += f
            e[l] = 0
        }
    }

    /// sqrt(a^2 + b^2) without overflow.
    @inline(__always)
    private static func hypot2(_ a: Double, _ b: Double) -> Double {
        let x = abs(a), y = abs(b)
        let big = max(x, y), small = min(x, y)
        if big == 0 { return 0 }
        let t = small / big
        return big * (1 + t * t).squareRoot()
    }
}
