import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StylePipeline
import StyleTensor
import StyleWeights
import XCTest

/// Small seeded stand-ins for real inputs, generated inside the tests (nothing committed).
enum TinyWeights {
    /// Deterministic pseudo-random numbers (64-bit LCG, top bits), uniform in [-1, 1).
    struct Rand {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
    }

    /// Writes an `adain-vgg19` file at reduced widths (the real layer names and topology,
    /// He-scaled seeded random weights) with population statistics, so every swap variant
    /// runs (population statistics measured on seeded pictures). The last decoder conv has small weights and bias 0.5 so outputs sit inside
    /// [0, 1] instead of clipping. Widths: relu1 4, relu2 8, relu3 8, relu4 16 channels.
    ///
    /// `homogeneous`: the encoder has no biases except conv0's, which subtracts mid-grey
    /// (conv0(x) = W (x - 0.5), like VGG's mean subtraction). ReLU, max-pool and bias-free
    /// convs are positively homogeneous, so a contrast change x' = 0.5 + k (x - 0.5) scales
    /// every relu4_1 feature by exactly k: the instance swap cannot see it, the batch swap can.
    static func writeVGG(to path: String, seed: UInt64 = 7, homogeneous: Bool = false) throws {
        var rng = Rand(seed: seed)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        func conv(_ name: String, _ out: Int, _ inC: Int, _ k: Int, gain: Float = 1, bias: Float = 0, biasSpread: Float = 0.05) {
            let scale = gain * (6 / Float(inC * k * k)).squareRoot()   // uniform He init: std sqrt(2/fan_in)
            tensors[name + ".weight"] = ([out, inC, k, k], (0..<(out * inC * k * k)).map { _ in rng.next() * scale })
            tensors[name + ".bias"] = ([out], (0..<out).map { _ in bias + biasSpread * rng.next() })
        }
        conv("encoder.conv0", 3, 3, 1)
        if homogeneous {
            let w = tensors["encoder.conv0.weight"]!.values
            tensors["encoder.conv0.bias"] = ([3], (0..<3).map { o in -0.5 * (w[3 * o] + w[3 * o + 1] + w[3 * o + 2]) })
        }
        let enc: [(String, Int)] = [("conv1_1", 4), ("conv1_2", 4), ("conv2_1", 8), ("conv2_2", 8), ("conv3_1", 8),
                                    ("conv3_2", 8), ("conv3_3", 8), ("conv3_4", 8), ("conv4_1", 16)]
        var c = 3
        for (name, w) in enc { conv("encoder." + name, w, c, 3, biasSpread: homogeneous ? 0 : 0.05); c = w }
        let dec = [8, 8, 8, 8, 8, 8, 4, 4]
        for (i, w) in dec.enumerated() { conv("decoder.conv\(i)", w, c, 3); c = w }
        conv("decoder.conv8", 3, c, 3, gain: 0.15, bias: 0.5)
        try SafeTensorsWriter.write(tensors: tensors, metadata: ["architecture": "adain-vgg19"], to: path)
        // Population statistics as `stylize weights calibrate` would collect them: per-channel
        // mean and variance of the model's own content features over a few seeded pictures.
        let model = try ModelLoader.load(path: path)
        let features = (0..<8).map { i in
            model.encodeContent(Tensor(image: picture(width: 40, height: 32, seed: 1000 + UInt64(i)))).features
        }
        let population = try StatisticSwap.populationStatistics(of: features)
        tensors["stats.population_mean"] = ([16], population.mean)
        tensors["stats.population_var"] = ([16], population.variance)
        try SafeTensorsWriter.write(tensors: tensors, metadata: ["architecture": "adain-vgg19"], to: path)
    }

    /// A w x h test picture: smooth colour gradients plus a seeded blocky pattern.
    static func picture(width: Int, height: Int, seed: UInt64) -> Image {
        var rng = Rand(seed: seed)
        let blocks = (0..<64).map { _ in rng.next() }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let b = blocks[(y / 6 % 8) * 8 + x / 6 % 8]
                let r = Float(x) / Float(width), g = Float(y) / Float(height)
                let values = [0.2 + 0.6 * r + 0.15 * b, 0.2 + 0.6 * g - 0.15 * b, 0.5 + 0.3 * b * (r - g)]
                for k in 0..<3 { rgb[(y * width + x) * 3 + k] = UInt8(max(0, min(255, (values[k] * 255).rounded()))) }
            }
        }
        return Image(width: width, height: height, rgb: rgb)
    }
}

/// A fresh temporary folder removed at the end of the test.
func makeTemporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "stylize-cli-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Writes `count` test pictures named c0.png, c1.jpg, ... (alternating formats) into `folder`.
@discardableResult
func writePictures(into folder: String, count: Int, prefix: String = "c", width: Int = 40, height: Int = 32,
                   seed: UInt64 = 1) throws -> [String] {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return try (0..<count).map { i in
        let path = "\(folder)/\(prefix)\(i).\(i % 2 == 0 ? "png" : "jpg")"
        try ImageIO.write(TinyWeights.picture(width: width, height: height, seed: seed + UInt64(i)), to: path)
        return path
    }
}

/// Hidden temporary files (a name starting with "." and containing "tmp") anywhere below `folder`.
func temporaryFiles(under folder: String) -> [String] {
    let all = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String]) ?? []
    return all.filter { ($0 as NSString).lastPathComponent.hasPrefix(".") && $0.contains("tmp") }
}
