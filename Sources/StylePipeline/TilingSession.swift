import Foundation
import ImageCodecs
import StyleNN
import StyleTensor

extension TransferSession {
    /// The tiling for a content image: `--tile N` when given, otherwise tiles chosen by
    /// `MemoryBudget.chooseTile` when the untiled run's estimated peak exceeds
    /// `--max-memory`; nil for an untiled run. Masked runs are untiled (a mask needs
    /// region statistics over the whole image, which the tiled path does not stream yet),
    /// so `--tile` with `--mask` is refused.
    /// `styles` are probed for their pixel count after `--style-size` (the style's encoder
    /// peak counts towards the budget).
    public func tilePlan(for image: Image, styles: [String] = [], options: TransferOptions,
                         masked: Bool = false) throws -> TilePlan? {
        let tiled = TiledStylizer(stylizer: stylizer)
        if options.tileSize > 0 {
            if masked { throw PipelineError.invalidOption("--tile cannot be combined with --mask") }
            let plan = try tiled.plan(for: image, tilePixels: options.tileSize)
            return plan.count > 1 ? plan : nil
        }
        if masked { return nil }
        let frame = NetworkFrame(model: stylizer.model, contentHeight: image.height, contentWidth: image.width)
        let stylePixels = try styles.map { path -> Int in
            let (_, w, h) = try ImageIO.probe(file: path)
            // Over the pixel limit: let the decoder refuse it with its own message.
            if w * h > DecodeOptions().maxPixels { _ = try ImageIO.decode(file: path) }
            guard options.styleSize > 0, w > 0, h > 0 else { return w * h }
            let scale = Double(options.styleSize) / Double(min(w, h))
            return Int((Double(w) * scale).rounded()) * Int((Double(h) * scale).rounded())
        }.max() ?? 0
        let profile = MemoryProfile.of(weightsFile: weightsPath)
        guard let tile = try MemoryBudget.chooseTile(profile, frame: frame, stylePixels: stylePixels,
                                                     budget: options.maxMemoryBytes) else { return nil }
        let plan = try tiled.plan(for: image, tilePixels: tile)
        return plan.count > 1 ? plan : nil
    }

    /// The tiled counterpart of `run` after the content is loaded: style statistics, both
    /// passes of `TiledStylizer`, then the write. With `--preserve-color` the style is
    /// recoloured to the colour statistics of the content shrunk to 512 pixels on its
    /// shorter side (a float copy of the full content is never made).
    func runTiled(_ request: TransferRequest, content: Image, plan: TilePlan, inputs: [String],
                  start: Date) throws -> TransferResult {
        let options = request.options
        let weights = options.normalisedStyleWeights(styleCount: request.styles.count)
        let colorSource = options.preserveColor
            ? Tensor(image: min(content.width, content.height) > 512 ? content.resized(shorterSide: 512) : content) : nil
        let styles = try zip(request.styles, weights).map { path, w in
            WeightedStyle(try styleStatistics(path, size: options.styleSize, colorsOf: colorSource), weight: w)
        }
        let result = try TiledStylizer(stylizer: stylizer).stylize(content, plan: plan, styles: styles, alpha: options.alpha)
        try ImageIO.write(result, to: request.outputPath, quality: request.quality, protecting: inputs)
        return TransferResult(output: request.outputPath, width: result.width, height: result.height,
                              seconds: Date().timeIntervalSince(start))
    }
}
