import XCTest
import StyleTensor
@testable import StyleNN
import StylizeTestSupport

final class SymmetricEigenTests: XCTestCase {
    /// Eigenvalues equal numpy.linalg.eigh's (Golden/make_golden_match.py) on a well-spread,
    /// a rank-deficient and a repeated-eigenvalue matrix, within 1e-12 of the largest |value|;
    /// each decomposition reconstructs its matrix and its vectors are orthonormal.
    func testAgainstNumpyEigh() throws {
        let g = try Golden.load("match")
        for (index, case_) in (g["eigen"] as! [[String: Any]]).enumerated() {
            let n = (case_["size"] as! NSNumber).intValue
            let a = Golden.doubles(case_["matrix"]), expected = Golden.doubles(case_["values"])
            let e = SymmetricEigen(symmetric: a, size: n)
            let scale = expected.map(abs).max()!
            reportDeviation("eigenvalues vs numpy eigh, case \(index) (relative)", Float(maxDifference(e.values, expected) / scale), limit: 1e-12)
            checkDecomposition(e, a, n, "case \(index)")
        }
    }

    /// A 192 x 192 covariance (the default model's bottleneck width) from seeded features,
    /// with 40 dead channels: reconstruction and orthogonality to 1e-12 (relative).
    func testBottleneckSizedCovariance() throws {
        var rng = SeededRandom(seed: 192)
        let c = 192
        var features = rng.tensor(Shape(n: 1, h: 24, w: 24, c: c), scale: 1)
        for p in 0..<(24 * 24) { for ch in 0..<40 { features.data[p * c + ch * 4] = 0 } }   // every 4th of the first 160: dead
        let cov = try CovarianceStatistics(of: features, kind: .instance).covariance()
        let e = SymmetricEigen(symmetric: cov, size: c)
        checkDecomposition(e, cov, c, "192x192")
        XCTAssertEqual(e.values.filter { abs($0) < 1e-12 }.count, 40, "one zero eigenvalue per dead channel")
        XCTAssertEqual(e.values, e.values.sorted(), "ascending")
    }

    /// The matrix function of the ridge: W = S^(-1/2) whitens, W S W = E diag(lambda / (lambda + eps)) E^T.
    func testWhiteningMatrix() throws {
        var rng = SeededRandom(seed: 7)
        let features = correlatedFeatures(&rng, Shape(n: 1, h: 30, w: 30, c: 16))
        let cov = try CovarianceStatistics(of: features, kind: .instance).covariance()
        let swap = try CovarianceSwap(kind: .instance, eps: 0)
        let w = swap.power(cov, 16, -0.5)
        let white = matmul(matmul(w, cov, 16), w, 16)
        var identity = [Double](repeating: 0, count: 256)
        for i in 0..<16 { identity[i * 17] = 1 }
        reportDeviation("W S W vs I (eps 0)", Float(maxDifference(white, identity)), limit: 1e-10)
        let sqrt = swap.power(cov, 16, 0.5)
        reportDeviation("S^1/2 S^1/2 vs S (relative)", Float(maxDifference(matmul(sqrt, sqrt, 16), cov) / cov.map(abs).max()!), limit: 1e-12)
    }

    private func checkDecomposition(_ e: SymmetricEigen, _ a: [Double], _ n: Int, _ what: String) {
        let scale = max(a.map(abs).max()!, 1e-300)
        let rebuilt = e.function { $0 }
        reportDeviation("V diag V^T vs A, \(what) (relative)", Float(maxDifference(rebuilt, a) / scale), limit: 1e-12)
        var worst = 0.0
        for i in 0..<n { for j in 0..<n {
            var dot = 0.0
            for k in 0..<n { dot += e.vectors[i * n + k] * e.vectors[j * n + k] }
            worst = max(worst, abs(dot - (i == j ? 1 : 0)))
        } }
        reportDeviation("V V^T vs I, \(what)", Float(worst), limit: 1e-12)
    }
}
