import ArgumentParser
import Foundation
import ImageCodecs
import StyleSheets
import StylizeEngine

/// `stylize gallery PHOTO... --style S... -o grid.jpg`: every photo with every style by
/// each model family, side by side (the README's opening picture).
struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Stylize every photo with every style by the default model and by Magenta, in one captioned grid.",
        discussion: """
        Each pair is stylized as 'stylize PHOTO STYLE' would (--content-size, --max-memory) and shrunk to --size for display; the first row shows the styles. The README's gallery is made from the sample images with:

          stylize gallery Images/astronaut.jpg Images/chelsea.jpg Images/coffee.jpg Images/evening_glow.jpg \\
            --style Images/autumn.jpg --style Images/flow.jpg -o docs/gallery.jpg
        """)

    @Argument(help: "The photos (JPEG or PNG), one row each.")
    var photos: [String] = []

    @Option(name: .customLong("style"), help: "A style image; repeat for several (two columns each: one per model).")
    var styles: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: "The grid to write (.jpg or .png).")
    var output: String

    @Option(help: "Comma-separated model families, one column per style each: adain (the default model), magenta.")
    var models: String = "adain,magenta"

    @Option(help: "Longer side of each cell in pixels.")
    var size: Int = 256

    @Option(name: .customLong("content-size"), help: "Shorter side the photos are stylized at (as for a single transfer); 0 keeps their size.")
    var contentSize: Int = 512

    @Option(name: .customLong("max-memory"), help: "Memory budget of each run (e.g. 1.5G, 800M).")
    var maxMemory: String = "1.5G"

    @Option(help: "Weights of the default model (safetensors). Default: $STYLIZE_WEIGHTS, else the model shipped in Weights/.")
    var weights: String?

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int?

    @Option(help: precisionHelp)
    var precision: Precision = .f32

    @Option(help: "JPEG quality of the grid (1-100).")
    var quality: Int = 85

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if photos.isEmpty { throw ValidationError("give at least one photo") }
        if styles.isEmpty { throw ValidationError("give at least one --style image") }
        try StandardStreams.refuse(photos.map { ("PHOTO", $0) } + styles.map { ("--style", $0) } + [("-o", output)],
                                   command: "gallery", because: "it reads several images and writes one grid; give files")
        try CommandLineErrors.checked { try OutputQuality.validate(quality); try ThreadBudget.set(threads) }
    }

    func run() throws {
        var settings = GallerySettings()
        settings.cellSide = size
        settings.options.contentSize = contentSize
        settings.options.maxMemoryBytes = try parseMemory(maxMemory)
        let inputs = photos + styles
        try ImageIO.checkOutput(output, protecting: inputs)

        var families: [GalleryModel] = []
        for name in models.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let family = ModelFamily(rawValue: name) else {
                throw ValidationError("--models: '\(name)' is not a model family (adain, magenta)")
            }
            let label = family == .adain ? "default model" : "Magenta"
            families.append(GalleryModel(label: label, engine: try StyleEngine(family: family, weights: family == .adain ? weights : nil, precision: precision)))
        }
        let named = { (path: String) in NamedImage(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                                                   image: try ImageIO.decode(file: path)) }
        let start = Date()
        let progress = TileProgressLine(enabled: !quiet)
        let grid = try Gallery.render(contents: photos.map(named), styles: styles.map(named), models: families,
                                      settings: settings, control: progress.control)
        progress.finish()
        try ImageIO.write(grid, to: output, quality: quality, protecting: inputs)
        if !quiet {
            print("wrote \(output) (\(grid.width)x\(grid.height)): \(photos.count) photos x \(styles.count) styles x "
                  + "\(families.count) models in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}
