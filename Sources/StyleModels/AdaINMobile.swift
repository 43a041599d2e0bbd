import StyleKernels
import StyleNN
import StyleTensor
import StyleWeights

/// The project's default model, `adain-mobilenet-s8` (see Training/ARCHITECTURE.md):
/// AdaIN on the frozen, pretrained features of the first blocks of Magenta's MobileNetV2
/// style predictor (Ghiasi et al. 2017), cut at stride 8 (`expanded_conv_6/expand`,
/// 192 channels after ReLU6), with a decoder trained by this project.
///
/// Encoder convs use TF "SAME" zero padding; blocks are expand (1x1, ReLU6), depthwise
/// (3x3, ReLU6), project (1x1, linear) with residual adds where shapes allow. Decoder:
/// 3x3 convs with reflection padding 1 and ReLU, nearest x2 upsampling after all but the
/// last hidden conv, then a 3x3 conv to RGB with a sigmoid. The content is reflection-padded
/// by `content_pad` (and up to a multiple of 8) before encoding and cropped after decoding,
/// which keeps the encoder's zero padding from drawing a frame along the border.
public struct AdaINMobile: AdaINNetwork {
    public let architecture = "adain-mobilenet-s8"
    public let featureStride = 8
    public let populationMean: [Float]?
    public let populationVariance: [Float]?
    public let populationCovariance: CovarianceStatistics?
    public let tapNames = ["conv0", "ec1_expand", "ec3_expand", "ec6_expand"]
    public let featureChannels: Int
    /// Reflection padding around the content before encoding (metadata `content_pad`).
    public let contentPad: Int
    /// Told about every step of the forward passes when set (see `LayerObserver`).
    public var observer: (any LayerObserver)? = nil

    enum Step: Sendable {
        case conv(ConvLayer)
        /// Remember the current tensor as the residual input of the next `addResidual`.
        case saveResidual
        case addResidual
        case tap
    }

    /// Encoder plan: (name, kernel, stride, depthwise, activation) plus residual/tap markers.
    static let encoderPlan: [String] = [
        "conv0 3 2 - relu6", "tap",
        "ec0_depthwise 3 1 dw relu6", "ec0_project 1 1 - none",
        "ec1_expand 1 1 - relu6", "tap", "ec1_depthwise 3 2 dw relu6", "ec1_project 1 1 - none",
        "save", "ec2_expand 1 1 - relu6", "ec2_depthwise 3 1 dw relu6", "ec2_project 1 1 - none", "add",
        "ec3_expand 1 1 - relu6", "tap", "ec3_depthwise 3 2 dw relu6", "ec3_project 1 1 - none",
        "save", "ec4_expand 1 1 - relu6", "ec4_depthwise 3 1 dw relu6", "ec4_project 1 1 - none", "add",
        "save", "ec5_expand 1 1 - relu6", "ec5_depthwise 3 1 dw relu6", "ec5_project 1 1 - none", "add",
        "ec6_expand 1 1 - relu6", "tap",
    ]

    private(set) var encoder: [Step]
    private(set) var decoder: [ConvLayer]
    private(set) var output: ConvLayer
    public private(set) var precision = Precision.f32

    public func withPrecision(_ precision: Precision) -> AdaINMobile {
        var copy = self
        copy.encoder = encoder.map { if case .conv(let l) = $0 { return .conv(l.withPrecision(precision)) } else { return $0 } }
        copy.decoder = decoder.map { $0.withPrecision(precision) }
        copy.output = output.withPrecision(precision)
        copy.precision = precision
        return copy
    }

