import Foundation
import ImageCodecs
import StyleNN
import StyleSheets
import StylizeEngine

/// Settings of `stylize compare --video`.
public struct VideoComparisonSettings: Sendable {
    /// The statistic swaps compared: (norm, match) pairs, group once per G. Default: the four
    /// norms with the moments match, then WCT, WCT-BN, WCT (G=8) and EFDM.
    public var variants: [SwapVariant] = VariantRunner.pairs(norms: [.instance, .batch, .layer, .group(groups: 8)],
                                                             matches: StatisticMatch.allCases)

    /// The norms of `variants` with the moments match: sets `variants` to them.
    public var norms: [NormKind] {
        get { variants.map(\.norm) }
        set { variants = newValue.map { SwapVariant(norm: $0) } }
    }
    /// The statistics modes compared for every norm.
    public var modes: [VideoStatisticsMode] = [.frame, .running(momentum: VideoStatisticsMode.defaultMomentum), .clip]
    /// Also run the batch variants with the population statistics stored in the AdaIN weights
    /// (batch norm at inference with a data set's statistics: AdaBN with the mean and
    /// variance, WCT-BN with the covariance), when the weights have them.
    public var storedPopulation = true
    /// Shorter side of the frames (0: the clip's size).
    public var contentSize = 256
    /// Shorter side of the style image.
    public var styleSize = 256
    public var alpha: Float = 1
    /// Only the first N frames (nil: all).
    public var frames: Int?
    /// Frames shown per variant in the strip, evenly spaced over the clip.
    public var stripFrames = 5
    public var maxMemoryBytes = MemoryBudget.defaultBytes

    public init() {}
}

/// One variant's figures.
public struct VideoVariant: Sendable, Codable, Equatable {
    /// "AdaIN", "AdaBN", "AdaLN", "AdaGN (G=8)", "WCT", "EFDM", ...
    public var name: String
    public var norm: String
    /// "moments", "covariance", "distribution".
    public var match: String
    /// "frame", "running(m=0.1)", "clip", or "weights population".
    public var stats: String
    public var flicker: FlickerFigures
    /// Seconds per frame (both passes for clip statistics).
    public var secondsPerFrame: Double
    /// Mean colour (R, G, B, 0-1) of every output frame.
    public var meanColours: [[Double]]

    enum CodingKeys: String, CodingKey {
        case name, norm, match, stats, flicker
        case secondsPerFrame = "seconds_per_frame", meanColours = "mean_colours"
    }
}

/// The result of a video comparison: the figures, and the strip of frames.
public struct VideoComparisonResult: Sendable {
    public var variants: [VideoVariant]
    public var skipped: [SkippedVariant]
    /// Row 0: the input frames; then one row per variant.
    public var strip: Image
    /// Indices (0-based) of the frames in the strip.
    public var stripFrames: [Int]
    public var frames: Int
    public var width: Int
    public var height: Int
    /// Mean colour of every input frame.
    public var inputMeanColours: [[Double]]
}

/// Every statistic swap (AdaIN, AdaBN, AdaLN, AdaGN; WCT, WCT-BN, WCT (G); EFDM) with every
/// statistics mode (frame, running, clip) on the first frames of a clip: each variant's flicker figures
/// (`FlickerFigures`) and a strip of frames, through the same `StyleEngine` and statistics
/// schedule as `stylize video`.
public enum VideoComparison {
    /// Decodes the clip's frames (at `settings.contentSize`, turned upright) and runs every variant.
    public static func run(engine: StyleEngine, clip: String, style: StyleRef, settings: VideoComparisonSettings,
                           control: RunControl = .init()) throws -> VideoComparisonResult {
        let tools = try FFmpegTools.locate(for: clip)
        let info = try VideoProbe.probe(clip, tools: tools)
        let geometry = FrameGeometry(info: info, contentSize: settings.contentSize, upright: true, even: false)
        let frameBudget = settings.maxMemoryBytes / 2
        let decoder = try FrameDecoder(tools: tools, info: info, geometry: geometry, frameLimit: settings.frames)
        defer { decoder.stop() }
        var frames: [Image] = []
        while let frame = try decoder.next() {
            frames.append(frame)
            guard frames.count * geometry.frameBytes * 3 <= frameBudget else {
                throw OptionError(.maxMemory, "\(clip): \(frames.count) frames of \(geometry.width)x\(geometry.height) (kept in memory with two outputs each) exceed half of \(option: .maxMemory); use \(option: .frames) N or a smaller \(option: .contentSize)")
            }
            try control.cancellation?.check()
        }
        return try run(engine: engine, frames: frames, style: style, settings: settings, control: control)
    }

