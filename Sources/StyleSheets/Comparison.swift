import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor
import StylizeEngine

/// Settings of `stylize compare`.
public struct ComparisonSettings: Sendable {
    /// The statistic swaps to compare, in grid order: each (norm, match) pair once (group
    /// norm once per G). Default: the four norms with the moments match (AdaIN, AdaBN, AdaLN,
    /// AdaGN for G = 8, 32), then the covariance match under each norm it combines with
    /// (WCT, WCT-BN, WCT (G=8), WCT (G=32)), then the distribution match (EFDM).
    public var variants: [SwapVariant] = ComparisonSettings.defaultVariants

    /// The default variants (see `variants`).
    public static let defaultVariants: [SwapVariant] = VariantRunner.pairs(
        norms: [.instance, .batch, .layer, .group(groups: 8), .group(groups: 32)], matches: StatisticMatch.allCases)

    /// The norms of `variants` with the moments match: sets `variants` to them.
    public var norms: [NormKind] {
        get { variants.map(\.norm) }
        set { variants = newValue.map { SwapVariant(norm: $0) } }
    }
    public var alpha: Float = 1
    /// Shorter sides of the content and style images (0 keeps their size).
    public var contentSize = 256
    public var styleSize = 256
    /// Adds the rows of `ContentAdjustment.sweep`.
    public var contrastSweep = false
    /// Longest side of a grid cell in pixels: a larger content (e.g. `--content-size 0` on a
    /// camera photo) is stylized at this display size, and the report says so.
    public var maxCellSide = 768
    /// Memory budget of the whole comparison (as `--max-memory`): runs, distances, cells and grid.
    public var maxMemoryBytes = MemoryBudget.defaultBytes

    public init() {}
}

/// One variant's numbers.
public struct VariantMeasurement: Sendable, Equatable, Codable {
    /// "AdaIN", "AdaBN", "AdaLN", "AdaGN (G=8)", "WCT", "WCT-BN", "EFDM".
    public var name: String
    /// "instance", "batch", "layer", "group(8)".
    public var norm: String
    /// "moments", "covariance", "distribution".
    public var match: String
    /// What the swap does, in one line (`SwapVariant.caption`).
    public var caption: String
    /// See `FeatureDistance.style` (output vs style, lower = closer to the style).
    public var styleDistance: Double
    /// See `FeatureDistance.content` (output vs content at the deepest tap).
    public var contentDistance: Double
    /// Seconds for the style statistics, content encoding, swap and decoding.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case name, norm, match, caption, seconds
        case styleDistance = "style_distance", contentDistance = "content_distance"
    }
}

/// One row of the contrast sweep: how much each variant's output moved.
public struct SweepRow: Sendable, Equatable, Codable {
    /// e.g. "contrast x0.5".
    public var adjustment: String
    /// Per variant (same order as the measurements): mean |output(adjusted) - output(x1)|
    /// over all pixels and channels, on the [0, 1] scale.
    public var changes: [Double]
}

/// The result of a comparison: the numbers and the captioned grid.
public struct ComparisonResult: Sendable {
    public var variants: [VariantMeasurement]
    public var sweep: [SweepRow]
    public var skipped: [SkippedVariant]
    /// Each variant's output on the unadjusted content (same order as `variants`).
    public var outputs: [Image]
    /// Row 0: content, style, one tile per variant; then one row per sweep adjustment.
    public var grid: Image
    /// The geometry of `grid`.
    public var sheet: ContactSheet
    /// Size at which every cell was stylized.
    public var cellWidth: Int
    public var cellHeight: Int
    /// Set when the content was scaled down to the grid's display size.
    public var displayNote: String?
}

