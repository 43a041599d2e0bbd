import XCTest
import StyleTensor
@testable import StyleNN
import StylizeTestSupport

final class ColorPreservationTests: XCTestCase {
    /// The symmetric-square-root transform against numpy (eigh) in float64.
    func testMatchColorsMatchesNumpy() throws {
        let g = try Golden.load("color")
        let matched = try ColorPreservation.matchColors(of: Golden.tensor(g["style"]), to: Golden.tensor(g["content"]))
        reportDeviation("colour matching vs numpy float64", maxDeviation(matched, Golden.tensor(g["matched"])), limit: 1e-5)
    }

    /// After the transform the style's colour mean and covariance equal the content's, for both methods.
    func testCovarianceMatches() throws {
        var rng = SeededRandom(seed: 30)
        let content = Tensor(shape: Shape(n: 1, h: 9, w: 8, c: 3), data: (0..<216).map { _ in (rng.float() + 1) / 2 })
        // A style with correlated channels: R drives G and B.
        var style = Tensor(shape: Shape(n: 1, h: 7, w: 11, c: 3))
        for p in 0..<77 {
            let r = (rng.float() + 1) / 2, noise1 = rng.float() * 0.1, noise2 = rng.float() * 0.1
            style.data[p * 3] = r; style.data[p * 3 + 1] = 0.6 * r + noise1; style.data[p * 3 + 2] = 0.2 + 0.3 * r - noise2
        }
        let target = try ColorPreservation.colorStatistics(of: content)
        for method in [ColorPreservation.Method.symmetricSquareRoot, .cholesky] {
            let matched = try ColorPreservation.matchColors(of: style, to: content, method: method)
            let got = try ColorPreservation.colorStatistics(of: matched)
            for k in 0..<3 { XCTAssertEqual(got.mean[k], target.mean[k], accuracy: 1e-6, "\(method) mean") }
            for k in 0..<9 { XCTAssertEqual(got.covariance[k], target.covariance[k], accuracy: 1e-6, "\(method) covariance[\(k)]") }
        }
        // A single-colour style stays finite.
        let flat = Tensor(shape: Shape(n: 1, h: 2, w: 2, c: 3), repeating: 0.5)
        XCTAssertTrue(try ColorPreservation.matchColors(of: flat, to: content).data.allSatisfy(\.isFinite))
    }

    /// Luminance of the stylized image, chroma of the content.
    func testCombineLuminance() throws {
        var rng = SeededRandom(seed: 31)
        let content = Tensor(shape: Shape(n: 1, h: 4, w: 5, c: 3), data: (0..<60).map { _ in (rng.float() + 1) / 2 })
        let stylized = Tensor(shape: Shape(n: 1, h: 4, w: 5, c: 3), data: (0..<60).map { _ in (rng.float() + 1) / 2 })
        let combined = try ColorPreservation.combineLuminance(stylized: stylized, colorsFrom: content)
        XCTAssertLessThan(maxDeviation(try ColorPreservation.luminance(of: combined), try ColorPreservation.luminance(of: stylized)), 1e-6)
        let yiq = ColorPreservation.rgbToYIQ
        for p in 0..<20 {
            let a = yiq.apply((Double(combined.data[p * 3]), Double(combined.data[p * 3 + 1]), Double(combined.data[p * 3 + 2])))
            let b = yiq.apply((Double(content.data[p * 3]), Double(content.data[p * 3 + 1]), Double(content.data[p * 3 + 2])))
            XCTAssertEqual(a.1, b.1, accuracy: 1e-6)
            XCTAssertEqual(a.2, b.2, accuracy: 1e-6)
        }
        XCTAssertLessThan(maxDeviation(try ColorPreservation.combineLuminance(stylized: content, colorsFrom: content), content), 1e-6)
        XCTAssertThrowsError(try ColorPreservation.combineLuminance(stylized: crop(stylized, rows: 2, cols: 2), colorsFrom: content))
    }

    /// The style's luminance with the content's luminance mean and std, as grey RGB.
    func testLuminanceMatched() throws {
        var rng = SeededRandom(seed: 32)
        let content = Tensor(shape: Shape(n: 1, h: 6, w: 6, c: 3), data: (0..<108).map { _ in (rng.float() + 1) / 4 })
        let style = Tensor(shape: Shape(n: 1, h: 5, w: 3, c: 3), data: (0..<45).map { _ in (rng.float() + 1) / 2 })
        let grey = try ColorPreservation.luminanceMatched(style: style, to: content)
        for p in 0..<15 { XCTAssertEqual(grey.data[p * 3], grey.data[p * 3 + 1]); XCTAssertEqual(grey.data[p * 3], grey.data[p * 3 + 2]) }
        let yc = naiveMoments(try ColorPreservation.luminance(of: content)) { _, _, _, _ in true }
        let yg = naiveMoments(try ColorPreservation.luminance(of: grey)) { _, _, _, _ in true }
        XCTAssertEqual(yg.mean, yc.mean, accuracy: 1e-6)
        XCTAssertEqual(yg.variance, yc.variance, accuracy: 1e-6)
    }

    func testRejectsNonRGB() {
        let grey = Tensor(shape: Shape(n: 1, h: 2, w: 2, c: 1))
        XCTAssertThrowsError(try ColorPreservation.colorStatistics(of: grey)) { XCTAssertEqual($0 as? ColorError, .notRGB(grey.shape)) }
        XCTAssertThrowsError(try ColorPreservation.matchColors(of: grey, to: grey))
    }

    /// The Jacobi eigen-decomposition reconstructs the matrix, and S^(1/2) S^(1/2) = S.
    func testSymmetricEigen() {
        let s = Matrix3([4, 1, 0.5, 1, 3, -0.2, 0.5, -0.2, 2])
        let (values, v) = s.symmetricEigen()
        var d = Matrix3([Double](repeating: 0, count: 9))
        for i in 0..<3 { d[i, i] = values[i] }
        let back = v * d * v.transposed
        for k in 0..<9 { XCTAssertEqual(back.m[k], s.m[k], accuracy: 1e-12) }
        let root = s.symmetricPower(0.5)
        let square = root * root
        for k in 0..<9 { XCTAssertEqual(square.m[k], s.m[k], accuracy: 1e-12) }
        let l = s.cholesky(floor: 0)
        let llt = l * l.transposed
        for k in 0..<9 { XCTAssertEqual(llt.m[k], s.m[k], accuracy: 1e-12) }
        let identity = s * s.inverse
        for k in 0..<9 { XCTAssertEqual(identity.m[k], Matrix3.identity.m[k], accuracy: 1e-12) }
    }
}
