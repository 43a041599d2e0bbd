import Foundation
import StyleWeights

/// Seeded weights for pytorch-AdaIN's network (VGG-19 encoder to relu4_1 and its mirrored
/// decoder, full widths): uniform, He-scaled so activations stay O(1). The official weights
/// are not redistributable; for timing, any values of the right shapes do, and the same
/// file feeds every engine of the comparison.
enum SeededVGG {
    /// Widths (in, out, kernel) of the convs in the order of `AdaINImporter.encoderLayers`
    /// and `AdaINImporter.decoderIndices`.
    static let encoderWidths = [(3, 3, 1), (3, 64, 3), (64, 64, 3), (64, 128, 3), (128, 128, 3),
                                (128, 256, 3), (256, 256, 3), (256, 256, 3), (256, 256, 3), (256, 512, 3)]
    static let decoderWidths = [(512, 256, 3), (256, 256, 3), (256, 256, 3), (256, 256, 3), (256, 128, 3),
                                (128, 128, 3), (128, 64, 3), (64, 64, 3), (64, 3, 3)]

    /// The two state dicts of pytorch-AdaIN (`vgg`, `decoder`: `"<index>.weight"` OIHW and
    /// `"<index>.bias"`), drawn from one SplitMix64 stream in network order: each conv's
    /// weights (uniform in +-sqrt(6 / (in k k))) then its biases (uniform in +-0.1).
    static func stateDicts(seed: UInt64) -> (vgg: [String: WeightTensor], decoder: [String: WeightTensor]) {
        var rng = SplitMix(seed: seed)
        func conv(_ into: inout [String: WeightTensor], _ index: Int, _ widths: (Int, Int, Int)) {
            let (cin, cout, k) = widths
            let scale = (6.0 / Float(cin * k * k)).squareRoot()
            into["\(index).weight"] = WeightTensor(shape: [cout, cin, k, k],
                                                   values: (0..<(cout * cin * k * k)).map { _ in rng.uniform() * scale })
            into["\(index).bias"] = WeightTensor(shape: [cout], values: (0..<cout).map { _ in rng.uniform() * 0.1 })
        }
        var vgg: [String: WeightTensor] = [:], decoder: [String: WeightTensor] = [:]
        for (layer, widths) in zip(AdaINImporter.encoderLayers, encoderWidths) { conv(&vgg, layer.index, widths) }
        for (index, widths) in zip(AdaINImporter.decoderIndices, decoderWidths) { conv(&decoder, index, widths) }
        return (vgg, decoder)
    }

    /// Writes the seeded weights: `native` in the project's layout (what `stylize --weights`
    /// and `AdaINVGG` load, mapped by `AdaINImporter`), else with pytorch-AdaIN keys
    /// (`vgg.N.*`, `decoder.N.*`, what Benchmarks/bench_pytorch.py and bench_engines.py read).
    static func write(seed: UInt64, native: Bool, to path: String) throws {
        let (vgg, decoder) = stateDicts(seed: seed)
        if native {
            var (tensors, metadata) = try AdaINImporter.map(vgg: vgg, vggFile: "seeded vgg", decoder: decoder,
                                                            decoderFile: "seeded decoder")
            metadata["source"] = "stylize-bench export-weights --seed \(seed) (seeded, not trained)"
            try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, to: path)
        } else {
            var tensors: [String: WeightTensor] = [:]
            for (k, v) in vgg { tensors["vgg." + k] = v }
            for (k, v) in decoder { tensors["decoder." + k] = v }
            try SafeTensorsWriter.write(tensors: tensors, to: path)
        }
    }

    /// The pytorch-AdaIN key (`vgg.N`, `decoder.N`) of a native conv name (`encoder.conv1_1`, `decoder.conv3`).
    static func pytorchKey(_ native: String) -> String? {
        if let l = AdaINImporter.encoderLayers.first(where: { "encoder." + $0.name == native }) { return "vgg.\(l.index)" }
        if native.hasPrefix("decoder.conv"), let k = Int(native.dropFirst("decoder.conv".count)),
           AdaINImporter.decoderIndices.indices.contains(k) {
            return "decoder.\(AdaINImporter.decoderIndices[k])"
        }
        return nil
    }
}
