import Foundation

/// Imports the official pytorch-AdaIN weights (Huang & Belongie, "Arbitrary Style Transfer
/// in Real-time with Adaptive Instance Normalization", ICCV 2017; naoto0804/pytorch-AdaIN)
/// into the native safetensors layout. All key renames live here.
///
/// `vgg_normalised.pth` and `decoder.pth` are state dicts of `nn.Sequential`s, keyed by
/// layer index (`"2.weight"`). The encoder uses convs up to relu4_1; the deeper VGG convs in
/// the file are recognised and ignored. Widths are read from the shapes, so reduced-width
/// networks import the same way.
public enum AdaINImporter {
    /// vgg Sequential indices of the convs up to relu4_1, and their native names.
    public static let encoderLayers: [(index: Int, name: String)] = [
        (0, "conv0"), (2, "conv1_1"), (5, "conv1_2"), (9, "conv2_1"), (12, "conv2_2"),
        (16, "conv3_1"), (19, "conv3_2"), (22, "conv3_3"), (25, "conv3_4"), (29, "conv4_1"),
    ]
    /// vgg Sequential indices of the convs past relu4_1 (relu4_2 ... relu5_4): ignored.
    public static let ignoredEncoderIndices: Set<Int> = [32, 35, 38, 42, 45, 48, 51]
    /// decoder Sequential indices of its nine convs; native names decoder.conv0 ... conv8.
    public static let decoderIndices = [1, 5, 8, 11, 14, 18, 21, 25, 28]

    /// Native name of each conv, in network order ("encoder.conv0" ... "decoder.conv8").
    public static var nativeConvNames: [String] {
        encoderLayers.map { "encoder." + $0.name } + decoderIndices.indices.map { "decoder.conv\($0)" }
    }

    /// Reads both official files (legacy or zip PyTorch format) and maps them.
    /// Returns native tensors and the metadata to store with them.
    public static func importOfficial(vggPath: String, decoderPath: String) throws
        -> (tensors: [String: WeightTensor], metadata: [String: String]) {
        let vgg = try TorchCheckpoint.loadStateDict(path: vggPath)
        let decoder = try TorchCheckpoint.loadStateDict(path: decoderPath)
        var result = try map(vgg: vgg, vggFile: vggPath, decoder: decoder, decoderFile: decoderPath)
        let source = "pytorch-AdaIN: " + URL(fileURLWithPath: vggPath).lastPathComponent
            + " + " + URL(fileURLWithPath: decoderPath).lastPathComponent
        result.metadata["source"] = source
        return result
    }

