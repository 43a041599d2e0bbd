import ArgumentParser
import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleSheets
import StylizeEngine
import StyleVideo

/// `stylize compare CONTENT STYLE -o GRID.png`: the statistic-swap variants side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the statistic swaps (the norms AdaIN/AdaBN/AdaLN/AdaGN, the matches WCT and EFDM) on one content and style in a captioned grid.",
        discussion: """
        The variants are every match of --matches under every norm of --norms it combines with: moments (AdaIN, AdaBN, AdaLN, AdaGN) under all four, covariance (WCT, WCT-BN, WCT (G)) under instance, batch and group, distribution (EFDM) under instance.

        Prints, per variant, the style distance (mean/std of the encoder's taps, output vs style), the content distance (deepest tap, output vs content) and the time; --report writes the same table as Markdown (.md) or JSON (.json). --contrast-sweep adds rows with the content's contrast (x0.5, x1.5) and brightness (-0.2, +0.2) changed, and how much each output moves.

        Example:
          stylize compare Images/chelsea.jpg Images/autumn.jpg -o grid.png --contrast-sweep --report grid.md
        """)

    @Argument(help: "CONTENT STYLE: the content photo and the style image (JPEG or PNG); with --video only STYLE.")
    var images: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: "The grid image to write (.png or .jpg); with --video the strip of frames.")
    var output: String?

    @Option(help: "Compare on the first frames of this video instead of a photo: every variant with every --stats mode, their flicker figures and a strip of frames.")
    var video: String?

    @Option(help: "With --video: instead of stylizing, measure the flicker of this already stylized version of the video (e.g. another tool's output).")
    var measure: String?

    @Option(help: "With --video: comma-separated statistics modes: frame, running, clip.")
    var stats: String = "frame,running,clip"

    @Option(help: "With --video: momentum of --stats running.")
    var momentum: Double = VideoStatisticsMode.defaultMomentum

    @Option(help: "With --video: use only the first N frames (default: all).")
    var frames: Int?

    @Option(help: "With --video: frames shown per variant in the strip.")
    var strip: Int = 5

    @Option(help: "Comma-separated norms: instance, batch, layer, group.")
    var norms: String = "instance,batch,layer,group"

    @Option(help: "Comma-separated statistic matches: moments, covariance, distribution (each under the norms it combines with). Default: all three; moments with --model magenta.")
    var matches: String?

    @Option(help: "Comma-separated group counts G for the group variant (one tile per G; default 8,32, with --video 8).")
    var groups: String?

    @Flag(name: .customLong("contrast-sweep"), help: "Add rows with the content's contrast and brightness changed.")
    var contrastSweep = false

    @Option(help: "Also write the table to FILE.md (Markdown) or FILE.json.")
    var report: String?

    @Option(help: "Style strength from 0 (content unchanged) to 1 (full style).")
    var alpha: Float = 1

    @Option(name: .customLong("content-size"), help: "Shorter side of the content in pixels (also the tile size); 0 keeps its size.")
    var contentSize: Int = 256

    @Option(name: .customLong("style-size"), help: "Shorter side of the style image in pixels; 0 keeps its size.")
    var styleSize: Int = 256

    @Option(help: "Weights file (safetensors). Default: $STYLIZE_WEIGHTS, else the model shipped in Weights/. With --model magenta it only measures the distances.")
    var weights: String?

    @Option(help: "Model family whose normalizations are compared: adain (the swap at the bottleneck) or magenta (the instance norms inside Magenta's transformer).")
    var model: ModelFamily = .adain

    @Option(name: .customLong("max-memory"), help: "Memory budget of the whole comparison: every variant's run, the distances, the held cells and the grid (e.g. 1.5G, 800M).")
    var maxMemory: String = "1.5G"

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int?

    @Option(help: precisionHelp)
    var precision: Precision = .f32

    func validate() throws {
        try StandardStreams.refuse(zip(["CONTENT", "STYLE"], images).map { ($0, $1) } + [("--video", video), ("-o", output)],
                                   command: "compare",
                                   because: "it reads image files and prints its table on standard output; save the image to a file first")
    }

    func run() throws {
        try CommandLineErrors.checked { try ThreadBudget.set(threads) }
        if let video { return try VideoCompare(command: self, clip: video).run() }
        guard images.count == 2 else { throw ValidationError("give the content photo and the style image (or --video CLIP STYLE)") }
        guard let output else { throw ValidationError("give the grid image to write with -o") }
        let content = images[0], style = images[1]
        var settings = ComparisonSettings()
        do {
            let groupList = try groupCounts(default: "8,32")
            settings.variants = try variants(groups: groupList)
        } catch { throw CommandLineErrors.usage(error) }
        settings.alpha = alpha
        settings.contentSize = contentSize
        settings.styleSize = styleSize
        settings.contrastSweep = contrastSweep
        if let report { try CommandLineErrors.checked { try ComparisonReport.checkPath(report) } }

        settings.maxMemoryBytes = try parseMemory(maxMemory)
        let weightsPath = try WeightsLocator().adain(explicit: weights)
        // distances are measured at float32 (adainNetwork() is the float32 network at any precision)
        let measure = try StyleEngine(family: .adain, weights: weightsPath, precision: model == .adain ? precision : .f32)
        let engine = model == .adain ? measure : try StyleEngine(family: .magenta, precision: precision)
        let notes = RunControl(note: { FileHandle.standardError.write(Data("note: \($0)\n".utf8)) })
        try ImageIO.checkOutput(output, protecting: [content, style])
        let result = try Comparison.run(engine: engine, measure: measure.adainNetwork(), content: content, style: style,
                                        settings: settings, control: notes)
        try ImageIO.write(result.grid, to: output, protecting: [content, style])
        var table = ComparisonReport(content: content, style: style, weights: Self.shownPath(weightsPath),
                                     contentSize: contentSize, result: result)
        table.peakMemoryBytes = ProcessMemory.peakResidentBytes
        print(table.text(), terminator: "")
        print("wrote \(output) (\(result.grid.width)x\(result.grid.height))")
        if let report {
            try table.write(to: report)
            print("wrote \(report)")
        }
    }

    /// `path` relative to the working directory when it lies below it (reports name files as
    /// the user would type them, not by the machine's absolute path).
    static func shownPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// The variants of `--norms`, `--groups` and `--matches`.
    func variants(groups: [Int]) throws -> [SwapVariant] {
        try VariantRunner.variants(norms: norms.split(separator: ",").map(String.init), groups: groups,
                                   matches: (matches ?? Self.defaultMatches(model)).split(separator: ",").map(String.init))
    }

    /// `--matches` when not given: all three for the AdaIN family, moments for Magenta
    /// (whose norms take moments only).
    static func defaultMatches(_ family: ModelFamily) -> String {
        family == .adain ? StatisticMatch.names.joined(separator: ",") : "moments"
    }

    /// `--groups` as numbers (`fallback` when not given).
    func groupCounts(default fallback: String) throws -> [Int] {
        try (groups ?? fallback).split(separator: ",").map { g -> Int in
            guard let v = Int(g.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--groups: '\(g)' is not a whole number")
            }
            return v
        }
    }
}
