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
    /// The job's budget (`ServerSettings.jobMemoryBytes`).
    var maxMemoryBytes: Int
    /// What the server keeps outside the job's budget (`ServerSettings.maxMemoryBytes` less
    /// `jobMemoryBytes`: its own memory, uploads, live clients, the baseline cache); the
    /// process's resident memory beyond it is held beside the runs.
    var serverReservedBytes: Int = 0
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
    ///
    /// Memory, as `stylize compare` keeps it: the engine's one-time memory (Magenta's networks
    /// and style vector) is loaded first, then the process's resident memory beyond the
    /// server's reserve, `MemoryBudget.processOverhead` and what the job counts itself is
    /// measured and held beside the runs and the distances; the measuring network's weights
    /// are held beside Magenta's runs. A budget that cannot hold the inputs, the outputs and
    /// that memory, or whose runs or distances could not fit beside them, is refused before
    /// anything runs (`BudgetRefusal`, answered 413).
    func run(control: RunControl) throws -> Output {
        let input = adjusted(content)
        let runner = VariantRunner(engine: engine, style: .image(style, name: styleName), alpha: alpha, maxMemoryBytes: maxMemoryBytes)
        let cached = isAdjusted ? baselines.get(baselineKey) : nil
        let needsBaseline = isAdjusted && variants.contains { cached?[$0.description] == nil }
        let inputs = needsBaseline ? [input, content] : [input]
        // Held beside the runs: the style, and the unadjusted content when it is not an input.
        let images = VariantRunner.imageBytes(needsBaseline ? [style] : [style, content])
        let outputs = (1 + variants.count) * VariantRunner.imageBytes(inputs)
        try engine.prepare(styles: [runner.style])
        let resident = MemoryBudget.residentBeyondOverhead(accountedBytes: serverReservedBytes + measure.footprint.weightBytes
                                                           + engine.magentaHeldWeightBytes + images + VariantRunner.imageBytes(inputs))
        // Magenta's predictor (`magentaHeldWeightBytes`): the runs count it themselves, the
        // distances hold it beside.
        let networks = engine.magentaHeldWeightBytes
        let fixed = MemoryBudget.processOverhead + resident + networks + measure.footprint.weightBytes + images + outputs
        guard fixed < maxMemoryBytes else {
            throw BudgetRefusal(budget: maxMemoryBytes, reason: "this comparison's \(inputs.count) input(s) of \(input.width)x\(input.height) and the "
                + "outputs of \(variants.count) variants need about \(MemoryBudget.format(fixed)) with the program's own memory")
        }
        let held = images + resident + (engine.family == .adain ? 0 : measure.footprint.weightBytes)
        let meterHeld = images + outputs + resident + networks
        try checkRunsFit(runner: runner, inputs: inputs, runHeld: held, meterHeld: meterHeld)
        let (runs, skipped) = try runner.run(variants, content: content, inputs: inputs, heldBytes: held, control: control)
        let meter = try DistanceMeter(network: measure, content: input, style: style, maxMemoryBytes: maxMemoryBytes,
                                      heldBytes: meterHeld)
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

    /// Throws `BudgetRefusal`, before anything runs, when each variant's run (within
    /// `VariantRunner.runBudget` beside `runHeld`) or the distances (beside `meterHeld`) could
    /// not fit the job's budget: the engine's or the meter's reason (as `stylize compare`'s
    /// `Comparison.checkRunsFit`).
    func checkRunsFit(runner: VariantRunner, inputs: [Image], runHeld: Int, meterHeld: Int) throws {
        let runBudget = runner.runBudget(variants: variants.count, inputs: inputs, heldBytes: runHeld)
        do {
            guard runBudget > MemoryBudget.processOverhead else {
                throw BudgetRefusal(budget: maxMemoryBytes, reason: "this comparison's inputs, outputs and the program's own memory "
                    + "need about \(MemoryBudget.format(maxMemoryBytes - runBudget)), which leaves its runs too little")
            }
            var options = runner.options(for: variants[0])
            options.maxMemoryBytes = runBudget
            _ = try engine.plan(width: content.width, height: content.height, options: options)
            try DistanceMeter.check(measure, width: content.width, height: content.height, styleWidth: style.width,
                                    styleHeight: style.height, budget: maxMemoryBytes, held: meterHeld)
        } catch let error as OptionError where error.option == .maxMemory {
            throw BudgetRefusal(budget: maxMemoryBytes, reason: "beside this comparison's inputs, outputs and the program's own memory "
                + "(about \(MemoryBudget.format(maxMemoryBytes - runBudget))): " + error.rendered(.flag))
        }
    }

    /// FNV-1a (64-bit) of the bytes (as the engine's style cache keys images).
    func fingerprint(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 14695981039346656037
        for b in bytes { h = (h ^ UInt64(b)) &* 1099511628211 }
        return String(h, radix: 16)
    }
}

/// A job that does not fit the server's memory budget, refused before it runs: answered
/// 413 `over_budget`, naming the job's budget and the server's `--max-memory`.
struct BudgetRefusal: Error, CustomStringConvertible {
    /// The job's budget (`ServerSettings.jobMemoryBytes`).
    var budget: Int
    /// What does not fit, and how much it needs.
    var reason: String

    var description: String {
        "the server's memory budget for one job (\(MemoryBudget.format(budget)), set by stylize serve --max-memory) is too small: "
            + reason + "; give a smaller content_size or style_size or fewer variants"
    }
}

/// The last few compare runs' outputs on unadjusted contents (by `CompareJob.baselineKey`),
/// so moving a slider runs each variant once, not twice. Bounded: at most `capacity` runs
/// and `capacityBytes` bytes of pixels (`ServerSettings.baselineCacheBytes`, which the server
/// keeps outside each job's budget); a run whose outputs alone exceed it is not kept.
final class BaselineCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(key: String, outputs: [String: Image])] = []
    let capacity: Int
    let capacityBytes: Int

    init(capacity: Int = 4, capacityBytes: Int = .max) { self.capacity = capacity; self.capacityBytes = capacityBytes }

    /// Bytes of the pixels held.
    var bytes: Int {
        lock.lock(); defer { lock.unlock() }
        return entries.reduce(0) { $0 + Self.bytes($1.outputs) }
    }

    static func bytes(_ outputs: [String: Image]) -> Int { VariantRunner.imageBytes(Array(outputs.values)) }

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
        guard Self.bytes(merged) <= capacityBytes else { return }
        entries.append((key, merged))
        while entries.count > capacity || entries.reduce(0, { $0 + Self.bytes($1.outputs) }) > capacityBytes { entries.removeFirst() }
    }
}
