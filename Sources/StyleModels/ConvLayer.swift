import StyleKernels
import StyleTensor

/// One convolution with its padding rule, stride and fused activation:
/// y = act(conv(pad(x), W) + b).
public struct ConvLayer: Sendable {
    public let name: String
    public let weights: ConvWeights
    public let stride: Int
    public let padding: Padding
    public let activation: Activation

    public init(name: String, weights: ConvWeights, stride: Int = 1, padding: Padding, activation: Activation) {
        self.name = name; self.weights = weights; self.stride = stride
        self.padding = padding; self.activation = activation
    }

    public var outChannels: Int { weights.outChannels }

    /// This layer with its weights set up for `precision` (`ConvWeights.withPrecision`).
    public func withPrecision(_ precision: Precision) -> ConvLayer {
        ConvLayer(name: name, weights: weights.withPrecision(precision), stride: stride, padding: padding, activation: activation)
    }

    /// y = act(conv(pad(x), W) + b); with `upsampleFirst`, x is upsampled (nearest x2) before
    /// the padding, without an upsampled copy where the kernel reads through an index map.
    public func callAsFunction(_ x: Tensor, upsampleFirst: Bool = false) -> Tensor {
        conv2d(x, weights, stride: stride, padding: padding, activation: activation, upsampleFirst: upsampleFirst)
    }
}
