import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StylePipeline
import StyleTensor

/// The compare view's work: every statistic-swap variant (AdaIN, AdaBN, AdaLN, AdaGN per G)
/// on one content whose contrast and brightness the page's sliders set, through the engine
/// (same budget and checks as a transfer), with the distances of `stylize compare`
/// (`FeatureDistance`, measured in the AdaIN network's feature space for both families) and,
/// when the content is adjusted, how far each output moved from its output on the
/// unadjusted content ("change", as in `stylize compare --contrast-sweep`).
struct CompareJob {
    var engine: StyleEngine
    /// The network whose encoder taps measure the distances.
    var measure: any StyleTransferModel
    /// Content and style at the size they are compared at.
    var content: Image
    var style: Image
    var styleName: String
    var norms: [NormKind]
    var alpha: Float
    /// x' = 0.5 + contrast (x - 0.5), then x' + brightness, clamped to [0, 1].
    var contrast: Float
    var brightness: Float
    var maxMemoryBytes: Int
    /// Outputs on the unadjusted content, shared between requests (the sliders re-run often).
    var baselines: BaselineCache

    struct Variant {
        var name: String
        var norm: String
        var styleDistance: Double
        var contentDistance: Double
        /// Mean |output - output on the unadjusted content| on [0, 1]; nil when unadjusted.
        var change: Double?
        var seconds: Double
        var image: Image
    }

    struct Output {
        var adjustedContent: Image
        var variants: [Variant]
        var skipped: [(name: String, reason: String)]
    }

    var isAdjusted: Bool { contrast != 1 || brightness != 0 }

    /// The content as the variants see it.
    func adjusted(_ image: Image) -> Image {
        guard isAdjusted else { return image }
        var t = Tensor(image: image)
        if contrast != 1 { t = ContentAdjustment.contrast(contrast).apply(t) }
        if brightness != 0 { t = ContentAdjustment.brightness(brightness).apply(t) }
        return Image(tensor: t, alpha: image.alpha)
    }

    /// Cache key of the unadjusted outputs: everything that decides them.
    var baselineKey: String {
        "\(engine.family)|\(alpha)|\(norms.map(\.description).joined(separator: ","))|\(content.width)x\(content.height)|"
            + fingerprint(content.rgb) + "|\(style.width)x\(style.height)|" + fingerprint(style.rgb)
    }

    func run(control: RunControl) throws -> Output {
        let input = adjusted(content)
        let styleRef = StyleRef.image(style, name: styleName)
        let styleTaps = measure.featureTaps(Tensor(image: style))
        let contentDeep = measure.featureTaps(Tensor(image: input)).last!
        let baseline = isAdjusted ? baselines.get(baselineKey) : nil
        var computedBaseline: [String: Image] = [:]
        var variants: [Variant] = []
        var skipped: [(String, String)] = []
        for norm in norms {
            try control.cancellation?.check()
            var options = TransferOptions()
            options.norm = norm
            options.alpha = alpha
            options.styleSize = 0
            options.maxMemoryBytes = maxMemoryBytes
            let t0 = Date()
            let out: Image
            var before: Image? = nil
            do {
                var policy: StatisticsPolicy? = nil
                if norm == .batch && engine.family == .magenta {
                    // Batch norm's population: the content and the sweep's adjustments of it, as
                    // `stylize compare --model magenta` collects them, so the slider moves only the input.
                    let population = [content] + ContentAdjustment.sweep.map { Image(tensor: $0.apply(Tensor(image: content))) }
                    policy = .fixed(try engine.populationStatistics(of: population, styles: [styleRef], options: options))
                }
                out = try engine.stylize(input, styles: [styleRef], options: options, statistics: policy, control: control)
                if isAdjusted {
                    if let cached = baseline?[norm.description] {
                        before = cached
                    } else {
                        try control.cancellation?.check()
                        before = try engine.stylize(content, styles: [styleRef], options: options, statistics: policy, control: control)
                    }
                }
            } catch let error as PipelineError {
                if case .cancelled = error { throw error }
                skipped.append((norm.swapName, "\(error)"))
                continue
            } catch {
                skipped.append((norm.swapName, "\(error)"))
                continue
            }
            if !isAdjusted { computedBaseline[norm.description] = out } else if let before { computedBaseline[norm.description] = before }
            let taps = measure.featureTaps(Tensor(image: out))
            variants.append(Variant(
                name: norm.swapName, norm: norm.description,
                styleDistance: FeatureDistance.style(output: taps, style: styleTaps),
                contentDistance: FeatureDistance.content(output: taps.last!, content: contentDeep),
                change: before.map { FeatureDistance.meanAbsoluteChange(Tensor(image: out), Tensor(image: $0)) },
                seconds: Date().timeIntervalSince(t0), image: out))
        }
        guard !variants.isEmpty else {
            throw PipelineError.invalidOption("no variant could be run: " + skipped.map { "\($0.0): \($0.1)" }.joined(separator: "; "))
        }
        if !computedBaseline.isEmpty { baselines.put(baselineKey, computedBaseline) }
        return Output(adjustedContent: input, variants: variants, skipped: skipped)
    }

    /// FNV-1a (64-bit) of the bytes (as the engine's style cache keys images).
    func fingerprint(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 14695981039346656037
        for b in bytes { h = (h ^ UInt64(b)) &* 1099511628211 }
        return String(h, radix: 16)
    }
}

/// The last few compare runs' outputs on unadjusted contents (by `CompareJob.baselineKey`),
/// so moving a slider runs each variant once, not twice. Bounded: `capacity` runs.
final class BaselineCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(key: String, outputs: [String: Image])] = []
    let capacity: Int

    init(capacity: Int = 4) { self.capacity = capacity }

    func get(_ key: String) -> [String: Image]? {
        lock.lock(); defer { lock.unlock() }
        guard let i = entries.firstIndex(where: { $0.key == key }) else { return nil }
        let e = entries.remove(at: i)
        entries.append(e)
        return e.outputs
    }

    func put(_ key: String, _ outputs: [String: Image]) {
        lock.lock(); defer { lock.unlock() }
        var merged = outputs
        if let i = entries.firstIndex(where: { $0.key == key }) {
            merged = entries[i].outputs.merging(outputs) { _, new in new }
            entries.remove(at: i)
        }
        entries.append((key, merged))
        if entries.count > capacity { entries.removeFirst() }
    }
}