    /// Runs every variant on frames already decoded (one size).
    public static func run(engine: StyleEngine, frames: [Image], style: StyleRef, settings: VideoComparisonSettings,
                           control: RunControl = .init()) throws -> VideoComparisonResult {
        guard let first = frames.first else { throw EngineError.unsupported("no frames to compare") }
        guard frames.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw EngineError.unsupported("frames of different sizes")
        }
        let styleImage: StyleRef
        if case .file(let path) = style {
            var image = try ImageIO.decode(file: path)
            if settings.styleSize > 0 { image = image.resized(shorterSide: settings.styleSize) }
            styleImage = .image(image, name: "\(path)@\(settings.styleSize)")
        } else {
            styleImage = style
        }
        let count = max(1, min(settings.stripFrames, frames.count))
        let picks = (0..<count).map { count == 1 ? 0 : $0 * (frames.count - 1) / (count - 1) }
        var inputMeter = FlickerMeter(keepSeries: true)
        for f in frames { inputMeter.add(input: f, output: f) }

        // Frames and style are at their compared size; every variant runs through the runner's
        // options, and batch statistics are the temporal ones of each mode (see `VariantRunner`).
        var runner = VariantRunner(engine: engine, style: styleImage, alpha: settings.alpha,
                                   maxMemoryBytes: settings.maxMemoryBytes / 2)
        runner.alpha = settings.alpha
        let network = try? engine.adainNetwork()
        func storesPopulation(_ match: StatisticMatch) -> Bool {
            switch match {
            case .moments: return network?.populationMean != nil
            case .covariance: return network?.populationCovariance != nil
            case .distribution: return false
            }
        }
        var plans: [(variant: SwapVariant, mode: VideoStatisticsMode?)] = []
        for variant in settings.variants {
            for mode in settings.modes { plans.append((variant, mode)) }
            if variant.norm == .batch, settings.storedPopulation, storesPopulation(variant.match) { plans.append((variant, nil)) }
        }
        var rows: [[SheetCell]] = [picks.enumerated().map { k, i in
            SheetCell(image: frames[i], caption: [k == 0 ? "input" : "", "frame \(i + 1)"])
        }]
        let name = { (plan: (variant: SwapVariant, mode: VideoStatisticsMode?)) in
            "\(plan.variant.name) x \(plan.mode?.description ?? "weights population")"
        }
        let (variants, skipped) = try VariantRunner.each(plans, name: name, control: control) { variant, mode -> VideoVariant in
            let options = runner.options(for: variant)
            try StyleEngine.validate(family: engine.family, styles: [styleImage], options: options)
            if let mode { try mode.validate(match: variant.match) }
            let t0 = Date()
            var meter = FlickerMeter(keepSeries: true)
            var kept: [Image] = []
            var schedule: StatisticsSchedule? = mode.map { StatisticsSchedule(mode: $0) }
            if mode == .clip {
                var clip = ClipStatistics()
                for f in frames {
                    try control.check()
                    try clip.add(engine.contentStatistics(f, styles: [styleImage], options: options, control: control))
                }
                schedule = StatisticsSchedule(mode: .clip, clip: clip)
            }
            for (i, f) in frames.enumerated() {
                try control.check()
                let out = try engine.stylize(f, styles: [styleImage], options: options, statistics: schedule?.policy(), control: control)
                meter.add(input: f, output: out)
                if picks.contains(i) { kept.append(out) }
            }
            let figures = meter.figures
            let label = [variant.name + " " + (mode?.name ?? "stored pop."),
                         String(format: "col x%@ dif x%@", short(figures.colourRatio), short(figures.differenceRatio))]
            rows.append(kept.enumerated().map { k, image in
                SheetCell(image: image, caption: k == 0 ? label : ["", "frame \(picks[k] + 1)"])
            })
            return VideoVariant(name: variant.name, norm: variant.norm.description, match: variant.match.name, stats: mode?.description ?? "weights population",
                                flicker: figures, secondsPerFrame: Date().timeIntervalSince(t0) / Double(frames.count),
                                meanColours: meter.outputMeans.map { $0.map { ($0 * 1e5).rounded() / 1e5 } })
        }
        try VariantRunner.requireSome(variants, skipped: skipped)
        let scale = first.width >= 200 ? 2 : 1
        let sheet = ContactSheet(columns: count, rows: rows.count, tileWidth: first.width, tileHeight: first.height,
                                 captionLines: 2, scale: scale)
        return VideoComparisonResult(variants: variants, skipped: skipped, strip: sheet.render(rows), stripFrames: picks,
                                     frames: frames.count, width: first.width, height: first.height,
                                     inputMeanColours: inputMeter.inputMeans.map { $0.map { ($0 * 1e5).rounded() / 1e5 } })
    }

    /// The flicker of an already stylized video against its input clip: both are decoded
    /// upright, the clip scaled to the stylized video's size, and frames are paired in order
    /// (up to `frames`, and the shorter of the two). `compared` says how many pairs there were
    /// and how many frames each file had.
    public static func measure(clip: String, stylized: String, frames limit: Int? = nil,
                               control: RunControl = .init()) throws -> (figures: FlickerFigures, note: String?) {
        let tools = try FFmpegTools.locate(for: clip)
        let clipInfo = try VideoProbe.probe(clip, tools: tools)
        let outInfo = try VideoProbe.probe(stylized, tools: tools)
        let outGeometry = FrameGeometry(info: outInfo, contentSize: 0, upright: true, even: false)
        let clipGeometry = FrameGeometry(exact: clipInfo, width: outGeometry.width, height: outGeometry.height)
        let a = try FrameDecoder(tools: tools, info: clipInfo, geometry: clipGeometry, frameLimit: limit)
        defer { a.stop() }
        let b = try FrameDecoder(tools: tools, info: outInfo, geometry: outGeometry, frameLimit: limit)
        defer { b.stop() }
        var meter = FlickerMeter()
        var extraA = 0, extraB = 0
        while true {
            try control.cancellation?.check()
            let x = try a.next(), y = try b.next()
            if let x, let y { meter.add(input: x, output: y); continue }
            if x != nil { extraA = 1; while try a.next() != nil { extraA += 1 } }
            if y != nil { extraB = 1; while try b.next() != nil { extraB += 1 } }
            break
        }
        var note: String? = nil
        if extraA > 0 || extraB > 0 {
            note = "\(meter.frames) frame pairs compared; \(clip) had \(meter.frames + extraA) frames, \(stylized) \(meter.frames + extraB)"
        }
        return (meter.figures, note)
    }

    static func short(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "n/a" }
}

