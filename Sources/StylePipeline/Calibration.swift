import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor
import StyleWeights

/// Population statistics for the batch-norm swap (AdaBN): the per-channel mean and
/// unbiased variance of a model's content features over a set of images, i.e. what batch
/// norm's running averages converge to. Stored in the weights file as
/// `stats.population_mean` and `stats.population_var`.
public enum Calibration {
    /// Image files directly inside `directory` (recognised by their bytes), sorted by name.
    public static func imageFiles(in directory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        return names.map { directory + "/" + $0 }.filter { path in
            guard let handle = FileHandle(forReadingAtPath: path) else { return false }
            defer { try? handle.close() }
            let head = (try? handle.read(upToCount: 8)) ?? Data()
            return ImageFormat(sniffing: [UInt8](head)) != nil
        }
    }

    /// Statistics of `model`'s content features over `images` (each resized to `size`).
    /// Unreadable images are reported through `skipped` and left out.
    public static func populationStatistics(model: any StyleTransferModel, images: [String], size: Int,
                                            skipped: (String, Error) -> Void = { _, _ in })
        throws -> (mean: [Float], variance: [Float], used: Int) {
        var total: FeatureStatistics? = nil
        var used = 0
        for path in images {
            do {
                let image = try TransferSession.load(path, shorterSide: size)
                let features = model.encodeContent(Tensor(image: image)).features
                let stats = try FeatureStatistics(of: features, kind: .batch)
                total = try total.map { try $0.merged(with: stats) } ?? stats
                used += 1
            } catch {
                skipped(path, error)
            }
        }
        guard let total else { throw PipelineError.invalidOption("no readable images to calibrate with") }
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
