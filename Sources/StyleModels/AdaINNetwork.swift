import StyleKernels
import StyleNN
import StyleTensor

/// Where a content image sits inside the padded input the encoder saw, so that the
/// decoder's output can be cropped back to the content's own size.
public struct ContentGeometry: Equatable, Sendable {
    /// Size of the content image.
    public let height: Int
    public let width: Int
    /// Offset of the content inside the padded network input.
    public let top: Int
    public let left: Int

    public init(height: Int, width: Int, top: Int = 0, left: Int = 0) {
        self.height = height; self.width = width; self.top = top; self.left = left
    }
}

/// An AdaIN-family network: an encoder, a bottleneck and a decoder (Huang & Belongie 2017,
/// "Arbitrary Style Transfer in Real-time with Adaptive Instance Normalization"):
/// style enters only through the statistics of the bottleneck features.
///
/// Images are 1 x H x W x 3 tensors of RGB in [0, 1].
public protocol AdaINNetwork: DescribedNetwork {
    /// The `architecture` metadata value of the weights file.
    var architecture: String { get }
    /// Channels of the bottleneck features.
    var featureChannels: Int { get }
    /// Per-channel population mean/variance of content features (for the batch-norm
    /// swap), when the weights file carries them.
    var populationMean: [Float]? { get }
    var populationVariance: [Float]? { get }
    /// Population mean and channel covariance of content features (for the batch-norm
    /// covariance match), when the weights file carries them.
    var populationCovariance: CovarianceStatistics? { get }
    /// Pixels of the input per bottleneck feature along each side (the encoder's stride).
    var featureStride: Int { get }

    /// Bottleneck features of a style image.
    func encodeStyle(_ image: Tensor) -> Tensor
    /// Bottleneck features of a content image and where the content sits in them.
    func encodeContent(_ image: Tensor) -> (features: Tensor, geometry: ContentGeometry)
    /// Decodes (swapped) features to an RGB image cropped to the content's size.
    func decode(_ features: Tensor, geometry: ContentGeometry) -> Tensor
    /// The encoder's intermediate features used for style and content distances,
    /// shallow to deep; the last one is the bottleneck.
    func featureTaps(_ image: Tensor) -> [Tensor]
    /// Names of `featureTaps`, e.g. relu1_1 ... relu4_1.
    var tapNames: [String] { get }
    /// The arithmetic of the convolutions (`Precision`).
    var precision: Precision { get }
    /// The same network with its convolutions set up for `precision`.
    func withPrecision(_ precision: Precision) -> Self
    /// Where the cells of each of `featureTaps` sit along an axis of `length` input pixels
    /// (same order as the taps), for measuring them tile by tile.
    func tapGrids(length: Int) -> [TapGrid]
}