extension FrameGeometry {
    /// Frames decoded upright and scaled to exactly `width` x `height`.
    init(exact info: VideoInfo, width: Int, height: Int) {
        self.init(sourceWidth: info.displayWidth, sourceHeight: info.displayHeight, width: width, height: height, upright: true)
    }
}

/// The figures of a video comparison as a plain-text table, Markdown or JSON (`--report`).
public struct VideoComparisonReport: Report, Sendable, Codable {
    public var clip: String
    public var style: String
    public var model: String
    public var frames: Int
    public var size: String
    public var stripFrames: [Int]
    public var input: FlickerFigures
    public var variants: [VideoVariant]
    public var skipped: [SkippedVariant]
    public var inputMeanColours: [[Double]]

    enum CodingKeys: String, CodingKey {
        case clip, style, model, frames, size, input, variants, skipped
        case stripFrames = "strip_frames", inputMeanColours = "input_mean_colours"
    }

    public init(clip: String, style: String, model: String, result: VideoComparisonResult) {
        self.clip = clip; self.style = style; self.model = model
        frames = result.frames; size = "\(result.width)x\(result.height)"
        stripFrames = result.stripFrames.map { $0 + 1 }
        input = result.variants.first.map {
            FlickerFigures(frames: $0.flicker.frames, colourChangeOutput: $0.flicker.colourChangeInput,
                           colourChangeInput: $0.flicker.colourChangeInput, differenceOutput: $0.flicker.differenceInput,
                           differenceInput: $0.flicker.differenceInput, jitterOutput: $0.flicker.jitterInput,
                           jitterInput: $0.flicker.jitterInput)
        } ?? FlickerFigures(frames: 0, colourChangeOutput: 0, colourChangeInput: 0, differenceOutput: 0, differenceInput: 0,
                            jitterOutput: 0, jitterInput: 0)
        variants = result.variants; skipped = result.skipped; inputMeanColours = result.inputMeanColours
    }

    static let legend = "colour change: mean over consecutive frames of the mean |change| of the frame's mean R, G, B (0-1 scale); "
        + "frame difference: mean |F_t - F_t-1| over pixels and channels (0-1 scale); "
        + "colour jitter: mean |mu_t - 2 mu_t-1 + mu_t-2| of the mean colour (0-1 scale). x = output / input: 1 = changes exactly as much as the input."

    var rows: [[String]] {
        variants.map { v in
            [v.name, v.stats, Self.ratio(v.flicker.colourRatio), Self.ratio(v.flicker.differenceRatio),
             Self.ratio(v.flicker.jitterRatio),
             String(format: "%.5f", v.flicker.colourChangeOutput), String(format: "%.4f", v.flicker.differenceOutput),
             String(format: "%.5f", v.flicker.jitterOutput), String(format: "%.3f", v.secondsPerFrame)]
        }
    }
    static let header = ["variant", "stats", "colour change x", "frame difference x", "colour jitter x",
                         "colour change", "frame difference", "colour jitter", "s/frame"]
    static func ratio(_ r: Double?) -> String { r.map { String(format: "%.2f", $0) } ?? "n/a" }

    var inputLine: String {
        "input: colour change \(String(format: "%.5f", input.colourChangeInput)), frame difference \(String(format: "%.4f", input.differenceInput)), "
            + "colour jitter \(String(format: "%.5f", input.jitterInput))"
    }

    public func text() -> String {
        var out = "\(clip) + \(style) (\(model), \(frames) frames at \(size))\n\(inputLine)\n"
        out += ReportTable.aligned([Self.header] + rows)
        for s in skipped { out += "skipped \(s.name): \(s.reason)\n" }
        return out + Self.legend + "\n"
    }

    public func markdown() -> String {
        var out = "Flicker of `\(clip)` stylized with `\(style)` (\(model), \(frames) frames at \(size); strip frames \(stripFrames.map(String.init).joined(separator: ", ")))\n\n"
        out += inputLine + "\n\n"
        out += ReportTable.markdown(Self.header, rows)
        for s in skipped { out += "\nSkipped \(s.name): \(s.reason)\n" }
        return out + "\n" + Self.legend + "\n"
    }
}
