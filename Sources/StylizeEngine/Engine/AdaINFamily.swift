import StyleKernels
import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// The AdaIN family inside the engine: one loaded encoder/decoder network, a
/// `FeatureMatcher` per (norm, match), cached style statistics, and the choice between the
/// untiled run and the tiled run (`TiledStylizer`) by the memory budget.
final class AdaINFamily: @unchecked Sendable {
    /// The network at the engine's precision: every stylization runs it.
    let model: any AdaINNetwork
    /// The same network at float32 (shares its weights): the one distances are measured with.
    let reference: any AdaINNetwork
    let weightsPath: String
    private let lock = NSLock()
    private var matchers: [String: FeatureMatcher] = [:]
    let styleCache = StyleCache<StyleMatchStatistics>(cost: \.bytes)

    init(model: any AdaINNetwork, weightsPath: String, precision: Precision) {
        self.model = model.withPrecision(precision)
        self.reference = model.withPrecision(.f32)
        self.weightsPath = weightsPath
    }

    /// The matcher of `match` under `norm` (made once; `.batch` takes the weights' population).
    func matcher(_ norm: NormKind, _ match: StatisticMatch) throws -> FeatureMatcher {
        let key = "\(norm)|\(match)"
        lock.lock(); defer { lock.unlock() }
        if let m = matchers[key] { return m }
        let m = try FeatureMatcher(model: model, norm: norm, match: match)
        matchers[key] = m
        return m
    }

    // MARK: - Styles

    /// The statistics of one style under `matcher` and `options` (style size, budget),
    /// cached unless the style is recoloured for a particular content (`colorsOf`).
    func styleStatistics(_ style: StyleRef, matcher: FeatureMatcher, options: TransferOptions, contentPixels: Int,
                         colorsOf content: Tensor?, control: RunControl) throws -> StyleMatchStatistics {
        let key = "\(matcher.norm)|\(matcher.match)|\(options.styleSize)|\(options.maxMemoryBytes)|\(style.cacheKey)"
        if content == nil {
            if let hit = styleCache[key] { return hit }
        }
        var image = try StyleEngine.styleImage(style, shorterSide: options.styleSize)
        image = try fitStyle(image, name: style.name, options: options, contentPixels: contentPixels, control: control)
        var tensor = Tensor(image: image)
        if let content { tensor = clamp01(try ColorPreservation.matchColors(of: tensor, to: content)) }
        let stats = try matcher.styleStatistics(of: model.encodeStyle(tensor))
        if content == nil { styleCache.store(stats, for: key) }
        return stats
    }

    /// The style image shrunk (keeping its aspect ratio) when encoding it at its size would
    /// not fit the budget beside the weights and the content's 8-bit pixels; a note says so.
    /// Style statistics are global means and variances, so a smaller copy of the painting
    /// gives nearly the same ones.
    func fitStyle(_ image: Image, name: String, options: TransferOptions, contentPixels: Int,
                  control: RunControl) throws -> Image {
        let fp = model.footprint
        let perPixel = 4 * fp.styleFloatsPerPixel + 15
        let available = options.maxMemoryBytes - MemoryBudget.processOverhead - fp.weightBytes - 6 * contentPixels
        let limit = max(available / perPixel, 0)
        guard image.pixelCount > limit else { return image }
        let minimumSide = 2 * model.layout.stride
        let scale = (Double(limit) / Double(image.pixelCount)).squareRoot()
        let w = max(minimumSide, Int(Double(image.width) * scale)), h = max(minimumSide, Int(Double(image.height) * scale))
        guard w * h <= limit, w < image.width || h < image.height else {
            throw OptionError(.maxMemory,
                "\(name): \(option: .maxMemory) \(MemoryBudget.format(options.maxMemoryBytes)) is too small to encode this style "
                + "(\(image.width)x\(image.height)) beside the model's \(MemoryBudget.format(fp.weightBytes)) of weights")
        }
        control.note?("\(name): style resized from \(image.width)x\(image.height) to \(w)x\(h) to fit the memory budget (\(MemoryBudget.format(options.maxMemoryBytes)))")
        return image.resized(width: w, height: h)
    }

    // MARK: - Content

