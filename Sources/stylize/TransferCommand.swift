import ArgumentParser
import Foundation
import StyleNN
import StylizeEngine

/// `stylize CONTENT STYLE [STYLE ...]`: the single-image transfer.
struct TransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Stylize one content image with one or more style images (the default command).")

    @Argument(help: "The content photo (JPEG or PNG); - reads it from standard input.")
    var content: String

    @Argument(help: "One or more style images; several are mixed (see --style-weights).")
    var styles: [String] = []

    @Option(help: "Model family: adain (default) or magenta (Ghiasi et al. 2017).")
    var model: ModelFamily = .adain

    @Option(help: "Magenta's built-in styles instead of a style image: an index 0-25 or a blend such as 3:0.5,12:0.5 (implies --model magenta).")
    var preset: String?

    @Option(name: .shortAndLong, help: "Output file (.jpg or .png), or - for standard output. Default: <content>_stylized_<style>.<ext of content> in the working directory.")
    var output: String?

    @Option(help: "Format written by -o - (standard output): png (default) or jpeg. A file's format follows its extension.")
    var format: OutputFormat?

    @Flag(help: "Print a JSON object on standard output instead of the 'wrote' line: output, size, seconds, model, weights, peak memory, plan (tiles or bands). Not with -o -.")
    var json = false

    @OptionGroup var common: CommonTransferOptions

    func validate() throws {
        // styles and --preset are checked with the request (`TransferRequest.validateInputs`)
        try SingleTransfer.validate(self)
    }

    func run() throws {
        try common.applyThreads()
        try SingleTransfer(command: self).run()
    }
}

/// The options every stylizing command shares.
struct CommonTransferOptions: ParsableArguments {
    @Option(help: precisionHelp)
    var precision: Precision = .f32

    @Option(help: "Style strength from 0 (content unchanged) to 1 (full style).")
    var alpha: Float = 1

    @Option(name: .customLong("style-weights"), help: "Comma-separated mixing weights, one per style (normalised to sum 1).")
    var styleWeights: String?

    @Option(help: "Statistics swapped at the bottleneck: instance (AdaIN), batch, layer or group.")
    var norm: String = "instance"

    @Option(help: "Number of groups for --norm group (must divide the feature channels).")
    var groups: Int = 32

    @Option(help: "Which statistics of the features the swap matches: moments (AdaIN: each channel's mean and standard deviation), covariance (WCT: the channels' covariance, so colour combinations and textures carry over) or distribution (EFDM: each channel's whole distribution of values). Default: moments. Not with --model magenta (moments only).")
    var match: String?

    @Flag(name: .customLong("preserve-color"), help: "Keep the content's colours (the style is recoloured to the content's colour statistics first).")
    var preserveColor = false

    @Option(help: "Mask image: with two styles, the first applies where the mask is white, the second where it is black.")
    var mask: String?

    @Option(name: .customLong("content-size"), help: "Shorter side of the content in pixels before stylizing (default 512; video: the clip's size, scaled down to 720 when larger); 0 keeps its size.")
    var contentSize: Int?

    @Option(name: .customLong("style-size"), help: "Shorter side of each style image in pixels; 0 keeps its size.")
    var styleSize: Int = 512

    @Option(help: "Process the content in overlapping tiles of N pixels (global statistics, feathered seams); 0 = automatic, by --max-memory.")
    var tile: Int = 0

    @Option(name: .customLong("max-memory"), help: "Memory budget (e.g. 1.5G, 800M); larger images are tiled automatically to stay within it.")
    var maxMemory: String = "1.5G"

    @Option(help: "Weights file (safetensors). Default: $STYLIZE_WEIGHTS, else the model shipped in Weights/.")
    var weights: String?

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int?

    @Option(help: "JPEG quality of the output (1-100).")
    var quality: Int = 95

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func normKind() throws -> NormKind {
        do { return try NormKind(name: norm, groups: norm == "group" ? groups : nil) }
        catch { throw CommandLineErrors.usage(error) }
    }

    func transferOptions() throws -> TransferOptions {
        var o = TransferOptions()
        o.alpha = alpha
        o.norm = try normKind()
        if let match {
            do { o.match = try StatisticMatch(name: match) }
            catch { throw ValidationError("--match must be one of \(StatisticMatch.names.joined(separator: ", ")), got '\(match.prefix(40))'") }
        }
        o.preserveColor = preserveColor
        o.contentSize = contentSize ?? 512
        o.styleSize = styleSize
        o.tileSize = tile
        o.maxMemoryBytes = try parseMemory(maxMemory)
        if let styleWeights {
            o.styleWeights = try styleWeights.split(separator: ",").map {
                guard let v = Float($0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--style-weights: '\($0)' is not a number")
                }
                return v
            }
        }
        return o
    }

    func applyThreads() throws {
        try CommandLineErrors.checked { try OutputQuality.validate(quality); try ThreadBudget.set(threads) }
    }
}

/// `--max-memory` text as bytes, or a usage error naming the option.
func parseMemory(_ text: String) throws -> Int {
    do { return try MemoryBudget.parse(text) } catch { throw CommandLineErrors.usage(error) }
}
