import ArgumentParser
import Foundation
import StyleKernels
import StylizeEngine
import StylizeCLISupport

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
          stylize video clip.mp4 painting.png -o clip_stylized.mp4
          stylize weights import --vgg vgg_normalised.pth --decoder decoder.pth -o adain.safetensors
          stylize presets photo.jpg -o sheet.jpg           Magenta's 26 built-in styles on one photo
          curl -s URL | stylize - painting.jpg -o - > out.png
        """,
        version: "stylize \(version)\n\(CPUFeatures.summary)",
        subcommands: [TransferCommand.self, BatchCommand.self, CompareCommand.self, ServeCommand.self, VideoCommand.self, WeightsCommand.self,
                      PresetsCommand.self, GalleryCommand.self, InfoCommand.self],
        defaultSubcommand: TransferCommand.self
    )

    /// The release this source tree is.
    static let version = "0.2.0"

    /// Lets malloc keep freed activations for reuse (every command runs networks). The
    /// kernels for this CPU were chosen when the library was loaded (`KernelISA`).
    /// `stylize --version` prints the release and the kernels in use (handled here because
    /// the default subcommand would otherwise take the flag).
    static func main() {
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            print(configuration.version)
            return
        }
        _ = MemoryPolicy.reuseFreedMemory()
        // Magenta weights re-derived by `stylize weights fetch magenta` are looked for in the
        // cache folder after the shipped ones.
        WeightsLocator.additionalFolders = [CacheFolder.path]
        // Option errors from the library name options by their flags here (--max-memory).
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: CommandLineErrors.forExit(error))
        }
    }
}
