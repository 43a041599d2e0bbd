import StyleKernels

/// One MobileNet inverted-residual block, run in bands of rows:
///
///     y = project(depthwise(expand(x))) [+ x]
///
/// each conv with its padding (zeros for the depthwise conv: TensorFlow "SAME"), stride and
/// activation as `conv2d` runs it. The expanded and
/// depthwise maps (the widest of the network: 4-6x the block's channels) never exist whole:
/// each band of output rows expands just the input rows its depthwise taps read, so they stay
/// in the cache instead of going to memory and back. Every value is computed by the same
/// kernel chain as the three separate `conv2d` calls (1x1 convs row by row, the depthwise conv
/// reading the band with the rows outside it as its padding): the same bits
/// (`InvertedResidualTests`), for any band height and thread count.
public struct InvertedResidual: Sendable {
    /// The 1x1 expansion (nil: the block starts at the depthwise conv).
    public let expand: (weights: ConvWeights, activation: Activation)?
    public let depthwise: (weights: ConvWeights, stride: Int, padding: Padding, activation: Activation)
    public let project: (weights: ConvWeights, activation: Activation)
    /// Adds the block's input to its output (input and output shapes must agree).
    public let residual: Bool

    public init(expand: (weights: ConvWeights, activation: Activation)?,
                depthwise: (weights: ConvWeights, stride: Int, padding: Padding, activation: Activation),
                project: (weights: ConvWeights, activation: Activation), residual: Bool) {
        precondition(depthwise.weights.isDepthwise, "InvertedResidual: the middle conv must be depthwise")
        precondition(expand.map { $0.weights.kernelH == 1 && $0.weights.kernelW == 1 } ?? true
                     && project.weights.kernelH == 1 && project.weights.kernelW == 1, "InvertedResidual: 1x1 expand and project")
        self.expand = expand; self.depthwise = depthwise; self.project = project; self.residual = residual
    }

    /// Bytes of expanded rows a band aims at (tuning knob: a band's working set stays in L2/L3).
    nonisolated(unsafe) public static var bandBytes = 1 << 20

    /// The block on `x` (one sample or several), in bands of `bandRows` output rows (nil: as
    /// many as keep the expanded rows near `bandBytes`).
    public func callAsFunction(_ x: Tensor, bandRows: Int? = nil) -> Tensor {
        let s = x.shape
        let dw = depthwise.weights, stride = depthwise.stride
        let wide = expand?.weights.outChannels ?? s.c
        let p = depthwise.padding.resolve(height: s.h, width: s.w, kernelH: dw.kernelH, kernelW: dw.kernelW, stride: stride)
        precondition(p.mode == .zero, "InvertedResidual: the depthwise conv's padding must be zeros (rows past a band are not padding)")
        let outH = (s.h + p.top + p.bottom - dw.kernelH) / stride + 1
        let outW = (s.w + p.left + p.right - dw.kernelW) / stride + 1
        let outShape = Shape(n: s.n, h: outH, w: outW, c: project.weights.outChannels)
        precondition(!residual || outShape == s, "InvertedResidual: the residual needs equal input and output shapes")
        guard s.count > 0, outH > 0, outW > 0 else { return Tensor(shape: outShape) }
        let rowBytes = max(1, s.w * wide * 4 * stride)
        let band = max(1, min(outH, bandRows ?? Self.bandBytes / rowBytes))
        var out = Tensor(shape: outShape)
        let outSample = outH * outW * outShape.c
        for n in 0..<s.n {
            var ya = 0
            while ya < outH {
                let yb = min(outH, ya + band)
                // input rows the depthwise taps of output rows ya..<yb read (the rest is padding)
                let r0 = max(0, ya * stride - p.top), r1 = min(s.h, (yb - 1) * stride - p.top + dw.kernelH)
                let rows = x.rows(sample: n, r0..<r1)
                let wideRows = expand.map { conv2d(rows, $0.weights, padding: .none, activation: $0.activation) } ?? rows
                let top = r0 - ya * stride + p.top
                let bottom = max(0, (yb - ya - 1) * stride + dw.kernelH - (r1 - r0) - top)
                let mid = conv2d(wideRows, dw, stride: stride, padding: .zero(top: top, left: p.left, bottom: bottom, right: p.right),
                                 activation: depthwise.activation)
                var y = conv2d(mid, project.weights, padding: .none, activation: project.activation)
                if residual { y = add(y, x.rows(sample: n, ya..<yb)) }
                y.data.withUnsafeBufferPointer { src in
                    out.data.withUnsafeMutableBufferPointer { dst in
                        (dst.baseAddress! + n * outSample + ya * outW * outShape.c)
                            .update(from: src.baseAddress!, count: src.count)
                    }
                }
                ya = yb
            }
        }
        return out
    }
}

extension Tensor {
    /// Rows `range` of sample `n`, as a one-sample tensor (a copy).
    func rows(sample n: Int, _ range: Range<Int>) -> Tensor {
        let s = shape
        let count = range.count * s.w * s.c
        return Tensor(shape: Shape(n: 1, h: range.count, w: s.w, c: s.c), unsafeUninitialized: { out in
            data.withUnsafeBufferPointer { src in
                out.baseAddress!.update(from: src.baseAddress! + (n * s.h + range.lowerBound) * s.w * s.c, count: count)
            }
        })
    }
}