    public init(file: SafeTensorsFile) throws {
        let r = WeightReader(file)
        var steps: [Step] = []
        var channels = 3
        for entry in Self.encoderPlan {
            switch entry {
            case "tap": steps.append(.tap)
            case "save": steps.append(.saveResidual)
            case "add": steps.append(.addResidual)
            default:
                let f = entry.split(separator: " ").map(String.init)
                let kernel = Int(f[1])!, stride = Int(f[2])!
                let layer = try r.conv("encoder." + f[0], inChannels: channels, kernel: kernel,
                                       depthwise: f[3] == "dw", stride: stride,
                                       padding: kernel == 1 ? .none : .same,
                                       activation: f[4] == "relu6" ? .relu6 : .none)
                channels = layer.outChannels
                steps.append(.conv(layer))
            }
        }
        encoder = steps
        featureChannels = channels

        guard let widthsText = file.metadata["decoder_widths"] else {
            throw ModelError.badMetadata(file: file.path, key: "decoder_widths", value: nil)
        }
        let widths = widthsText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.count == widthsText.split(separator: ",").count else {
            throw ModelError.badMetadata(file: file.path, key: "decoder_widths", value: widthsText)
        }
        var dec: [ConvLayer] = []
        for (i, width) in widths.enumerated() {
            let layer = try r.conv("decoder.conv\(i)", inChannels: channels, kernel: 3,
                                   padding: .reflect(1), activation: .relu)
            guard layer.outChannels == width else {
                throw ModelError.badShape(file: file.path, name: "decoder.conv\(i).weight",
                                          expected: "[\(width), \(channels), 3, 3]", got: [layer.outChannels])
            }
            channels = width
            dec.append(layer)
        }
        decoder = dec
        output = try r.conv("decoder.out", inChannels: channels, kernel: 3, padding: .reflect(1), activation: .none)
        guard output.outChannels == 3 else {
            throw ModelError.badShape(file: file.path, name: "decoder.out.weight", expected: "[3, \(channels), 3, 3]",
                                      got: [output.outChannels])
        }
        let pad = file.metadata["content_pad"] ?? "16"
        guard let p = Int(pad), p >= 0 else { throw ModelError.badMetadata(file: file.path, key: "content_pad", value: pad) }
        contentPad = p
        populationMean = try r.optionalVector("stats.population_mean", count: featureChannels)
        populationVariance = try r.optionalVector("stats.population_var", count: featureChannels)
        populationCovariance = try r.optionalPopulationCovariance(channels: featureChannels)
    }

    public func featureTaps(_ image: Tensor) -> [Tensor] {
        var x = image
        var residual: Tensor? = nil
        var taps: [Tensor] = []
        for step in encoder {
            switch step {
            case .conv(let layer): x = observer.run(layer.name, layer.kind, conv: layer, input: x.shape) { layer(x) }
            case .saveResidual: residual = x
            case .addResidual: x = observer.run("add", "add", input: x.shape) { add(x, residual!) }
            case .tap: taps.append(x)
            }
        }
        return taps
    }

    /// The bottleneck features: `featureTaps`' last tap, with each expand / depthwise / project
    /// block run as one `InvertedResidual` (in bands of rows: the same bits, without the wide
    /// expanded maps in memory).
    public func encodeStyle(_ image: Tensor) -> Tensor {
        var x = image
        var i = 0
        let steps = encoder.filter { if case .tap = $0 { return false } else { return true } }
        while i < steps.count {
            if let (block, name, used) = Self.block(at: i, in: steps) {
                x = observer.run(name, "block", input: x.shape) { block(x) }
                i += used
                continue
            }
            switch steps[i] {
            case .conv(let layer): x = observer.run(layer.name, layer.kind, conv: layer, input: x.shape) { layer(x) }
            case .saveResidual, .addResidual, .tap: preconditionFailure("AdaINMobile: a residual outside a block")
            }
            i += 1
        }
        return x
    }

    /// The inverted-residual block starting at `steps[i]` ([save] [expand] depthwise project
    /// [add]), its name and the steps it covers; nil when none starts there.
    static func block(at i: Int, in steps: [Step]) -> (InvertedResidual, String, Int)? {
        var j = i
        let residual: Bool
        if case .saveResidual = steps[j] { residual = true; j += 1 } else { residual = false }
        func conv(_ k: Int) -> ConvLayer? {
            guard k < steps.count, case .conv(let l) = steps[k] else { return nil }
            return l
        }
        var expand: ConvLayer? = nil
        if let l = conv(j), !l.weights.isDepthwise, l.weights.kernelH == 1, let next = conv(j + 1), next.weights.isDepthwise {
            expand = l
            j += 1
        }
        guard let dw = conv(j), dw.weights.isDepthwise, let project = conv(j + 1), !project.weights.isDepthwise,
              project.weights.kernelH == 1, project.weights.kernelW == 1, dw.padding == .same else { return nil }
        j += 2
        if residual {
            guard j < steps.count, case .addResidual = steps[j] else { return nil }
            j += 1
        }
        let block = InvertedResidual(expand: expand.map { ($0.weights, $0.activation) },
                                     depthwise: (dw.weights, dw.stride, dw.padding, dw.activation),
                                     project: (project.weights, project.activation), residual: residual)
        let name = String((expand ?? dw).name.split(separator: "_").first ?? "block")
        return (block, name, j - i)
    }

