import ArgumentParser

struct ExportWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the VGG network's seeded weights (SeededVGG) as safetensors, in the project's layout (what stylize --weights loads) or with pytorch-AdaIN keys (vgg.N.weight OIHW, vgg.N.bias, decoder.N.*).")
    @Option(help: "Seed of the random weights.")
    var seed: UInt64 = 1
    @Option(help: "native (encoder.conv1_1.weight ..., architecture adain-vgg19) or pytorch (vgg.N / decoder.N keys).")
    var format: String = "native"
    @Option(help: "Output file.")
    var path: String

    func run() throws {
        guard format == "native" || format == "pytorch" else {
            throw ValidationError("--format must be native or pytorch, got '\(format)'")
        }
        try SeededVGG.write(seed: seed, native: format == "native", to: path)
        print("wrote \(path)")
    }
}
