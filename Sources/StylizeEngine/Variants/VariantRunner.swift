import Foundation
import ImageCodecs
import StyleNN
import StyleTensor

/// A variant that could not be run, and why (e.g. AdaBN on weights that store no
/// population statistics).
public struct SkippedVariant: Sendable, Equatable, Codable {
    /// "AdaBN", "AdaGN (G=8)", or for video "AdaBN x clip".
    public var name: String
    public var reason: String

    public init(name: String, reason: String) { self.name = name; self.reason = reason }
}

/// One variant of a comparison: a norm (over which axes the statistics are taken) and a
/// match (which statistics: moments, covariance, distribution).
public struct SwapVariant: Hashable, Sendable, CustomStringConvertible {
    public var norm: NormKind
    public var match: StatisticMatch

    public init(norm: NormKind, match: StatisticMatch = .moments) {
        self.norm = norm
        self.match = match
    }

    /// "AdaIN", "AdaBN", "AdaGN (G=8)", "WCT", "WCT (G=8)", "WCT-BN", "EFDM".
    public var name: String { match.swapName(norm: norm) }

    /// One line defining the swap, for grids and reports.
    public var caption: String { match.swapCaption(norm: norm) }

    /// "instance", "group(G=8)" for moments; "instance+covariance", "batch+covariance", ...
    public var description: String { match == .moments ? norm.description : "\(norm)+\(match)" }
}

/// One variant's outputs on the inputs of `VariantRunner.run`.
public struct VariantRun: Sendable {
    public var variant: SwapVariant
    /// One output per input, in the order of the inputs.
    public var outputs: [Image]
    /// Seconds for the first input (style statistics included).
    public var seconds: Double

    public var norm: NormKind { variant.norm }
    public var match: StatisticMatch { variant.match }
    /// "AdaIN", "AdaBN", "AdaLN", "AdaGN (G=8)", "WCT", "EFDM", ...
    public var name: String { variant.name }
}

/// The statistic-swap variants (AdaIN = instance, AdaBN = batch, AdaLN = layer, AdaGN =
/// group per G, each with the moments match; WCT, WCT (G), WCT-BN with the covariance match;
/// EFDM with the distribution match) of one content and style, run through the engine with
/// the same budget and checks as a transfer. `stylize compare`, the server's compare view and
/// `stylize compare --video` all run their variants through this type, so the same content,
/// style and settings give the same images in each.
///
/// Batch norm's statistics, the one rule:
/// - AdaIN family: the population statistics stored with the weights (mean and variance for
///   moments, the population covariance for covariance); the variant is skipped, with the
///   reason, when the weights have none.
/// - Magenta family, whose norms store no population: the statistics of one pass over
///   `population(of: content)` as a batch, i.e. the unadjusted content and its four
///   contrast-sweep adjustments (`ContentAdjustment.sweep`), whether or not the sweep is
///   shown. A variant's output on the content is then the same in every comparison of it,
///   and an adjustment (a sweep row, a slider of the web page) changes only the input.
///   Magenta's norms take moments only: other matches are skipped with the engine's reason.
/// - Video compares batch statistics over time instead (`StatisticsPolicy` per frame:
///   frame, running, clip); it uses `each` and `options(for:)` only.
public struct VariantRunner: Sendable {
    public let engine: StyleEngine
    /// The style, already at the size it is compared at.
    public let style: StyleRef
    /// Style strength of every variant.
    public var alpha: Float
    /// Memory budget of each variant's run.
    public var maxMemoryBytes: Int

    public init(engine: StyleEngine, style: StyleRef, alpha: Float = 1, maxMemoryBytes: Int = MemoryBudget.defaultBytes) {
        self.engine = engine
        self.style = style
        self.alpha = alpha
        self.maxMemoryBytes = maxMemoryBytes
    }

