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
}

/// Side-by-side comparison of the statistic-swap variants (AdaIN, AdaBN, AdaLN, AdaGN)
/// on one content and style, with feature-space distances and an optional contrast sweep
/// showing that the instance swap ignores the content's global contrast and brightness.
public enum Comparison {
    /// Runs every variant of an AdaIN-family `model` (shared by all of them).
    public static func run(model: any StyleTransferModel, content contentPath: String, style stylePath: String,
                           settings: ComparisonSettings) throws -> ComparisonResult {
        try run(engine: .adain(model, alpha: settings.alpha), content: contentPath, style: stylePath, settings: settings)
    }

    /// Runs every variant that `engine` can build.
    public static func run(engine: ComparisonEngine, content contentPath: String, style stylePath: String,
                           settings: ComparisonSettings) throws -> ComparisonResult {
        guard settings.alpha >= 0, settings.alpha <= 1 else {
            throw PipelineError.invalidOption("--alpha must be between 0 and 1, got \(settings.alpha)")
        }
        let contentImage = try TransferSession.load(contentPath, shorterSide: settings.contentSize)
        let styleImage = try TransferSession.load(stylePath, shorterSide: settings.styleSize)
        let content = Tensor(image: contentImage)
        let style = Tensor(image: styleImage)
        let model = engine.measure
        let styleTaps = model.featureTaps(style)
        let contentDeep = model.featureTaps(content).last!
        // Every content the variants will see: a population-statistics variant collects them.
        let adjustments = settings.contrastSweep ? ContentAdjustment.sweep : []
        let adjusted = adjustments.map { $0.apply(content) }

        var variants: [(Tensor) throws -> Tensor] = []
        var measurements: [VariantMeasurement] = []
        var skipped: [SkippedVariant] = []
        var outputs: [Image] = []
        for norm in settings.norms {
            let t0 = Date()
            let variant: (Tensor) throws -> Tensor
            do { variant = try engine.makeVariant(norm, style, [content] + adjusted) } catch {
                skipped.append(SkippedVariant(name: norm.swapName, reason: "\(error)"))
                continue
            }
            let out = Image(tensor: try variant(content))
            let seconds = Date().timeIntervalSince(t0)
            let taps = model.featureTaps(Tensor(image: out))
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
            var row = [SheetCell(image: Image(tensor: adjustedContent), caption: ["content", adjustment.description]),
                       SheetCell(image: nil, caption: ["", ""])]
            for (k, variant) in variants.enumerated() {
                let out = Image(tensor: try variant(adjustedContent))
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
        return ComparisonResult(variants: measurements, sweep: sweep, skipped: skipped, grid: sheet.render(cells), sheet: sheet)
    }

    /// Three significant digits ("0.0123", "45.6", "1.23e+03").
    static func short(_ v: Double) -> String { String(format: "%.3g", v) }
}

/// One model family as the comparison sees it: how to build each statistic-swap variant,
/// and the encoder whose features measure the style and content distances.
public struct ComparisonEngine {
    /// The feature network of the distances (its `featureTaps`, shallow to deep).
    public let measure: any StyleTransferModel
    /// Builds variant `norm` for `style`; `contents` are all the content images it will be
    /// run on (a population-statistics variant may collect them). Throws when the variant
    /// cannot run, e.g. a group count that does not divide the channels.
    public let makeVariant: (_ norm: NormKind, _ style: Tensor, _ contents: [Tensor]) throws -> (Tensor) throws -> Tensor

    public init(measure: any StyleTransferModel,
                makeVariant: @escaping (NormKind, Tensor, [Tensor]) throws -> (Tensor) throws -> Tensor) {
        self.measure = measure
        self.makeVariant = makeVariant
    }

    /// The AdaIN family: the swap at the bottleneck of `model`, which also measures.
    public static func adain(_ model: any StyleTransferModel, alpha: Float) -> ComparisonEngine {
        ComparisonEngine(measure: model) { norm, style, _ in
            let stylizer = try Stylizer(model: model, norm: norm)
            let stats = try stylizer.styleStatistics(of: style)
            return { try stylizer.stylize(content: $0, styles: [WeightedStyle(stats)], alpha: alpha) }
        }
    }
}
