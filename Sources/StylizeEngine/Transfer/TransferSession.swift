import StyleKernels
import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// One content image stylized with one or more styles (optionally split by a mask), or
/// with Magenta presets.
public struct TransferRequest: Sendable {
    public var content: String
    public var styles: [String]
    /// Magenta's built-in styles instead of style images ("19", "3:0.5,12:0.5").
    public var preset: String?
    /// Output path; nil = `<content>_stylized_<style>.<content ext>` in the working directory.
    public var output: String?
    /// Two styles and a mask: the first style where the mask is white, the second elsewhere.
    public var mask: String?
    public var options: TransferOptions
    /// JPEG quality of the output.
    public var quality: Int = 95

    public init(content: String, styles: [String], preset: String? = nil, output: String? = nil, mask: String? = nil,
                options: TransferOptions = .init()) {
        self.content = content; self.styles = styles; self.preset = preset; self.output = output
        self.mask = mask; self.options = options
    }

    /// The styles as the engine takes them.
    public var styleRefs: [StyleRef] { preset.map { [.preset($0)] } ?? styles.map { .file($0) } }

    /// The files read by this request (never overwritten).
    public var inputs: [String] { [content] + styles + (mask.map { [$0] } ?? []) }

    /// The output path this request writes to.
    public var outputPath: String {
        output ?? Self.defaultOutputName(content: content,
                                         styles: preset.map { ["preset" + $0.replacingOccurrences(of: ",", with: "+")] } ?? styles)
    }

    /// `<content stem>_stylized_<style stem>[+<style stem>...].<content extension>`: a plain
    /// file name (no "/", never hidden), so odd input paths cannot place the output
    /// outside the working directory.
    public static func defaultOutputName(content: String, styles: [String]) -> String {
        let c = URL(fileURLWithPath: content)
        var ext = c.pathExtension.lowercased()
        if ImageFormat(pathExtension: ext) == nil { ext = "png" }
        let styleStems = styles.map(fileStem)
        return "\(fileStem(content))_stylized_\(styleStems.joined(separator: "+")).\(ext)"
    }

    /// The last path component without its extension, with any "/" removed and leading
    /// dots stripped ("/" or "//" resolve to "/", "." and ".." to folder names); "image"
    /// when nothing is left.
    static func fileStem(_ path: String) -> String {
        var stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        stem.removeAll { $0 == "/" }
        while stem.hasPrefix(".") { stem.removeFirst() }
        return stem.isEmpty ? "image" : stem
    }

    /// Every check that needs no decoding: styles or a preset (not both), then the engine's
    /// request check (`StyleEngine.validate`: options, styles, mask) for `family`, the
    /// output's format and that it is not one of the inputs.
    public func validate(family: ModelFamily) throws {
        try validateInputs(family: family)
        try ImageIO.checkOutput(outputPath, protecting: inputs)
    }

    /// The checks of `validate` except those of the output (for callers that send the
    /// result elsewhere than a file, e.g. to standard output).
    public func validateInputs(family: ModelFamily) throws {
        if preset != nil, !styles.isEmpty {
            throw OptionError(.preset, "give either style images or \(option: .preset), not both")
        }
        try StyleEngine.validate(family: family, styles: styleRefs, options: options, hasMask: mask != nil)
    }
}

/// What a finished transfer wrote.
public struct TransferResult: Sendable {
    public let output: String
    public let width: Int
    public let height: Int
    public let seconds: Double
}

/// File-level transfers through one `StyleEngine`: decode, stylize, write (temporary file,
/// then rename; never over an input).
public final class TransferSession: @unchecked Sendable {
    public let engine: StyleEngine

    /// Loads `family`'s weights (`nil`: the default places, see `StyleEngine.init`), set up for `precision`.
    public convenience init(family: ModelFamily = .adain, weights: String?, precision: Precision = .f32) throws {
        self.init(engine: try StyleEngine(family: family, weights: weights, precision: precision))
    }

    public init(engine: StyleEngine) { self.engine = engine }

    /// Stylizes one content image and writes the result.
    public func run(_ request: TransferRequest, control: RunControl = .init()) throws -> TransferResult {
        let start = Date()
        try request.validate(family: engine.family)
        let result = try stylize(request, control: control)
        try control.check()
        try ImageIO.write(result, to: request.outputPath, quality: request.quality, protecting: request.inputs)
        return TransferResult(output: request.outputPath, width: result.width, height: result.height,
                              seconds: Date().timeIntervalSince(start))
    }

    /// The stylized image of `request`, not written anywhere (the output is not checked).
    /// `content`: the content already decoded (e.g. read from standard input; the request's
    /// `content` then only names it), resized by `options.contentSize` like a file's;
    /// nil decodes the request's content file.
    public func stylize(_ request: TransferRequest, content: Image? = nil, control: RunControl = .init()) throws -> Image {
        try request.validateInputs(family: engine.family)
        let image = try content.map { StyleEngine.prepareContent($0, options: request.options) }
            ?? StyleEngine.loadContent(request.content, options: request.options)
        let mask = try request.mask.map { try ImageIO.decode(file: $0) }
        return try engine.stylize(image, styles: request.styleRefs, options: request.options, mask: mask, control: control)
    }
}
