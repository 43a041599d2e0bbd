import ArgumentParser
import Foundation
import StyleKernels

@main
struct Stylize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stylize",
        abstract: "Repaint a photo in the style of a painting (AdaIN style transfer on the CPU).",
        discussion: """
        Examples:
          stylize photo.jpg painting.png                  writes photo_stylized_painting.jpg
          stylize photo.jpg a.jpg b.jpg --style-weights 0.7,0.3 -o mix.png
          stylize photo.jpg fg.jpg bg.jpg --mask mask.png
          stylize batch --content photos --style styles -o out --shard 2/8
          stylize compare photo.jpg painting.png -o grid.png --contrast-sweep --report table.md
          stylize video clip.mp4 painting.png -o clip_stylized.mp4
          stylize weights import --vgg vgg_normalised.pth --decoder decoder.pth -o adain.safetensors
        """,
        subcommands: [TransferCommand.self, BatchCommand.self, CompareCommand.self, VideoCommand.self, WeightsCommand.self],
        defaultSubcommand: TransferCommand.self
    )

    /// Refuses to start on a CPU the kernels were not compiled for, before any kernel runs,
    /// and lets malloc keep freed activations for reuse (every command runs networks).
    static func main() {
        if let problem = CPUFeatures.problem() {
            FileHandle.standardError.write(Data("Error: \(problem)\n".utf8))
            Foundation.exit(1)
        }
        _ = MemoryPolicy.reuseFreedMemory()
        main(nil)
    }
}
