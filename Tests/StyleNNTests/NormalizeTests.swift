import XCTest
@_spi(Testing) import StyleKernels
@_spi(Testing) import StyleTensor
@testable import StyleNN
import StylizeTestSupport

/// The normalization code that runs in the networks (`FeatureStatistics` for the
/// statistics, `Normalize` for the scale and shift, `RunningStatistics` for batch norm's
/// running estimates) against PyTorch's layers (Golden/make_golden.py) and the naive formula.
final class NormalizeTests: XCTestCase {
    /// y = gamma * (x - mu) / sqrt(var + eps) + beta with `kind`'s statistics of x itself.
    func normalized(_ x: Tensor, _ kind: NormKind, eps: Float, gamma: [Float]? = nil, beta: [Float]? = nil) throws -> Tensor {
        var y = x
        try Normalize.apply(&y, statistics: FeatureStatistics(of: x, kind: kind), gamma: gamma, beta: beta, eps: eps)
        return y
    }

    /// nn.InstanceNorm2d with and without affine.
    func testInstanceMatchesPyTorch() throws {
        for case let c as [String: Any] in try Golden.load("instancenorm")["cases"] as! [Any] {
            let channels = (c["channels"] as! NSNumber).intValue, eps = (c["eps"] as! NSNumber).floatValue
            let affine = c["affine"] as! Bool
            let y = try normalized(Golden.tensor(c["input"]), .instance, eps: eps,
                                   gamma: affine ? Golden.floats(c["gamma"]) : nil, beta: affine ? Golden.floats(c["beta"]) : nil)
            reportDeviation("instance C=\(channels) eps=\(eps) affine=\(affine)", maxDeviation(y, Golden.tensor(c["output"])), limit: 1e-5)
            // Group norm with G = C is instance norm, against PyTorch itself.
            let g = try normalized(Golden.tensor(c["input"]), .group(groups: channels), eps: eps,
                                   gamma: affine ? Golden.floats(c["gamma"]) : nil, beta: affine ? Golden.floats(c["beta"]) : nil)
            reportDeviation("group G=C=\(channels) vs nn.InstanceNorm2d", maxDeviation(g, Golden.tensor(c["output"])), limit: 1e-5)
        }
    }

    /// nn.LayerNorm([C,H,W]) without affine; per-channel affine as nn.GroupNorm(1, C) and as
    /// nn.LayerNorm with weight/bias constant over H, W; group norm with G = 1 is layer norm.
    func testLayerMatchesPyTorch() throws {
        let g = try Golden.load("layernorm")
        let x = Golden.tensor(g["input"])
        reportDeviation("layer, no affine", maxDeviation(try normalized(x, .layer, eps: 1e-5), Golden.tensor(g["layernorm_no_affine"])), limit: 1e-5)
        let affine = try normalized(x, .layer, eps: 1e-5, gamma: Golden.floats(g["gamma"]), beta: Golden.floats(g["beta"]))
        reportDeviation("layer, per-channel affine vs nn.GroupNorm(1,C)", maxDeviation(affine, Golden.tensor(g["groupnorm_1"])), limit: 1e-5)
        reportDeviation("layer vs nn.LayerNorm broadcast affine", maxDeviation(affine, Golden.tensor(g["layernorm_channel_affine"])), limit: 1e-5)
        reportDeviation("group G=1 vs nn.LayerNorm", maxDeviation(try normalized(x, .group(groups: 1), eps: 1e-5),
                                                                  Golden.tensor(g["layernorm_no_affine"])), limit: 1e-5)
    }

    /// nn.GroupNorm.
    func testGroupMatchesPyTorch() throws {
        for case let c as [String: Any] in try Golden.load("groupnorm")["cases"] as! [Any] {
            let groups = (c["groups"] as! NSNumber).intValue, channels = (c["channels"] as! NSNumber).intValue
            let eps = (c["eps"] as! NSNumber).floatValue, affine = c["affine"] as! Bool
            let y = try normalized(Golden.tensor(c["input"]), .group(groups: groups), eps: eps,
                                   gamma: affine ? Golden.floats(c["gamma"]) : nil, beta: affine ? Golden.floats(c["beta"]) : nil)
            reportDeviation("group G=\(groups) C=\(channels) affine=\(affine)", maxDeviation(y, Golden.tensor(c["output"])), limit: 1e-5)
        }
    }

    /// nn.BatchNorm2d: three training steps (batch statistics; the running ones after each),
    /// then eval mode with the running statistics; with and without affine, two momenta.
    func testBatchTrainingStepsAndInferenceMatchPyTorch() throws {
        for case let c as [String: Any] in try Golden.load("batchnorm")["cases"] as! [Any] {
            let channels = (c["channels"] as! NSNumber).intValue
            let eps = (c["eps"] as! NSNumber).floatValue, momentum = (c["momentum"] as! NSNumber).floatValue
            let affine = c["affine"] as! Bool
            let gamma = affine ? Golden.floats(c["gamma"]) : nil, beta = affine ? Golden.floats(c["beta"]) : nil
            var running = try RunningStatistics(channels: channels, momentum: momentum)
            var worstOutput: Float = 0, worstMean: Float = 0, worstVar: Float = 0
            for case let step as [String: Any] in c["steps"] as! [Any] {
                let x = Golden.tensor(step["input"])
                let batch = try FeatureStatistics(of: x, kind: .batch)
                var y = x
                try Normalize.apply(&y, statistics: batch, gamma: gamma, beta: beta, eps: eps)
                try running.update(with: batch)
                worstOutput = max(worstOutput, maxDeviation(y, Golden.tensor(step["output"])))
                worstMean = max(worstMean, maxDeviation(running.mean.map(Float.init), Golden.floats(step["running_mean"])))
                worstVar = max(worstVar, maxDeviation(running.variance.map(Float.init), Golden.floats(step["running_var"])))
            }
            XCTAssertEqual(running.batches, 3)
            let what = "batch C=\(channels) momentum=\(momentum) affine=\(affine)"
            reportDeviation("\(what) training outputs", worstOutput, limit: 1e-5)
            reportDeviation("\(what) running mean", worstMean, limit: 1e-6)
            reportDeviation("\(what) running var (unbiased)", worstVar, limit: 1e-5)
            var eval = Golden.tensor(c["eval_input"])
            try Normalize.apply(&eval, statistics: running.statistics(kind: .batch, channels: channels), gamma: gamma, beta: beta, eps: eps)
            reportDeviation("\(what) eval output", maxDeviation(eval, Golden.tensor(c["eval_output"])), limit: 1e-5)
        }
    }

