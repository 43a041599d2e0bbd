import XCTest
import StyleKernels
import StyleTensor
@testable import StyleNN
import StylizeTestSupport

final class CovarianceStatisticsTests: XCTestCase {
    /// Mean and unbiased covariance equal numpy's (np.cov), whole and over a mask, within 1e-12.
    func testAgainstNumpy() throws {
        let g = try Golden.load("match")["covariance"] as! [String: Any]
        let x = Golden.tensor(g["features"])
        let s = try CovarianceStatistics(of: x, kind: .instance)
        reportDeviation("covariance mean vs numpy", Float(maxDifference(s.mean, Golden.doubles(g["mean"]))), limit: 1e-12)
        reportDeviation("covariance vs numpy", Float(maxDifference(s.covariance(), Golden.doubles(g["covariance"]))), limit: 1e-12)
        let m = try CovarianceStatistics(of: x, kind: .instance, mask: Golden.tensor(g["mask"]))
        reportDeviation("masked covariance mean vs numpy", Float(maxDifference(m.mean, Golden.doubles(g["masked_mean"]))), limit: 1e-12)
        reportDeviation("masked covariance vs numpy", Float(maxDifference(m.covariance(), Golden.doubles(g["masked_covariance"]))), limit: 1e-12)
    }

    /// Chan's merge over random splits of the rows of an image (tiles) equals the whole, and
    /// both equal the naive two-pass covariance, within 1e-11 (relative). Several chunks per part.
    func testChanMergeOverRandomSplitsEqualsWhole() throws {
        var rng = SeededRandom(seed: 31)
        let x = correlatedFeatures(&rng, Shape(n: 1, h: 60, w: 23, c: 12))
        let whole = try CovarianceStatistics(of: x, kind: .instance)
        let naive = naiveCovariance(x)
        let scale = naive.covariance.map(abs).max()!
        reportDeviation("covariance vs naive (relative)", Float(maxDifference(whole.covariance(), naive.covariance) / scale), limit: 1e-12)
        for trial in 0..<5 {
            var cuts = Set<Int>()
            for _ in 0..<(trial + 1) { cuts.insert(rng.int(1...59)) }
            let bounds = [0] + cuts.sorted() + [60]
            var merged: CovarianceStatistics?
            for (a, b) in zip(bounds, bounds.dropFirst()) {
                let part = try CovarianceStatistics(of: crop(x, top: a, left: 0, height: b - a, width: 23), kind: .instance)
                merged = try merged.map { try $0.merged(with: part) } ?? part
            }
            XCTAssertEqual(merged!.count, whole.count)
            reportDeviation("merged over \(bounds.count - 1) parts vs whole (relative)",
                            Float(maxDifference(merged!.covariance(), whole.covariance()) / scale), limit: 1e-12)
            reportDeviation("merged mean vs whole", Float(maxDifference(merged!.mean, whole.mean)), limit: 1e-12)
        }
    }

    /// Group covariance is block-diagonal: each block equals the corresponding block of the full covariance.
    func testGroupBlocksAreBlocksOfTheFullCovariance() throws {
        var rng = SeededRandom(seed: 5)
        let x = correlatedFeatures(&rng, Shape(n: 1, h: 17, w: 19, c: 12))
        let full = try CovarianceStatistics(of: x, kind: .instance).covariance()
        let group = try CovarianceStatistics(of: x, kind: .group(groups: 3))
        XCTAssertEqual(group.blocks, 3)
        XCTAssertEqual(group.blockSize, 4)
        XCTAssertEqual(group.comoment.count, 3 * 16)
        for g in 0..<3 {
            let block = group.covariance(block: g)
            var expected: [Double] = []
            for i in 0..<4 { for j in 0..<4 { expected.append(full[(g * 4 + i) * 12 + g * 4 + j]) } }
            XCTAssertLessThanOrEqual(maxDifference(block, expected), 1e-12, "block \(g)")
        }
    }

