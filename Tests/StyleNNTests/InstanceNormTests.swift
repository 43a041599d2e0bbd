import XCTest
import StyleTensor
@testable import StyleNN

final class InstanceNormTests: XCTestCase {
    /// nn.InstanceNorm2d with and without affine, against golden values.
    func testMatchesPyTorch() throws {
        let golden = try Golden.load("instancenorm")
        for case let c as [String: Any] in golden["cases"] as! [Any] {
            let channels = (c["channels"] as! NSNumber).intValue
            let eps = (c["eps"] as! NSNumber).floatValue
            let affine = c["affine"] as! Bool
            var layer = try InstanceNorm(channels: channels, eps: eps, affine: affine)
            if affine { try layer.setAffine(gamma: Golden.floats(c["gamma"]), beta: Golden.floats(c["beta"])) }
            let y = layer(Golden.tensor(c["input"]))
            reportDeviation("InstanceNorm C=\(channels) eps=\(eps) affine=\(affine)", maxDeviation(y, Golden.tensor(c["output"])), limit: 1e-5)
        }
    }

    /// Every (sample, channel) comes out with mean beta and std gamma (up to eps).
    func testAgainstNaiveFormula() throws {
        var rng = SeededRandom(state: 1)
        let x = rng.tensor(Shape(n: 2, h: 5, w: 3, c: 7), scale: 3, shift: 1)
        var layer = try InstanceNorm(channels: 7, eps: 1e-5)
        let gamma = (0..<7).map { Float($0) * 0.3 + 0.5 }, beta = (0..<7).map { Float($0) - 3 }
        try layer.setAffine(gamma: gamma, beta: beta)
        let y = layer(x)
        for n in 0..<2 { for c in 0..<7 {
            let m = naiveMoments(x) { nn, _, _, cc in nn == n && cc == c }
            for yy in 0..<5 { for xx in 0..<3 {
                let expected = Double(gamma[c]) * (Double(x[n, yy, xx, c]) - m.mean) / (m.variance + 1e-5).squareRoot() + Double(beta[c])
                XCTAssertEqual(Double(y[n, yy, xx, c]), expected, accuracy: 1e-5)
            } }
        } }
    }

    func testRejectsBadConfiguration() {
        XCTAssertThrowsError(try InstanceNorm(channels: 0)) { XCTAssertEqual($0 as? NormError, .invalidChannels(0)) }
        XCTAssertThrowsError(try InstanceNorm(channels: 3, eps: -1)) { XCTAssertEqual($0 as? NormError, .invalidEpsilon(-1)) }
        var layer = try! InstanceNorm(channels: 3)
        XCTAssertThrowsError(try layer.setAffine(gamma: [1, 1], beta: [0, 0, 0])) {
            XCTAssertEqual($0 as? NormError, .parameterCount(name: "gamma", expected: 3, got: 2))
        }
    }
}
