import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StylizeEngine
import StyleTensor

/// The compare view's work: every statistic-swap variant (AdaIN, AdaBN, AdaLN, AdaGN per G;
/// WCT, WCT-BN, WCT per G; EFDM)
/// on one content whose contrast and brightness the page's sliders set, through the engine
/// (same budget and checks as a transfer), with the distances of `stylize compare`
/// (`FeatureDistance`, measured in the AdaIN network's feature space for both families) and,
/// when the content is adjusted, how far each output moved from its output on the
/// unadjusted content ("change", as in `stylize compare --contrast-sweep`).
struct CompareJob {
    var engine: StyleEngine
    /// The network whose encoder taps measure the distances.
    var measure: any AdaINNetwork
    /// Content and style at the size they are compared at.
    var content: Image
    var style: Image
    var styleName: String
    var variants: [SwapVariant]
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
        var match: String
        var caption: String
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
        var skipped: [SkippedVariant]
    }

    var isAdjusted: Bool { contrast != 1 || brightness != 0 }

    /// The content as the variants see it: contrast, then brightness.
    func adjusted(_ image: Image) -> Image {
        var out = image
        if contrast != 1 { out = ContentAdjustment.contrast(contrast).apply(out) }
        if brightness != 0 { out = ContentAdjustment.brightness(brightness).apply(out) }
        return out
    }

    /// Cache key of the unadjusted outputs: everything that decides them.
    var baselineKey: String {
        "\(engine.family)|\(alpha)|\(variants.map(\.description).joined(separator: ","))|\(content.width)x\(content.height)|"
            + fingerprint(content.rgb) + "|\(style.width)x\(style.height)|" + fingerprint(style.rgb)
    }

    /// Every variant through `VariantRunner` (the rule for batch norm's population is its),
    /// on the adjusted content, and on the unadjusted one when its outputs are not cached.
    func run(control: RunControl) throws -> Output {
        let input = adjusted(content)
        let runner = VariantRunner(engine: engine, style: .image(style, name: styleName), alpha: alpha, maxMemoryBytes: maxMemoryBytes)
        let cached = isAdjusted ? baselines.get(baselineKey) : nil
        let needsBaseline = isAdjusted && variants.contains { cached?[$0.description] == nil }
        let inputs = needsBaseline ? [input, content] : [input]
        // Held beside the runs: the style, and the unadjusted content when it is not an input.
        let held = VariantRunner.imageBytes(needsBaseline ? [style] : [style, content])
        let (runs, skipped) = try runner.run(variants, content: content, inputs: inputs, heldBytes: held, control: control)
        let meter = try DistanceMeter(network: measure, content: input, style: style, maxMemoryBytes: maxMemoryBytes,
                                      heldBytes: held + (1 + variants.count) * VariantRunner.imageBytes(inputs))
        var computedBaseline: [String: Image] = [:]
        let variants = try runs.map { run -> Variant in
            let out = run.outputs[0]
            let before = isAdjusted ? (cached?[run.variant.description] ?? run.outputs[1]) : nil
            computedBaseline[run.variant.description] = before ?? out
            let d = try meter.distances(of: out)
            return Variant(name: run.name, norm: run.norm.description, match: run.match.name, caption: run.variant.caption,
                           styleDistance: d.style, contentDistance: d.content,
                           change: before.map { FeatureDistance.meanAbsoluteChange(out, $0) },
                           seconds: run.seconds, image: out)
        }
        baselines.put(baselineKey, computedBaseline)
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
