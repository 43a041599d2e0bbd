import Foundation
import StyleModels
import StyleNN
import StylizeEngine
import StyleTensor
import StyleWeights

/// Tiny networks with seeded random weights, written as safetensors with the real layer names,
/// topology and metadata (Weights/README.md), so tests run the real loading and forward code in
/// milliseconds. One family: every writer draws from `SeededRandom`; every conv's weights are
/// uniform in ±gain/sqrt(fan-in) and its biases uniform in ±`biasSpread` (around a centre).
public enum TinyModels {
    /// He's uniform initialisation (std sqrt(2/fan-in)): gain sqrt(6).
    public static let heGain = Float(6).squareRoot()

    /// An `adain-vgg19` file at reduced widths.
    ///
    /// - `encoderWidths`: conv1_1, conv1_2, conv2_1, conv2_2, conv3_1 ... conv3_4, conv4_1 (VGG-19:
    ///   64, 64, 128, 128, 256 x 4, 512); `decoderWidths`: decoder conv0 ... conv7 (conv8 writes
    ///   the 3 colours).
    /// - The last decoder conv (conv8) has gain `outputGain` and biases centred on `outputBias`
    ///   (0.5 with a small gain keeps outputs inside [0, 1] instead of clipping).
    /// - `homogeneous`: the encoder has no biases except conv0's, which subtracts mid-grey
    ///   (conv0(x) = W (x - 0.5), like VGG's mean subtraction). ReLU, max-pool and bias-free
    ///   convs are positively homogeneous, so a contrast change x' = 0.5 + k (x - 0.5) scales
    ///   every relu4_1 feature by exactly k: the instance swap cannot see it, the batch swap can.
    /// - `populationStatistics`: adds `stats.population_mean`/`_var` as `stylize weights
    ///   calibrate` would collect them (the model's own relu4_1 statistics over eight seeded
    ///   `Pictures.blocks`), so the batch swap runs too.
    /// - `seed`: at these widths and gains many draws are degenerate (dead ReLUs: an output that
    ///   ignores the content, or varies by a few levels only). The default, 13, is the first seed
    ///   of 1...40 whose output on a 40 x 32 `Pictures.blocks` picture spans over 100 of the 255
    ///   levels without clipping, both plain (174) and `homogeneous` (115). Check the same before
    ///   relying on another seed.
    public static func vgg(to path: String, seed: UInt64 = 13,
                           encoderWidths: [Int] = [4, 4, 8, 8, 8, 8, 8, 8, 16],
                           decoderWidths: [Int] = [8, 8, 8, 8, 8, 8, 4, 4],
                           gain: Float = heGain, decoderGain: Float = heGain,
                           outputGain: Float = 0.15 * heGain, outputBias: Float = 0.5, biasSpread: Float = 0.05,
                           homogeneous: Bool = false, populationStatistics: Bool = true,
                           metadata: [String: String] = [:]) throws {
        precondition(encoderWidths.count == 9 && decoderWidths.count == 8, "adain-vgg19 has 9 encoder and 9 decoder convs")
        var writer = Writer(seed: seed)
        writer.conv("encoder.conv0", out: 3, in: 3, k: 1, gain: gain, biasSpread: biasSpread)
        if homogeneous {
            let w = writer.tensors["encoder.conv0.weight"]!.values
            writer.tensors["encoder.conv0.bias"] = WeightTensor(shape: [3], values: (0..<3).map { o in
                -0.5 * (w[3 * o] + w[3 * o + 1] + w[3 * o + 2])
            })
        }
        let names = ["conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3", "conv3_4", "conv4_1"]
        var channels = 3
        for (name, width) in zip(names, encoderWidths) {
            writer.conv("encoder." + name, out: width, in: channels, k: 3, gain: gain, biasSpread: homogeneous ? 0 : biasSpread)
            channels = width
        }
        for (i, width) in decoderWidths.enumerated() {
            writer.conv("decoder.conv\(i)", out: width, in: channels, k: 3, gain: decoderGain, biasSpread: biasSpread)
            channels = width
        }
        writer.conv("decoder.conv8", out: 3, in: channels, k: 3, gain: outputGain, biasCentre: outputBias, biasSpread: biasSpread)
        let meta = metadata.merging(["architecture": "adain-vgg19"]) { $1 }
        try SafeTensorsWriter.write(tensors: writer.tensors, metadata: meta, to: path)
        guard populationStatistics else { return }
        let model = try AdaINLoader.load(path: path)
        let features = (0..<8).map { i in
            model.encodeContent(Tensor(image: Pictures.blocks(width: 40, height: 32, seed: 1000 + UInt64(i)))).features
        }
        let population = try StatisticSwap.populationStatistics(of: features)
        writer.tensors["stats.population_mean"] = WeightTensor(shape: [encoderWidths[8]], values: population.mean)
        writer.tensors["stats.population_var"] = WeightTensor(shape: [encoderWidths[8]], values: population.variance)
        try SafeTensorsWriter.write(tensors: writer.tensors, metadata: meta, to: path)
    }

