import StyleNN
import StyleTensor
import StylizeEngine
import XCTest
@testable import StyleVideo
import StylizeTestSupport

/// The running average and the clip's merged statistics, on stored values.
final class StatisticsModeTests: XCTestCase {
    func stats(_ mean: [Double], _ variance: [Double], count: Double = 100) throws -> ContentMatchStatistics {
        .moments(try FeatureStatistics(kind: .instance, channels: mean.count, rows: 1, mean: mean, variance: variance,
                                       count: [Double](repeating: count, count: mean.count)))
    }

    func testParsing() throws {
        XCTAssertEqual(try VideoStatisticsMode(name: "frame"), .frame)
        XCTAssertEqual(try VideoStatisticsMode(name: "Running", momentum: 0.25), .running(momentum: 0.25))
        XCTAssertEqual(try VideoStatisticsMode(name: "clip"), .clip)
        XCTAssertThrowsError(try VideoStatisticsMode(name: "scene"))
        XCTAssertThrowsError(try VideoStatisticsMode(name: "running", momentum: 0))
        XCTAssertThrowsError(try VideoStatisticsMode(name: "running", momentum: 1.5))
        XCTAssertEqual(VideoStatisticsMode.running(momentum: 0.1).description, "running(m=0.1)")
    }

    /// R_1 = S_1, R_2 = 0.9 R_1 + 0.1 S_2, R_3 = 0.9 R_2 + 0.1 S_3, per site, for mean and variance.
    func testRunningAverageFollowsTheFormula() throws {
        let running = RunningStatistics(momentum: 0.1)
        let s1 = try stats([1, 10], [4, 9]), s2 = try stats([3, 20], [2, 1]), s3 = try stats([5, 0], [0, 5])
        let p1 = running.policy()
        XCTAssertEqual(try p1.choose(0, s1), s1)
        XCTAssertEqual(try p1.choose(3, s3), s3)               // another site starts on its own
        let r2 = try XCTUnwrap(running.policy().choose(0, s2).moments)
        XCTAssertEqual(r2.mean[0], 0.9 * 1 + 0.1 * 3, accuracy: 1e-12)
        XCTAssertEqual(r2.mean[1], 0.9 * 10 + 0.1 * 20, accuracy: 1e-12)
        XCTAssertEqual(r2.variance[0], 0.9 * 4 + 0.1 * 2, accuracy: 1e-12)
        XCTAssertEqual(r2.variance[1], 0.9 * 9 + 0.1 * 1, accuracy: 1e-12)
        let r3 = try XCTUnwrap(running.policy().choose(0, s3).moments)
        XCTAssertEqual(r3.mean[0], 0.9 * r2.mean[0] + 0.1 * 5, accuracy: 1e-12)
        XCTAssertEqual(r3.variance[1], 0.9 * r2.variance[1] + 0.1 * 5, accuracy: 1e-12)
        XCTAssertEqual(running.current[3], s3)
    }

    /// Within one frame a site is updated once, however often it is asked.
    func testOneUpdatePerSiteAndFrame() throws {
        let running = RunningStatistics(momentum: 0.5)
        _ = try running.policy().choose(0, try stats([0], [1]))
        let p = running.policy()
        let a = try p.choose(0, try stats([2], [1]))
        let b = try p.choose(0, try stats([2], [1]))
        XCTAssertEqual(a, b)
        XCTAssertEqual(try XCTUnwrap(a.moments).mean[0], 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(running.current[0]?.moments).mean[0], 1, accuracy: 1e-12)
    }

    /// Momentum 1 is the frame's own statistics.
    func testMomentumOneIsTheFrame() throws {
        let running = RunningStatistics(momentum: 1)
        _ = try running.policy().choose(0, try stats([0, 1], [1, 1]))
        let s = try stats([7, -2], [3, 0.5])
        XCTAssertEqual(try running.policy().choose(0, s), s)
    }