    /// Imports and writes `outputPath` (safetensors) and its manifest beside it.
    @discardableResult
    public static func importOfficial(vggPath: String, decoderPath: String, to outputPath: String,
                                      dtype: SafeTensorsWriter.DType = .f32) throws -> WeightsManifest {
        let (tensors, metadata) = try importOfficial(vggPath: vggPath, decoderPath: decoderPath)
        try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, dtype: dtype, to: outputPath)
        let manifest = try WeightsManifest.make(forFile: outputPath)
        try manifest.write(to: WeightsManifest.defaultPath(forWeights: outputPath))
        return manifest
    }

    /// Maps the two state dicts to native names and checks the architecture.
    public static func map(vgg: [String: WeightTensor], vggFile: String,
                           decoder: [String: WeightTensor], decoderFile: String) throws
        -> (tensors: [String: WeightTensor], metadata: [String: String]) {
        var tensors: [String: WeightTensor] = [:]
        let encoderByIndex = Dictionary(uniqueKeysWithValues: encoderLayers.map { ($0.index, $0.name) })
        try checkKeys(vgg, file: vggFile, used: Set(encoderByIndex.keys), ignored: ignoredEncoderIndices)
        for (index, name) in encoderLayers {
            tensors["encoder.\(name).weight"] = try take(vgg, "\(index).weight", file: vggFile)
            tensors["encoder.\(name).bias"] = try take(vgg, "\(index).bias", file: vggFile)
        }
        try checkKeys(decoder, file: decoderFile, used: Set(decoderIndices), ignored: [])
        for (k, index) in decoderIndices.enumerated() {
            tensors["decoder.conv\(k).weight"] = try take(decoder, "\(index).weight", file: decoderFile)
            tensors["decoder.conv\(k).bias"] = try take(decoder, "\(index).bias", file: decoderFile)
        }
        // Check the chain with the source keys in the messages.
        var sources: [String: (file: String, key: String)] = [:]
        for (index, name) in encoderLayers { sources["encoder." + name] = (vggFile, "\(index)") }
        for (k, index) in decoderIndices.enumerated() { sources["decoder.conv\(k)"] = (decoderFile, "\(index)") }
        let widths = try checkArchitecture(tensors) { sources[$0] ?? ("", $0) }
        let metadata = [
            "architecture": "adain-vgg19",
            "encoder_widths": widths.encoder.map(String.init).joined(separator: ","),
            "decoder_widths": widths.decoder.map(String.init).joined(separator: ","),
            "format_version": "1",
        ]
        return (tensors, metadata)
    }

    /// Checks native AdaIN tensors (all names present, 4-D OIHW weights, 1x1 conv0 3->3,
    /// 3x3 elsewhere, each conv's input width = the previous conv's output width, the
    /// decoder starting at the encoder's output width and ending at 3 channels) and returns
    /// the widths of encoder conv1_1...conv4_1 and decoder conv0...conv8.
    /// `origin` names the file and key to blame for a native conv name.
    public static func checkArchitecture(_ tensors: [String: WeightTensor],
                                         origin: (String) -> (file: String, key: String) = { ("", $0) })
        throws -> (encoder: [Int], decoder: [Int]) {
        var previousOut = 3
        var encoderWidths: [Int] = [], decoderWidths: [Int] = []
        for (position, conv) in nativeConvNames.enumerated() {
            let (file, key) = origin(conv)
            guard let weight = tensors[conv + ".weight"] else { throw WeightsError.missingKey(file: file, key: key + ".weight") }
            guard let bias = tensors[conv + ".bias"] else { throw WeightsError.missingKey(file: file, key: key + ".bias") }
            let kernel = position == 0 ? 1 : 3
            let s = weight.shape
            guard s.count == 4, s[2] == kernel, s[3] == kernel, s[0] > 0 else {
                throw WeightsError.shapeMismatch(file: file, key: key + ".weight",
                                                 detail: "expected [out, in, \(kernel), \(kernel)], found \(shapeString(s))")
            }
            guard s[1] == previousOut else {
                throw WeightsError.shapeMismatch(file: file, key: key + ".weight",
                                                 detail: "\(shapeString(s)) takes \(s[1]) input channels, the previous layer gives \(previousOut)")
            }
            if position == 0 && s[0] != 3 {
                throw WeightsError.shapeMismatch(file: file, key: key + ".weight", detail: "the preprocessing conv must map 3 channels to 3, found \(shapeString(s))")
            }
            if conv == "decoder.conv8" && s[0] != 3 {
                throw WeightsError.shapeMismatch(file: file, key: key + ".weight", detail: "the last decoder conv must output 3 channels (RGB), found \(shapeString(s))")
            }
            guard bias.shape == [s[0]] else {
                throw WeightsError.shapeMismatch(file: file, key: key + ".bias", detail: "expected [\(s[0])], found \(shapeString(bias.shape))")
            }
            for (name, t) in [(".weight", weight), (".bias", bias)] where t.values.count != t.elementCount {
                throw WeightsError.shapeMismatch(file: file, key: key + name, detail: "\(t.values.count) values for shape \(shapeString(t.shape))")
            }
            previousOut = s[0]
            if conv.hasPrefix("encoder.") && position > 0 { encoderWidths.append(s[0]) }
            if conv.hasPrefix("decoder.") { decoderWidths.append(s[0]) }
        }
        return (encoderWidths, decoderWidths)
    }

    /// Every key must be `<index>.weight` or `<index>.bias` with a known conv index.
    private static func checkKeys(_ dict: [String: WeightTensor], file: String, used: Set<Int>, ignored: Set<Int>) throws {
        for key in dict.keys.sorted() {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1] == "weight" || parts[1] == "bias",
                  parts[0].allSatisfy(\.isASCII), let index = Int(parts[0]), String(index) == parts[0],
                  used.contains(index) || ignored.contains(index) else {
                throw WeightsError.unknownKey(file: file, key: key)
            }
        }
    }

    private static func take(_ dict: [String: WeightTensor], _ key: String, file: String) throws -> WeightTensor {
        guard let t = dict[key] else { throw WeightsError.missingKey(file: file, key: key) }
        return t
    }
}
