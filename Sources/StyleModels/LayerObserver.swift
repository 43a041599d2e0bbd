import StyleTensor

/// One step of a model's forward pass, as a `LayerObserver` sees it.
public struct LayerStep: Sendable {
    /// The layer's name in the weights file (`encoder.ec1_expand`, `transformer.expand.conv3`),
    /// or the operation's for steps without weights (`pad`, `upsample`, `add`, `crop`).
    public let name: String
    /// What the step computes: `conv3x3`, `conv3x3/s2`, `dw3x3`, `conv1x1`, `conv9x9`
    /// (see `ConvLayer.kind`), `upsample2x`, `pad`, `add`, `maxpool`, `norm`, `sigmoid`, `crop`.
    public let kind: String
    /// The convolution of a conv step (weights, stride, padding), e.g. to count its FLOPs.
    public let conv: ConvLayer?
    /// Shape of the step's input.
    public let input: Shape

    public init(name: String, kind: String, conv: ConvLayer? = nil, input: Shape) {
        self.name = name; self.kind = kind; self.conv = conv; self.input = input
    }
}

/// Watches a model's forward pass step by step (`AdaINMobile`, `AdaINVGG` and
/// `MagentaTransformer` call it around every layer when their `observer` is set), e.g. to
/// time each layer (`stylize-bench layers`). `run` must call `body` exactly once and return
/// its result unchanged; the pass then computes exactly what it computes unobserved.
public protocol LayerObserver: AnyObject, Sendable {
    func run(_ step: LayerStep, _ body: () throws -> Tensor) rethrows -> Tensor
}

extension Optional where Wrapped == any LayerObserver {
    /// `body()`, reported to the observer when there is one. The step's description is built
    /// only then, so an unobserved pass pays one nil check per layer.
    @inline(__always) @discardableResult
    func run(_ name: @autoclosure () -> String, _ kind: @autoclosure () -> String, conv: ConvLayer? = nil,
             input: Shape, _ body: () throws -> Tensor) rethrows -> Tensor {
        guard let observer = self else { return try body() }
        return try observer.run(LayerStep(name: name(), kind: kind(), conv: conv, input: input), body)
    }
}

extension ConvLayer {
    /// `conv3x3`, `conv1x1`, `conv9x9`, `dw3x3` (depthwise), with `/s2` for stride 2.
    public var kind: String {
        let k = "\(weights.kernelH)x\(weights.kernelW)"
        return (weights.isDepthwise ? "dw" : "conv") + k + (stride == 1 ? "" : "/s\(stride)")
    }
}
