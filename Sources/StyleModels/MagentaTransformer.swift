import StyleKernels
import StyleNN
import StyleTensor
import StyleWeights

/// The style transformation network shared by Magenta's arbitrary-style model (Ghiasi et
/// al. 2017) and its 26-style predecessor (Dumoulin et al. 2017): a fully convolutional
/// encoder / 5-6 residual blocks / decoder whose normalizations take their scale and shift
/// from a style vector (see `MagentaStyleNorm`).
///
/// Per layer: [nearest x2 upsampling] -> reflection pad k/2 -> conv k x k (stride s, bias)
/// -> [conditional instance norm] -> ReLU | sigmoid | nothing. Residual blocks compute
/// x + L2(L1(x)). Widths come from the weights file; the layer order, kernel sizes,
/// strides, upsamplings, residuals and activations are fixed by `plan` and checked.
public struct MagentaTransformer: Sendable {
    public enum Output: Sendable { case relu, sigmoid, linear }

    /// One entry of a network plan.
    public enum PlanStep: Sendable {
        /// (name, kernel, stride, upsample before, conditional norm, output activation)
        case layer(String, kernel: Int, stride: Int, upsample: Bool, norm: Bool, output: Output)
        /// Remember the input of a residual block.
        case save
        /// Add the remembered input.
        case add
    }

    /// One convolution layer, with what runs around it. The untiled run, the band sweep
    /// and the memory estimate all walk `steps` and call these, so the choice of kernel is
    /// made once, here.
    package struct Layer: Sendable {
        package let conv: ConvLayer
        /// Nearest x2 upsampling before the convolution.
        package let upsample: Bool
        package let norm: MagentaStyleNorm?
        /// Index of `norm` among the network's norms (the statistics site), nil without a norm.
        package let normIndex: Int?
        package let output: Output

        /// Stride 1 and at most `pixelLanesMaxChannels` outputs (the narrow expand layers and
        /// the RGB output): the pixel-lanes kernel, which also folds the upsampling and the
        /// padding into its one input pass. Otherwise the general convolution.
        package var usesPixelLanes: Bool { conv.stride == 1 && conv.outChannels <= pixelLanesMaxChannels }

        /// A pixel-lanes 3x3 layer after upsampling with reflection padding 1: four 2x2 phase
        /// convs on the low-resolution input (`conv2dPixelLanesUpsampled`), whose padding is the
        /// input's edge repeated; no upsampled map.
        package var usesUpsamplePhases: Bool {
            usesPixelLanes && upsample && conv.weights.kernelH == 3 && conv.weights.kernelW == 3 && conv.padding == .reflect(1)
        }

        /// The convolution of the layer's input: upsampled, padded, convolved (pre-norm).
        package func convolve(_ x: Tensor) -> Tensor {
            if usesPixelLanes {
                return conv2dPixelLanes(x, conv.weights, padding: conv.padding, activation: conv.activation, upsampleFirst: upsample)
            }
            return conv(x, upsampleFirst: upsample)
        }

        /// The convolution of an input that is already upsampled and padded (a band of the sweep),
        /// or, with `usesUpsamplePhases`, of the low-resolution band with its one-pixel border.
        package func convolvePadded(_ band: Tensor) -> Tensor {
            if usesUpsamplePhases { return conv2dPixelLanesUpsampled(bordered: band, conv.weights, activation: conv.activation) }
            if usesPixelLanes { return conv2dPixelLanes(band, conv.weights, padding: .none, activation: conv.activation) }
            return conv2d(band, conv.weights, stride: conv.stride, padding: .none, activation: conv.activation)
        }

        /// Floats per input pixel of the working copies `convolve` makes, at the upsampled
        /// resolution: one planar copy at the input's resolution for the phase convs, one
        /// planar, upsampled and padded copy for the other pixel-lanes layers; an upsampled and
        /// a padded copy otherwise.
        func workingCopies(inChannels: Int) -> Double {
            if usesUpsamplePhases { return Double(inChannels) / 4 }
            return usesPixelLanes ? Double(inChannels) : Double(inChannels) * (upsample ? 2 : 1)
        }
    }

    package enum Step: Sendable { case layer(Layer), save, add }

