import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// The AdaIN family inside the engine: one loaded encoder/decoder network, a `Stylizer`
/// per norm, cached style statistics, and the choice between the untiled run and the
/// two-pass tiled run (`TiledStylizer`) by the memory budget.
final class AdaINFamily: @unchecked Sendable {
    let model: any AdaINNetwork
    let weightsPath: String
    private let lock = NSLock()
    private var stylizers: [NormKind: Stylizer] = [:]
    let styleCache = StyleCache<FeatureStatistics>()

    init(model: any AdaINNetwork, weightsPath: String) {
        self.model = model
        self.weightsPath = weightsPath
    }

    func stylizer(_ norm: NormKind) throws -> Stylizer {
        lock.lock(); defer { lock.unlock() }
        if let s = stylizers[norm] { return s }
        let s = try Stylizer(model: model, norm: norm)
        stylizers[norm] = s
        return s
    }

    // MARK: - Styles

    /// The statistics of one style under `options` (norm, style size, budget), cached unless
    /// the style is recoloured for a particular content (`colorsOf`).
    func styleStatistics(_ style: StyleRef, options: TransferOptions, contentPixels: Int,
                         colorsOf content: Tensor?, control: RunControl) throws -> FeatureStatistics {
        let key = "\(options.norm)|\(options.styleSize)|\(options.maxMemoryBytes)|\(style.cacheKey)"
        if content == nil {
            if let hit = styleCache[key] { return hit }
        }
        var image = try StyleEngine.styleImage(style, shorterSide: options.styleSize)
        image = try fitStyle(image, name: style.name, options: options, contentPixels: contentPixels, control: control)
        var tensor = Tensor(image: image)
        if let content { tensor = clamp01(try ColorPreservation.matchColors(of: tensor, to: content)) }
        let stats = try stylizer(options.norm).styleStatistics(of: tensor)
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
            guard let chosen = try MemoryBudget.chooseTile(model.footprint, frame: frame, stylePixels: stylePixels,
                                                           budget: options.maxMemoryBytes, margins: margins) else { return nil }
            tile = chosen
        }
        let plan = try TilePlan(frame: frame, tilePixels: tile, margins: margins)
        return plan.count > 1 ? plan : nil
    }

    func run(content: Image, styles: [StyleRef], options: TransferOptions, mask: Image?,
             policy: StatisticsPolicy?, control: RunControl) throws -> Image {
        let stylizer = try self.stylizer(options.norm)
        let mixWeights = options.normalisedStyleWeights(styleCount: styles.count)
        // Colour preservation recolours the styles to the content's colour statistics, taken
        // on the content shrunk to 512 px on its shorter side (the same for tiled and untiled runs).
        let colorSource = options.preserveColor
            ? Tensor(image: min(content.width, content.height) > 512 ? content.resized(shorterSide: 512) : content) : nil
        let stats = try styles.map {
            try styleStatistics($0, options: options, contentPixels: content.pixelCount, colorsOf: colorSource, control: control)
        }
        try control.check()
        let weighted = zip(stats, mixWeights).map { WeightedStyle($0, weight: $1) }
        let plan = try tilePlan(width: content.width, height: content.height, stylePixels: 0, options: options)
        if let plan {
            let tiled = TiledStylizer(stylizer: stylizer)
            if let mask {
                let featureMask = try TiledStylizer.featureMask(mask, frame: plan.frame)
                return try tiled.stylize(content, plan: plan, masked: featureMask, foreground: [weighted[0]],
                                         background: [WeightedStyle(weighted[1].statistics)], alpha: options.alpha, control: control)
            }
            var global: FeatureStatistics? = nil
            if policy != nil || stylizer.swap.kind != .batch {
                global = try tiled.contentStatistics(of: content, plan: plan, kind: options.norm, control: control)
            }
            if let policy, let own = global { global = try policy.choose(0, own) }
            return try tiled.stylize(content, plan: plan, styles: weighted, alpha: options.alpha,
                                     contentStatistics: global, control: control)
        }
        let tensor = Tensor(image: content)
        let output: Tensor
        if let mask {
            let maskTensor = StyleEngine.maskTensor(mask, width: content.width, height: content.height)
            output = try stylizer.stylize(content: tensor, mask: maskTensor, foreground: [WeightedStyle(weighted[0].statistics)],
                                          background: [WeightedStyle(weighted[1].statistics)], alpha: options.alpha)
        } else if let policy {
            let (features, geometry) = model.encodeContent(tensor)
            let used = try policy.choose(0, FeatureStatistics(of: features, kind: options.norm))
            let swapped = try stylizer.swap.apply(content: features, styles: weighted, alpha: options.alpha, contentStatistics: used)
            output = model.decode(swapped, geometry: geometry)
        } else {
            output = try stylizer.stylize(content: tensor, styles: weighted, alpha: options.alpha)
        }
        return Image(tensor: output, alpha: content.alpha)
    }

    /// The content statistics of `kind` at the bottleneck, over the whole image (tiled if
    /// the untiled encoder would not fit the budget). Computed from the image for every
    /// kind, `.batch` included (runs with `--norm batch` otherwise use the weights' population).
    func contentStatistics(_ content: Image, kind: NormKind, options: TransferOptions,
                           control: RunControl) throws -> FeatureStatistics {
        if let plan = try tilePlan(width: content.width, height: content.height, stylePixels: 0, options: options) {
            return try TiledStylizer(stylizer: stylizer(.instance)).contentStatistics(of: content, plan: plan, kind: kind,
                                                                                  control: control)
        }
        return try FeatureStatistics(of: model.encodeContent(Tensor(image: content)).features, kind: kind)
    }
}
