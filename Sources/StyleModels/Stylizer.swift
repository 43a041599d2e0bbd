import StyleNN
import StyleTensor

/// A model plus the statistic swap at its bottleneck: the whole style transfer
///
///     t = swap(f_c, f_s),  t' = alpha * t + (1 - alpha) * f_c,  output = decoder(t')
///
/// (Huang & Belongie 2017 for the instance swap; the batch, layer and group variants replace
/// the statistics, see `StatisticSwap`). Style statistics are computed once per style with
/// `styleStatistics(of:)` and reused for any number of contents.
public struct Stylizer: Sendable {
    public let model: any AdaINNetwork
    public let swap: StatisticSwap

    /// `norm` picks the statistics; `.batch` needs the population statistics stored in
    /// the weights file (see `stylize weights calibrate`).
    public init(model: any AdaINNetwork, norm: NormKind = .instance) throws {
        self.model = model
        try norm.validate(channels: model.featureChannels)
        if norm == .batch, model.populationMean == nil || model.populationVariance == nil {
            throw StylizerError.missingPopulationStatistics(architecture: model.architecture)
        }
        swap = try StatisticSwap(kind: norm, populationMean: norm == .batch ? model.populationMean : nil,
                                 populationVariance: norm == .batch ? model.populationVariance : nil)
    }

    /// Statistics of a style image's bottleneck features (image: 1 x H x W x 3 in [0, 1]).
    public func styleStatistics(of styleImage: Tensor) throws -> FeatureStatistics {
        try swap.styleStatistics(of: model.encodeStyle(styleImage))
    }

    /// Stylizes `content` (1 x H x W x 3 in [0, 1]) with a weighted mix of styles.
    /// Returns an RGB tensor of the content's size (values may leave [0, 1] slightly).
    public func stylize(content: Tensor, styles: [WeightedStyle], alpha: Float = 1) throws -> Tensor {
        let (features, geometry) = model.encodeContent(content)
        let swapped = try swap.apply(content: features, styles: styles, alpha: alpha)
        return model.decode(swapped, geometry: geometry)
    }

    /// Spatial control: `mask` (1 x H x W x 1 at the content's size, >= 0.5 = foreground)
    /// selects where the `foreground` style mix applies; the `background` mix fills the rest.
    /// Statistics on each side are taken over that side's region only.
    public func stylize(content: Tensor, mask: Tensor, foreground: [WeightedStyle],
                        background: [WeightedStyle], alpha: Float = 1) throws -> Tensor {
        let (features, geometry) = model.encodeContent(content)
        let featureMask = Self.featureMask(mask, geometry: geometry, features: features.shape,
                                           stride: model.featureStride)
        let swapped = try swap.apply(content: features, mask: featureMask, foreground: foreground,
                                     background: background, alpha: alpha)
        return model.decode(swapped, geometry: geometry)
    }

    /// The mask sampled at the centre of each feature cell's input window (nearest pixel
    /// of the content, clamped at the border for cells over the padding): `mask` is
    /// 1 x H x W x 1 at the content's size, the result 1 x h x w x 1 at the features'.
    public static func featureMask(_ mask: Tensor, geometry: ContentGeometry, features: Shape, stride: Int) -> Tensor {
        precondition(mask.shape.c == 1 && mask.shape.h == geometry.height && mask.shape.w == geometry.width,
                     "mask must be 1 x \(geometry.height) x \(geometry.width) x 1, got \(mask.shape)")
        var out = Tensor(shape: Shape(n: 1, h: features.h, w: features.w, c: 1))
        for i in 0..<features.h {
            let y = min(max(i * stride + stride / 2 - geometry.top, 0), geometry.height - 1)
            for j in 0..<features.w {
                let x = min(max(j * stride + stride / 2 - geometry.left, 0), geometry.width - 1)
                out.data[i * features.w + j] = mask.data[y * geometry.width + x]
            }
        }
        return out
    }
}

extension FeatureMatcher {
    /// The matcher of `match` under `norm` at `model`'s bottleneck: the norm must fit the
    /// feature channels, the pair must have a meaning (`StatisticMatch.validate`), and
    /// `.batch` takes the population statistics stored with the weights (mean and variance
    /// for moments, the population covariance for covariance).
    public init(model: any AdaINNetwork, norm: NormKind, match: StatisticMatch) throws {
        try norm.validate(channels: model.featureChannels)
        try match.validate(norm: norm)
        if norm == .batch {
            switch match {
            case .moments:
                if model.populationMean == nil || model.populationVariance == nil {
                    throw StylizerError.missingPopulationStatistics(architecture: model.architecture)
                }
            case .covariance:
                if model.populationCovariance == nil { throw StylizerError.missingPopulationCovariance(architecture: model.architecture) }
            case .distribution: break
            }
        }
        let batch = norm == .batch
        try self.init(match: match, norm: norm, populationMean: batch ? model.populationMean : nil,
                      populationVariance: batch ? model.populationVariance : nil,
                      populationCovariance: batch ? model.populationCovariance : nil)
    }
}

/// Errors of `Stylizer` configuration.
public enum StylizerError: Error, CustomStringConvertible, Equatable {
    case missingPopulationStatistics(architecture: String)
    case missingPopulationCovariance(architecture: String)

    public var description: String {
        switch self {
        case .missingPopulationStatistics(let arch):
            return "the batch-norm variant needs population statistics, which this \(arch) weights file lacks; "
                + "add them with 'stylize weights calibrate FILE --images DIR'"
        case .missingPopulationCovariance(let arch):
            return "the batch-norm covariance match whitens with a population covariance of content features, which this \(arch) weights file lacks; "
                + "add one with 'stylize weights calibrate FILE --images DIR'"
        }
    }
}
