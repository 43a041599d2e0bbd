import StyleNN
import StyleTensor
import StyleWeights

/// Magenta's style prediction network (Ghiasi et al. 2017, the MobileNetV2 variant shipped
/// as TFLite): MobileNetV2 (TF "SAME" zero padding, ReLU6, inverted residual blocks),
/// then a global average pool and a 1x1 conv to the style vector:
///
///     v = Wb * mean_hw( relu6(Conv_1( blocks( relu6(Conv(x)) ) )) ) + bb
///
/// Input: 1 x H x W x 3 RGB in [0, 1] (the pipeline gives 256 x 256). Widths come from the
/// file; block order, strides and residual connections follow MobileNetV2 and are checked.
public struct MagentaPredictor: Sendable {
    /// (name, expands, stride, residual) for MobileNetV2's 17 inverted residual blocks.
    public static let blocks: [(name: String, expands: Bool, stride: Int, residual: Bool)] = [
        ("expanded_conv", false, 1, false),
        ("expanded_conv_1", true, 2, false), ("expanded_conv_2", true, 1, true),
        ("expanded_conv_3", true, 2, false), ("expanded_conv_4", true, 1, true), ("expanded_conv_5", true, 1, true),
        ("expanded_conv_6", true, 2, false), ("expanded_conv_7", true, 1, true), ("expanded_conv_8", true, 1, true),
        ("expanded_conv_9", true, 1, true),
        ("expanded_conv_10", true, 1, false), ("expanded_conv_11", true, 1, true), ("expanded_conv_12", true, 1, true),
        ("expanded_conv_13", true, 2, false), ("expanded_conv_14", true, 1, true), ("expanded_conv_15", true, 1, true),
        ("expanded_conv_16", true, 1, false),
    ]

    struct Block: Sendable {
        let expand: ConvLayer?
        let depthwise: ConvLayer
        let project: ConvLayer
        let residual: Bool
    }

    let stem: ConvLayer
    let body: [Block]
    let head: ConvLayer
    let bottleneck: ConvLayer
    /// Length of the style vector.
    public var styleDimension: Int { bottleneck.outChannels }

    /// Reads `predictor.*` tensors, checking every shape.
    public init(file: SafeTensorsFile) throws {
        let r = WeightReader(file)
        stem = try r.conv("predictor.Conv", inChannels: 3, kernel: 3, stride: 2, padding: .same, activation: .relu6)
        var channels = stem.outChannels
        var body: [Block] = []
        for b in Self.blocks {
            let p = "predictor." + b.name
            let expand = b.expands ? try r.conv(p + ".expand", inChannels: channels, kernel: 1, padding: .none, activation: .relu6) : nil
            let hidden = expand?.outChannels ?? channels
            let dw = try r.conv(p + ".depthwise", inChannels: hidden, kernel: 3, depthwise: true, stride: b.stride,
                                padding: .same, activation: .relu6)
            let project = try r.conv(p + ".project", inChannels: hidden, kernel: 1, padding: .none, activation: .none)
            if b.residual, project.outChannels != channels {
                throw ModelError.badShape(file: file.path, name: p + ".project.weight",
                                          expected: "[\(channels), \(hidden), 1, 1] (residual block)", got: [project.outChannels])
            }
            body.append(Block(expand: expand, depthwise: dw, project: project, residual: b.residual))
            channels = project.outChannels
        }
        self.body = body
        head = try r.conv("predictor.Conv_1", inChannels: channels, kernel: 1, padding: .none, activation: .relu6)
        bottleneck = try r.conv("predictor.bottleneck", inChannels: head.outChannels, kernel: 1, padding: .none, activation: .none)
    }

    /// Bytes of the weights as the kernels keep them (`ConvWeights.storedBytes`), held for
    /// as long as the model is loaded.
    public var weightBytes: Int {
        let layers = [stem, head, bottleneck] + body.flatMap { [$0.expand, $0.depthwise, $0.project].compactMap { $0 } }
        return layers.reduce(0) { $0 + $1.weights.storedBytes }
    }

    /// The style vector of `image` (1 x H x W x 3 in [0, 1]).
    public func callAsFunction(_ image: Tensor) throws -> [Float] {
        precondition(image.shape.n == 1 && image.shape.c == 3, "MagentaPredictor: one RGB image, got \(image.shape)")
        var x = stem(image)
        for b in body {
            let input = x
            if let e = b.expand { x = e(x) }
            x = b.project(b.depthwise(x))
            if b.residual { x = add(x, input) }
        }
        x = head(x)
        // global average pool (Double sums), then the 1x1 bottleneck conv
        let means = try FeatureStatistics(of: x, kind: .instance).mean
        let pooled = Tensor(shape: Shape(n: 1, h: 1, w: 1, c: x.shape.c), data: means.map { Float($0) })
        return bottleneck(pooled).data
    }
}
