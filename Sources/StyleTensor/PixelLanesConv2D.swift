import StyleKernels

/// The most output channels `conv2dPixelLanes` handles with its own kernel.
public let pixelLanesMaxChannels = PixelLanesConvKernel.maxOutputChannels

/// Stride-1 convolution for 1 to 8 output channels (`PixelLanesConvKernel`), same result as
/// `conv2d(x, w, stride: 1, padding:, activation:)` up to float rounding order:
///
/// y[n, oy, ox, o] = act( b[o] + Σ_{ky, kx, i} pad(x)[n, oy + ky, ox + kx, i] * W[o, i, ky, kx] )
///
/// `upsampleFirst` applies nearest x2 upsampling before the padding. A 3x3 conv after the
/// upsampling with padding 1 (reflection or zero) runs as four 2x2 convs on `x` itself
/// (`PixelLanesConvKernel.runUpsampled2x`, weights folded by `phaseWeights`: 4 taps per output
/// instead of 9, no upsampled map); otherwise upsampling, padding and the planar copy happen
/// in one pass (`PixelLanesConvKernel.planarPadded`), then the kernel runs. Falls back to
/// `conv2d` for weights it does not handle (groups, more than 8 outputs).
public func conv2dPixelLanes(_ x: Tensor, _ w: ConvWeights, padding: Padding, activation: Activation = .none,
                              upsampleFirst: Bool = false) -> Tensor {
    guard w.groups == 1, w.outChannels <= PixelLanesConvKernel.maxOutputChannels else {
        return conv2d(upsampleFirst ? upsampleNearest2x(x) : x, w, stride: 1, padding: padding, activation: activation)
    }
    if upsampleFirst, w.pixelLanesUp2x != nil {
        let p = padding.resolve(height: 2 * x.shape.h, width: 2 * x.shape.w, kernelH: 3, kernelW: 3, stride: 1)
        if p.top == 1 && p.left == 1 && p.bottom == 1 && p.right == 1 {
            precondition(x.shape.c == w.inChannels, "conv2dPixelLanes: input has \(x.shape.c) channels, weights expect \(w.inChannels)")
            let s = Shape(n: x.shape.n, h: x.shape.h + 2, w: x.shape.w + 2, c: x.shape.c)
            let planar = [Float](unsafeUninitializedCapacity: s.count) { buffer, count in
                x.data.withUnsafeBufferPointer { ip in
                    PixelLanesConvKernel.planarBordered(ip.baseAddress!, batch: x.shape.n, height: x.shape.h, width: x.shape.w,
                                                        channels: x.shape.c, zeroBorder: p.mode == .zero, output: buffer.baseAddress!)
                }
                count = s.count
            }
            return upsampledPhases(planar: planar, s, w, activation: activation)
        }
    }
    precondition(x.shape.c == w.inChannels, "conv2dPixelLanes: input has \(x.shape.c) channels, weights expect \(w.inChannels)")
    let f = upsampleFirst ? 2 : 1
    let uh = x.shape.h * f, uw = x.shape.w * f
    let p = padding.resolve(height: uh, width: uw, kernelH: w.kernelH, kernelW: w.kernelW, stride: 1)
    let s = Shape(n: x.shape.n, h: uh + p.top + p.bottom, w: uw + p.left + p.right, c: x.shape.c)
    precondition(s.h >= w.kernelH && s.w >= w.kernelW, "conv2dPixelLanes: padded input \(s.h)x\(s.w) is smaller than the kernel")
    let planar = [Float](unsafeUninitializedCapacity: s.count) { buffer, count in
        x.data.withUnsafeBufferPointer { ip in
            PixelLanesConvKernel.planarPadded(ip.baseAddress!, batch: x.shape.n, height: x.shape.h, width: x.shape.w,
                                               channels: x.shape.c, upsample: upsampleFirst, top: p.top, left: p.left,
                                               bottom: p.bottom, right: p.right, mode: p.mode, output: buffer.baseAddress!)
        }
        count = s.count
    }
    let bias = w.bias ?? [Float](repeating: 0, count: w.outChannels)
    let outShape = Shape(n: s.n, h: s.h - w.kernelH + 1, w: s.w - w.kernelW + 1, c: w.outChannels)
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        planar.withUnsafeBufferPointer { pp in
            w.oihw.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    PixelLanesConvKernel.run(planarInput: pp.baseAddress!, batch: s.n, inH: s.h, inW: s.w, inC: s.c,
                                              oihw: wp.baseAddress!, bias: bp.baseAddress!, outC: w.outChannels,
                                              kernelH: w.kernelH, kernelW: w.kernelW, activation: activation.fused,
                                              output: out.baseAddress!)
                }
            }
        }
    })
}

/// Nearest x2 upsampling, padding 1 and a 3x3 conv (1 to 8 outputs), from an input that already
/// carries the one-pixel border that padding needs at its resolution (`bordered`, N x (h + 2) x
/// (w + 2) x C: the edge repeated for reflection padding, zeros for zero padding, or the
/// neighbouring rows of a band): the same kernel and arithmetic as
/// `conv2dPixelLanes(_:_:padding:activation:upsampleFirst: true)`, for a band of rows. Output
/// N x 2h x 2w x outC.
public func conv2dPixelLanesUpsampled(bordered: Tensor, _ w: ConvWeights, activation: Activation = .none) -> Tensor {
    precondition(w.pixelLanesUp2x != nil, "conv2dPixelLanesUpsampled: weights are not 3x3 with 1 to 8 outputs")
    precondition(bordered.shape.c == w.inChannels, "conv2dPixelLanesUpsampled: input has \(bordered.shape.c) channels, weights expect \(w.inChannels)")
    precondition(bordered.shape.h >= 3 && bordered.shape.w >= 3, "conv2dPixelLanesUpsampled: the input needs a border")
    let s = bordered.shape
    let planar = [Float](unsafeUninitializedCapacity: s.count) { buffer, count in
        bordered.data.withUnsafeBufferPointer { ip in
            PixelLanesConvKernel.planar(ip.baseAddress!, batch: s.n, height: s.h, width: s.w, channels: s.c, output: buffer.baseAddress!)
        }
        count = s.count
    }
    return upsampledPhases(planar: planar, s, w, activation: activation)
}

/// `PixelLanesConvKernel.runUpsampled2x` on a planar bordered input of shape `s`.
private func upsampledPhases(planar: [Float], _ s: Shape, _ w: ConvWeights, activation: Activation) -> Tensor {
    let h = s.h - 2, wd = s.w - 2
    let bias = w.bias ?? [Float](repeating: 0, count: w.outChannels)
    return Tensor(shape: Shape(n: s.n, h: 2 * h, w: 2 * wd, c: w.outChannels), unsafeUninitialized: { out in
        planar.withUnsafeBufferPointer { pp in
            w.pixelLanesUp2x!.withUnsafeBufferPointer { ep in
                bias.withUnsafeBufferPointer { bp in
                    PixelLanesConvKernel.runUpsampled2x(planarInput: pp.baseAddress!, batch: s.n, height: h, width: wd, inC: s.c,
                                                        phaseWeights: ep.baseAddress!, bias: bp.baseAddress!, outC: w.outChannels,
                                                        activation: activation.fused, output: out.baseAddress!)
                }
            }
        }
    })
}
