import StyleKernels
import StyleNN
import StyleTensor
import StyleWeights

/// Problems specific to the Magenta models and their inputs.
public enum MagentaError: Error, Equatable, CustomStringConvertible {
    case badPreset(String)
    case wrongModel(file: String, architecture: String, needed: String)

    public var description: String {
        switch self {
        case .badPreset(let s):
            return "bad --preset '\(s)': use a style index 0-25, or index:weight pairs such as 3:0.5,12:0.5 (weights >= 0, not all 0)"
        case .wrongModel(let file, let arch, let needed):
            return "\(file): holds a '\(arch)' model, this needs '\(needed)'"
        }
    }
}

/// Magenta arbitrary image stylization (Ghiasi et al. 2017, "Exploring the structure of a
/// real-time, arbitrary neural artistic stylization network"), `magenta-arbitrary-v1`:
/// the predictor turns a style image into a style vector, the transformer renders the
/// content with it. Style enters only through the transformer's normalizations.
public struct MagentaArbitrary: Sendable {
    public static let architecture = "magenta-arbitrary-v1"
    public let predictor: MagentaPredictor
    public private(set) var transformer: MagentaTransformer
    /// Side of the square the style image is resized to before prediction (metadata `style_size`).
    public let styleSize: Int

    public init(file: SafeTensorsFile) throws {
        predictor = try MagentaPredictor(file: file)
        transformer = try MagentaTransformer(file: file, plan: MagentaTransformer.arbitraryPlan,
                                             styleDimension: predictor.styleDimension)
        let s = file.metadata["style_size"] ?? "256"
        guard let size = Int(s), size >= 32 else { throw ModelError.badMetadata(file: file.path, key: "style_size", value: s) }
        styleSize = size
    }

    /// The same model with its transformer set up for `precision` (the predictor stays float32).
    public func withPrecision(_ precision: Precision) -> MagentaArbitrary {
        var copy = self
        copy.transformer = transformer.withPrecision(precision)
        return copy
    }

    /// The style vector of a (prepared, `styleSize`-square) style image.
    public func styleVector(_ style: Tensor) throws -> [Float] { try predictor(style) }

    /// v = sum_i w_i v_i: a weighted mix of style vectors (weights already normalised).
    public static func mix(_ vectors: [[Float]], weights: [Float]) -> [Float] {
        precondition(vectors.count == weights.count && !vectors.isEmpty, "mix: one weight per vector")
        var out = [Float](repeating: 0, count: vectors[0].count)
        for (v, w) in zip(vectors, weights) { for i in out.indices { out[i] += w * v[i] } }
        return out
    }

    /// Renders `content` (1 x H x W x 3 in [0, 1], any size >= 8) with `style`.
    public func stylize(_ content: Tensor, style: [Float], norm: NormKind = .instance) throws -> Tensor {
        try transformer(content, style: style, norm: norm)
    }
}

/// Dumoulin, Shlens & Kudlur 2017 ("A learned representation for artistic style"),
/// `magenta-multistyle26`: conditional instance norm with 26 built-in styles; a style is
/// a weight vector over them (presets can be blended).
public struct MagentaMultistyle: Sendable {
    public static let architecture = "magenta-multistyle26"
    public private(set) var transformer: MagentaTransformer
    public var styleCount: Int { transformer.styleDimension }

    /// The same model with its transformer set up for `precision`.
    public func withPrecision(_ precision: Precision) -> MagentaMultistyle {
        var copy = self
        copy.transformer = transformer.withPrecision(precision)
        return copy
    }

    public init(file: SafeTensorsFile) throws {
        let d = file.metadata["style_dim"] ?? "26"
        guard let dim = Int(d), dim >= 1 else { throw ModelError.badMetadata(file: file.path, key: "style_dim", value: d) }
        transformer = try MagentaTransformer(file: file, plan: MagentaTransformer.multistylePlan, styleDimension: dim)
    }

    /// Parses "19" or "3:0.5,12:0.5" (index[:weight], weight 1 when omitted; repeated
    /// indices add up) into weights normalised to sum 1.
    public func presetWeights(_ spec: String) throws -> [Float] {
        var w = [Float](repeating: 0, count: styleCount)
        let parts = spec.split(separator: ",", omittingEmptySubsequences: true)
        guard !parts.isEmpty else { throw MagentaError.badPreset(spec) }
        for part in parts {
            let f = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let i = Int(f[0]), (0..<styleCount).contains(i) else { throw MagentaError.badPreset(spec) }
            let weight: Float
            if f.count == 2 {
                guard let v = Float(f[1]), v.isFinite, v >= 0 else { throw MagentaError.badPreset(spec) }
                weight = v
            } else {
                weight = 1
            }
            w[i] += weight
        }
        let sum = w.reduce(0, +)
        guard sum > 0 else { throw MagentaError.badPreset(spec) }
        return w.map { $0 / sum }
    }

    /// Renders `content` with the blend `weights` of the built-in styles.
    public func stylize(_ content: Tensor, weights: [Float], norm: NormKind = .instance) throws -> Tensor {
        try transformer(content, style: weights, norm: norm)
    }
}

/// A loaded Magenta weights file.
public enum MagentaModel: Sendable {
    case arbitrary(MagentaArbitrary)
    case multistyle(MagentaMultistyle)

    /// Opens (memory-maps) `path` and builds the network its `architecture` names.
    public static func load(path: String) throws -> MagentaModel {
        let file = try SafeTensorsFile(path: path)
        switch file.metadata["architecture"] {
        case MagentaArbitrary.architecture: return .arbitrary(try MagentaArbitrary(file: file))
        case MagentaMultistyle.architecture: return .multistyle(try MagentaMultistyle(file: file))
        case let other: throw ModelError.unknownArchitecture(file: path, architecture: other)
        }
    }
}