    /// Instance statistics have one row per sample; batch statistics one row over all samples,
    /// equal to those of the samples side by side.
    func testRowsPerSampleAndBatch() throws {
        var rng = SeededRandom(seed: 9)
        let a = correlatedFeatures(&rng, Shape(n: 1, h: 10, w: 10, c: 6))
        let b = correlatedFeatures(&rng, Shape(n: 1, h: 10, w: 10, c: 6))
        let both = Tensor(shape: Shape(n: 2, h: 10, w: 10, c: 6), data: a.data + b.data)
        let instance = try CovarianceStatistics(of: both, kind: .instance)
        XCTAssertEqual(instance.rows, 2)
        XCTAssertLessThanOrEqual(maxDifference(instance.covariance(row: 1), try CovarianceStatistics(of: b, kind: .instance).covariance()), 1e-12)
        let batch = try CovarianceStatistics(of: both, kind: .batch)
        var sideData: [Float] = []
        for y in 0..<10 {
            sideData += a.data[(y * 60)..<(y * 60 + 60)]
            sideData += b.data[(y * 60)..<(y * 60 + 60)]
        }
        let side = Tensor(shape: Shape(n: 1, h: 10, w: 20, c: 6), data: sideData)
        XCTAssertEqual(batch.rows, 1)
        XCTAssertLessThanOrEqual(maxDifference(batch.covariance(), try CovarianceStatistics(of: side, kind: .instance).covariance()), 1e-12)
        let population = try CovarianceStatistics.population(of: [a, b])
        XCTAssertLessThanOrEqual(maxDifference(population.covariance(), batch.covariance()), 1e-12)
    }

    /// Population statistics read back from stored values (as Training/population_covariance.py
    /// writes them: unbiased covariance, its mean, the count) equal the gathered ones; an
    /// asymmetric or mis-sized covariance is refused.
    func testPopulationFromStoredValues() throws {
        var rng = SeededRandom(seed: 10)
        let x = correlatedFeatures(&rng, Shape(n: 1, h: 12, w: 12, c: 5))
        let gathered = try CovarianceStatistics.population(of: [x])
        let stored = try CovarianceStatistics.population(mean: gathered.mean.map(Float.init), covariance: gathered.covariance().map(Float.init),
                                                         count: gathered.count[0])
        XCTAssertEqual(stored.kind, .batch)
        XCTAssertLessThanOrEqual(maxDifference(stored.covariance(), gathered.covariance()), 1e-6)
        var bad = gathered.covariance().map(Float.init)
        bad[1] += 1
        XCTAssertThrowsError(try CovarianceStatistics.population(mean: gathered.mean.map(Float.init), covariance: bad, count: 144)) {
            XCTAssertEqual($0 as? MatchError, .invalidPopulationCovariance("not symmetric at (1, 0)"))
        }
        XCTAssertThrowsError(try CovarianceStatistics.population(mean: [0, 0], covariance: [1, 0, 0], count: 144))
    }

    /// Layer norm has no channel covariance: a typed error that says why.
    func testLayerIsRefused() throws {
        XCTAssertThrowsError(try CovarianceStatistics(of: Tensor(shape: Shape(n: 1, h: 2, w: 2, c: 4), repeating: 1), kind: .layer)) { error in
            guard case .unsupported(.covariance, .layer, let why)? = error as? MatchError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("one mean and variance over all channels"), why)
        }
    }

    /// Bit-identical for any thread count (chunk partition fixed, merged in order).
    func testBitIdenticalAcrossThreadCounts() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 77)
        let x = rng.tensor(Shape(n: 2, h: 70, w: 61, c: 24), scale: 2, shift: 0.5)
        var results: [[UInt64]] = []
        for threads in [1, 2, 3, 5] {
            Parallel.threadCount = threads
            let s = try CovarianceStatistics(of: x, kind: .group(groups: 2))
            results.append((s.mean + s.comoment + s.count).map(\.bitPattern))
        }
        for r in results.dropFirst() { XCTAssertEqual(r, results[0]) }
    }
}
