import StyleKernels

/// The most output channels `conv2dPixelLanes` handles with its own kernel.
public let pixelLanesMaxChannels = PixelLanesConvKernel.maxOutputChannels

/// Stride-1 convolution for 1 to 8 output channels (`PixelLanesConvKernel`), same result as
/// `conv2d(x, w, stride: 1, padding:, activation:)` up to float rounding order:
///
/// y[n, oy, ox, o] = act( b[o] + Σ_{ky, kx, i} pad(x)[n, oy + ky, ox + kx, i] * W[o, i, ky, kx] )
///
/// `upsampleFirst` applies nearest x2 upsampling before the padding. Upsampling, padding and
/// the planar copy happen in one pass (`PixelLanesConvKernel.planarPadded`), then the kernel runs. Falls back to
/// `conv2d` for weights it does not handle (groups, more than 8 outputs).
public func conv2dPixelLanes(_ x: Tensor, _ w: ConvWeights, padding: Padding, activation: Activation = .none,
                              upsampleFirst: Bool = false) -> Tensor {
    guard w.groups == 1, w.outChannels <= PixelLanesConvKernel.maxOutputChannels else {
        return conv2d(upsampleFirst ? upsampleNearest2x(x) : x, w, stride: 1, padding: padding, activation: activation)
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
