import Foundation
import ImageCodecs
import StyleModels
import StyleNN
@testable import StylizeEngine
import StyleTensor
import XCTest
import StylizeTestSupport

/// `stylize compare` within `--max-memory`, as every other command: the distances measured
/// tile by tile when the untiled encoder taps would not fit (the same numbers up to rounding,
/// and exactly `FeatureDistance`'s untiled), Magenta's AdaBN population swept layer by layer
/// over the batch, and the whole process's peak within the budget. Uses the weights shipped
/// in Weights/.
final class CompareBudgetTests: XCTestCase {
    static let weights = packageRoot + "/Weights"

    /// A 640x400 photo compared (AdaIN and AdaBN) at --max-memory 120M with each family:
    /// the process's measured peak (the report's `peak_memory_bytes`) stays within the budget.
    /// Before the budget covered the comparison, the untiled distance taps took the AdaIN run
    /// to 149 MB and Magenta's untiled five-image population to 228 MB.
    func testCompareHonoursTheMemoryBudget() throws {
        let root = try makeTemporaryFolder(self)
        try ImageIO.write(Pictures.blocks(width: 640, height: 400, seed: 31), to: root + "/content.png")
        try ImageIO.write(Pictures.blocks(width: 300, height: 256, seed: 32), to: root + "/style.png")
        let budget = 120_000_000
        let measure = try AdaINLoader.load(path: Self.weights + "/default.safetensors")
        XCTAssertNotNil(try DistanceMeter.plan(measure, width: 640, height: 400, budget: budget, held: 0), "the meter tiles at 120M")
        XCTAssertNil(try DistanceMeter.plan(measure, width: 640, height: 400, budget: MemoryBudget.defaultBytes, held: 0))
        for model in ["adain", "magenta"] {
            let run = try runStylize(["compare", root + "/content.png", root + "/style.png", "-o", root + "/\(model).png",
                                      "--model", model, "--content-size", "0", "--norms", "instance,batch", "--matches", "moments",
                                      "--max-memory", "120M", "--report", root + "/\(model).json", "--threads", "2"],
                                     environment: ["STYLIZE_WEIGHTS": Self.weights + "/default.safetensors"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/\(model).json"))) as? [String: Any])
            XCTAssertEqual((report["variants"] as? [Any])?.count, 2, model)
            let peak = try XCTUnwrap(report["peak_memory_bytes"] as? Int, model)
            XCTAssertGreaterThan(peak, 20_000_000, model)
            XCTAssertLessThanOrEqual(peak, budget, "\(model): peak \(peak) bytes")
        }
    }

    /// The same with `--contrast-sweep` (five rows of cells and a grid five times as tall):
    /// Magenta's five default variants at --max-memory 150M stay within it, and AdaIN's eleven,
    /// whose 7758x2246 grid, cells and the program's own memory do not fit 150M, fail before
    /// anything runs with the error naming --max-memory. Before the grid was allocated ahead of
    /// the runs, the encoded PNG streamed to its file, Magenta's networks loaded before the
    /// process's memory was measured and the measuring network's weights counted beside
    /// Magenta's runs, the Magenta comparison peaked at 155 MB and AdaIN's ran to 207 MB.
    func testContrastSweepHonoursTheMemoryBudget() throws {
        let root = try makeTemporaryFolder(self)
        try ImageIO.write(Pictures.blocks(width: 640, height: 400, seed: 33), to: root + "/content.png")
        try ImageIO.write(Pictures.blocks(width: 300, height: 256, seed: 34), to: root + "/style.png")
        let budget = 150_000_000
        let common = ["--content-size", "0", "--contrast-sweep", "--max-memory", "150M", "--threads", "2"]
        let run = try runStylize(["compare", root + "/content.png", root + "/style.png", "-o", root + "/magenta.png", "--model", "magenta",
                                  "--report", root + "/magenta.json"] + common,
                                 environment: ["STYLIZE_WEIGHTS": Self.weights + "/default.safetensors"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/magenta.json"))) as? [String: Any])
        XCTAssertEqual((report["variants"] as? [Any])?.count, 5)
        XCTAssertEqual((report["contrast_sweep"] as? [Any])?.count, 4)
        let peak = try XCTUnwrap(report["peak_memory_bytes"] as? Int)
        XCTAssertGreaterThan(peak, 60_000_000)
        XCTAssertLessThanOrEqual(peak, budget, "magenta: peak \(peak) bytes")
        let grid = try ImageIO.decode(file: root + "/magenta.png")
        XCTAssertEqual(grid.width, 6 + 7 * (640 + 6))

        let adain = try runStylize(["compare", root + "/content.png", root + "/style.png", "-o", root + "/adain.png"] + common,
                                   environment: ["STYLIZE_WEIGHTS": Self.weights + "/default.safetensors"])
        XCTAssertNotEqual(adain.status, 0)
        XCTAssert(adain.stderr.contains("--max-memory 150 MB is too small for this comparison"), adain.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/adain.png"))
    }

    /// Each network's `tapGrids` counts the cells its `featureTaps` give, for sizes of every
    /// parity at each stride-2 level.
    func testTapGridsCountTheTapsCells() throws {
        let root = try makeTemporaryFolder(self)
        try TinyModels.vgg(to: root + "/tiny.safetensors")
        let networks: [any AdaINNetwork] = [try AdaINLoader.load(path: Self.weights + "/default.safetensors"),
                                            try AdaINLoader.load(path: root + "/tiny.safetensors")]
        for network in networks {
            for (h, w) in [(16, 16), (17, 23), (30, 41), (33, 57), (64, 9)] {
                let taps = network.featureTaps(Tensor(shape: Shape(n: 1, h: h, w: w, c: 3)))
                XCTAssertEqual(taps.map(\.shape.h), network.tapGrids(length: h).map(\.count), "\(network.architecture) \(h)")
                XCTAssertEqual(taps.map(\.shape.w), network.tapGrids(length: w).map(\.count), "\(network.architecture) \(w)")
                XCTAssertEqual(taps.map(\.shape.c), network.tapGrids(length: h).map(\.channels), "\(network.architecture)")
            }
        }
    }

    /// The meter's distances: untiled, exactly `FeatureDistance` on whole tap maps (the
    /// numbers `stylize compare` reported before it kept a budget); tiled under a small
    /// budget, the same up to the order of the sums, on sizes whose stride-2 levels are odd
    /// (the cuts follow each tap's grid) and for both network kinds (SAME-padded MobileNet,
    /// reflect-padded VGG with ceil pools).
    func testTiledDistancesEqualTheUntiledOnes() throws {
        let root = try makeTemporaryFolder(self)
        try TinyModels.vgg(to: root + "/tiny.safetensors")
        let networks: [any AdaINNetwork] = [try AdaINLoader.load(path: Self.weights + "/default.safetensors"),
                                            try AdaINLoader.load(path: root + "/tiny.safetensors")]
        let content = Pictures.blocks(width: 521, height: 403, seed: 41)
        let output = Pictures.blocks(width: 521, height: 403, seed: 42)
        let style = Pictures.blocks(width: 461, height: 397, seed: 43)
        for network in networks {
            let untiled = try DistanceMeter(network: network, content: content, style: style)
            let whole = try untiled.distances(of: output)
            let outTaps = network.featureTaps(Tensor(image: output))
            XCTAssertEqual(whole.style, FeatureDistance.style(output: outTaps, style: network.featureTaps(Tensor(image: style))))
            XCTAssertEqual(whole.content, FeatureDistance.content(output: outTaps.last!, content: network.featureTaps(Tensor(image: content)).last!))
            // The smallest budget that tiles all three images into several tiles (beside the
            // content's deepest tap, which the meter holds while it measures an output).
            let budget = try XCTUnwrap(stride(from: 5_000_000, to: 400_000_000, by: 1_000_000).first { b in
                [(521, 403), (461, 397)].allSatisfy { w, h in
                    ((try? DistanceMeter.plan(network, width: w, height: h, budget: b, held: 4_000_000)).flatMap { $0 }?.count ?? 0) >= 4
                }
            })
            let tiled = try DistanceMeter(network: network, content: content, style: style, maxMemoryBytes: budget)
            let parts = try tiled.distances(of: output)
            XCTAssertEqual(parts.style, whole.style, accuracy: 1e-6 * whole.style, network.architecture)
            XCTAssertEqual(parts.content, whole.content, accuracy: 1e-6 * whole.content, network.architecture)
            XCTAssertNotEqual(whole.style, 0)
        }
    }

    /// Magenta's batch-norm population over five contents: the sweep over the batch (forced
    /// by a budget below the untiled batch's estimate) gives the untiled batch's statistics at
    /// every norm, up to the order of the Double sums.
    func testMagentaPopulationSweepEqualsTheUntiledBatch() throws {
        let engine = try StyleEngine(family: .magenta, weights: Self.weights)
        let content = Pictures.blocks(width: 300, height: 244, seed: 51)
        let contents = VariantRunner.population(of: content)
        let style = StyleRef.image(Pictures.blocks(width: 90, height: 90, seed: 52), name: "style")
        var options = TransferOptions()
        options.norm = .batch
        let untiled = try engine.populationStatistics(of: contents, styles: [style], options: options)
        guard case .magenta(let family) = engine.loaded else { return XCTFail("not magenta") }
        let transformer = try family.arbitrary.transformer
        // 75 MB before the style predictor's weights, held beside every run, were counted.
        options.maxMemoryBytes = 75_000_000 + engine.magentaHeldWeightBytes
        XCTAssertGreaterThan(engine.magentaHeldWeightBytes, 0)
        XCTAssertGreaterThan(MagentaSweep.untiledPeak(transformer, width: 300, height: 244 * 5) + engine.magentaHeldWeightBytes,
                             options.maxMemoryBytes)
        let swept = try engine.populationStatistics(of: contents, styles: [style], options: options)
        XCTAssertEqual(swept.count, untiled.count)
        XCTAssertGreaterThan(untiled.count, 5)
        for (a, b) in zip(swept, untiled) {
            let x = try XCTUnwrap(a.moments), y = try XCTUnwrap(b.moments)
            XCTAssertEqual(x.count, y.count)
            for i in x.mean.indices {
                XCTAssertEqual(x.mean[i], y.mean[i], accuracy: 1e-5 * (abs(y.mean[i]) + 1e-3))
                XCTAssertEqual(x.variance[i], y.variance[i], accuracy: 1e-5 * (y.variance[i] + 1e-6))
            }
        }
    }
}