/// Side-by-side comparison of the statistic-swap variants (the norms AdaIN, AdaBN, AdaLN,
/// AdaGN and the matches WCT, EFDM) on one content and style, with feature-space distances
/// and an optional contrast sweep showing that the instance swap ignores the content's global
/// contrast and brightness.
/// Every variant runs through the `StyleEngine` (same budget and checks as a transfer).
public enum Comparison {
    /// Runs every variant with `engine`. `measure` (an AdaIN-family network: the engine's own
    /// for `.adain`) supplies the feature space of the distances, so both families are
    /// measured alike.
    ///
    /// AdaIN family: the variants swap the statistics at the bottleneck. Magenta: the
    /// variants swap the statistics inside every conditional instance norm of the transformer
    /// (the comparison of Ulyanov et al. 2016). Batch norm's statistics follow
    /// `VariantRunner`'s one rule (the weights' population, or for Magenta the content and its
    /// sweep adjustments as one batch), so the rows do not depend on `--contrast-sweep`.
    public static func run(engine: StyleEngine, measure: any AdaINNetwork, content contentPath: String,
                           style stylePath: String, settings: ComparisonSettings,
                           control: RunControl = .init()) throws -> ComparisonResult {
        // The decoded files are dropped once resized (only the cells are held during the runs).
        let prepared = try prepare(content: ImageIO.decode(file: contentPath), style: ImageIO.decode(file: stylePath),
                                   settings: settings, control: control)
        return try run(engine: engine, measure: measure, prepared: prepared, styleName: stylePath, settings: settings, control: control)
    }

    /// The same on decoded images (`styleName` names the style in messages and the cache).
    /// `settings.contentSize` and `styleSize` resize them as for files.
    public static func run(engine: StyleEngine, measure: any AdaINNetwork, content decoded: Image,
                           style decodedStyle: Image, styleName: String, settings: ComparisonSettings,
                           control: RunControl = .init()) throws -> ComparisonResult {
        try run(engine: engine, measure: measure, prepared: prepare(content: decoded, style: decodedStyle, settings: settings, control: control),
                styleName: styleName, settings: settings, control: control)
    }

    /// The content at its cell size (and the note when it was scaled to the display size)
    /// and the style at `settings.styleSize`.
    static func prepare(content decoded: Image, style decodedStyle: Image, settings: ComparisonSettings,
                        control: RunControl) throws -> (content: Image, style: Image, note: String?) {
        var contentImage = settings.contentSize > 0 ? decoded.resized(shorterSide: settings.contentSize) : decoded
        var displayNote: String? = nil
        if max(contentImage.width, contentImage.height) > settings.maxCellSide {
            let scale = Double(settings.maxCellSide) / Double(max(contentImage.width, contentImage.height))
            let w = max(1, Int((Double(contentImage.width) * scale).rounded())), h = max(1, Int((Double(contentImage.height) * scale).rounded()))
            displayNote = "cells rendered at \(w)x\(h): the \(contentImage.width)x\(contentImage.height) content was scaled to the grid's display size"
            control.note?(displayNote!)
            contentImage = contentImage.resized(width: w, height: h)
        }
        let styleImage = try StyleEngine.styleImage(.image(decodedStyle, name: "style"), shorterSide: settings.styleSize)
        return (contentImage, styleImage, displayNote)
    }

    /// The grid of a comparison with `variants` columns of results and `rows` rows of cells
    /// of `width x height`.
    static func sheet(variants: Int, rows: Int, width: Int, height: Int) -> ContactSheet {
        ContactSheet(columns: 2 + variants, rows: rows, tileWidth: width, tileHeight: height, captionLines: 2, scale: width >= 200 ? 2 : 1)
    }

