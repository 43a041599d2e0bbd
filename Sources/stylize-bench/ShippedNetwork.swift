import ArgumentParser
import Foundation
import StyleKernels
import StyleModels
import StyleNN
import StyleTensor
import StyleWeights

/// The networks stylize runs, by the name the benchmarks use.
enum NetworkName: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// `adain-mobilenet-s8`, Weights/default.safetensors.
    case `default`
    /// Magenta's arbitrary-style transformer, Weights/magenta-arbitrary.safetensors.
    case magenta
    /// pytorch-AdaIN's VGG network with seeded weights (`SeededVGG`).
    case vgg

    /// The weights file the network loads when `--weights` is not given (relative to the
    /// repository root, where the benchmark scripts run); nil for the seeded VGG weights.
    var defaultWeights: String? {
        switch self {
        case .default: return "Weights/default.safetensors"
        case .magenta: return "Weights/magenta-arbitrary.safetensors"
        case .vgg: return nil
        }
    }
}

/// A shipped network loaded the way stylize loads it (`AdaINLoader`, `MagentaModel`), with an
/// optional `LayerObserver`, and one transfer of it as the benchmark times it.
struct ShippedNetwork {
    enum Body {
        /// Encoder, the AdaIN swap (instance statistics, `Stylizer`'s defaults) and decoder.
        case adain(Stylizer)
        /// The transformer with a given style vector.
        case magenta(MagentaArbitrary, transformer: MagentaTransformer)
    }

    let name: NetworkName
    let body: Body
    let weightsPath: String

    /// Loads `name` from `weights` (default: `name.defaultWeights`, or seeded VGG weights
    /// written to a temporary file).
    init(_ name: NetworkName, weights: String?, seed: UInt64 = 1, precision: Precision = .f32,
         observer: (any LayerObserver)? = nil) throws {
        self.name = name
        var temporary: String? = nil
        if weights == nil && name.defaultWeights == nil {
            temporary = NSTemporaryDirectory() + "stylize-bench-vgg-\(getpid()).safetensors"
            try SeededVGG.write(seed: seed, native: true, to: temporary!)
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        weightsPath = weights ?? name.defaultWeights ?? temporary!
        body = try Self.load(name, path: weightsPath, precision: precision, observer: observer)
    }

    private static func load(_ name: NetworkName, path: String, precision: Precision,
                             observer: (any LayerObserver)?) throws -> Body {
        guard FileManager.default.fileExists(atPath: path) else {
            throw BenchError("\(path): no such weights file (run from the repository root, or pass --weights)")
        }
        switch name {
        case .default, .vgg:
            let model = try AdaINLoader.load(path: path)
            if var m = (model as? AdaINMobile)?.withPrecision(precision), name == .default {
                m.observer = observer
                return .adain(try Stylizer(model: m))
            } else if var m = (model as? AdaINVGG)?.withPrecision(precision), name == .vgg {
                m.observer = observer
                return .adain(try Stylizer(model: m))
            }
            throw BenchError("\(path): holds a '\(model.architecture)' model, not the \(name.rawValue) network")
        case .magenta:
            guard case .arbitrary(let m) = try MagentaModel.load(path: path) else {
                throw BenchError("\(path): not a magenta-arbitrary-v1 model")
            }
            var transformer = m.transformer.withPrecision(precision)
            transformer.observer = observer
            return .magenta(m, transformer: transformer)
        }
    }

    /// One transfer as the peers run it: for AdaIN, both encoders, the swap and the decoder
    /// (the style is encoded every time, as in the exported graph); for Magenta, the transformer.
    func transfer(content: Tensor, style: Tensor?, styleVector: [Float]?) throws -> Tensor {
        switch body {
        case .adain(let stylizer):
            guard let style else { throw BenchError("the \(name.rawValue) network needs a style image") }
            let statistics = try stylizer.styleStatistics(of: style)
            return try stylizer.stylize(content: content, styles: [WeightedStyle(statistics)])
        case .magenta(_, let transformer):
            guard let styleVector else { throw BenchError("the magenta network needs a style vector") }
            return try transformer(content, style: styleVector)
        }
    }

    /// The Magenta predictor's input side (metadata `style_size`); nil for the AdaIN networks.
    var predictorSize: Int? {
        if case .magenta(let m, _) = body { return m.styleSize }
        return nil
    }

    /// The style vector of a style image that is already `predictorSize` square (what stylize
    /// feeds the predictor after its centre crop and resize).
    func styleVector(of image: Tensor) throws -> [Float] {
        guard case .magenta(let m, _) = body else { throw BenchError("only the magenta network takes a style vector") }
        guard image.shape.h == m.styleSize, image.shape.w == m.styleSize else {
            throw BenchError("the style image is \(image.shape.w)x\(image.shape.h); the predictor takes \(m.styleSize)x\(m.styleSize)")
        }
        return try m.styleVector(image)
    }
}

/// Where a benchmark's inputs come from: PNG/JPEG files (as stylize reads them) or the
/// deterministic `benchImage`s of a given size; for Magenta a style vector file, or the
/// predictor's vector of the style image.
struct NetworkInputs: ParsableArguments {
    @Option(help: "Content image file (default: the synthetic benchmark image of --size).")
    var content: String?
    @Option(help: "Style image file (AdaIN networks; for magenta: the predictor's input, style_size square).")
    var style: String?
    @Option(help: "Magenta: raw float32 style vector file (default: the predictor's vector of --style).")
    var styleVector: String?
    @Option(help: "Side of the synthetic square style image of the AdaIN networks when --style is not given.")
    var styleSize: Int = 512

    /// The content, style and style vector for `network` (the content at `size` when no file is given).
    func load(for network: ShippedNetwork, size: (height: Int, width: Int)?) throws -> (Tensor, Tensor?, [Float]?) {
        try Self.load(for: network, size: size, content: content, style: style, styleVector: styleVector, styleSize: styleSize)
    }

    /// The same with the options given as values (`Convs` uses the synthetic images).
    static func load(for network: ShippedNetwork, size: (height: Int, width: Int)?, content: String? = nil,
                     style: String? = nil, styleVector: String? = nil, styleSize: Int = 512) throws -> (Tensor, Tensor?, [Float]?) {
        let c: Tensor
        if let content { c = try loadImageTensor(content) } else if let size {
            c = benchImage(height: size.height, width: size.width, style: false)
        } else { throw BenchError("give --content or a size") }
        if let p = network.predictorSize {
            if let styleVector { return (c, nil, try readFloats(styleVector)) }
            let s = try style.map(loadImageTensor) ?? benchImage(height: p, width: p, style: true)
            return (c, nil, try network.styleVector(of: s))
        }
        let s = try style.map(loadImageTensor) ?? benchImage(height: styleSize, width: styleSize, style: true)
        return (c, s, nil)
    }
}