    package private(set) var steps: [Step]
    /// The arithmetic of the convolutions (`Precision`).
    public private(set) var precision = Precision.f32

    /// The same network with its convolutions set up for `precision`.
    public func withPrecision(_ precision: Precision) -> MagentaTransformer {
        var copy = self
        copy.steps = steps.map { step in
            guard case .layer(let l) = step else { return step }
            return .layer(Layer(conv: l.conv.withPrecision(precision), upsample: l.upsample, norm: l.norm,
                                normIndex: l.normIndex, output: l.output))
        }
        copy.precision = precision
        return copy
    }
    /// Length of the style vector the norms read.
    public let styleDimension: Int
    /// Told about every step of the forward pass when set (see `LayerObserver`).
    public var observer: (any LayerObserver)? = nil
    /// The conditional norms in order (for inspection and comparisons).
    public var norms: [MagentaStyleNorm] {
        steps.compactMap { if case .layer(let l) = $0 { return l.norm } else { return nil } }
    }

    /// Magenta arbitrary stylization (TF names `transformer/...`): three contracting convs with
    /// (folded) batch norm, five residual blocks and three expanding convs with style norm.
    public static let arbitraryPlan: [PlanStep] = {
        var p: [PlanStep] = [
            .layer("contract.conv1", kernel: 9, stride: 1, upsample: false, norm: false, output: .relu),
            .layer("contract.conv2", kernel: 3, stride: 2, upsample: false, norm: false, output: .relu),
            .layer("contract.conv3", kernel: 3, stride: 2, upsample: false, norm: false, output: .relu),
        ]
        for i in 1...5 {
            p += [.save,
                  .layer("residual.residual\(i).conv1", kernel: 3, stride: 1, upsample: false, norm: true, output: .relu),
                  .layer("residual.residual\(i).conv2", kernel: 3, stride: 1, upsample: false, norm: true, output: .linear),
                  .add]
        }
        p += [.layer("expand.conv1", kernel: 3, stride: 1, upsample: true, norm: true, output: .relu),
              .layer("expand.conv2", kernel: 3, stride: 1, upsample: true, norm: true, output: .relu),
              .layer("expand.conv3", kernel: 9, stride: 1, upsample: false, norm: true, output: .sigmoid)]
        return p
    }()

    /// Dumoulin et al.'s multistyle network: every conv is followed by a style norm.
    public static let multistylePlan: [PlanStep] = {
        var p: [PlanStep] = [
            .layer("contract.0", kernel: 9, stride: 1, upsample: false, norm: true, output: .relu),
            .layer("contract.1", kernel: 3, stride: 2, upsample: false, norm: true, output: .relu),
            .layer("contract.2", kernel: 3, stride: 2, upsample: false, norm: true, output: .relu),
        ]
        for i in 0..<6 {
            p += [.save,
                  .layer("res.\(i).0", kernel: 3, stride: 1, upsample: false, norm: true, output: .relu),
                  .layer("res.\(i).1", kernel: 3, stride: 1, upsample: false, norm: true, output: .linear),
                  .add]
        }
        p += [.layer("expand.0", kernel: 3, stride: 1, upsample: true, norm: true, output: .relu),
              .layer("expand.1", kernel: 3, stride: 1, upsample: true, norm: true, output: .relu),
              .layer("expand.2", kernel: 9, stride: 1, upsample: false, norm: true, output: .sigmoid)]
        return p
    }()

    /// Builds the network of `plan` from `transformer.<name>.*` tensors, checking every shape.
    public init(file: SafeTensorsFile, plan: [PlanStep], styleDimension: Int) throws {
        let r = WeightReader(file)
        var steps: [Step] = []
        var channels = 3
        var saved: [Int] = []
        var norms = 0
        for entry in plan {
            switch entry {
            case .save:
                saved.append(channels)
                steps.append(.save)
            case .add:
                guard let c = saved.popLast(), c == channels else {
                    throw ModelError.badMetadata(file: file.path, key: "residual block widths",
                                                 value: "block ends with \(channels) channels")
                }
                steps.append(.add)
            case let .layer(name, kernel, stride, upsample, norm, output):
                let fused: Activation = (!norm && output == .relu) ? .relu : .none
                let conv = try r.conv("transformer." + name, inChannels: channels, kernel: kernel, stride: stride,
                                      padding: .reflect(kernel / 2), activation: fused)
                channels = conv.outChannels
                let styleNorm = norm ? try MagentaStyleNorm(r, prefix: "transformer.\(name).norm",
                                                            channels: channels, styleDimension: styleDimension) : nil
                steps.append(.layer(Layer(conv: conv, upsample: upsample, norm: styleNorm, normIndex: norm ? norms : nil, output: output)))
                if norm { norms += 1 }
            }
        }
        guard channels == 3 else {
            throw ModelError.badShape(file: file.path, name: "transformer output", expected: "3 channels", got: [channels])
        }
        self.steps = steps
        self.styleDimension = styleDimension
    }