    /// Memory: the budget covers the whole comparison. The cells (content, its adjustments,
    /// the style and every variant's outputs, 8-bit), the grid and what the process already
    /// holds beyond `MemoryBudget.processOverhead` (measured: `residentBeyondOverhead`) are
    /// held, and each variant runs (`VariantRunner.runBudget`) and each output is measured
    /// (`DistanceMeter`) within what they leave; a budget that cannot hold them is an error
    /// before anything runs. The grid's canvas is allocated before the runs, so it does not
    /// land above their high-water mark afterwards (measured at 768x384 cells with the
    /// contrast sweep: the grid drawn after the runs took the peak 10 MB higher).
    static func run(engine: StyleEngine, measure: any AdaINNetwork, prepared: (content: Image, style: Image, note: String?),
                    styleName: String, settings: ComparisonSettings, control: RunControl) throws -> ComparisonResult {
        let (contentImage, styleImage, displayNote) = prepared
        let runner = VariantRunner(engine: engine, style: .image(styleImage, name: "\(styleName)@\(settings.styleSize)"),
                                   alpha: settings.alpha, maxMemoryBytes: settings.maxMemoryBytes)
        let adjustments = settings.contrastSweep ? ContentAdjustment.sweep : []
        let adjusted = adjustments.map { $0.apply(contentImage) }
        let inputs = [contentImage] + adjusted
        let planned = sheet(variants: settings.variants.count, rows: inputs.count, width: contentImage.width, height: contentImage.height)
        let gridBytes = 3 * planned.width * planned.height
        let cellBytes = VariantRunner.imageBytes([styleImage]) + (1 + settings.variants.count) * VariantRunner.imageBytes(inputs)
        // The engine's one-time memory (Magenta's networks and style vector) before the
        // measurement; the runs count the predictor's weights themselves (`magentaHeldWeightBytes`).
        try engine.prepare(styles: [runner.style])
        let resident = MemoryBudget.residentBeyondOverhead(accountedBytes: measure.footprint.weightBytes + engine.magentaHeldWeightBytes
                                                           + VariantRunner.imageBytes(inputs + [styleImage]))
        // Magenta's predictor (`magentaHeldWeightBytes`): the runs count it themselves, the
        // rest of the comparison holds it beside.
        let networks = engine.magentaHeldWeightBytes
        let fixed = MemoryBudget.processOverhead + resident + networks + measure.footprint.weightBytes + cellBytes + gridBytes
        guard fixed < settings.maxMemoryBytes else {
            throw OptionError(.maxMemory, "\(option: .maxMemory) \(MemoryBudget.format(settings.maxMemoryBytes)) is too small for this comparison: "
                + "its \(planned.width)x\(planned.height) grid and \(inputs.count * (1 + settings.variants.count) + 1) cells of up to "
                + "\(contentImage.width)x\(contentImage.height) need about \(MemoryBudget.format(fixed)) with the program's own memory; give a smaller "
                + "\(option: .contentSize), fewer variants or a larger \(option: .maxMemory)")
        }
        // The measuring network's weights: the runs' own estimates count them for the AdaIN
        // family (the same network); beside Magenta's runs they are held (10 MB for the default model).
        let runHeld = VariantRunner.imageBytes([styleImage]) + gridBytes + resident
            + (engine.family == .adain ? 0 : measure.footprint.weightBytes)
        let meterHeld = cellBytes + gridBytes + resident + networks
        try checkRunsFit(engine: engine, measure: measure, runner: runner, settings: settings, content: contentImage, style: styleImage,
                         inputs: inputs, runHeld: runHeld, meterHeld: meterHeld)
        var canvas: Canvas? = planned.blankCanvas()
        let (runs, skipped) = try runner.run(settings.variants, content: contentImage, inputs: inputs, heldBytes: runHeld, control: control)
        let meter = try DistanceMeter(network: measure, content: contentImage, style: styleImage, maxMemoryBytes: settings.maxMemoryBytes,
                                      heldBytes: meterHeld)
        let measurements = try runs.map { run -> VariantMeasurement in
            let d = try meter.distances(of: run.outputs[0])
            return VariantMeasurement(name: run.name, norm: run.norm.description, match: run.match.name, caption: run.variant.caption, styleDistance: d.style, contentDistance: d.content,
                                      seconds: run.seconds)
        }

        var cells: [[SheetCell]] = [[SheetCell(image: contentImage, caption: ["content", "x1"]),
                                     SheetCell(image: styleImage, caption: ["style", ""])]
                                    + zip(measurements, runs).map { m, run in
                                        SheetCell(image: run.outputs[0], caption: [m.name, "s=\(short(m.styleDistance)) c=\(short(m.contentDistance))"])
                                    }]
        var sweep: [SweepRow] = []
        for (k, (adjustment, adjustedContent)) in zip(adjustments, adjusted).enumerated() {
            var row = [SheetCell(image: adjustedContent, caption: ["content", adjustment.description]),
                       SheetCell(image: nil, caption: ["", ""])]
            var changes: [Double] = []
            for run in runs {
                let change = FeatureDistance.meanAbsoluteChange(run.outputs[k + 1], run.outputs[0])
                changes.append(change)
                row.append(SheetCell(image: run.outputs[k + 1], caption: [run.name, "change \(short(change))"]))
            }
            sweep.append(SweepRow(adjustment: adjustment.description, changes: changes))
            cells.append(row)
        }

        let tileW = contentImage.width, tileH = contentImage.height
        let sheet = sheet(variants: measurements.count, rows: cells.count, width: tileW, height: tileH)
        // The planned canvas, or a smaller one when variants were skipped (drawn where it was).
        if sheet.width != planned.width { canvas = nil }
        var grid = canvas ?? sheet.blankCanvas()
        canvas = nil
        sheet.draw(cells, on: &grid)
        return ComparisonResult(variants: measurements, sweep: sweep, skipped: skipped, outputs: runs.map { $0.outputs[0] },
                                grid: grid.image, sheet: sheet,
                                cellWidth: tileW, cellHeight: tileH, displayNote: displayNote)
    }