    /// The transfer options of one variant: inputs are used at their size (contents and the
    /// style were sized by the caller).
    public func options(for variant: SwapVariant) -> TransferOptions {
        var options = TransferOptions()
        options.norm = variant.norm
        options.match = variant.match
        options.alpha = alpha
        options.contentSize = 0
        options.styleSize = 0
        options.maxMemoryBytes = maxMemoryBytes
        return options
    }

    /// Batch norm's population for a comparison of `content`: the content and its four
    /// contrast-sweep adjustments.
    public static func population(of content: Image) -> [Image] {
        [content] + ContentAdjustment.sweep.map { $0.apply(content) }
    }

    /// The statistics policy of `variant` in a comparison of `content` (see the type's rule):
    /// fixed population statistics for Magenta's batch variant (within the runner's budget,
    /// the population's images included), nil otherwise.
    public func policy(for variant: SwapVariant, content: Image, control: RunControl = .init()) throws -> StatisticsPolicy? {
        guard variant.norm == .batch, engine.family == .magenta else { return nil }
        return .fixed(try engine.populationStatistics(of: Self.population(of: content), styles: [style], options: options(for: variant),
                                                      control: control))
    }

    /// Bytes of 8-bit RGB images.
    public static func imageBytes(_ images: [Image]) -> Int { images.reduce(0) { $0 + 3 * $1.pixelCount } }

    /// The budget of each variant's run when `variants` variants run on `inputs` and the
    /// caller holds `heldBytes` meanwhile: `maxMemoryBytes` less the caller's bytes, the
    /// inputs and every output the comparison will hold (8-bit RGB). The same for every
    /// variant, so a variant's output does not depend on its place in the grid.
    public func runBudget(variants: Int, inputs: [Image], heldBytes: Int) -> Int {
        maxMemoryBytes - heldBytes - (1 + variants) * Self.imageBytes(inputs)
    }

    /// Runs every variant on every input. `content` is the unadjusted content (the base of batch
    /// norm's population); `inputs` are what each variant stylizes (nil: the content alone).
    /// `heldBytes`: what the caller keeps in memory meanwhile besides the inputs (e.g. the
    /// style image); each run gets `runBudget` so that the whole comparison, its inputs and
    /// outputs included, stays within `maxMemoryBytes`.
    /// A variant that fails for any reason but cancellation is skipped with its reason; when
    /// every variant fails, the error lists them all.
    public func run(_ variants: [SwapVariant], content: Image, inputs: [Image]? = nil, heldBytes: Int = 0,
                    control: RunControl = .init()) throws -> (runs: [VariantRun], skipped: [SkippedVariant]) {
        let images = inputs ?? [content]
        try options(for: SwapVariant(norm: .instance)).validate(styleCount: 1)
        var runner = self
        runner.maxMemoryBytes = runBudget(variants: variants.count, inputs: images, heldBytes: heldBytes)
        guard runner.maxMemoryBytes > MemoryBudget.processOverhead else {
            throw OptionError(.maxMemory, "\(option: .maxMemory) \(MemoryBudget.format(maxMemoryBytes)) is too small for this comparison: "
                + "its \(images.count) input(s) of \(images[0].width)x\(images[0].height) and the outputs of \(variants.count) variants "
                + "need about \(MemoryBudget.format(maxMemoryBytes - runner.maxMemoryBytes)) beside the program's own memory")
        }
        return try runner.runWithinBudget(variants, content: content, images: images, control: control)
    }

    func runWithinBudget(_ variants: [SwapVariant], content: Image, images: [Image],
                         control: RunControl) throws -> (runs: [VariantRun], skipped: [SkippedVariant]) {
        let (runs, skipped) = try Self.each(variants, name: \.name, control: control) { variant -> VariantRun in
            let t0 = Date()
            let options = self.options(for: variant)
            try StyleEngine.validate(family: engine.family, styles: [style], options: options)
            let policy = try self.policy(for: variant, content: content, control: control)
            var outputs: [Image] = []
            var seconds = 0.0
            for image in images {
                try control.check()
                outputs.append(try engine.stylize(image, styles: [style], options: options, statistics: policy, control: control))
                if outputs.count == 1 { seconds = Date().timeIntervalSince(t0) }
            }
            return VariantRun(variant: variant, outputs: outputs, seconds: seconds)
        }
        try Self.requireSome(runs, skipped: skipped)
        return (runs, skipped)
    }

