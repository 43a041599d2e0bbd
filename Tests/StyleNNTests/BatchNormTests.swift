import XCTest
import StyleTensor
@testable import StyleNN

final class BatchNormTests: XCTestCase {
    /// nn.BatchNorm2d: three training steps (outputs and running statistics after each),
    /// then eval mode, with and without affine, two momenta.
    func testTrainingStepsAndInferenceMatchPyTorch() throws {
        let golden = try Golden.load("batchnorm")
        for case let c as [String: Any] in golden["cases"] as! [Any] {
            let channels = (c["channels"] as! NSNumber).intValue
            let eps = (c["eps"] as! NSNumber).floatValue, momentum = (c["momentum"] as! NSNumber).floatValue
            let affine = c["affine"] as! Bool
            var layer = try BatchNorm(channels: channels, eps: eps, momentum: momentum, affine: affine)
            if affine { try layer.setAffine(gamma: Golden.floats(c["gamma"]), beta: Golden.floats(c["beta"])) }
            var worstOutput: Float = 0, worstMean: Float = 0, worstVar: Float = 0
            for case let step as [String: Any] in c["steps"] as! [Any] {
                let y = layer.forwardTraining(Golden.tensor(step["input"]))
                worstOutput = max(worstOutput, maxDeviation(y, Golden.tensor(step["output"])))
                worstMean = max(worstMean, maxDeviation(layer.runningMean, Golden.floats(step["running_mean"])))
                worstVar = max(worstVar, maxDeviation(layer.runningVariance, Golden.floats(step["running_var"])))
            }
            XCTAssertEqual(layer.batchesTracked, 3)
            let what = "BatchNorm C=\(channels) momentum=\(momentum) affine=\(affine)"
            reportDeviation("\(what) training outputs", worstOutput, limit: 1e-5)
            reportDeviation("\(what) running mean", worstMean, limit: 1e-6)
            reportDeviation("\(what) running var (unbiased)", worstVar, limit: 1e-5)
            let eval = layer(Golden.tensor(c["eval_input"]))
            reportDeviation("\(what) eval output", maxDeviation(eval, Golden.tensor(c["eval_output"])), limit: 1e-5)
        }
    }

    /// Inference uses the running statistics, not the batch's.
    func testInferenceUsesRunningStatistics() throws {
        var layer = try BatchNorm(channels: 2, eps: 0, affine: false)
        try layer.setRunningStatistics(mean: [1, -2], variance: [4, 0.25])
        let x = Tensor(shape: Shape(n: 1, h: 1, w: 2, c: 2), data: [3, -2, 1, 0])
        XCTAssertEqual(layer(x).data, [1, 0, 0, 4])
        XCTAssertThrowsError(try layer.setRunningStatistics(mean: [0], variance: [1, 1]))
        XCTAssertThrowsError(try BatchNorm(channels: 2, momentum: 1.5)) { XCTAssertEqual($0 as? NormError, .invalidMomentum(1.5)) }
    }

    /// Training statistics are per channel over N, H, W.
    func testTrainingAgainstNaiveFormula() throws {
        var rng = SeededRandom(state: 4)
        let x = rng.tensor(Shape(n: 3, h: 2, w: 3, c: 4), scale: 2, shift: 1)
        var layer = try BatchNorm(channels: 4, momentum: 0.5, affine: false)
        let y = layer.forwardTraining(x)
        for c in 0..<4 {
            let m = naiveMoments(x) { _, _, _, cc in cc == c }
            XCTAssertEqual(Double(layer.runningMean[c]), 0.5 * m.mean, accuracy: 1e-6)
            XCTAssertEqual(Double(layer.runningVariance[c]), 0.5 + 0.5 * m.variance * 18 / 17, accuracy: 1e-6)
            for n in 0..<3 { for yy in 0..<2 { for xx in 0..<3 {
                XCTAssertEqual(Double(y[n, yy, xx, c]), (Double(x[n, yy, xx, c]) - m.mean) / (m.variance + 1e-5).squareRoot(), accuracy: 1e-5)
            } } }
        }
    }
}