    /// Throws, before anything runs, when the variants' runs (each within
    /// `VariantRunner.runBudget` beside `runHeld`) or the distances (beside `meterHeld`)
    /// could not fit the budget: the engine's or the meter's reason, prefixed with what the
    /// comparison holds. (Magenta's batch-norm population is checked when it runs; a variant
    /// that cannot run is skipped with its reason.)
    static func checkRunsFit(engine: StyleEngine, measure: any AdaINNetwork, runner: VariantRunner, settings: ComparisonSettings,
                             content: Image, style: Image, inputs: [Image], runHeld: Int, meterHeld: Int) throws {
        let runBudget = runner.runBudget(variants: settings.variants.count, inputs: inputs, heldBytes: runHeld)
        do {
            guard runBudget > MemoryBudget.processOverhead else { return }   // `VariantRunner.run` says why
            var options = runner.options(for: settings.variants[0])
            options.maxMemoryBytes = runBudget
            _ = try engine.plan(width: content.width, height: content.height, options: options)
            try DistanceMeter.check(measure, width: content.width, height: content.height, styleWidth: style.width,
                                    styleHeight: style.height, budget: settings.maxMemoryBytes, held: meterHeld)
        } catch let error as OptionError where error.option == .maxMemory {
            throw OptionError(.maxMemory, "\(option: .maxMemory) \(MemoryBudget.format(settings.maxMemoryBytes)) is too small for this comparison "
                + "beside its grid, its cells and the program's own memory (about \(MemoryBudget.format(settings.maxMemoryBytes - runBudget))): "
                + error.message + "; give a smaller \(option: .contentSize), fewer variants or a larger \(option: .maxMemory)")
        }
    }

    /// Runs every variant of an AdaIN-family `model`, which also measures the distances.
    public static func run(model: any AdaINNetwork, content: String, style: String,
                           settings: ComparisonSettings) throws -> ComparisonResult {
        try run(engine: StyleEngine(model: model, weightsPath: "(in memory)"), measure: model,
                content: content, style: style, settings: settings)
    }

    /// Three significant digits ("0.0123", "45.6", "1.23e+03").
    static func short(_ v: Double) -> String { String(format: "%.3g", v) }
}