    /// The tiling of a content image: `--tile N` when given, else tiles chosen by the
    /// budget when the untiled run's estimated peak exceeds it; nil for an untiled run.
    func tilePlan(width: Int, height: Int, stylePixels: Int, options: TransferOptions) throws -> TilePlan? {
        let frame = NetworkFrame(layout: model.layout, contentHeight: height, contentWidth: width)
        let margins = TileMargins(layout: model.layout)
        let tile: Int
        if options.tileSize > 0 {
            tile = options.tileSize
        } else {
            let extra = MemoryBudget.matchBytes(options.resolvedMatch(family: .adain), channels: model.featureChannels)
            guard let chosen = try MemoryBudget.chooseTile(model.footprint, frame: frame, stylePixels: stylePixels,
                                                           budget: options.maxMemoryBytes, margins: margins,
                                                           extraBytes: extra) else { return nil }
            tile = chosen
        }
        let plan = try TilePlan(frame: frame, tilePixels: tile, margins: margins)
        return plan.count > 1 ? plan : nil
    }

    func run(content: Image, styles: [StyleRef], options: TransferOptions, mask: Image?,
             policy: StatisticsPolicy?, control: RunControl) throws -> Image {
        let matcher = try self.matcher(options.norm, options.resolvedMatch(family: .adain))
        let mixWeights = options.normalisedStyleWeights(styleCount: styles.count)
        // Colour preservation recolours the styles to the content's colour statistics, taken
        // on the content shrunk to 512 px on its shorter side (the same for tiled and untiled runs).
        let colorSource = options.preserveColor
            ? Tensor(image: min(content.width, content.height) > 512 ? content.resized(shorterSide: 512) : content) : nil
        let stats = try styles.map {
            try styleStatistics($0, matcher: matcher, options: options, contentPixels: content.pixelCount,
                                colorsOf: colorSource, control: control)
        }
        try control.check()
        let weighted = Array(zip(stats, mixWeights))
        let plan = try tilePlan(width: content.width, height: content.height, stylePixels: 0, options: options)
        if let plan {
            let tiled = TiledStylizer(model: model, matcher: matcher)
            if let mask {
                let featureMask = try TiledStylizer.featureMask(mask, frame: plan.frame)
                return try tiled.stylize(content, plan: plan, masked: featureMask, foreground: [weighted[0]],
                                         background: [(weighted[1].0, 1)], alpha: options.alpha, control: control)
            }
            var global: ContentMatchStatistics? = nil
            if policy != nil || matcher.usesContentStatistics {
                global = try tiled.matchStatistics(of: content, plan: plan, control: control)
            }
            if let policy, let own = global { global = try policy.choose(0, own) }
            let matchPlan = try matcher.plan(content: global, styles: weighted, alpha: options.alpha)
            return try tiled.stylize(content, plan: plan, matchPlan: matchPlan, control: control)
        }
        let (features, geometry) = model.encodeContent(Tensor(image: content))
        let swapped: Tensor
        if let mask {
            let featureMask = Stylizer.featureMask(StyleEngine.maskTensor(mask, width: content.width, height: content.height),
                                                   geometry: geometry, features: features.shape, stride: model.featureStride)
            swapped = try matcher.apply(content: features, mask: featureMask, foreground: [weighted[0]],
                                        background: [(weighted[1].0, 1)], alpha: options.alpha)
        } else {
            var own: ContentMatchStatistics? = nil
            if policy != nil || matcher.usesContentStatistics {
                let gatherer = StatisticsGatherer(matcher)
                own = try gatherer.statistics(of: features, range: gatherer.range(of: features))
            }
            if let policy, let stats = own { own = try policy.choose(0, stats) }
            swapped = try matcher.plan(content: own, styles: weighted, alpha: options.alpha).apply(to: features)
        }
        return Image(tensor: model.decode(swapped, geometry: geometry), alpha: content.alpha)
    }

    /// The content statistics of `match` under `norm` at the bottleneck, over the whole image
    /// (tiled if the untiled encoder would not fit the budget). Computed from the image for
    /// every norm, `.batch` included (runs with `--norm batch` otherwise use the weights' population).
    func contentStatistics(_ content: Image, norm: NormKind, match: StatisticMatch, options: TransferOptions,
                           control: RunControl) throws -> ContentMatchStatistics {
        try norm.validate(channels: model.featureChannels)
        let gatherer = try StatisticsGatherer(match: match, norm: norm)
        if let plan = try tilePlan(width: content.width, height: content.height, stylePixels: 0, options: options) {
            // The tiled walk needs only the gatherer; the matcher's population is not used.
            let walker = TiledStylizer(model: model, matcher: try FeatureMatcher(match: match, norm: .instance))
            return try walker.matchStatistics(of: content, plan: plan, gatherer: gatherer, control: control)
        }
        let features = model.encodeContent(Tensor(image: content)).features
        return try gatherer.statistics(of: features, range: gatherer.range(of: features))
    }
}
