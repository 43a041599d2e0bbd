import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// One content image stylized with one or more styles (optionally split by a mask).
public struct TransferRequest: Sendable {
    public var content: String
    public var styles: [String]
    /// Output path; nil = `<content>_stylized_<style>.<content ext>` in the working directory.
    public var output: String?
    /// Two styles and a mask: the first style where the mask is white, the second elsewhere.
    public var mask: String?
    public var options: TransferOptions
    /// JPEG quality of the output.
    public var quality: Int = 95

    public init(content: String, styles: [String], output: String? = nil, mask: String? = nil,
                options: TransferOptions = .init()) {
        self.content = content; self.styles = styles; self.output = output
        self.mask = mask; self.options = options
    }

    /// The output path this request writes to.
    public var outputPath: String {
        output ?? Self.defaultOutputName(content: content, styles: styles)
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
}

/// What a finished transfer wrote.
public struct TransferResult: Sendable {
    public let output: String
    public let width: Int
    public let height: Int
    public let seconds: Double
}

/// Runs transfers with one loaded model; style statistics are cached per style file and
/// size, so a style used for many contents is encoded once.
public final class TransferSession: @unchecked Sendable {
    public let stylizer: Stylizer
    public let weightsPath: String
    private var styleCache: [String: FeatureStatistics] = [:]
    private let cacheLock = NSLock()

    /// Loads the weights (`nil`: the default model, see `WeightsLocator`).
    public init(weights: String?, norm: NormKind = .instance) throws {
        weightsPath = try WeightsLocator.resolve(explicit: weights)
        stylizer = try Stylizer(model: ModelLoader.load(path: weightsPath), norm: norm)
    }

    public init(stylizer: Stylizer, weightsPath: String) {
        self.stylizer = stylizer
        self.weightsPath = weightsPath
    }

    /// Decodes an image and resizes its shorter side to `size` (0 keeps the size).
    public static func load(_ path: String, shorterSide size: Int) throws -> Image {
        let image = try ImageIO.decode(file: path)
        return size > 0 ? image.resized(shorterSide: size) : image
    }

    /// Statistics of a style file's features, cached by path and size unless the style is
    /// recoloured for a particular content (`colorsOf`).
    public func styleStatistics(_ path: String, size: Int, colorsOf content: Tensor? = nil) throws -> FeatureStatistics {
        let key = "\(size)|\(path)"
        if content == nil {
            cacheLock.lock()
            let hit = styleCache[key]
            cacheLock.unlock()
            if let hit { return hit }
        }
        var style = Tensor(image: try Self.load(path, shorterSide: size))
        if let content {
            style = clamp01(try ColorPreservation.matchColors(of: style, to: content))
        }
        let stats = try stylizer.styleStatistics(of: style)
        if content == nil {
            cacheLock.lock()
            styleCache[key] = stats
            cacheLock.unlock()
        }
        return stats
    }

    /// Stylizes one content image and writes the result (temporary file, then rename).
    public func run(_ request: TransferRequest) throws -> TransferResult {
        let start = Date()
        let options = request.options
        try options.validate(styleCount: request.styles.count)
        guard !request.styles.isEmpty else { throw PipelineError.invalidOption("at least one style image is needed") }
        let output = request.outputPath
        guard ImageFormat(pathExtension: URL(fileURLWithPath: output).pathExtension) != nil else {
            throw PipelineError.invalidOption("\(output): output must end in .jpg, .jpeg or .png")
        }
        let inputs = [request.content] + request.styles + (request.mask.map { [$0] } ?? [])
        try Self.refuseOverwrite(output: output, inputs: inputs)

        let contentImage = try Self.load(request.content, shorterSide: options.contentSize)
        if let plan = try tilePlan(for: contentImage, styles: request.styles, options: options, masked: request.mask != nil) {
            return try runTiled(request, content: contentImage, plan: plan, inputs: inputs, start: start)
        }
        let content = Tensor(image: contentImage)
        let weights = options.normalisedStyleWeights(styleCount: request.styles.count)
        let colorSource = options.preserveColor ? content : nil
        let styles = try zip(request.styles, weights).map { path, w in
            WeightedStyle(try styleStatistics(path, size: options.styleSize, colorsOf: colorSource), weight: w)
        }
        let stylized: Tensor
        if let maskPath = request.mask {
            guard styles.count == 2 else {
                throw PipelineError.invalidOption("--mask needs exactly two styles (foreground, background), got \(styles.count)")
            }
            let mask = try Self.loadMask(maskPath, width: contentImage.width, height: contentImage.height)
            stylized = try stylizer.stylize(content: content, mask: mask,
                                            foreground: [WeightedStyle(styles[0].statistics)],
                                            background: [WeightedStyle(styles[1].statistics)], alpha: options.alpha)
        } else {
            stylized = try stylizer.stylize(content: content, styles: styles, alpha: options.alpha)
        }
        let result = Image(tensor: stylized, alpha: contentImage.alpha)
        try ImageIO.write(result, to: output, quality: request.quality, protecting: inputs)
        return TransferResult(output: output, width: result.width, height: result.height,
                              seconds: Date().timeIntervalSince(start))
    }

    /// A mask image as 1 x H x W x 1 in [0, 1] (mean of R, G, B), resized to the content.
    public static func loadMask(_ path: String, width: Int, height: Int) throws -> Tensor {
        let image = try ImageIO.decode(file: path).resized(width: width, height: height)
        var mask = Tensor(shape: Shape(n: 1, h: height, w: width, c: 1))
        for p in 0..<(width * height) {
            let sum = Int(image.rgb[3 * p]) + Int(image.rgb[3 * p + 1]) + Int(image.rgb[3 * p + 2])
            mask.data[p] = Float(sum) / (3 * 255)
        }
        return mask
    }

    /// Refuses an output that is one of the inputs (same file after resolving links).
    static func refuseOverwrite(output: String, inputs: [String]) throws {
        let out = URL(fileURLWithPath: output).resolvingSymlinksInPath().standardizedFileURL.path
        for input in inputs where URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path == out {
            throw PipelineError.outputWouldOverwriteInput(output: output)
        }
    }
}

/// Values clamped to [0, 1].
func clamp01(_ x: Tensor) -> Tensor {
    var y = x
    for i in y.data.indices { y.data[i] = min(max(y.data[i], 0), 1) }
    return y
}
