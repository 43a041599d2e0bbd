import StyleKernels
import StyleNN
import StyleTensor
import StyleWeights

/// pytorch-AdaIN's network (Huang & Belongie 2017): VGG-19 up to relu4_1 as encoder and
/// its mirror as decoder. Widths come from the weights file, so the official full-width
/// network and reduced-width models run through the same code.
///
/// Encoder: conv0 (1x1, RGB [0,1] -> Caffe BGR minus mean, no activation), then 3x3 convs
/// with reflection padding 1 and ReLU: conv1_1 [relu1_1] conv1_2 pool conv2_1 [relu2_1]
/// conv2_2 pool conv3_1 [relu3_1] conv3_2 conv3_3 conv3_4 pool conv4_1 [relu4_1]. Pools are
/// 2x2 stride 2 in ceil mode. Decoder: decoder.conv0 ... conv8, 3x3 with reflection padding 1,
/// ReLU after all but the last, nearest x2 upsampling after conv0, conv4 and conv6.
public struct AdaINVGG: AdaINNetwork {
    public let architecture = "adain-vgg19"
    public let featureStride = 8
    public let populationMean: [Float]?
    public let populationVariance: [Float]?
    public let populationCovariance: CovarianceStatistics?
    public let tapNames = ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]
    public let featureChannels: Int
    /// Told about every step of the forward passes when set (see `LayerObserver`).
    public var observer: (any LayerObserver)? = nil

    enum Step: Sendable { case conv(ConvLayer), pool, tap }

    /// The encoder's layer order; "pool" and "tap" are steps, the rest are conv names.
    static let encoderPlan = ["conv0", "conv1_1", "tap", "conv1_2", "pool", "conv2_1", "tap",
                              "conv2_2", "pool", "conv3_1", "tap", "conv3_2", "conv3_3", "conv3_4",
                              "pool", "conv4_1", "tap"]
    static let upsampleAfter: Set<Int> = [0, 4, 6]

    private(set) var encoder: [Step]
    private(set) var decoder: [ConvLayer]
    public private(set) var precision = Precision.f32

    public func withPrecision(_ precision: Precision) -> AdaINVGG {
        var copy = self
        copy.encoder = encoder.map { if case .conv(let l) = $0 { return .conv(l.withPrecision(precision)) } else { return $0 } }
        copy.decoder = decoder.map { $0.withPrecision(precision) }
        copy.precision = precision
        return copy
    }

    public init(file: SafeTensorsFile) throws {
        let r = WeightReader(file)
        var steps: [Step] = []
        var channels = 3
        for name in Self.encoderPlan {
            switch name {
            case "pool": steps.append(.pool)
            case "tap": steps.append(.tap)
            case "conv0":
                let layer = try r.conv("encoder.conv0", inChannels: 3, kernel: 1, padding: .none, activation: .none)
                channels = layer.outChannels
                steps.append(.conv(layer))
            default:
                let layer = try r.conv("encoder." + name, inChannels: channels, kernel: 3,
                                       padding: .reflect(1), activation: .relu)
                channels = layer.outChannels
                steps.append(.conv(layer))
            }
        }
        encoder = steps
        featureChannels = channels
        var dec: [ConvLayer] = []
        for i in 0..<9 {
            let layer = try r.conv("decoder.conv\(i)", inChannels: channels, kernel: 3,
                                   padding: .reflect(1), activation: i == 8 ? .none : .relu)
            channels = layer.outChannels
            dec.append(layer)
        }
        guard channels == 3 else {
            throw ModelError.badShape(file: file.path, name: "decoder.conv8.weight", expected: "[3, in, 3, 3]",
                                      got: [channels])
        }
        decoder = dec
        populationMean = try r.optionalVector("stats.population_mean", count: featureChannels)
        populationVariance = try r.optionalVector("stats.population_var", count: featureChannels)
        populationCovariance = try r.optionalPopulationCovariance(channels: featureChannels)
    }

    public func featureTaps(_ image: Tensor) -> [Tensor] {
        var x = image
        var taps: [Tensor] = []
        for step in encoder {
            switch step {
            case .conv(let layer): x = observer.run(layer.name, layer.kind, conv: layer, input: x.shape) { layer(x) }
            case .pool: x = observer.run("pool", "maxpool", input: x.shape) { maxPool2x2(x) }
            case .tap: taps.append(x)
            }
        }
        return taps
    }

    /// Encoder up to relu4_1, skipping nothing: the bottleneck is the last tap.
    public func encodeStyle(_ image: Tensor) -> Tensor { featureTaps(image).last! }

    public func tapGrids(length: Int) -> [TapGrid] {
        var grid = TapGrid(channels: 3, stride: 1, offset: 0, count: length)
        var taps: [TapGrid] = []
        for step in encoder {
            switch step {
            case .conv(let layer): grid = grid.after(layer)
            case .pool: grid = grid.afterPool()
            case .tap: taps.append(grid)
            }
        }
        return taps
    }

    public func encodeContent(_ image: Tensor) -> (features: Tensor, geometry: ContentGeometry) {
        (encodeStyle(image), ContentGeometry(height: image.shape.h, width: image.shape.w))
    }

    /// Decoder output (8 x the feature size) cropped to the content's size.
    public func decode(_ features: Tensor, geometry: ContentGeometry) -> Tensor {
        var x = features
        for (i, layer) in decoder.enumerated() {
            let up = Self.upsampleAfter.contains(i - 1)
            x = observer.run(layer.name, layer.kind + (up ? " up2x" : ""), conv: layer, input: x.shape) { layer(x, upsampleFirst: up) }
        }
        return observer.run("crop", "crop", input: x.shape) {
            crop(x, top: geometry.top, left: geometry.left, height: geometry.height, width: geometry.width)
        }
    }
}

extension AdaINVGG {
    /// Stride 8, no padding of the content (the convs reflect-pad their own inputs).
    /// Receptive field: ten 3x3 convs and three 2x2 pools put feature cell i (pixels
    /// [8i, 8i+8)) on pixels [8i - 30, 8i + 38), so 32 pixels on each side; the decoder
    /// (1 conv at /8, 4 at /4, 2 at /2, 2 at /1) reads cells within +-4.
    public var layout: NetworkLayout {
        NetworkLayout(stride: 8, contentPad: 0, frameMultiple: 1, encoderMarginPixels: 32, decoderMarginCells: 4)
    }

    /// Peak floats per pixel: at full resolution, conv1_1's input copy and output plus
    /// conv1_2's output (encoder), or decoder conv6's upsampled input and output plus conv7's.
    public var footprint: MemoryFootprint {
        let convs = encoder.compactMap { step -> ConvLayer? in if case .conv(let l) = step { return l } else { return nil } }
        func width(_ name: String, _ fallback: Int) -> Int { convs.first { $0.name.hasSuffix(name) }?.outChannels ?? fallback }
        let c11 = width("conv1_1", 64), c12 = width("conv1_2", 64)
        let d6 = decoder.count > 6 ? decoder[6].outChannels : 64, d7 = decoder.count > 7 ? decoder[7].outChannels : 64
        let bytes = convs.map(\.weights.storedBytes).reduce(0, +) + decoder.map(\.weights.storedBytes).reduce(0, +)
        return MemoryFootprint(floatsPerPixel: max(2 * c11 + c12, 2 * d6 + d7), styleFloatsPerPixel: 2 * c11 + c12,
                               weightBytes: bytes)
    }

    public var statisticsSites: [String] { ["bottleneck (relu4_1)"] }
}
