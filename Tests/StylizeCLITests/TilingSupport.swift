import Foundation
import ImageCodecs
import StyleModels
import StyleWeights

/// Tiny random-weight networks of both architectures, written as safetensors with the
/// real names and metadata, so the tiling tests run the real loading and forward code.
enum TinyNetworks {
    /// Deterministic uniform values in [-scale, scale) (64-bit LCG).
    struct Random {
        var state: UInt64
        mutating func next(_ scale: Float) -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        mutating func values(_ count: Int, scale: Float) -> [Float] { (0..<count).map { _ in next(scale) } }
    }

    /// `adain-mobilenet-s8` with narrow layers (features 16 channels, decoder 8,8,8,4).
    static func mobile(in directory: URL, seed: UInt64 = 1, decoderGain: Float = 2.5, outputGain: Float = 4) throws -> String {
        var rng = Random(state: seed)
        var tensors: [String: WeightTensor] = [:]
        func conv(_ name: String, out: Int, in inC: Int, k: Int, depthwise: Bool = false, gain: Float = 2.6) {
            let fanIn = (depthwise ? 1 : inC) * k * k
            tensors[name + ".weight"] = WeightTensor(shape: [out, depthwise ? 1 : inC, k, k],
                                                     values: rng.values(out * (depthwise ? 1 : inC) * k * k,
                                                                        scale: gain / Float(fanIn).squareRoot()))
            tensors[name + ".bias"] = WeightTensor(shape: [out], values: rng.values(out, scale: 0.1))
        }
        conv("encoder.conv0", out: 8, in: 3, k: 3)
        conv("encoder.ec0_depthwise", out: 8, in: 8, k: 3, depthwise: true)
        conv("encoder.ec0_project", out: 4, in: 8, k: 1)
        conv("encoder.ec1_expand", out: 8, in: 4, k: 1)
        conv("encoder.ec1_depthwise", out: 8, in: 8, k: 3, depthwise: true)
        conv("encoder.ec1_project", out: 4, in: 8, k: 1)
        for block in [2, 3, 4, 5] {
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
        let path = directory.appendingPathComponent("tiny-mobile.safetensors").path
        try SafeTensorsWriter.write(tensors: tensors, metadata: [
            "architecture": "adain-mobilenet-s8", "decoder_widths": widths.map(String.init).joined(separator: ","),
            "content_pad": "16",
        ], to: path)
        return path
    }

    /// `adain-vgg19` with narrow layers (relu4_1 of 16 channels).
    static func vgg(in directory: URL, seed: UInt64 = 2, decoderGain: Float = 2.5, outputGain: Float = 6) throws -> String {
        var rng = Random(state: seed)
        var tensors: [String: WeightTensor] = [:]
        func conv(_ name: String, out: Int, in inC: Int, k: Int, gain: Float = 2.6) {
            tensors[name + ".weight"] = WeightTensor(shape: [out, inC, k, k],
                                                     values: rng.values(out * inC * k * k, scale: gain / Float(inC * k * k).squareRoot()))
            tensors[name + ".bias"] = WeightTensor(shape: [out], values: rng.values(out, scale: 0.05))
        }
        conv("encoder.conv0", out: 3, in: 3, k: 1)
        let encoder: [(String, Int)] = [("conv1_1", 4), ("conv1_2", 4), ("conv2_1", 8), ("conv2_2", 8),
                                        ("conv3_1", 8), ("conv3_2", 8), ("conv3_3", 8), ("conv3_4", 8), ("conv4_1", 16)]
        var channels = 3
        for (name, width) in encoder {
            conv("encoder." + name, out: width, in: channels, k: 3)
            channels = width
        }
        for (i, width) in [8, 8, 8, 8, 8, 4, 4, 4, 3].enumerated() {
            conv("decoder.conv\(i)", out: width, in: channels, k: 3, gain: i == 8 ? outputGain : decoderGain)
            channels = width
        }
        let path = directory.appendingPathComponent("tiny-vgg.safetensors").path
        try SafeTensorsWriter.write(tensors: tensors, metadata: ["architecture": "adain-vgg19"], to: path)
        return path
    }

    /// A deterministic test picture: gradients, a few discs and some texture, so features
    /// vary in every channel.
    static func picture(width: Int, height: Int, seed: UInt64 = 7) -> Image {
        var rng = Random(state: seed)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let discs = (0..<5).map { _ in (Float(width) * (0.5 + rng.next(0.5)), Float(height) * (0.5 + rng.next(0.5)),
                                        Float(min(width, height)) * (0.15 + abs(rng.next(0.15)))) }
        for y in 0..<height {
            for x in 0..<width {
                var v: [Float] = [Float(x) / Float(width), Float(y) / Float(height),
                                  0.5 + 0.4 * sin(Float(x + 2 * y) * 0.07)]
                for (k, d) in discs.enumerated() where (Float(x) - d.0) * (Float(x) - d.0) + (Float(y) - d.1) * (Float(y) - d.1) < d.2 * d.2 {
                    v[k % 3] = 1 - v[k % 3]
                }
                for c in 0..<3 {
                    let noise = rng.next(0.08)
                    rgb[3 * (y * width + x) + c] = UInt8(max(0, min(255, ((v[c] + noise) * 255).rounded())))
                }
            }
        }
        return Image(width: width, height: height, rgb: rgb)
    }
}
