import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// The one engine under every command (transfer, batch, compare, video, serve): it loads a
/// model family, prepares styles (cached), and stylizes in-memory images within the memory
/// budget of `TransferOptions.maxMemoryBytes`, tiling when needed. It reads style files but
/// never writes files, prints or handles signals: callers watch it through `RunControl`.
///
///     content image ─▶ stylize(content, styles, options) ─▶ stylized image (same size, alpha kept)
///
/// - AdaIN family: statistic swap at the bottleneck; untiled when the estimated peak fits
///   the budget, else the two-pass tiled run with global statistics (`TiledStylizer`).
/// - Magenta family: the conditional-instance-norm transformer; untiled when it fits, else
///   a layer-by-layer sweep over row bands with global statistics at every norm (`MagentaSweep`).
///
/// Results depend only on the inputs, weights and options, not on the thread count.
public final class StyleEngine: @unchecked Sendable {
    public let family: ModelFamily
    let adain: AdaINFamily?
    let magenta: MagentaFamily?

    /// Loads `family`'s weights: for `.adain` the file `weights` (nil: `WeightsLocator`'s
    /// default model); for `.magenta` a weights file or folder (nil: `MagentaWeightsLocator`),
    /// each network loaded when first used.
    public init(family: ModelFamily = .adain, weights: String? = nil) throws {
        self.family = family
        switch family {
        case .adain:
            let path = try WeightsLocator.resolve(explicit: weights)
            adain = AdaINFamily(model: try ModelLoader.load(path: path), weightsPath: path)
            magenta = nil
        case .magenta:
            adain = nil
            magenta = MagentaFamily(weights: weights)
        }
    }

    /// An AdaIN-family engine around an already loaded model.
    public init(model: any StyleTransferModel, weightsPath: String) {
        family = .adain
        adain = AdaINFamily(model: model, weightsPath: weightsPath)
        magenta = nil
    }

    /// The number of Magenta's built-in styles (`StyleRef.preset` indices 0..<count), read
    /// from the multistyle network (loaded if not yet); an error for the AdaIN family.
    public func presetCount() throws -> Int {
        guard let magenta else { throw PipelineError.invalidOption("presets belong to the Magenta models; use --model magenta") }
        return try magenta.multistyle.styleCount
    }

    /// The AdaIN network of an `.adain` engine (nil for `.magenta`).
    public var adainModel: (any StyleTransferModel)? { adain?.model }

    /// The weights files in use so far (Magenta networks appear once loaded).
    public var weightsPaths: [String] {
        if let adain { return [adain.weightsPath] }
        return magenta?.loadedPaths ?? []
    }

    /// Stylizes `content` (already at the size wanted: see `loadContent`) with a weighted mix
    /// of `styles` (`options.styleWeights`; one style per region with a `mask`).
    ///
    /// - `mask`: two styles, the first where the mask is white (AdaIN family only); resized
    ///   to the content.
    /// - `statistics`: where the content statistics at each site come from (see
    ///   `StatisticsPolicy`); nil = the image's own, over the whole image.
    /// - `control`: cancellation, progress of tiled runs, notes.
    public func stylize(_ content: Image, styles: [StyleRef], options: TransferOptions, mask: Image? = nil,
                        statistics: StatisticsPolicy? = nil, control: RunControl = .init()) throws -> Image {
        try options.validate(styleCount: styles.count)
        guard !styles.isEmpty else { throw PipelineError.invalidOption("at least one style is needed") }
        switch family {
        case .adain:
            return try adain!.run(content: content, styles: styles, options: options, mask: mask,
                                  policy: statistics, control: control)
        case .magenta:
            return try magenta!.run(content: content, styles: styles, options: options, mask: mask,
                                    policy: statistics, control: control)
        }
    }

    /// The content statistics a run with these settings would use at each statistics site
    /// (the AdaIN bottleneck; each Magenta style norm), over the whole image, under
    /// `options.norm`. Merging them over frames (`FeatureStatistics.merged(with:)`) gives a
    /// clip's statistics for `StatisticsPolicy.fixed`. The styles matter for Magenta only
    /// (each norm's input depends on the norms before it).
    public func contentStatistics(_ content: Image, styles: [StyleRef], options: TransferOptions,
                                  control: RunControl = .init()) throws -> [FeatureStatistics] {
        try options.validate(styleCount: styles.count)
        switch family {
        case .adain: return [try adain!.contentStatistics(content, kind: options.norm, options: options, control: control)]
        case .magenta: return try magenta!.contentStatistics(content, styles: styles, options: options, control: control)
        }
    }

