import XCTest
import StyleKernels
import StyleTensor
@testable import StyleNN
import StylizeTestSupport

final class DistributionSwapTests: XCTestCase {
    /// The sketch-based EFDM equals swaps.efdm_apply (same bins, levels and rules, in Double)
    /// on continuous and on ReLU features, and on a two-style mix with alpha: 1e-6.
    func testAgainstPythonSketch() throws {
        let g = try Golden.load("match")["efdm"] as! [String: Any]
        let swap = try DistributionSwap()
        for name in ["continuous", "relu"] {
            let c = g[name] as! [String: Any]
            let out = try swap.apply(content: Golden.tensor(c["content"]), styles: [WeightedQuantiles(swap.styleQuantiles(of: Golden.tensor(c["style"])))])
            reportDeviation("EFDM sketch vs swaps.py, \(name)", maxDeviation(out, Golden.tensor(c["sketch"])), limit: 1e-6)
        }
        let m = g["mix"] as! [String: Any]
        let w = Golden.floats(m["weights"])
        let out = try swap.apply(content: Golden.tensor(m["content"]),
                                 styles: [WeightedQuantiles(swap.styleQuantiles(of: Golden.tensor(m["style1"])), weight: w[0]),
                                          WeightedQuantiles(swap.styleQuantiles(of: Golden.tensor(m["style2"])), weight: w[1])],
                                 alpha: Golden.floats([m["alpha"]!])[0])
        reportDeviation("EFDM mix + alpha vs swaps.py", maxDeviation(out, Golden.tensor(m["output"])), limit: 1e-6)
    }

    /// Against the paper's sort-based EFDM (swaps.efdm_exact), the stated bound: a content
    /// value x of rank r (values below it) sharing its bin with c_j values gets a quantile q
    /// within c_j / n_c of r / n_c, so the output lies between the style's sorted values
    /// ceil(c_j n_s / n_c) + 2 ranks either side of the exact one's rank floor(r n_s / n_c).
    /// Values tied at the ReLU's 0 all take the style's lowest quantile (<= the exact value).
    func testAgainstSortBasedEFDM() throws {
        let g = try Golden.load("match")["efdm"] as! [String: Any]
        let swap = try DistributionSwap()
        for name in ["continuous", "relu"] {
            let c = g[name] as! [String: Any]
            let content = Golden.tensor(c["content"]), style = Golden.tensor(c["style"]), exact = Golden.tensor(c["exact"])
            let out = try swap.apply(content: content, styles: [WeightedQuantiles(swap.styleQuantiles(of: style))])
            let sketch = try swap.contentSketch(of: content)
            let ch = content.shape.c, nc = content.shape.pixels, ns = style.shape.pixels
            var worstRanks = 0, meanDeviation = 0.0
            for k in 0..<ch {
                let sorted = (0..<ns).map { style.data[$0 * ch + k] }.sorted()
                let values = (0..<nc).map { content.data[$0 * ch + k] }
                for p in 0..<nc {
                    let x = values[p], y = out.data[p * ch + k]
                    meanDeviation += Double(abs(y - exact.data[p * ch + k])) / Double(ch * nc)
                    if name == "relu" && x == 0 {
                        XCTAssertLessThanOrEqual(y, exact.data[p * ch + k] + 1e-6); continue
                    }
                    let rank = values.filter { $0 < x }.count
                    let index = rank * ns / nc
                    let bin = DistributionSketch.bin(Double(x), lo: sketch.range.lower[k], hi: sketch.range.upper[k], bins: sketch.bins)
                    let share = sketch.counts[k * sketch.bins + bin]
                    let allowed = Int((share * Double(ns) / Double(nc)).rounded(.up)) + 2
                    let lo = sorted[max(index - allowed, 0)], hi = sorted[min(index + allowed, ns - 1)]
                    XCTAssertTrue(y >= lo - 1e-6 && y <= hi + 1e-6, "\(name) channel \(k) pixel \(p): \(y) outside [\(lo), \(hi)]")
                    let lower = sorted.filter { $0 < y - 1e-6 }.count
                    worstRanks = max(worstRanks, abs(lower - index))
                }
            }
            print("EFDM sketch vs sort-based, \(name): mean |difference| \(meanDeviation), worst \(worstRanks) style ranks")
        }
    }