    /// Smallest content side: the 9x9 reflection padding and two stride-2 layers need it.
    public static let minimumSide = 8

    /// Stylizes `content` (N x H x W x 3, RGB in [0, 1], any size >= 8) with one style vector:
    /// the content is reflection-padded at the bottom and right to a multiple of 4, run
    /// through the network and cropped back. `norm` other than `.instance` swaps the
    /// statistics inside every style norm (for comparisons; group norm uses gcd(G, C) groups
    /// per layer, see `MagentaStyleNorm.effectiveKind`).
    public func callAsFunction(_ content: Tensor, style: [Float], norm kind: NormKind = .instance) throws -> Tensor {
        try run(content, style: style, kind: kind, population: nil, record: nil)
    }

    /// Like `callAsFunction(_:style:norm:)`, but the statistics each style norm uses come from
    /// `statistics(k, own)`: k is the norm's index in network order and `own` the statistics
    /// of its input under `kind` (see `MagentaStyleNorm.effectiveKind`); the returned
    /// statistics (same kind, channels and rows) normalise it. Lets a caller take them over
    /// something other than the image itself, e.g. a running average over video frames.
    public func callAsFunction(_ content: Tensor, style: [Float], norm kind: NormKind,
                               statistics: (Int, FeatureStatistics) throws -> FeatureStatistics) throws -> Tensor {
        try withoutActuallyEscaping(statistics) { try run(content, style: style, kind: kind, population: nil, record: nil, policy: $0) }
    }

    /// Batch normalization as at inference: every style norm uses fixed population statistics
    /// (from `collectPopulation`) instead of the image's own, so each image is normalised with
    /// the mean and variance of a calibration set (Ioffe & Szegedy 2015; the contrast to
    /// instance norm of Ulyanov et al. 2016).
    public func callAsFunction(_ content: Tensor, style: [Float], population: MagentaPopulation) throws -> Tensor {
        guard population.statistics.count == norms.count else {
            throw SwapError.statisticsShape("population has \(population.statistics.count) layers, the network \(norms.count) norms")
        }
        return try run(content, style: style, kind: .batch, population: population, record: nil)
    }

    /// Population statistics of every style norm: the calibration `images` (N x H x W x 3, one
    /// batch) are run with batch statistics (over N, H, W per channel) and each norm's are kept.
    public func collectPopulation(_ images: Tensor, style: [Float]) throws -> MagentaPopulation {
        var recorded: [FeatureStatistics] = []
        _ = try run(images, style: style, kind: .batch, population: nil, record: { recorded.append($0) })
        return MagentaPopulation(statistics: recorded)
    }

