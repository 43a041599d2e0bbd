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
          stylize serve --port 8080                       web app and API on http://127.0.0.1:8080/
          stylize weights import --vgg vgg_normalised.pth --decoder decoder.pth -o adain.safetensors
          stylize presets photo.jpg -o sheet.jpg           Magenta's 26 built-in styles on one photo
          curl -s URL | stylize - painting.jpg -o - > out.png
        """,
        subcommands: [TransferCommand.self, BatchCommand.self, CompareCommand.self, ServeCommand.self, WeightsCommand.self,
                      PresetsCommand.self, GalleryCommand.self, InfoCommand.self],
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
