import ArgumentParser
import StyleTensor

struct StyleVector: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Magenta's style vector of a style image (the predictor of the shipped magenta-arbitrary weights), as raw float32: what Benchmarks/networks.sh feeds every engine's transformer.")
    @Option(help: "Style image, already the predictor's input size (style_size square, 256 for the shipped file).")
    var style: String
    @Option(help: "Weights file (default: the shipped Weights/magenta-arbitrary.safetensors).")
    var weights: String?
    @Option(help: "Output file (raw little-endian float32).")
    var output: String

    func run() throws {
        let net = try ShippedNetwork(.magenta, weights: weights)
        let vector = try net.styleVector(of: try loadImageTensor(style))
        try writeFloats(vector, to: output)
        print("wrote \(output) (\(vector.count) floats)")
    }
}
