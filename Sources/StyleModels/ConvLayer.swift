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

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weights, stride: stride, padding: padding, activation: activation)
    }
}
