import StyleNN
import StyleTensor
import StyleWeights

/// Reads named convolution layers out of a safetensors file, checking every shape.
/// The one place where weight names become layers.
struct WeightReader {
    let file: SafeTensorsFile
    var path: String { file.path }

    init(_ file: SafeTensorsFile) { self.file = file }

    /// The weight `name` as floats after checking it exists: stored as is, or as integer
    /// codes and scales dequantized at load (`SafeTensorsFile.weight`, `Dequantization`).
    func values(_ name: String) throws -> (shape: [Int], values: [Float]) {
        guard file.hasWeight(name) else { throw ModelError.missingTensor(file: path, name: name) }
        let t = try file.weight(name)
        return (t.shape, t.values)
    }

    /// `prefix.weight` (OIHW) and `prefix.bias` as a layer. `inChannels` is the expected
    /// total input width (nil: take it from the file); `depthwise` expects C x 1 x k x k.
    func conv(_ prefix: String, inChannels: Int?, kernel: Int, depthwise: Bool = false,
              stride: Int = 1, padding: Padding, activation: Activation) throws -> ConvLayer {
        let (shape, w) = try values(prefix + ".weight")
        guard shape.count == 4, shape[2] == kernel, shape[3] == kernel, shape[0] > 0 else {
            throw ModelError.badShape(file: path, name: prefix + ".weight", expected: "[out, in, \(kernel), \(kernel)]", got: shape)
        }
        let out = shape[0]
        let groups = depthwise ? out : 1
        let totalIn = depthwise ? out : shape[1]
        if depthwise, shape[1] != 1 {
            throw ModelError.badShape(file: path, name: prefix + ".weight", expected: "[\(out), 1, \(kernel), \(kernel)]", got: shape)
        }
        if let inChannels, inChannels != totalIn {
            throw ModelError.badShape(file: path, name: prefix + ".weight",
                                      expected: depthwise ? "[\(inChannels), 1, \(kernel), \(kernel)]"
                                                          : "[\(out), \(inChannels), \(kernel), \(kernel)]", got: shape)
        }
        let (bshape, b) = try values(prefix + ".bias")
        guard bshape == [out] else {
            throw ModelError.badShape(file: path, name: prefix + ".bias", expected: "[\(out)]", got: bshape)
        }
        let weights = try ConvWeights(checkingOIHW: w, outChannels: out, inChannels: shape[1],
                                      kernelH: kernel, kernelW: kernel, bias: b, groups: groups)
        return ConvLayer(name: prefix, weights: weights, stride: stride, padding: padding, activation: activation)
    }

    /// Optional per-channel vector (e.g. population statistics); nil when absent.
    func optionalVector(_ name: String, count: Int) throws -> [Float]? {
        guard file.hasWeight(name) else { return nil }
        let (shape, v) = try values(name)
        guard shape == [count] else { throw ModelError.badShape(file: path, name: name, expected: "[\(count)]", got: shape) }
        return v
    }

    /// The population mean and channel covariance of content features for the batch-norm
    /// covariance match (`stats.population_covariance`, C x C unbiased, beside
    /// `stats.population_covariance_mean`, C, and the metadata `population_covariance_count`,
    /// the number of feature positions behind them; see Training/population_covariance.py);
    /// nil when the file has none. Every part is checked, and an error names the file.
    func optionalPopulationCovariance(channels c: Int) throws -> CovarianceStatistics? {
        let name = "stats.population_covariance", meanName = "stats.population_covariance_mean"
        guard file.hasWeight(name) else { return nil }
        let (shape, covariance) = try values(name)
        guard shape == [c, c] else { throw ModelError.badShape(file: path, name: name, expected: "[\(c), \(c)]", got: shape) }
        guard let mean = try optionalVector(meanName, count: c) else { throw ModelError.missingTensor(file: path, name: meanName) }
        let key = "population_covariance_count"
        guard let text = file.metadata[key], let count = Double(text), count.isFinite, count >= 2 else {
            throw ModelError.badMetadata(file: path, key: key, value: file.metadata[key])
        }
        do {
            return try CovarianceStatistics.population(mean: mean, covariance: covariance, count: count)
        } catch {
            throw ModelError.badTensor(file: path, name: name, reason: "\(error)")
        }
    }
}
