import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// Settings of `stylize compare`.
public struct ComparisonSettings: Sendable {
    /// The statistic swaps to compare, in grid order (group norm once per G).
    public var norms: [NormKind] = [.instance, .batch, .layer, .group(groups: 8), .group(groups: 32)]
    public var alpha: Float = 1
    /// Shorter sides of the content and style images (0 keeps their size).
    public var contentSize = 256
    public var styleSize = 256
    /// Adds the rows of `ContentAdjustment.sweep`.
    public var contrastSweep = false
    /// Longest side of a grid cell in pixels: a larger content (e.g. `--content-size 0` on a
    /// camera photo) is stylized at this display size, and the report says so.
    public var maxCellSide = 768
    /// Memory budget of each variant's run (as `--max-memory`).
    public var maxMemoryBytes = MemoryBudget.defaultBytes

    public init() {}

    /// The variants named by `--norms` and `--groups`: each norm once, "group" once per G.
    public static func norms(names: [String], groups: [Int]) throws -> [NormKind] {
        var out: [NormKind] = []
        for name in names {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased() == "group" {
                guard !groups.isEmpty else { throw PipelineError.invalidOption("--norms group needs --groups G[,G...]") }
                for g in groups { out.append(try NormKind(name: "group", groups: g)) }
            } else {
                out.append(try NormKind(name: trimmed))
            }
        }
        guard !out.isEmpty else { throw PipelineError.invalidOption("--norms names no variant") }
        return out
    }
}

/// One variant's numbers.
public struct VariantMeasurement: Sendable, Equatable, Codable {
    /// "AdaIN", "AdaBN", "AdaLN", "AdaGN (G=8)".
    public var name: String
    /// "instance", "batch", "layer", "group(8)".
    public var norm: String
    /// See `FeatureDistance.style` (output vs style, lower = closer to the style).
    public var styleDistance: Double
    /// See `FeatureDistance.content` (output vs content at the deepest tap).
    public var contentDistance: Double
    /// Seconds for the style statistics, content encoding, swap and decoding.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case name, norm, seconds
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

/// A variant that could not be run (e.g. batch norm without population statistics).
public struct SkippedVariant: Sendable, Equatable, Codable {
    public var name: String
    public var reason: String
}

/// The result of a comparison: the numbers and the captioned grid.
public struct ComparisonResult: Sendable {
    public var variants: [VariantMeasurement]
    public var sweep: [SweepRow]
    public var skipped: [SkippedVariant]
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

/// Side-by-side comparison of the statistic-swap variants (AdaIN, AdaBN, AdaLN, AdaGN)
/// on one content and style, with feature-space distances and an optional contrast sweep
/// showing that the instance swap ignores the content's global contrast and brightness.
/// Every variant runs through the `StyleEngine` (same budget and checks as a transfer).
public enum Comparison {
    /// Runs every variant with `engine`. `measure` (an AdaIN-family network: the engine's own
    /// for `.adain`) supplies the feature space of the distances, so both families are
    /// measured alike.
    ///
    /// AdaIN family: the variants swap the statistics at the bottleneck; AdaBN uses the
    /// population statistics stored with the weights. Magenta: the variants swap the
    /// statistics inside every conditional instance norm of the transformer (the comparison
    /// of Ulyanov et al. 2016); AdaBN uses population statistics over all the compared
    /// contents (the content and its sweep adjustments), as batch norm's running statistics
    /// would be over that set.
    public static func run(engine: StyleEngine, measure: any StyleTransferModel, content contentPath: String,
                           style stylePath: String, settings: ComparisonSettings,
                           control: RunControl = .init()) throws -> ComparisonResult {
        try run(engine: engine, measure: measure, content: ImageIO.decode(file: contentPath),
                style: ImageIO.decode(file: stylePath), styleName: stylePath, settings: settings, control: control)
    }

