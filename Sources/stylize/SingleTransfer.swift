import ArgumentParser
import Foundation
import ImageCodecs
import StylizeEngine

/// The run of `stylize CONTENT STYLE ...`: files, or standard input / output for `-`, and
/// the `--json` report.
struct SingleTransfer {
    let command: TransferCommand

    /// The combinations of `-`, `--format` and `--json` that cannot work, refused before any work.
    static func validate(_ c: TransferCommand) throws {
        let dash = StandardStreams.dash
        if c.json && c.output == dash {
            throw ValidationError("--json prints a JSON object on standard output, which -o - uses for the image: give -o FILE with --json")
        }
        if c.content == dash && c.output == nil {
            throw ValidationError("the content comes from standard input (-): say where the result goes with -o FILE or -o - (standard output)")
        }
        if c.styles.contains(dash) || c.common.mask == dash {
            throw ValidationError("only the content can be read from standard input (-); give style and mask images as files")
        }
        if let format = c.format {
            guard let output = c.output else {
                throw ValidationError("--format is for -o - (standard output); a file's format follows its extension")
            }
            _ = try OutputFormat.resolve(format, for: output)
        }
    }

    func run() throws {
        let c = command
        let family: ModelFamily = c.preset != nil ? .magenta : c.model
        let toStdout = c.output == StandardStreams.dash
        let fromStdin = c.content == StandardStreams.dash
        let session = try TransferSession(family: family, weights: c.common.weights, precision: c.common.precision)
        var request = TransferRequest(content: c.content, styles: c.styles, preset: c.preset,
                                      output: toStdout ? nil : c.output, mask: c.common.mask,
                                      options: try c.common.transferOptions())
        request.quality = c.common.quality
        let protected = request.inputs.filter { $0 != StandardStreams.dash }
        let progress = TileProgressLine(enabled: !c.common.quiet)
        let start = Date()
        let written: String, width: Int, height: Int
        if toStdout || fromStdin {
            try request.validateInputs(family: session.engine.family)
            if !toStdout { try ImageIO.checkOutput(request.outputPath, protecting: protected) }
            let content = fromStdin ? try StandardStreams.readImage() : nil
            let image = try session.stylize(request, content: content, control: progress.control)
            progress.finish()
            if toStdout {
                try StandardStreams.write(image, format: c.format?.imageFormat ?? .png, quality: c.common.quality)
                written = StandardStreams.outputName
            } else {
                try ImageIO.write(image, to: request.outputPath, quality: c.common.quality, protecting: protected)
                written = request.outputPath
            }
            (width, height) = (image.width, image.height)
        } else {
            let result = try session.run(request, control: progress.control)
            progress.finish()
            (written, width, height) = (result.output, result.width, result.height)
        }
        let seconds = Date().timeIntervalSince(start)
        if c.json {
            let plan = try session.engine.plan(width: width, height: height, options: request.options)
            let report = TransferReport(
                output: written, content: fromStdin ? StandardStreams.inputName : c.content,
                styles: c.styles, preset: c.preset, size: [width, height], seconds: seconds,
                model: family.rawValue, match: request.options.resolvedMatch(family: family).name, weights: session.engine.weightsPaths,
                peakMemoryBytes: ProcessMemory.peakResidentBytes, maxMemoryBytes: request.options.maxMemoryBytes,
                plan: .init(pieces: plan.pieces, unit: plan.unit, tiled: plan.isTiled, estimatedPeakBytes: plan.estimatedPeakBytes))
            print(try report.json())
        } else if !c.common.quiet {
            let line = "wrote \(written) (\(width)x\(height)) in \(String(format: "%.2f", seconds)) s"
            if toStdout { StandardStreams.message(line) } else { print(line) }
        }
    }
}

/// `stylize CONTENT STYLE --json`: what one transfer did, as one JSON object.
struct TransferReport: Encodable {
    struct Plan: Encodable {
        let pieces: Int
        let unit: String
        let tiled: Bool
        let estimatedPeakBytes: Int
        enum CodingKeys: String, CodingKey {
            case pieces, unit, tiled, estimatedPeakBytes = "estimated_peak_bytes"
        }
    }

    let output: String
    let content: String
    let styles: [String]
    let preset: String?
    /// [width, height] of the output.
    let size: [Int]
    let seconds: Double
    let model: String
    /// The statistic match the run used ("moments", "covariance", "distribution").
    let match: String
    let weights: [String]
    let peakMemoryBytes: Int
    let maxMemoryBytes: Int
    let plan: Plan

    enum CodingKeys: String, CodingKey {
        case output, content, styles, preset, size, seconds, model, match, weights, plan
        case peakMemoryBytes = "peak_memory_bytes", maxMemoryBytes = "max_memory_bytes"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(output, forKey: .output)
        try c.encode(content, forKey: .content)
        try c.encode(styles, forKey: .styles)
        try c.encode(preset, forKey: .preset)   // null when no preset
        try c.encode(size, forKey: .size)
        try c.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
        try c.encode(model, forKey: .model)
        try c.encode(match, forKey: .match)
        try c.encode(weights, forKey: .weights)
        try c.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
        try c.encode(maxMemoryBytes, forKey: .maxMemoryBytes)
        try c.encode(plan, forKey: .plan)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