    /// The norms named by `names` ("instance", "batch", "layer", "group") with group norm
    /// once per G of `groups`, in the order given.
    public static func norms(names: [String], groups: [Int]) throws -> [NormKind] {
        var out: [NormKind] = []
        for name in names {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased() == "group" {
                guard !groups.isEmpty else { throw OptionError(.groups, "\(option: .norms) group needs \(option: .groups) G[,G...]") }
                for g in groups { out.append(try NormKind.checked(name: "group", groups: g)) }
            } else {
                out.append(try NormKind.checked(name: trimmed))
            }
        }
        guard !out.isEmpty else { throw OptionError(.norms, "\(option: .norms) names no variant") }
        return out
    }

    /// The matches named by `names` ("moments", "covariance", "distribution"), in the order given.
    public static func matches(names: [String]) throws -> [StatisticMatch] {
        let out = try names.map { name -> StatisticMatch in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let m = StatisticMatch(rawValue: trimmed.lowercased()) else {
                throw OptionError(.matches, "\(option: .matches) must name \(StatisticMatch.names.joined(separator: ", ")), got '\(trimmed.prefix(40))'")
            }
            return m
        }
        guard !out.isEmpty else { throw OptionError(.matches, "\(option: .matches) names no match") }
        return out
    }

    /// The variants of a comparison: every match of `matches` under every norm of `norms`
    /// it combines with (`StatisticMatch.supports`), by match then norm, e.g. AdaIN, AdaBN,
    /// AdaLN, AdaGN (G=8), then WCT, WCT-BN, WCT (G=8), then EFDM.
    public static func variants(norms: [NormKind], matches: [StatisticMatch]) throws -> [SwapVariant] {
        let out = pairs(norms: norms, matches: matches)
        guard !out.isEmpty else {
            throw OptionError(.matches, "no variant: \(option: .matches) \(matches.map(\.name).joined(separator: ",")) combines with none of "
                + "\(option: .norms) \(norms.map(\.name).joined(separator: ","))")
        }
        return out
    }

    /// The pairs of `variants(norms:matches:)` (possibly none).
    public static func pairs(norms: [NormKind], matches: [StatisticMatch]) -> [SwapVariant] {
        var out: [SwapVariant] = []
        for m in matches {
            for n in norms where m.supports(n) {
                let v = SwapVariant(norm: n, match: m)
                if !out.contains(v) { out.append(v) }
            }
        }
        return out
    }

    /// `variants(norms:matches:)` from names, as the command line and the API give them.
    public static func variants(norms names: [String], groups: [Int], matches matchNames: [String]) throws -> [SwapVariant] {
        try variants(norms: norms(names: names, groups: groups), matches: matches(names: matchNames))
    }

    /// Calls `body` for each item in order, collecting its results; an item whose body throws
    /// anything but a cancellation is skipped with the error's text.
    public static func each<Item, Result>(_ items: [Item], name: (Item) -> String, control: RunControl = .init(),
                                          _ body: (Item) throws -> Result) throws -> ([Result], [SkippedVariant]) {
        var results: [Result] = []
        var skipped: [SkippedVariant] = []
        for item in items {
            try control.check()
            do {
                results.append(try body(item))
            } catch EngineError.cancelled(let why) {
                throw EngineError.cancelled(why)
            } catch {
                skipped.append(SkippedVariant(name: name(item), reason: "\(error)"))
            }
        }
        return (results, skipped)
    }

    /// Throws when no variant could be run, listing why each was skipped.
    public static func requireSome<T>(_ results: [T], skipped: [SkippedVariant]) throws {
        guard results.isEmpty else { return }
        throw EngineError.noVariant(skipped.map { "\($0.name): \($0.reason)" })
    }
}
