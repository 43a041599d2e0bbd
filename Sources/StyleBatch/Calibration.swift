import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor
import StyleWeights
import StylizeEngine

/// Population statistics for the batch-norm swaps: the per-channel mean and unbiased
/// variance of a model's content features over a set of images, i.e. what batch norm's
/// running averages converge to (AdaBN), and their channel covariance (the content whitening
/// of the batch-norm covariance match, WCT-BN). Stored in the weights file as
/// `stats.population_mean`, `stats.population_var`, `stats.population_covariance` (C x C,
/// unbiased) and `stats.population_covariance_mean`, with the number of feature positions
/// in the metadata `population_covariance_count`.
public enum Calibration {
    /// The statistics of a calibration set.
    public struct Population: Sendable {
        public var mean: [Float]
        /// Unbiased variance per channel (the covariance's diagonal).
        public var variance: [Float]
        /// C x C unbiased covariance, row-major.
        public var covariance: [Float]
        /// Feature positions behind them.
        public var count: Double
        /// Images used.
        public var used: Int
    }

    /// Image files directly inside `directory` (recognised by their bytes), sorted by name.
    public static func imageFiles(in directory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        return names.map { directory + "/" + $0 }.filter { path in ((try? ImageIO.format(ofFile: path)) ?? nil) != nil }
    }

    /// Statistics of the engine's content features (at the AdaIN bottleneck) over `images`
    /// (each resized to `size`; large ones tiled within `maxMemoryBytes`): one pass gathers the
    /// mean and channel co-moments in Double (merged exactly over images); the variance is
    /// the covariance's diagonal. Unreadable images are reported through `skipped` and left out.
    public static func populationStatistics(engine: StyleEngine, images: [String], size: Int,
                                            maxMemoryBytes: Int = MemoryBudget.defaultBytes,
                                            skipped: (String, Error) -> Void = { _, _ in }) throws -> Population {
        guard engine.family == .adain else { throw EngineError.unsupported("calibration is for AdaIN-family weights") }
        var options = TransferOptions()
        options.norm = .batch
        options.match = .covariance
        options.contentSize = size
        options.maxMemoryBytes = maxMemoryBytes
        var total: ContentMatchStatistics? = nil
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
        guard case .covariance(let c)? = total else { throw EngineError.unsupported("no readable images to calibrate with") }
        let n = c.channels
        let covariance = c.covariance(convention: .unbiased)
        return Population(mean: c.mean.map(Float.init), variance: (0..<n).map { Float(covariance[$0 * n + $0]) },
                          covariance: covariance.map(Float.init), count: c.count[0], used: used)
    }

    /// Rewrites the weights file at `path` with the statistics added (replacing older ones),
    /// atomically, keeping its dtype and metadata, and refreshes its manifest if it has one.
    /// The covariance is stored as float32 whatever the file's dtype (its eigenvalues span
    /// several orders of magnitude, which float16 would not keep).
    public static func store(_ population: Population, in path: String) throws {
        let file = try SafeTensorsFile(path: path)
        var tensors = try file.allTensors()
        let dtypes = Set(file.names.compactMap { file.info($0)?.dtype })
        let c = population.mean.count
        tensors["stats.population_mean"] = WeightTensor(shape: [c], values: population.mean)
        tensors["stats.population_var"] = WeightTensor(shape: [c], values: population.variance)
        tensors["stats.population_covariance"] = WeightTensor(shape: [c, c], values: population.covariance)
        tensors["stats.population_covariance_mean"] = WeightTensor(shape: [c], values: population.mean)
        var metadata = file.metadata
        metadata["population_stats"] = "stylize weights calibrate over \(population.used) images"
        metadata["population_covariance_count"] = String(Int(population.count))
        metadata["population_covariance_source"] = "stylize weights calibrate over \(population.used) images (\(Int(population.count)) feature positions)"
        let f32: [String: SafeTensorsWriter.DType] = ["stats.population_covariance": .f32, "stats.population_covariance_mean": .f32]
        try SafeTensorsWriter.write(tensors: tensors, metadata: metadata,
                                    dtype: dtypes.subtracting(["F32"]) == ["F16"] ? .f16 : .f32, dtypes: f32, to: path)
        let manifestPath = WeightsManifest.defaultPath(forWeights: path)
        if FileManager.default.fileExists(atPath: manifestPath) {
            try WeightsManifest.make(forFile: path).write(to: manifestPath)
        }
    }
}