    public func tapGrids(length: Int) -> [TapGrid] {
        var grid = TapGrid(channels: 3, stride: 1, offset: 0, count: length)
        var taps: [TapGrid] = []
        for step in encoder {
            switch step {
            case .conv(let layer): grid = grid.after(layer)
            case .saveResidual, .addResidual: break
            case .tap: taps.append(grid)
            }
        }
        return taps
    }

    /// Reflection-pads the content by `contentPad` on every side, plus up to a multiple of 8
    /// at the bottom and right, then encodes.
    public func encodeContent(_ image: Tensor) -> (features: Tensor, geometry: ContentGeometry) {
        let h = image.shape.h, w = image.shape.w, p = contentPad
        let extraH = (8 - (h + 2 * p) % 8) % 8
        let extraW = (8 - (w + 2 * p) % 8) % 8
        let padded = observer.run("content margin", "pad", input: image.shape) {
            pad(image, top: p, left: p, bottom: p + extraH, right: p + extraW, mode: .reflect)
        }
        return (encodeStyle(padded), ContentGeometry(height: h, width: w, top: p, left: p))
    }

    public func decode(_ features: Tensor, geometry: ContentGeometry) -> Tensor {
        // Every decoder conv after the first reads its input upsampled (nearest x2) and padded.
        var x = features
        for (i, layer) in decoder.enumerated() {
            let up = i > 0
            x = observer.run(layer.name, layer.kind + (up ? " up2x" : ""), conv: layer, input: x.shape) { layer(x, upsampleFirst: up) }
        }
        x = observer.run(output.name, output.kind, conv: output, input: x.shape) { output(x) }
        x = observer.run("sigmoid", "sigmoid", input: x.shape) { sigmoid(x) }
        return observer.run("crop", "crop", input: x.shape) {
            crop(x, top: geometry.top, left: geometry.left, height: geometry.height, width: geometry.width)
        }
    }
}

extension AdaINMobile {
    /// Stride 8; the content is reflection-padded by `contentPad` and up to a multiple of 8.
    /// Receptive field (TF "SAME" 3x3 convs, stride 2 at conv0, ec1 and ec3): feature cell i
    /// (pixels [8i, 8i+8)) depends on pixels [8i - 22, 8i + 37), so 32 pixels past the cell
    /// on each side cover it; an output pixel of the decoder (3x3 convs at /8, /4, /2 and
    /// two at /1) depends on cells within +-2 of its own.
    public var layout: NetworkLayout {
        NetworkLayout(stride: 8, contentPad: contentPad, frameMultiple: 8, encoderMarginPixels: 32, decoderMarginCells: 2)
    }

    /// Peak floats per frame pixel: at the output conv, its input (the last decoder conv's
    /// output; the conv reads its reflection padding in place, `PaddedRows`, where it has few
    /// enough outputs, else from a padded copy, counted) and the RGB
    /// output, plus the block of the last decoder conv's input (at /2: that conv reads it
    /// upsampled through the Winograd kernel's index map), which is freed but lies below them
    /// in the heap, as much again for the holes that tiles of different sizes leave in the
    /// heap, and the float content frame; or the encoder's widest stride-2 expansion,
    /// whichever is larger. (Measured, `Benchmarks/memory.sh`: 257 bytes per pixel untiled,
    /// 375 while the output conv read a padded copy.)
    public var footprint: MemoryFootprint {
        let widths = decoder.map(\.outChannels)
        let up = widths.count >= 2 ? widths[widths.count - 2] : widths.last ?? 64
        let last = widths.last ?? 64
        let expand = encoderLayers.first { $0.name.hasSuffix("ec1_expand") }?.outChannels ?? 96
        let encoderPeak = (2 * expand) / 4 + expand / 16 + 1
        let bytes = encoderLayers.map(\.weights.storedBytes).reduce(0, +)
            + decoder.map(\.weights.storedBytes).reduce(0, +) + output.weights.storedBytes
        let paddedCopy = output.weights.readsPaddingInPlace ? 0 : last
        return MemoryFootprint(floatsPerPixel: max(2 * (up / 4) + last + paddedCopy + 3 + 3, encoderPeak),
                               styleFloatsPerPixel: encoderPeak + 8, weightBytes: bytes)
    }

    public var statisticsSites: [String] { ["bottleneck (ec6_expand)"] }

    var encoderLayers: [ConvLayer] {
        encoder.compactMap { if case .conv(let layer) = $0 { return layer } else { return nil } }
    }
}