    /// Tiled equals untiled bit for bit: ranges and sketches of row bands merge into the
    /// whole image's, and the map applied per band gives the untiled output.
    func testTiledEqualsUntiled() throws {
        var rng = SeededRandom(seed: 40)
        let content = correlatedFeatures(&rng, Shape(n: 1, h: 48, w: 20, c: 12), relu: true)
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 30, w: 30, c: 12), relu: true)
        let swap = try DistributionSwap()
        let styles = [WeightedQuantiles(try swap.styleQuantiles(of: style))]
        let untiled = try swap.apply(content: content, styles: styles, alpha: 0.8)
        let bands = [0..<7, 7..<30, 30..<48]
        let parts = bands.map { crop(content, top: $0.lowerBound, left: 0, height: $0.count, width: 20) }
        var range = try swap.contentRange(of: parts[0])
        for p in parts.dropFirst() { range = try range.merged(with: swap.contentRange(of: p)) }
        XCTAssertEqual(range, try swap.contentRange(of: content))
        var sketch = try swap.contentSketch(of: parts[0], range: range)
        for p in parts.dropFirst() { sketch = try sketch.merged(with: swap.contentSketch(of: p, range: range)) }
        XCTAssertEqual(sketch, try swap.contentSketch(of: content))
        let map = try swap.map(content: sketch, styles: styles, alpha: 0.8)
        let tiled = parts.flatMap { map.apply(to: $0).data }
        XCTAssertEqual(tiled.map(\.bitPattern), untiled.data.map(\.bitPattern))
    }

    /// The output's per-channel distribution is the style's (quantiles at 1/8 steps within a
    /// bin's share), for a large content and style of different sizes.
    func testOutputTakesTheStyleDistribution() throws {
        var rng = SeededRandom(seed: 41)
        let content = correlatedFeatures(&rng, Shape(n: 1, h: 64, w: 64, c: 4))
        let style = correlatedFeatures(&rng, Shape(n: 1, h: 40, w: 50, c: 4))
        let swap = try DistributionSwap()
        let out = try swap.apply(content: content, styles: [WeightedQuantiles(swap.styleQuantiles(of: style))])
        let q = try swap.styleQuantiles(of: out), s = try swap.styleQuantiles(of: style)
        var worst = 0.0
        for k in 0..<4 {
            let spread = s.values[k * 1024 + 1023] - s.values[k * 1024]
            for level in stride(from: 128, to: 1024, by: 128) {
                worst = max(worst, abs(q.values[k * 1024 + level] - s.values[k * 1024 + level]) / spread)
            }
        }
        reportDeviation("output quantiles vs style quantiles (share of the style's range)", Float(worst), limit: 2e-3)
    }

    /// Per-value map bit-identical for any thread count; alpha 0 gives the content back.
    func testThreadsAndAlpha() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(seed: 42)
        let content = rng.tensor(Shape(n: 1, h: 37, w: 29, c: 20), scale: 2)
        let style = rng.tensor(Shape(n: 1, h: 20, w: 20, c: 20), scale: 3, shift: 1)
        let swap = try DistributionSwap()
        let styles = [WeightedQuantiles(try swap.styleQuantiles(of: style))]
        var results: [[UInt32]] = []
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            results.append(try swap.apply(content: content, styles: styles, alpha: 0.6).data.map(\.bitPattern))
            XCTAssertEqual(try DistributionSketch(of: content, range: DistributionRange(of: content)),
                           try swap.contentSketch(of: content))
        }
        XCTAssertEqual(results[1], results[0]); XCTAssertEqual(results[2], results[0])
        XCTAssertEqual(try swap.apply(content: content, styles: styles, alpha: 0), content)
    }
}