    /// An `adain-mobilenet-s8` file with narrow layers: conv0 8 channels, inverted residual
    /// blocks ec0 ... ec5 of 8 (expanded) and 4 (projected) channels, ec6 expanding to 16
    /// feature channels, decoder widths 8, 8, 8, 4 and the 3-colour `decoder.out`.
    public static func mobile(to path: String, seed: UInt64 = 1, gain: Float = 2.6, decoderGain: Float = 2.5,
                              outputGain: Float = 4, biasSpread: Float = 0.1) throws {
        var writer = Writer(seed: seed)
        func conv(_ name: String, out: Int, in inC: Int, k: Int, depthwise: Bool = false, gain g: Float = gain) {
            writer.conv(name, out: out, in: inC, k: k, depthwise: depthwise, gain: g, biasSpread: biasSpread)
        }
        conv("encoder.conv0", out: 8, in: 3, k: 3)
        conv("encoder.ec0_depthwise", out: 8, in: 8, k: 3, depthwise: true)
        conv("encoder.ec0_project", out: 4, in: 8, k: 1)
        for block in 1...5 {
            conv("encoder.ec\(block)_expand", out: 8, in: 4, k: 1)
            conv("encoder.ec\(block)_depthwise", out: 8, in: 8, k: 3, depthwise: true)
            conv("encoder.ec\(block)_project", out: 4, in: 8, k: 1)
        }
        conv("encoder.ec6_expand", out: 16, in: 4, k: 1)
        let widths = [8, 8, 8, 4]
        var channels = 16
        for (i, w) in widths.enumerated() {
            conv("decoder.conv\(i)", out: w, in: channels, k: 3, gain: decoderGain)
            channels = w
        }
        conv("decoder.out", out: 3, in: channels, k: 3, gain: outputGain)
        try SafeTensorsWriter.write(tensors: writer.tensors, metadata: [
            "architecture": "adain-mobilenet-s8", "decoder_widths": widths.map(String.init).joined(separator: ","),
            "content_pad": "16",
        ], to: path)
    }

    /// Draws conv weights and biases from one generator, in the order the convs are added.
    struct Writer {
        var rng: SeededRandom
        var tensors: [String: WeightTensor] = [:]

        init(seed: UInt64) { rng = SeededRandom(seed: seed) }

        mutating func conv(_ name: String, out: Int, in inC: Int, k: Int, depthwise: Bool = false, gain: Float,
                           biasCentre: Float = 0, biasSpread: Float) {
            let perOutput = (depthwise ? 1 : inC) * k * k
            tensors[name + ".weight"] = WeightTensor(shape: [out, depthwise ? 1 : inC, k, k],
                                                     values: rng.values(out * perOutput, scale: gain / Float(perOutput).squareRoot()))
            tensors[name + ".bias"] = WeightTensor(shape: [out], values: rng.values(out, scale: biasSpread).map { biasCentre + $0 })
        }
    }
}