    /// The clip's statistics are those of all frames' values together: merged instance
    /// statistics of single frames equal the batch statistics of the frames as one batch.
    func testClipStatisticsAreThePopulation() throws {
        var values: [[Float]] = []
        var rng = SeededRandom(seed: 12345)
        for _ in 0..<3 {
            values.append(rng.values(4 * 5 * 2, scale: 2).map { $0 + 1 })   // in [-1, 3)
        }
        var clip = ClipStatistics()
        for v in values {
            let frame = Tensor(shape: Shape(n: 1, h: 4, w: 5, c: 2), data: v)
            try clip.add([.moments(FeatureStatistics(of: frame, kind: .instance))])
        }
        let batch = try FeatureStatistics(of: Tensor(shape: Shape(n: 3, h: 4, w: 5, c: 2), data: values.flatMap { $0 }), kind: .batch)
        XCTAssertEqual(clip.frames, 3)
        let merged = try XCTUnwrap(clip.sites[0].moments)
        for c in 0..<2 {
            XCTAssertEqual(merged.mean[c], batch.mean[c], accuracy: 1e-9)
            XCTAssertEqual(merged.variance[c], batch.variance[c], accuracy: 1e-9)
            XCTAssertEqual(merged.count[c], 60)
        }
        XCTAssertThrowsError(try clip.add([]))
    }

    /// The covariance match's running statistics: R_t = (1 - m) R_t-1 + m S_t for the mean
    /// and every entry of the unbiased covariance (against covariances computed by hand), and
    /// its clip statistics are the frames' values together, as for moments.
    func testCovarianceRunningAndClip() throws {
        var rng = SeededRandom(seed: 77)
        let frames = (0..<3).map { _ in Tensor(shape: Shape(n: 1, h: 3, w: 4, c: 2), data: rng.values(24, scale: 2)) }
        func naive(_ t: Tensor) -> (mean: [Double], cov: [Double]) {
            let n = t.shape.pixels, x = t.data.map(Double.init)
            let mean = (0..<2).map { c in (0..<n).reduce(0.0) { $0 + x[$1 * 2 + c] } / Double(n) }
            var cov = [Double](repeating: 0, count: 4)
            for p in 0..<n { for i in 0..<2 { for j in 0..<2 { cov[i * 2 + j] += (x[p * 2 + i] - mean[i]) * (x[p * 2 + j] - mean[j]) } } }
            return (mean, cov.map { $0 / Double(n - 1) })
        }
        let own = try frames.map { ContentMatchStatistics.covariance(try CovarianceStatistics(of: $0, kind: .instance)) }
        let running = RunningStatistics(momentum: 0.25)
        XCTAssertEqual(try running.policy().choose(0, own[0]), own[0])
        guard case .covariance(let r)? = try? running.policy().choose(0, own[1]) else { return XCTFail("not a covariance") }
        let a = naive(frames[0]), b = naive(frames[1])
        for i in 0..<2 { XCTAssertEqual(r.mean[i], 0.75 * a.mean[i] + 0.25 * b.mean[i], accuracy: 1e-12) }
        let mixed = r.covariance()
        for k in 0..<4 { XCTAssertEqual(mixed[k], 0.75 * a.cov[k] + 0.25 * b.cov[k], accuracy: 1e-12) }
        XCTAssertGreaterThan(abs(mixed[1]), 1e-3, "the off-diagonal entry must matter for the test")

        var clip = ClipStatistics()
        for s in own { try clip.add([s]) }
        let all = Tensor(shape: Shape(n: 1, h: 9, w: 4, c: 2), data: frames.flatMap(\.data))
        let whole = naive(all)
        guard case .covariance(let c) = clip.sites[0] else { return XCTFail("not a covariance") }
        for k in 0..<4 { XCTAssertEqual(c.covariance()[k], whole.cov[k], accuracy: 1e-12) }
    }

    /// The distribution match runs with frame statistics only: its histograms are over each
    /// frame's own range. The refusal names --stats (as `stats` for a library user) and says why.
    func testDistributionSharesNoStatisticsAcrossFrames() throws {
        XCTAssertNoThrow(try VideoStatisticsMode.frame.validate(match: .distribution))
        for mode in [VideoStatisticsMode.running(momentum: 0.1), .clip] {
            XCTAssertNoThrow(try mode.validate(match: .covariance))
            XCTAssertThrowsError(try mode.validate(match: .distribution)) { error in
                let e = error as? OptionError
                XCTAssertEqual(e?.option, .stats)
                XCTAssertTrue(e?.rendered(.flag).contains("--stats \(mode.name) cannot share the distribution match") ?? false, "\(error)")
            }
        }
    }
}