    /// The same on decoded images (`styleName` names the style in messages and the cache).
    /// `settings.contentSize` and `styleSize` resize them as for files.
    public static func run(engine: StyleEngine, measure: any StyleTransferModel, content decoded: Image,
                           style decodedStyle: Image, styleName: String, settings: ComparisonSettings,
                           control: RunControl = .init()) throws -> ComparisonResult {
        guard settings.alpha >= 0, settings.alpha <= 1 else {
            throw PipelineError.invalidOption("--alpha must be between 0 and 1, got \(settings.alpha)")
        }
        var contentImage = settings.contentSize > 0 ? decoded.resized(shorterSide: settings.contentSize) : decoded
        var displayNote: String? = nil
        if max(contentImage.width, contentImage.height) > settings.maxCellSide {
            let scale = Double(settings.maxCellSide) / Double(max(contentImage.width, contentImage.height))
            let w = max(1, Int((Double(contentImage.width) * scale).rounded())), h = max(1, Int((Double(contentImage.height) * scale).rounded()))
            displayNote = "cells rendered at \(w)x\(h): the \(contentImage.width)x\(contentImage.height) content was scaled to the grid's display size"
            control.note?(displayNote!)
            contentImage = contentImage.resized(width: w, height: h)
        }
        let styleImage = try StyleEngine.styleImage(.image(decodedStyle, name: styleName), shorterSide: settings.styleSize)
        let content = Tensor(image: contentImage)
        let styleRef = StyleRef.image(styleImage, name: "\(styleName)@\(settings.styleSize)")
        let styleTaps = measure.featureTaps(Tensor(image: styleImage))
        let contentDeep = measure.featureTaps(content).last!
        // Every content the variants will see: a population-statistics variant collects them.
        let adjustments = settings.contrastSweep ? ContentAdjustment.sweep : []
        let adjusted = adjustments.map { Image(tensor: $0.apply(content)) }

        var variants: [(Image) throws -> Image] = []
        var measurements: [VariantMeasurement] = []
        var skipped: [SkippedVariant] = []
        var outputs: [Image] = []
        for norm in settings.norms {
            try control.check()
            let t0 = Date()
            var options = TransferOptions()
            options.norm = norm
            options.alpha = settings.alpha
            options.styleSize = 0
            options.maxMemoryBytes = settings.maxMemoryBytes
            let variant: (Image) throws -> Image
            let out: Image
            do {
                var policy: StatisticsPolicy? = nil
                if norm == .batch && engine.family == .magenta {
                    policy = .fixed(try engine.populationStatistics(of: [contentImage] + adjusted, styles: [styleRef], options: options))
                }
                variant = { [policy] in try engine.stylize($0, styles: [styleRef], options: options, statistics: policy, control: control) }
                out = try variant(contentImage)
            } catch let error as PipelineError {
                if case .cancelled = error { throw error }
                skipped.append(SkippedVariant(name: norm.swapName, reason: "\(error)"))
                continue
            } catch {
                skipped.append(SkippedVariant(name: norm.swapName, reason: "\(error)"))
                continue
            }
            let seconds = Date().timeIntervalSince(t0)
            let taps = measure.featureTaps(Tensor(image: out))
            measurements.append(VariantMeasurement(
                name: norm.swapName, norm: norm.description,
                styleDistance: FeatureDistance.style(output: taps, style: styleTaps),
                contentDistance: FeatureDistance.content(output: taps.last!, content: contentDeep),
                seconds: seconds))
            variants.append(variant)
            outputs.append(out)
        }
        guard !measurements.isEmpty else {
            throw PipelineError.invalidOption("no variant could be run: " + skipped.map { "\($0.name): \($0.reason)" }.joined(separator: "; "))
        }

        var cells: [[SheetCell]] = [[SheetCell(image: contentImage, caption: ["content", "x1"]),
                                     SheetCell(image: styleImage, caption: ["style", ""])]
                                    + zip(measurements, outputs).map { m, out in
                                        SheetCell(image: out, caption: [m.name, "s=\(short(m.styleDistance)) c=\(short(m.contentDistance))"])
                                    }]
        var sweep: [SweepRow] = []
        for (adjustment, adjustedContent) in zip(adjustments, adjusted) {
            var changes: [Double] = []
            var row = [SheetCell(image: adjustedContent, caption: ["content", adjustment.description]),
                       SheetCell(image: nil, caption: ["", ""])]
            for (k, variant) in variants.enumerated() {
                try control.check()
                let out = try variant(adjustedContent)
                let change = FeatureDistance.meanAbsoluteChange(Tensor(image: out), Tensor(image: outputs[k]))
                changes.append(change)
                row.append(SheetCell(image: out, caption: [measurements[k].name, "change \(short(change))"]))
            }
            sweep.append(SweepRow(adjustment: adjustment.description, changes: changes))
            cells.append(row)
        }

        let tileW = contentImage.width, tileH = contentImage.height
        let scale = tileW >= 200 ? 2 : 1
        let sheet = ContactSheet(columns: 2 + measurements.count, rows: cells.count, tileWidth: tileW, tileHeight: tileH,
                                 captionLines: 2, scale: scale)
        return ComparisonResult(variants: measurements, sweep: sweep, skipped: skipped, grid: sheet.render(cells), sheet: sheet,
                                cellWidth: tileW, cellHeight: tileH, displayNote: displayNote)
    }

    /// Runs every variant of an AdaIN-family `model`, which also measures the distances.
    public static func run(model: any StyleTransferModel, content: String, style: String,
                           settings: ComparisonSettings) throws -> ComparisonResult {
        try run(engine: StyleEngine(model: model, weightsPath: "(in memory)"), measure: model,
                content: content, style: style, settings: settings)
    }

    /// Three significant digits ("0.0123", "45.6", "1.23e+03").
    static func short(_ v: Double) -> String { String(format: "%.3g", v) }
}