    /// Every (sample, slot) against the naive formula, for all four kinds.
    func testAgainstNaiveFormula() throws {
        var rng = SeededRandom(seed: 3)
        let x = rng.tensor(Shape(n: 2, h: 3, w: 3, c: 12), scale: 2, shift: 0.5)
        let cases: [(NormKind, (Int, Int, Int, Int, Int, Int) -> Bool)] = [
            (.instance, { n, c, nn, _, _, cc in nn == n && cc == c }),
            (.batch, { _, c, _, _, _, cc in cc == c }),
            (.layer, { n, _, nn, _, _, _ in nn == n }),
            (.group(groups: 4), { n, c, nn, _, _, cc in nn == n && cc / 3 == c / 3 }),
        ]
        for (kind, member) in cases {
            let y = try normalized(x, kind, eps: 1e-5)
            for n in 0..<2 { for c in 0..<12 {
                let m = naiveMoments(x) { nn, yy, xx, cc in member(n, c, nn, yy, xx, cc) }
                for yy in 0..<3 { for xx in 0..<3 {
                    XCTAssertEqual(Double(y[n, yy, xx, c]), (Double(x[n, yy, xx, c]) - m.mean) / (m.variance + 1e-5).squareRoot(),
                                   accuracy: 1e-5, "\(kind)")
                } }
            } }
        }
    }

    /// Group norm with G = 1 is layer norm and with G = C instance norm (not the other way round).
    func testGroupNormIdentities() throws {
        var rng = SeededRandom(seed: 5)
        let x = rng.tensor(Shape(n: 2, h: 4, w: 5, c: 6), scale: 3, shift: 2)
        let gamma = (0..<6).map { 0.5 + Float($0) / 4 }, beta = (0..<6).map { Float($0) / 3 - 1 }
        let g1 = try normalized(x, .group(groups: 1), eps: 1e-5, gamma: gamma, beta: beta)
        let gC = try normalized(x, .group(groups: 6), eps: 1e-5, gamma: gamma, beta: beta)
        let layer = try normalized(x, .layer, eps: 1e-5, gamma: gamma, beta: beta)
        let instance = try normalized(x, .instance, eps: 1e-5, gamma: gamma, beta: beta)
        XCTAssertEqual(g1, layer)
        XCTAssertEqual(gC, instance)
        XCTAssertGreaterThan(maxDeviation(g1, instance), 0.1)
        XCTAssertGreaterThan(maxDeviation(gC, layer), 0.1)
    }

    func testConfigurationErrors() throws {
        XCTAssertEqual(try NormKind(name: "instance"), .instance)
        XCTAssertEqual(try NormKind(name: "Batch"), .batch)
        XCTAssertEqual(try NormKind(name: "group", groups: 8), .group(groups: 8))
        XCTAssertEqual(NormKind.group(groups: 8).description, "group(G=8)")
        XCTAssertThrowsError(try NormKind(name: "group")) { XCTAssertEqual($0 as? NormError, .invalidGroups(0)) }
        XCTAssertThrowsError(try NormKind(name: "weight")) { XCTAssertEqual($0 as? NormError, .unknownNorm("weight")) }
        XCTAssertThrowsError(try NormKind.group(groups: 5).validate(channels: 12)) { error in
            XCTAssertEqual(error as? NormError, .groupsDoNotDivideChannels(groups: 5, channels: 12))
            XCTAssertTrue("\(error)".contains("5 groups do not divide 12 channels"), "\(error)")
        }
        XCTAssertThrowsError(try RunningStatistics(channels: 2, momentum: 1.5)) { XCTAssertEqual($0 as? NormError, .invalidMomentum(1.5)) }
        var x = Tensor(shape: Shape(n: 1, h: 1, w: 2, c: 3))
        XCTAssertThrowsError(try Normalize.apply(&x, statistics: FeatureStatistics(of: Tensor(shape: Shape(n: 1, h: 1, w: 1, c: 2)),
                                                                                   kind: .instance), eps: 1e-5))
    }

    /// Outputs do not depend on the thread count.
    func testBitIdenticalAcrossThreadCounts() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 8)
        let x = rng.tensor(Shape(n: 2, h: 9, w: 7, c: 48), scale: 5, shift: 3)
        for kind in [NormKind.instance, .batch, .layer, .group(groups: 6)] {
            var outputs: [Tensor] = []
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                outputs.append(try normalized(x, kind, eps: 1e-5))
            }
            XCTAssertEqual(outputs[1].data.map(\.bitPattern), outputs[0].data.map(\.bitPattern), "\(kind)")
            XCTAssertEqual(outputs[2].data.map(\.bitPattern), outputs[0].data.map(\.bitPattern), "\(kind)")
        }
    }
}