    /// Population statistics over a set of contents of one size at every site, as batch
    /// normalization at inference would have accumulated them with these contents as its
    /// calibration set (Ioffe & Szegedy 2015): for the AdaIN bottleneck the merged per-channel
    /// statistics of each content's features; for Magenta's norms one pass over the contents
    /// as a batch, each norm normalising with the batch's statistics. Kind `.batch`; for
    /// `StatisticsPolicy.fixed` with `options.norm == .batch`.
    public func populationStatistics(of contents: [Image], styles: [StyleRef], options: TransferOptions) throws -> [FeatureStatistics] {
        guard let first = contents.first else { throw PipelineError.invalidOption("population statistics need at least one content") }
        var batchOptions = options
        batchOptions.norm = .batch
        switch family {
        case .adain:
            var total: FeatureStatistics?
            for content in contents {
                let own = try adain!.contentStatistics(content, kind: .batch, options: batchOptions, control: .init())
                total = try total.map { try $0.merged(with: own) } ?? own
            }
            return [total!]
        case .magenta:
            guard contents.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
                throw PipelineError.invalidOption("population statistics need contents of one size")
            }
            let (transformer, style, _) = try magenta!.conditioning(styles, content: first, options: options)
            let batch = Tensor(shape: Shape(n: contents.count, h: first.height, w: first.width, c: 3),
                               data: contents.flatMap { Tensor(image: $0).data })
            return try transformer.collectPopulation(batch, style: style).statistics
        }
    }

    /// How a content of `width x height` would run under `options`: untiled, or in how
    /// many tiles (AdaIN) or row bands (Magenta), with the estimated peak memory.
    public func plan(width: Int, height: Int, options: TransferOptions) throws -> RunPlan {
        switch family {
        case .adain:
            let a = adain!
            let frame = NetworkFrame(layout: a.model.layout, contentHeight: height, contentWidth: width)
            if let tiles = try a.tilePlan(width: width, height: height, stylePixels: 0, options: options) {
                return RunPlan(pieces: tiles.count, unit: "tiles",
                               estimatedPeakBytes: MemoryBudget.tiledPeak(a.model.footprint, plan: tiles, stylePixels: 0))
            }
            return RunPlan(pieces: 1, unit: "tiles", estimatedPeakBytes: MemoryBudget.untiledPeak(a.model.footprint, frame: frame, stylePixels: 0))
        case .magenta:
            return try magenta!.plan(width: width, height: height, options: options)
        }
    }

    /// Decodes a content file and resizes its shorter side to `options.contentSize` (0 keeps it).
    public static func loadContent(_ path: String, options: TransferOptions) throws -> Image {
        prepareContent(try ImageIO.decode(file: path), options: options)
    }

    /// A decoded content image resized as `loadContent` resizes a file's.
    public static func prepareContent(_ image: Image, options: TransferOptions) -> Image {
        options.contentSize > 0 ? image.resized(shorterSide: options.contentSize) : image
    }

    /// A style's pixels, its shorter side resized to `shorterSide` (0 keeps the size).
    static func styleImage(_ style: StyleRef, shorterSide: Int) throws -> Image {
        let image: Image
        switch style {
        case .file(let path): image = try ImageIO.decode(file: path)
        case .image(let i, _): image = i
        case .preset(let spec): throw PipelineError.invalidOption("preset \(spec) is not an image")
        }
        return shorterSide > 0 ? image.resized(shorterSide: shorterSide) : image
    }

    /// A mask image as 1 x H x W x 1 in [0, 1] (mean of R, G, B), resized to the content.
    static func maskTensor(_ mask: Image, width: Int, height: Int) -> Tensor {
        let image = mask.width == width && mask.height == height ? mask : mask.resized(width: width, height: height)
        var out = Tensor(shape: Shape(n: 1, h: height, w: width, c: 1))
        for p in 0..<(width * height) {
            let sum = Int(image.rgb[3 * p]) + Int(image.rgb[3 * p + 1]) + Int(image.rgb[3 * p + 2])
            out.data[p] = Float(sum) / (3 * 255)
        }
        return out
    }
}
