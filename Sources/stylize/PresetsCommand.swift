import ArgumentParser
import Foundation
import ImageCodecs
import StyleSheets
import StylizeEngine

/// `stylize presets PHOTO -o sheet.jpg`: Magenta's 26 built-in styles on one photo.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "Render all of Magenta's built-in styles on one photo in a captioned contact sheet, to choose a --preset.",
        discussion: """
        The photo is shrunk to --size (longer side) and stylized at that size with every preset; cells are captioned with the preset's index (the network's styles have no published names), the first cell is the photo itself. Each run stays within --max-memory.

        Examples:
          stylize presets photo.jpg -o sheet.jpg
          stylize presets photo.jpg -o sheet.png --size 192 --columns 9
          cat photo.jpg | stylize presets - -o - | display -
        """)

    @Argument(help: "The photo (JPEG or PNG); - reads it from standard input.")
    var photo: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "The sheet to write (.jpg or .png), or - for standard output.")
    var output: String

    @Option(help: "Format written by -o - (standard output): png (default) or jpeg.")
    var format: OutputFormat?

    @Option(help: "Longer side of each cell in pixels; the photo is stylized at this size.")
    var size: Int = 256

    @Option(help: "Cells per row.")
    var columns: Int = 7

    @Option(help: "Style strength from 0 (the photo) to 1 (full style).")
    var alpha: Float = 1

    @Flag(name: .customLong("preserve-color"), help: "Keep the photo's colours.")
    var preserveColor = false

    @Option(name: .customLong("max-memory"), help: "Memory budget of each run (e.g. 1.5G, 800M).")
    var maxMemory: String = "1.5G"

    @Option(help: "The Magenta multistyle weights file, or a folder holding it. Default: $STYLIZE_MAGENTA_WEIGHTS, else the copy shipped in Weights/.")
    var weights: String?

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int?

    @Option(help: precisionHelp)
    var precision: Precision = .f32

    @Option(help: "JPEG quality of the sheet (1-100).")
    var quality: Int = 90

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if let format { _ = try OutputFormat.resolve(format, for: output) }
        try CommandLineErrors.checked { try OutputQuality.validate(quality); try ThreadBudget.set(threads) }
    }

    func run() throws {
        var settings = PresetSheetSettings()
        settings.cellSide = size
        settings.columns = columns
        settings.options.alpha = alpha
        settings.options.preserveColor = preserveColor
        settings.options.maxMemoryBytes = try parseMemory(maxMemory)
        do { try settings.validate() } catch { throw CommandLineErrors.usage(error) }

        let toStdout = output == StandardStreams.dash
        let fromStdin = photo == StandardStreams.dash
        if !toStdout { try ImageIO.checkOutput(output, protecting: fromStdin ? [] : [photo]) }
        let engine = try StyleEngine(family: .magenta, weights: weights, precision: precision)
        let content = fromStdin ? try StandardStreams.readImage() : try ImageIO.decode(file: photo)
        let start = Date()
        let progress = TileProgressLine(enabled: !quiet)
        let result = try PresetSheet.render(engine: engine, content: content, settings: settings, control: progress.control)
        progress.finish()
        if toStdout {
            try StandardStreams.write(result.sheet, format: format?.imageFormat ?? .png, quality: quality)
        } else {
            try ImageIO.write(result.sheet, to: output, quality: quality, protecting: fromStdin ? [] : [photo])
        }
        if !quiet {
            let line = "wrote \(toStdout ? StandardStreams.outputName : output) (\(result.sheet.width)x\(result.sheet.height)): "
                + "\(result.presets) presets at \(result.cellWidth)x\(result.cellHeight) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s"
            if toStdout { StandardStreams.message(line) } else { print(line) }
        }
    }
}
