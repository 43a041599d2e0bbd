/// A 3x3 matrix of Doubles (row-major), just what colour transforms need.
struct Matrix3: Equatable {
    var m: [Double]

    init(_ m: [Double]) { precondition(m.count == 9); self.m = m }

    static let identity = Matrix3([1, 0, 0, 0, 1, 0, 0, 0, 1])

    subscript(r: Int, c: Int) -> Double {
        get { m[r * 3 + c] }
        set { m[r * 3 + c] = newValue }
    }

    static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        var out = Matrix3([Double](repeating: 0, count: 9))
        for r in 0..<3 { for c in 0..<3 { for k in 0..<3 { out[r, c] += a[r, k] * b[k, c] } } }
        return out
    }

    func apply(_ v: (Double, Double, Double)) -> (Double, Double, Double) {
        (m[0] * v.0 + m[1] * v.1 + m[2] * v.2,
         m[3] * v.0 + m[4] * v.1 + m[5] * v.2,
         m[6] * v.0 + m[7] * v.1 + m[8] * v.2)
    }

    var transposed: Matrix3 { Matrix3([m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]) }

    /// Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix by cyclic
    /// Jacobi rotations: A = V diag(values) V^T.
    func symmetricEigen() -> (values: [Double], vectors: Matrix3) {
        var a = self, v = Matrix3.identity
        for _ in 0..<64 {
            let off = a[0, 1] * a[0, 1] + a[0, 2] * a[0, 2] + a[1, 2] * a[1, 2]
            let scale = a[0, 0] * a[0, 0] + a[1, 1] * a[1, 1] + a[2, 2] * a[2, 2]
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p, q] != 0 {
                // Rotation angle that zeroes a[p,q] (Numerical Recipes, Jacobi).
                let theta = (a[q, q] - a[p, p]) / (2 * a[p, q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                var r = Matrix3.identity
                r[p, p] = c; r[q, q] = c; r[p, q] = s; r[q, p] = -s
                a = r.transposed * a * r
                v = v * r
            }
        }
        return ([a[0, 0], a[1, 1], a[2, 2]], v)
    }

    /// S^power for a symmetric positive semi-definite S: V diag(max(lambda, floor)^power) V^T.
    func symmetricPower(_ power: Double, floor: Double = 1e-12) -> Matrix3 {
        let (values, v) = symmetricEigen()
        var d = Matrix3([Double](repeating: 0, count: 9))
        for i in 0..<3 { d[i, i] = Foundation_pow(max(values[i], floor), power) }
        return v * d * v.transposed
    }

    /// Lower-triangular L with L L^T = S (S symmetric positive definite; a tiny ridge of
    /// `floor` on the diagonal keeps degenerate, e.g. single-colour, images finite).
    func cholesky(floor: Double = 1e-12) -> Matrix3 {
        var l = Matrix3([Double](repeating: 0, count: 9))
        for i in 0..<3 {
            for j in 0...i {
                var sum = self[i, j] + (i == j ? floor : 0)
                for k in 0..<j { sum -= l[i, k] * l[j, k] }
                l[i, j] = i == j ? max(sum, floor).squareRoot() : sum / l[j, j]
            }
        }
        return l
    }

    /// The inverse by the adjugate (the matrix must be invertible).
    var inverse: Matrix3 {
        let c00 = m[4] * m[8] - m[5] * m[7], c01 = m[5] * m[6] - m[3] * m[8], c02 = m[3] * m[7] - m[4] * m[6]
        let det = m[0] * c00 + m[1] * c01 + m[2] * c02
        return Matrix3([
            c00 / det, (m[2] * m[7] - m[1] * m[8]) / det, (m[1] * m[5] - m[2] * m[4]) / det,
            c01 / det, (m[0] * m[8] - m[2] * m[6]) / det, (m[2] * m[3] - m[0] * m[5]) / det,
            c02 / det, (m[1] * m[6] - m[0] * m[7]) / det, (m[0] * m[4] - m[1] * m[3]) / det,
        ])
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func Foundation_pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
import Foundation
@inline(__always) func Foundation_pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
#endif
