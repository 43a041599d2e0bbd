import Foundation
import StyleWeights

/// The official pytorch-AdaIN release files and the one-call fetch-check-import path
/// behind `stylize weights fetch`.
public enum AdaINOfficialRelease {
    /// Release assets of naoto0804/pytorch-AdaIN (tag v0.0.0), PyTorch legacy format.
    public static let vggURL = URL(string: "https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/vgg_normalised.pth")!
    public static let decoderURL = URL(string: "https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/decoder.pth")!

    /// What `fetchAndImport` did.
    public struct Outcome: Sendable {
        /// Manifests (name, size, sha256) of the downloaded .pth files, also written beside them.
        public let vgg: WeightsManifest
        public let decoder: WeightsManifest
        /// Manifest of the imported safetensors file.
        public let output: WeightsManifest
        /// Files that were downloaded now (others were already present and verified).
        public let downloaded: [String]
    }

    /// Downloads both files into `directory` (resuming partial downloads; a file already
    /// there whose manifest verifies is reused), writes a manifest with its sha256 beside
    /// each, reads and checks them (format, keys, shapes) and imports them into `output`
    /// (safetensors + manifest). The output's metadata records both source digests.
    /// `progress(fileName, received, total)` reports download progress.
    @discardableResult
    public static func fetchAndImport(vggURL: URL = vggURL, decoderURL: URL = decoderURL,
                                      directory: String, output: String,
                                      dtype: SafeTensorsWriter.DType = .f32,
                                      progress: ((String, Int64, Int64?) -> Void)? = nil) throws -> Outcome {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var downloaded: [String] = []
        func fetch(_ url: URL, as name: String) throws -> (path: String, manifest: WeightsManifest) {
            let path = (directory as NSString).appendingPathComponent(name)
            let manifestPath = WeightsManifest.defaultPath(forWeights: path)
            if FileManager.default.fileExists(atPath: path), FileManager.default.fileExists(atPath: manifestPath),
               (try? WeightsManifest.verify(file: path)) != nil {
                return (path, try WeightsManifest.read(from: manifestPath))
            }
            try ResumableDownload.download(from: url, to: path) { progress?(name, $0, $1) }
            downloaded.append(name)
            let manifest = try WeightsManifest.make(forFile: path, listTensors: false)
            try manifest.write(to: manifestPath)
            return (path, manifest)
        }
        let vgg = try fetch(vggURL, as: "vgg_normalised.pth")
        let decoder = try fetch(decoderURL, as: "decoder.pth")
        var (tensors, metadata) = try AdaINImporter.importOfficial(vggPath: vgg.path, decoderPath: decoder.path)
        metadata["vgg_sha256"] = vgg.manifest.sha256
        metadata["decoder_sha256"] = decoder.manifest.sha256
        try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, dtype: dtype, to: output)
        let manifest = try WeightsManifest.make(forFile: output)
        try manifest.write(to: WeightsManifest.defaultPath(forWeights: output))
        return Outcome(vgg: vgg.manifest, decoder: decoder.manifest, output: manifest, downloaded: downloaded)
    }
}
