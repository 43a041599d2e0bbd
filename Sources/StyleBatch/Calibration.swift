import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor
import StyleWeights
import StylizeEngine

/// Population statistics for the batch-norm swap (AdaBN): the per-channel mean and
/// unbiased variance of a model's content features over a set of images, i.e. what batch
/// norm's running averages converge to. Stored in the weights file as
/// `stats.population_mean` and `stats.population_var`.
public enum Calibration {
    /// Image files directly inside `directory` (recognised by their bytes), sorted by name.
    public static func imageFiles(in directory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        return names.map { directory + "/" + $0 }.filter { path in ((try? ImageIO.format(ofFile: path)) ?? nil) != nil }
    }

    /// Statistics of the engine's content features (at the AdaIN bottleneck, per channel)
    /// over `images` (each resized to `size`; large ones tiled within `maxMemoryBytes`).
    /// Unreadable images are reported through `skipped` and left out.
    public static func populationStatistics(engine: StyleEngine, images: [String], size: Int,
                                            maxMemoryBytes: Int = MemoryBudget.defaultBytes,
                                            skipped: (String, Error) -> Void = { _, _ in })
        throws -> (mean: [Float], variance: [Float], used: Int) {
        guard engine.family == .adain else { throw EngineError.unsupported("calibration is for AdaIN-family weights") }
        var options = TransferOptions()
        options.norm = .batch
        options.contentSize = size
        options.maxMemoryBytes = maxMemoryBytes
        var total: FeatureStatistics? = nil
        var used = 0
        for path in images {
            do {
                let image = try StyleEngine.loadContent(path, options: options)
                let stats = try engine.contentStatistics(image, styles: [], options: options)[0]
                total = try total.map { try $0.merged(with: stats) } ?? stats
                used += 1
            } catch {
                skipped(path, error)
            }
        }
        guard let total else { throw EngineError.unsupported("no readable images to calibrate with") }
        let variance = total.variance(.unbiased).map(Float.init)
        return (total.mean.map(Float.init), variance, used)
    }

    /// Rewrites the weights file at `path` with the statistics added (replacing older ones),
    /// atomically, keeping its dtype and metadata, and refreshes its manifest if it has one.
    public static func store(mean: [Float], variance: [Float], images: Int, in path: String) throws {
        let file = try SafeTensorsFile(path: path)
        var tensors = try file.allTensors()
        let dtypes = Set(file.names.compactMap { file.info($0)?.dtype })
        tensors["stats.population_mean"] = WeightTensor(shape: [mean.count], values: mean)
        tensors["stats.population_var"] = WeightTensor(shape: [variance.count], values: variance)
        var metadata = file.metadata
        metadata["population_stats"] = "stylize weights calibrate over \(images) images"
        try SafeTensorsWriter.write(tensors: tensors, metadata: metadata,
                                    dtype: dtypes == ["F16"] ? .f16 : .f32, to: path)
        let manifestPath = WeightsManifest.defaultPath(forWeights: path)
        if FileManager.default.fileExists(atPath: manifestPath) {
            try WeightsManifest.make(forFile: path).write(to: manifestPath)
        }
    }
}
