import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StylizeEngine
import StyleTensor
import StyleWeights
import XCTest
import StylizeTestSupport

/// Tiled transfer (`TiledStylizer`, `TilePlan`, `TileBlend`, `MemoryBudget`) against the
/// untiled forward pass of the same tiny random-weight networks.
final class TilingTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = URL(fileURLWithPath: try makeTemporaryFolder(self, prefix: "tiling"))
    }

    /// Tiny `adain-vgg19` (relu4_1 of 16 channels) with large gains and no population
    /// statistics, so features and outputs vary widely.
    func tinyVGG() throws -> String {
        let path = directory.appendingPathComponent("tiny-vgg.safetensors").path
        try TinyModels.vgg(to: path, seed: 2, decoderWidths: [8, 8, 8, 8, 8, 4, 4, 4], gain: 2.6, decoderGain: 2.5,
                           outputGain: 6, outputBias: 0, populationStatistics: false)
        return path
    }

    /// Tiny `adain-mobilenet-s8` (features 16 channels, decoder 8, 8, 8, 4).
    func tinyMobile() throws -> String {
        let path = directory.appendingPathComponent("tiny-mobile.safetensors").path
        try TinyModels.mobile(to: path)
        return path
    }

    func stylizer(_ architecture: String, norm: NormKind = .instance) throws -> Stylizer {
        let path = architecture == "vgg" ? try tinyVGG() : try tinyMobile()
        return try Stylizer(model: AdaINLoader.load(path: path), norm: norm)
    }

    /// Pass 1's merged statistics equal the statistics of the untiled content features
    /// (counts exactly, means and variances to float rounding), for both architectures and
    /// a grouped norm, on sizes that are not multiples of 8.
    func testGlobalStatisticsEqualUntiled() throws {
        for (arch, norm, w, h, tile) in [("mobile", NormKind.instance, 203, 150, 80), ("mobile", .group(groups: 4), 131, 97, 96),
                                         ("vgg", .instance, 181, 117, 80), ("vgg", .layer, 140, 101, 64 + 16)] {
            let s = try stylizer(arch, norm: norm)
            let image = Pictures.discs(width: w, height: h)
            let tiled = try TiledStylizer(stylizer: s)
            let plan = try tiled.plan(for: image, tilePixels: tile)
            XCTAssertGreaterThanOrEqual(plan.count, 4, "\(arch): the test needs several tiles")
            let global = try tiled.contentStatistics(of: image, plan: plan)
            let untiled = try s.swap.contentStatistics(of: s.model.encodeContent(Tensor(image: image)).features)
            XCTAssertEqual(global.count, untiled.count, "\(arch) \(norm): every feature cell counted exactly once")
            for i in untiled.mean.indices {
                XCTAssertEqual(global.mean[i], untiled.mean[i], accuracy: 1e-5 * max(1, abs(untiled.mean[i])), "\(arch) mean \(i)")
                XCTAssertEqual(global.variance[i], untiled.variance[i], accuracy: 1e-5 * max(1e-3, untiled.variance[i]),
                               "\(arch) variance \(i)")
            }
            XCTAssertGreaterThan(untiled.variance.filter { $0 > 1e-2 }.count, untiled.variance.count / 4,
                                 "\(arch): features must vary for the test to mean something \(untiled.variance)")
        }
    }

    /// The tiled image equals the untiled one to within one 8-bit level (encoder and
    /// decoder margins cover the receptive fields, so only float rounding differs), and
    /// per-tile statistics would not: they change the image visibly.
    func testTiledImageMatchesUntiled() throws {
        for (arch, w, h, tile) in [("mobile", 203, 150, 80), ("vgg", 181, 117, 80)] {
            let s = try stylizer(arch)
            let content = Pictures.discs(width: w, height: h, seed: 3)
            let styleImage = Pictures.discs(width: 64, height: 72, seed: 11)
            let style = [WeightedStyle(try s.styleStatistics(of: Tensor(image: styleImage)))]
            let untiled = Image(tensor: try s.stylize(content: Tensor(image: content), styles: style, alpha: 0.8))
            let tiled = try TiledStylizer(stylizer: s)
            let plan = try tiled.plan(for: content, tilePixels: tile)
            XCTAssertGreaterThanOrEqual(plan.count, 4)
            let result = try tiled.stylize(content, plan: plan, styles: style, alpha: 0.8)
            XCTAssertEqual(result.width, w); XCTAssertEqual(result.height, h)
            let diffs = zip(result.rgb, untiled.rgb).map { abs(Int($0) - Int($1)) }
            XCTAssertLessThanOrEqual(diffs.max()!, 1, "\(arch): tiled vs untiled max difference")
            let spread = Int(untiled.rgb.max()!) - Int(untiled.rgb.min()!)
            print("\(arch): spread \(spread), max diff \(diffs.max()!), mean \(Double(diffs.reduce(0, +)) / Double(diffs.count))")
            XCTAssertGreaterThan(spread, 60, "\(arch): the output must vary for the comparison to mean something")

            // Per-tile statistics (what the global pass prevents) move the image by far more.
            var perTile = [UInt8](repeating: 0, count: untiled.rgb.count)
            for row in plan.rows.spans {
                for col in plan.columns.spans {
                    let input = TiledStylizer.frameCrop(content, frame: plan.frame, rows: row.decodeInput, columns: col.decodeInput)
                    let f = s.model.encodeStyle(input)
                    let local = try s.swap.contentStatistics(of: f)
                    let own = try tiled.stylize(content, plan: plan, styles: style, alpha: 0.8, contentStatistics: local)
                    for y in max(row.owned.lowerBound * 8 - plan.frame.top, 0)..<min(row.owned.upperBound * 8 - plan.frame.top, h) {
                        for x in max(col.owned.lowerBound * 8 - plan.frame.left, 0)..<min(col.owned.upperBound * 8 - plan.frame.left, w) {
                            for c in 0..<3 { perTile[3 * (y * w + x) + c] = own.rgb[3 * (y * w + x) + c] }
                        }
                    }
                }
            }
            let perTileDiffs = zip(perTile, untiled.rgb).map { abs(Int($0) - Int($1)) }
            let perTileMean = Double(perTileDiffs.reduce(0, +)) / Double(perTile.count)
            print("\(arch): per-tile statistics: max diff \(perTileDiffs.max()!), mean \(perTileMean)")
            XCTAssertGreaterThan(perTileDiffs.max()!, 8, "\(arch): per-tile statistics should differ visibly")
        }
    }

    /// Every frame pixel's blend weights over all tiles sum to exactly 1 (Float), every
    /// pixel is covered, each weight lies in [0, 1], and each tile's blend range sits
    /// inside its decoded cells minus the decoder margin (except at the frame's edge).
    func testBlendWeightsPartitionUnity() throws {
        let margins = TileMargins()
        for (h, w, tile, pad) in [(150, 203, 80, 16), (117, 181, 80, 0), (600, 457, 192, 16), (64, 300, 96, 0)] {
            let frame = NetworkFrame(contentHeight: h, contentWidth: w, top: pad, left: pad,
                                     height: pad == 0 ? h : h + 2 * pad + (8 - (h + 2 * pad) % 8) % 8,
                                     width: pad == 0 ? w : w + 2 * pad + (8 - (w + 2 * pad) % 8) % 8, stride: 8)
            let plan = try TilePlan(frame: frame, tilePixels: tile, margins: margins)
            for axis in [plan.rows, plan.columns] {
                let weights = axis.spans.indices.map { TileBlend.weights(axis, span: $0) }
                XCTAssertEqual(axis.spans.first!.owned.lowerBound, 0)
                XCTAssertEqual(axis.spans.last!.owned.upperBound, (axis.length + 7) / 8)
                for (k, span) in axis.spans.enumerated() {
                    if k > 0 { XCTAssertEqual(span.owned.lowerBound, axis.spans[k - 1].owned.upperBound, "owned cells partition the grid") }
                    XCTAssertEqual(span.decodeInput.lowerBound % 8, 0, "crops start on the feature grid")
                    XCTAssertEqual(span.ownedInput.lowerBound % 8, 0)
                    let safeLo = span.decode.lowerBound == 0 ? 0 : (span.decode.lowerBound + margins.decoderCells) * 8
                    let safeHi = span.decode.upperBound == (axis.length + 7) / 8 ? axis.length : (span.decode.upperBound - margins.decoderCells) * 8
                    XCTAssertTrue(span.blend.lowerBound >= safeLo && span.blend.upperBound <= safeHi, "blend inside the exact decode region")
                    XCTAssertTrue(weights[k].allSatisfy { $0 >= 0 && $0 <= 1 })
                }
            }
            var covered = 0
            for y in 0..<frame.height {
                for x in 0..<frame.width {
                    var sum: Float = 0
                    var tiles = 0
                    for (r, row) in plan.rows.spans.enumerated() where row.blend.contains(y) {
                        for (c, col) in plan.columns.spans.enumerated() where col.blend.contains(x) {
                            let wgt = TileBlend.weight(plan.rows, span: r, at: y) * TileBlend.weight(plan.columns, span: c, at: x)
                            sum += wgt
                            if wgt > 0 { tiles += 1 }
                        }
                    }
                    XCTAssertEqual(sum, 1, "weights at (\(y), \(x)) of \(h)x\(w) tile \(tile)")
                    if sum != 1 { return }
                    if tiles > 0 { covered += 1 }
                }
            }
            XCTAssertEqual(covered, frame.height * frame.width, "every pixel covered")
        }
    }

    /// The ramp is smooth and symmetric: complementary across the boundary, monotone.
    func testBlendRampIsRaisedCosine() throws {
        let frame = NetworkFrame(contentHeight: 200, contentWidth: 200, top: 0, left: 0, height: 200, width: 200, stride: 8)
        let plan = try TilePlan(frame: frame, tilePixels: 96)
        let axis = plan.rows
        let b = axis.boundaries[1] * 8, r = axis.blendPixels
        XCTAssertEqual(r, 16)
        var previous: Float = 1
        for y in (b - r)..<(b + r) {
            let left = TileBlend.weight(axis, span: 0, at: y), right = TileBlend.weight(axis, span: 1, at: y)
            XCTAssertEqual(left + right, 1)
            XCTAssertLessThanOrEqual(left, previous)
            previous = left
            let exact = Float((1 + cos(Double.pi * (Double(y - (b - r)) + 0.5) / Double(2 * r))) / 2)
            XCTAssertEqual(left, exact, accuracy: 1.0 / 8192)
        }
        XCTAssertEqual(TileBlend.weight(axis, span: 0, at: b - r - 1), 1)
        XCTAssertEqual(TileBlend.weight(axis, span: 0, at: b + r), 0)
    }

    /// Budget decisions: small images stay untiled, a 24 MP photo gets tiles whose
    /// estimated peak fits the default budget, and an impossible budget is a clear error.
    func testMemoryBudgetChoosesTiles() throws {
        let profile = MemoryFootprint(floatsPerPixel: 160, styleFloatsPerPixel: 62, weightBytes: 1_000_000)
        func frame(_ w: Int, _ h: Int) -> NetworkFrame {
            NetworkFrame(contentHeight: h, contentWidth: w, top: 16, left: 16,
                         height: h + 32 + (8 - (h + 32) % 8) % 8, width: w + 32 + (8 - (w + 32) % 8) % 8, stride: 8)
        }
        let style = 2 * 512 * 512
        XCTAssertNil(try MemoryBudget.chooseTile(profile, frame: frame(1000, 1000), stylePixels: style, budget: MemoryBudget.defaultBytes))
        let big = frame(6000, 4000)
        XCTAssertGreaterThan(MemoryBudget.untiledPeak(profile, frame: big, stylePixels: style), 15_000_000_000)
        let tile = try XCTUnwrap(try MemoryBudget.chooseTile(profile, frame: big, stylePixels: style, budget: MemoryBudget.defaultBytes))
        let plan = try TilePlan(frame: big, tilePixels: tile)
        XCTAssertLessThanOrEqual(MemoryBudget.tiledPeak(profile, plan: plan, stylePixels: style), MemoryBudget.defaultBytes)
        XCTAssertGreaterThan(plan.count, 1)
        XCTAssertThrowsError(try MemoryBudget.chooseTile(profile, frame: big, stylePixels: style, budget: 50_000_000)) { error in
            // typed: the option it concerns, named by each front end in its words
            let e = error as? OptionError
            XCTAssertEqual(e?.option, .maxMemory)
            XCTAssertTrue(e?.rendered(.flag).hasPrefix("--max-memory 50 MB is too small") ?? false, "\(error)")
            XCTAssertTrue(e?.rendered(.field).hasPrefix("max_memory 50 MB is too small") ?? false, "\(error)")
        }
        XCTAssertEqual(try MemoryBudget.parse("1.5G"), 1_500_000_000)
        XCTAssertEqual(try MemoryBudget.parse("800MB"), 800_000_000)
        XCTAssertEqual(try MemoryBudget.parse("2000"), 2000)
        XCTAssertThrowsError(try MemoryBudget.parse("lots"))
        XCTAssertThrowsError(try TilePlan(frame: big, tilePixels: 40))
    }

    /// The footprint a model reports follows the formulas in its `footprint` and counts every
    /// stored copy of the weights (more than 4 bytes per parameter).
    func testMemoryFootprintFromWeights() throws {
        let mobilePath = try tinyMobile()
        let mobile = try AdaINLoader.load(path: mobilePath).footprint
        // the tiny model's RGB conv (4 -> 3 channels) is too narrow for the in-place padding: a padded copy
        XCTAssertEqual(mobile.floatsPerPixel, max(2 * (8 / 4) + 2 * 4 + 3 + 3, 2 * 8 / 4 + 8 / 16 + 1))
        let vggPath = try tinyVGG()
        let vgg = try AdaINLoader.load(path: vggPath).footprint
        XCTAssertEqual(vgg.floatsPerPixel, max(2 * 4 + 4, 2 * 4 + 4))
        let file = try SafeTensorsFile(path: vggPath)
        let parameters: Int = file.names.map { (file.info($0)?.shape ?? []).reduce(1, *) }.reduce(0, +)
        XCTAssertGreaterThan(vgg.weightBytes, 4 * parameters)
    }

    /// End to end through `TransferSession.run`: `--tile` writes the same picture as the
    /// untiled run (PNG, within one level).
    func testSessionTileOptionMatchesUntiled() throws {
        let weights = try tinyMobile()
        let contentPath = directory.appendingPathComponent("content.png").path
        let stylePath = directory.appendingPathComponent("style.png").path
        try ImageIO.write(Pictures.discs(width: 190, height: 140, seed: 5), to: contentPath)
        try ImageIO.write(Pictures.discs(width: 80, height: 80, seed: 6), to: stylePath)
        let session = try TransferSession(weights: weights)
        let engine = session.engine
        var options = TransferOptions()
        options.contentSize = 0
        options.styleSize = 0
        let plain = directory.appendingPathComponent("plain.png").path
        _ = try session.run(TransferRequest(content: contentPath, styles: [stylePath], output: plain, options: options))
        options.tileSize = 80
        let tiledPath = directory.appendingPathComponent("tiled.png").path
        XCTAssertTrue(try engine.plan(width: 190, height: 140, options: options).isTiled)
        _ = try session.run(TransferRequest(content: contentPath, styles: [stylePath], output: tiledPath, options: options))
        let a = try ImageIO.decode(file: plain), b = try ImageIO.decode(file: tiledPath)
        XCTAssertEqual(a.width, b.width); XCTAssertEqual(a.height, b.height)
        XCTAssertLessThanOrEqual(zip(a.rgb, b.rgb).map { abs(Int($0) - Int($1)) }.max()!, 1)
        // --preserve-color goes through the tiled path too (colour statistics of the content,
        // which is under 512 pixels here, so exactly the untiled ones).
        options.preserveColor = true
        let colorTiled = directory.appendingPathComponent("color-tiled.png").path
        let colorPlain = directory.appendingPathComponent("color-plain.png").path
        _ = try session.run(TransferRequest(content: contentPath, styles: [stylePath], output: colorTiled, options: options))
        options.tileSize = 0
        _ = try session.run(TransferRequest(content: contentPath, styles: [stylePath], output: colorPlain, options: options))
        let c = try ImageIO.decode(file: colorPlain), d = try ImageIO.decode(file: colorTiled)
        XCTAssertLessThanOrEqual(zip(c.rgb, d.rgb).map { abs(Int($0) - Int($1)) }.max()!, 1)
        XCTAssertNotEqual(c.rgb, a.rgb, "colour preservation changes the result")
        options.preserveColor = false
        // Automatic: this small image fits the default budget untiled.
        options.tileSize = 0
        XCTAssertFalse(try engine.plan(width: a.width, height: a.height, options: options).isTiled)
    }
}