    func run(_ content: Tensor, style: [Float], kind: NormKind, population: MagentaPopulation?,
             record: ((FeatureStatistics) -> Void)?,
             policy: ((Int, FeatureStatistics) throws -> FeatureStatistics)? = nil) throws -> Tensor {
        let h = content.shape.h, w = content.shape.w
        guard h >= Self.minimumSide, w >= Self.minimumSide else {
            throw ModelError.imageTooSmall(width: w, height: h, minimum: Self.minimumSide)
        }
        guard style.count == styleDimension else {
            throw ModelError.badShape(file: "style vector", name: "style", expected: "[\(styleDimension)]", got: [style.count])
        }
        let extraH = (4 - h % 4) % 4, extraW = (4 - w % 4) % 4
        var x = (extraH | extraW) == 0 ? content
            : observer.run("pad to a multiple of 4", "pad", input: content.shape) {
                pad(content, top: 0, left: 0, bottom: extraH, right: extraW, mode: .reflect)
            }
        var residuals: [Tensor] = []
        for step in steps {
            switch step {
            case .save: residuals.append(x)
            case .add:
                let residual = residuals.removeLast()
                x = observer.run("add", "add", input: x.shape) { add(x, residual) }
            case .layer(let layer):
                x = observer.run(layer.conv.name, layer.conv.kind + (layer.upsample ? " up2x" : "") + (layer.usesPixelLanes ? " pixel-lanes" : ""),
                                 conv: layer.conv, input: x.shape) { layer.convolve(x) }
                if let n = layer.norm, let site = layer.normIndex {
                    try observer.run(n.name, "norm", input: x.shape) {
                        let (gamma, beta) = n.affine(style: style)
                        var fixed = population?.statistics[site]
                        if let policy {
                            fixed = try policy(site, fixed ?? FeatureStatistics(of: x, kind: n.effectiveKind(kind)))
                        }
                        try n.apply(&x, gamma: gamma, beta: beta, kind: n.effectiveKind(kind),
                                    activation: layer.output == .relu ? .relu : .none,
                                    fixed: fixed, recorded: record)
                        return x
                    }
                }
                if layer.output == .sigmoid { x = observer.run("sigmoid", "sigmoid", input: x.shape) { sigmoid(x) } }
            }
        }
        return (extraH | extraW) == 0 ? x
            : observer.run("crop", "crop", input: x.shape) { crop(x, top: 0, left: 0, height: h, width: w) }
    }
}

/// Fixed per-layer statistics for batch normalization at inference (one `.batch`
/// `FeatureStatistics` per style norm, in network order).
public struct MagentaPopulation: Sendable {
    public let statistics: [FeatureStatistics]
    public init(statistics: [FeatureStatistics]) { self.statistics = statistics }
}

extension MagentaStyleNorm {
    /// `kind` for this layer: group norm with G groups uses gcd(G, C) groups here, so one
    /// `--groups` value works across the network's widths (3, 8, 16, 32 in the arbitrary model).
    public func effectiveKind(_ kind: NormKind) -> NormKind {
        guard case .group(let g) = kind, g >= 1 else { return kind }
        var a = g, b = channels
        while b != 0 { (a, b) = (b, a % b) }
        return .group(groups: a)
    }
}

extension MagentaTransformer: DescribedNetwork {
    /// Two stride-2 convolutions: the content is reflection-padded at the bottom and right to
    /// a multiple of 4 (see `callAsFunction`). The network has no encoder/decoder split;
    /// tiled runs sweep it layer by layer (see `MagentaSweep` in the pipeline), so the
    /// margins below are unused.
    public var layout: NetworkLayout {
        NetworkLayout(stride: 4, contentPad: 0, frameMultiple: 4, encoderMarginPixels: 0, decoderMarginCells: 0)
    }

    /// The largest number of floats per frame pixel alive at once in `callAsFunction`,
    /// walking the layers: the saved residual inputs, the layer's input, its upsampled
    /// and padded copies (one planar copy on the pixel-lanes path) and its output, each
    /// scaled by its resolution (1/4 per stride-2 step, 4x per upsampling).
    public var footprint: MemoryFootprint {
        var peak = 0.0, channels = 3, scale = 1.0, saved: [Double] = []
        var bytes = 0
        for step in steps {
            switch step {
            case .save: saved.append(Double(channels) * scale)
            case .add: saved.removeLast()
            case .layer(let layer):
                let conv = layer.conv
                bytes += conv.weights.storedBytes
                let input = Double(channels) * scale
                let upScale = layer.upsample ? scale * 4 : scale
                let outScale = upScale / Double(conv.stride * conv.stride)
                let output = Double(conv.outChannels) * outScale
                let copies = layer.workingCopies(inChannels: channels) * upScale
                peak = max(peak, saved.reduce(0, +) + input + copies + output)
                channels = conv.outChannels
                scale = outScale
            }
        }
        return MemoryFootprint(floatsPerPixel: Int(peak.rounded(.up)) + 3, styleFloatsPerPixel: 0, weightBytes: bytes)
    }

    public var statisticsSites: [String] { norms.map(\.name) }
}
