import Foundation
import ImageCodecs
import StyleModels
import StyleNN
@testable import StylizeEngine
import StyleBatch
import StyleTensor
import XCTest
import StylizeTestSupport

/// The engine's guarantees on every path: batch honours the memory budget, Magenta's tiled
/// (band sweep) run equals its untiled run, and images of extreme shapes work as styles
/// and as contents. Uses the weights shipped in Weights/.
final class EngineBudgetTests: XCTestCase {
    static let weights = packageRoot + "/Weights"
    static var defaultModel: String { weights + "/default.safetensors" }

    /// A batch of one 1200x800 photo at --max-memory 150M: the engine plans tiles (the
    /// untiled run's estimate is well above the budget), and the process's measured peak
    /// resident memory (reported in the JSON summary) stays within the budget. Fails if
    /// batch ran the image untiled.
    func testBatchHonoursTheMemoryBudget() throws {
        let root = try makeTemporaryFolder(self)
        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        try ImageIO.write(Pictures.blocks(width: 1200, height: 800, seed: 4), to: root + "/in/big.png")
        try ImageIO.write(Pictures.blocks(width: 64, height: 64, seed: 5), to: root + "/style.png")
        let budget = 150_000_000
        let engine = try StyleEngine(weights: Self.defaultModel)
        var options = TransferOptions()
        options.maxMemoryBytes = budget
        XCTAssertTrue(try engine.plan(width: 1200, height: 800, options: options).isTiled)
        options.maxMemoryBytes = 100_000_000_000
        XCTAssertGreaterThan(try engine.plan(width: 1200, height: 800, options: options).estimatedPeakBytes, 2 * budget)

        let run = try runStylize(["batch", "--content", root + "/in", "--style", root + "/style.png", "-o", root + "/out",
                                  "--content-size", "0", "--style-size", "64", "--max-memory", "150M", "--json", "--threads", "2"],
                                 environment: ["STYLIZE_WEIGHTS": Self.defaultModel])
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try JSONDecoder().decode(BatchSummary.self, from: Data(run.stdout.utf8))
        XCTAssertEqual(summary.counts["ok"], 1)
        XCTAssertGreaterThan(summary.peakMemoryBytes, 0)
        XCTAssertLessThanOrEqual(summary.peakMemoryBytes, budget, "peak \(summary.peakMemoryBytes) bytes")
        let out = try ImageIO.decode(file: root + "/out/big_stylized_style.png")
        XCTAssertEqual([out.width, out.height], [1200, 800])
    }

    /// Magenta, both networks: forcing the band sweep (`tileSize` = rows per band) gives
    /// the untiled run's pixels, because every norm's statistics are still the whole image's.
    func testMagentaBandSweepEqualsUntiledRun() throws {
        let engine = try StyleEngine(family: .magenta, weights: Self.weights)
        let content = Pictures.blocks(width: 150, height: 122, seed: 8)
        let style = Pictures.blocks(width: 90, height: 90, seed: 9)
        for styles in [[StyleRef.image(style, name: "style")], [StyleRef.preset("19")]] {
            var options = TransferOptions()
            let untiled = try engine.stylize(content, styles: styles, options: options)
            options.tileSize = 16
            XCTAssertTrue(try engine.plan(width: 150, height: 122, options: options).isTiled)
            let swept = try engine.stylize(content, styles: styles, options: options)
            XCTAssertEqual([swept.width, swept.height], [150, 122])
            let diff = zip(untiled.rgb, swept.rgb).map { abs(Int($0) - Int($1)) }
            XCTAssertLessThanOrEqual(diff.max()!, 1, "\(styles[0].name)")
            XCTAssertLessThan(Double(diff.reduce(0, +)) / Double(diff.count), 0.01, "\(styles[0].name)")
        }
    }

    /// The sweep with every activation in temporary files equals the untiled network's
    /// output (same kernels, same padding; only the statistics' summation order differs).
    func testSweepWithEverythingSpilledMatchesUntiledTensor() throws {
        guard case .multistyle(let model) = try MagentaModel.load(path: Self.weights + "/magenta-multistyle26.safetensors") else {
            return XCTFail("not the multistyle network")
        }
        let input = Tensor(image: Pictures.blocks(width: 64, height: 48, seed: 3))
        let style = try model.presetWeights("3:0.5,12:0.5")
        let expected = try model.transformer(input, style: style)
        var rows: [Float] = []
        let spill = SpillPolicy(memoryBytes: 0)
        try model.transformer.sweep(height: 48, width: 64, input: { r in
            Tensor(shape: Shape(n: 1, h: r.count, w: 64, c: 3), data: Array(input.data[(r.lowerBound * 64 * 3)..<(r.upperBound * 64 * 3)]))
        }, style: style, kind: .instance, statistics: nil, bandBytes: 1, spill: spill, check: {}, progress: { _, _ in },
            output: { _, t in rows += t.data })
        XCTAssertGreaterThan(spill.spilledBytes, 0)
        XCTAssertEqual(rows.count, expected.data.count)
        let worst = zip(rows, expected.data).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4)
    }

    /// 1x600 and 600x1 images work as styles (too large at --style-size for the budget:
    /// shrunk, with a note that names the style) and as contents, for both families.
    func testExtremeAspectRatiosWorkAsStyleAndContent() throws {
        let tall = Pictures.blocks(width: 1, height: 600, seed: 11)
        let wide = Pictures.blocks(width: 600, height: 1, seed: 12)
        let photo = Pictures.blocks(width: 48, height: 40, seed: 13)
        let adain = try StyleEngine(weights: Self.defaultModel)
        let magenta = try StyleEngine(family: .magenta, weights: Self.weights)
        final class Notes: @unchecked Sendable { var lines: [String] = [] }
        for (image, name) in [(tall, "tall.png"), (wide, "wide.png")] {
            let notes = Notes()
            var options = TransferOptions()
            options.styleSize = 128
            options.maxMemoryBytes = 200_000_000
            let out = try adain.stylize(photo, styles: [.image(image, name: name)], options: options,
                                        control: RunControl(note: { notes.lines.append($0) }))
            XCTAssertEqual([out.width, out.height], [48, 40])
            XCTAssertTrue(notes.lines.contains { $0.hasPrefix(name + ": style resized") }, "\(notes.lines)")
            for engine in [adain, magenta] {
                let styled = try engine.stylize(image, styles: [.image(photo, name: "photo")], options: TransferOptions())
                XCTAssertEqual([styled.width, styled.height], [image.width, image.height])
            }
            XCTAssertEqual(try magenta.stylize(photo, styles: [.image(image, name: name)], options: TransferOptions()).width, 48)
        }
    }
}
