import StyleKernels
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
    /// The loaded family: one case per family, so every operation is one exhaustive switch.
    enum Loaded {
        case adain(AdaINFamily)
        case magenta(MagentaFamily)
    }
    let loaded: Loaded

    /// The arithmetic of the networks' convolutions (`--precision`): every stylization of
    /// this engine runs at it; comparisons measure distances with the float32 encoder.
    public let precision: Precision

    /// Loads `family`'s weights: for `.adain` the file `weights` (nil: `WeightsLocator`'s
    /// default model); for `.magenta` a weights file or folder (nil: the usual places),
    /// each network loaded when first used; the networks set up for `precision`.
    public init(family: ModelFamily = .adain, weights: String? = nil, precision: Precision = .f32) throws {
        self.precision = precision
        switch family {
        case .adain:
            let path = try WeightsLocator().adain(explicit: weights)
            loaded = .adain(AdaINFamily(model: try AdaINLoader.load(path: path), weightsPath: path, precision: precision))
        case .magenta:
            loaded = .magenta(MagentaFamily(weights: weights, precision: precision))
        }
    }

    /// An AdaIN-family engine around an already loaded model, set up for `precision`.
    public init(model: any AdaINNetwork, weightsPath: String, precision: Precision = .f32) {
        self.precision = precision
        loaded = .adain(AdaINFamily(model: model, weightsPath: weightsPath, precision: precision))
    }

    public var family: ModelFamily {
        switch loaded {
        case .adain: return .adain
        case .magenta: return .magenta
        }
    }

    /// The number of Magenta's built-in styles (`StyleRef.preset` indices 0..<count), read
    /// from the multistyle network (loaded if not yet); an error for the AdaIN family.
    public func presetCount() throws -> Int {
        switch loaded {
        case .adain: throw Self.presetsNeedMagenta
        case .magenta(let m): return try m.multistyle.styleCount
        }
    }

    /// The encoder/decoder network of an `.adain` engine at float32, whatever the engine's
    /// precision (comparisons measure distances in its feature space); an error for
    /// `.magenta`, which has none.
    public func adainNetwork() throws -> any AdaINNetwork {
        switch loaded {
        case .adain(let a): return a.reference
        case .magenta: throw EngineError.unsupported("the magenta model family has no AdaIN encoder; load the adain family for this")
        }
    }

    /// The weights files in use so far (Magenta networks appear once loaded).
    public var weightsPaths: [String] {
        switch loaded {
        case .adain(let a): return [a.weightsPath]
        case .magenta(let m): return m.loadedPaths
        }
    }

    static let presetsNeedMagenta = OptionError(.preset, "\(option: .preset) styles belong to the Magenta models; use \(option: .model) magenta")

    /// Every check of a request that needs no pixels, in one place: the options' ranges
    /// (`TransferOptions.validate`), at least one style, presets only with the Magenta
    /// family and not mixed with style images, a statistic match other than moments only
    /// with the AdaIN family, and a mask only with two styles of the AdaIN family and without
    /// shared statistics.
    public static func validate(family: ModelFamily, styles: [StyleRef], options: TransferOptions,
                                hasMask: Bool = false, sharedStatistics: Bool = false) throws {
        try options.validate(styleCount: styles.count)
        guard !styles.isEmpty else {
            throw OptionError(.style, "give at least one \(option: .style) image or a \(option: .preset)")
        }
        if family == .magenta, let match = options.match, match != .moments {
            throw OptionError(.match, "\(option: .match) \(match) is for the adain family: Magenta's conditional instance norms "
                + "take the style as a vector from the style network, with no style features whose covariance or distribution "
                + "could be matched; use \(option: .match) moments with \(option: .model) magenta")
        }
        let presets = styles.filter(\.isPreset).count
        if presets > 0 {
            guard family == .magenta else { throw presetsNeedMagenta }
            guard presets == styles.count else {
                throw OptionError(.preset, "\(option: .preset) and style images cannot be mixed (they use different Magenta networks)")
            }
        }
        if hasMask {
            guard family == .adain else { throw OptionError(.mask, "\(option: .mask) is not supported with \(option: .model) magenta") }
            guard styles.count == 2 else {
                throw OptionError(.mask, "\(option: .mask) needs exactly two styles (foreground, background), got \(styles.count)")
            }
            guard !sharedStatistics else {
                throw OptionError(.mask, "\(option: .mask) cannot be combined with statistics shared across frames (\(option: .stats))")
            }
        }
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
        try Self.validate(family: family, styles: styles, options: options, hasMask: mask != nil,
                          sharedStatistics: statistics != nil)
        switch loaded {
        case .adain(let a):
            return try a.run(content: content, styles: styles, options: options, mask: mask, policy: statistics, control: control)
        case .magenta(let m):
            return try m.run(content: content, styles: styles, options: options, mask: mask, policy: statistics, control: control)
        }
    }

    /// Does now what the first run with `styles` would do once and keep: Magenta loads its
    /// network (the predictor and transformer, loaded lazily) and predicts each style
    /// image's vector (cached); the AdaIN family, whose network is loaded with the engine,
    /// does nothing. For a caller that measures the process's memory before its runs
    /// (`stylize compare`, the server's compare view): the runs' estimates count the loaded
    /// networks' weights (the transformer's, and `magentaHeldWeightBytes`) and their working
    /// memory, not the rest of what loading them left resident.
    public func prepare(styles: [StyleRef]) throws {
        switch loaded {
        case .adain: return
        case .magenta(let m): try m.prepare(styles)
        }
    }

    /// Bytes of the loaded Magenta networks' weights that every Magenta run counts in its
    /// budget beside its transformer's footprint (the style predictor, and the other network
    /// when both are loaded); 0 for the AdaIN family. A caller that measures the process's
    /// memory (`MemoryBudget.residentBeyondOverhead`) counts them as accounted, so they are
    /// not counted twice.
    public var magentaHeldWeightBytes: Int {
        switch loaded {
        case .adain: return 0
        case .magenta(let m): return m.heldWeightBytes
        }
    }

    /// The content statistics a run with these settings would use at each statistics site
    /// (the AdaIN bottleneck, under `options.norm` and the run's match; each Magenta style
    /// norm, moments), over the whole image. Merging them over frames
    /// (`ContentMatchStatistics.merged(with:)`) gives a clip's statistics for
    /// `StatisticsPolicy.fixed`. The styles matter for Magenta only (each norm's input depends
    /// on the norms before it).
    public func contentStatistics(_ content: Image, styles: [StyleRef], options: TransferOptions,
                                  control: RunControl = .init()) throws -> [ContentMatchStatistics] {
        try options.validate(styleCount: styles.count)
        switch loaded {
        case .adain(let a):
            return [try a.contentStatistics(content, norm: options.norm, match: options.resolvedMatch(family: .adain),
                                            options: options, control: control)]
        case .magenta(let m):
            try Self.validate(family: family, styles: styles, options: options)
            return try m.contentStatistics(content, styles: styles, options: options, control: control)
        }
    }

    /// Population statistics over a set of contents of one size at every site, as batch
    /// normalization at inference would have accumulated them with these contents as its
    /// calibration set (Ioffe & Szegedy 2015): for the AdaIN bottleneck the merged
    /// statistics of the run's match of each content's features (per channel for moments;
    /// the channel covariance for covariance); for Magenta's norms one pass over the contents
    /// as a batch, each norm normalising with the batch's statistics. Kind `.batch`; for
    /// `StatisticsPolicy.fixed` with `options.norm == .batch`. Within `options.maxMemoryBytes`:
    /// AdaIN tiles each content as a transfer would; Magenta sweeps the batch layer by layer
    /// when it does not fit untiled (`MagentaSweep.population`).
    public func populationStatistics(of contents: [Image], styles: [StyleRef], options: TransferOptions,
                                     control: RunControl = .init()) throws -> [ContentMatchStatistics] {
        guard let first = contents.first else { throw EngineError.unsupported("population statistics need at least one content") }
        var batchOptions = options
        batchOptions.norm = .batch
        switch loaded {
        case .adain(let a):
            let match = options.resolvedMatch(family: .adain)
            var total = try a.contentStatistics(first, norm: .batch, match: match, options: batchOptions, control: control)
            for content in contents.dropFirst() {
                total = try total.merged(with: a.contentStatistics(content, norm: .batch, match: match, options: batchOptions, control: control))
            }
            return [total]
        case .magenta(let m):
            try Self.validate(family: family, styles: styles, options: options)
            guard contents.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
                throw EngineError.unsupported("population statistics need contents of one size")
            }
            let (transformer, style, _) = try m.conditioning(styles, content: first, options: options)
            return try MagentaSweep.population(transformer, contents: contents, style: style, budget: options.maxMemoryBytes,
                                               heldBytes: m.heldWeightBytes(besides: transformer),
                                               control: control).map { .moments($0) }
        }
    }

    /// How a content of `width x height` would run under `options`: untiled, or in how
    /// many tiles (AdaIN) or row bands (Magenta), with the estimated peak memory.
    public func plan(width: Int, height: Int, options: TransferOptions) throws -> RunPlan {
        switch loaded {
        case .adain(let a):
            let frame = NetworkFrame(layout: a.model.layout, contentHeight: height, contentWidth: width)
            let extra = MemoryBudget.matchBytes(options.resolvedMatch(family: .adain), channels: a.model.featureChannels)
            if let tiles = try a.tilePlan(width: width, height: height, stylePixels: 0, options: options) {
                return RunPlan(pieces: tiles.count, unit: "tiles",
                               estimatedPeakBytes: MemoryBudget.tiledPeak(a.model.footprint, plan: tiles, stylePixels: 0, extraBytes: extra))
            }
            return RunPlan(pieces: 1, unit: "tiles",
                           estimatedPeakBytes: MemoryBudget.untiledPeak(a.model.footprint, frame: frame, stylePixels: 0, extraBytes: extra))
        case .magenta(let m):
            return try m.plan(width: width, height: height, options: options)
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
    package static func styleImage(_ style: StyleRef, shorterSide: Int) throws -> Image {
        let image: Image
        switch style {
        case .file(let path): image = try ImageIO.decode(file: path)
        case .image(let i, _): image = i
        case .preset(let spec): throw EngineError.unsupported("preset \(spec) is not an image")
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
