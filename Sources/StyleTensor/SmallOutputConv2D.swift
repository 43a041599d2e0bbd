import StyleKernels

/// The most output channels `conv2dSmallOutput` handles with its own kernel.
public let smallOutputConvMaxChannels = SmallOutputConvKernel.maxOutputChannels

/// Stride-1 convolution for 1 to 8 output channels (`SmallOutputConvKernel`), same result as
/// `conv2d(x, w, stride: 1, padding:, activation:)` up to float rounding order:
///
/// y[n, oy, ox, o] = act( b[o] + Σ_{ky, kx, i} pad(x)[n, oy + ky, ox + kx, i] * W[o, i, ky, kx] )
///
/// Pads, copies the padded input to planar layout, then runs the kernel. Falls back to
/// `conv2d` for weights it does not handle (groups, more than 8 outputs).
public func conv2dSmallOutput(_ x: Tensor, _ w: ConvWeights, padding: Padding, activation: Activation = .none) -> Tensor {
    guard w.groups == 1, w.outChannels <= SmallOutputConvKernel.maxOutputChannels else {
        return conv2d(x, w, stride: 1, padding: padding, activation: activation)
    }
    precondition(x.shape.c == w.inChannels, "conv2dSmallOutput: input has \(x.shape.c) channels, weights expect \(w.inChannels)")
    let p = padding.resolve(height: x.shape.h, width: x.shape.w, kernelH: w.kernelH, kernelW: w.kernelW, stride: 1)
    let padded = (p.top | p.left | p.bottom | p.right) == 0
        ? x : pad(x, top: p.top, left: p.left, bottom: p.bottom, right: p.right, mode: p.mode)
    let s = padded.shape
    precondition(s.h >= w.kernelH && s.w >= w.kernelW, "conv2dSmallOutput: padded input \(s.h)x\(s.w) is smaller than the kernel")
    var planar = [Float](repeating: 0, count: s.count)
    padded.data.withUnsafeBufferPointer { ip in
        planar.withUnsafeMutableBufferPointer { pp in
            SmallOutputConvKernel.planar(ip.baseAddress!, batch: s.n, height: s.h, width: s.w, channels: s.c,
                                         output: pp.baseAddress!)
        }
    }
    let bias = w.bias ?? [Float](repeating: 0, count: w.outChannels)
    let outShape = Shape(n: s.n, h: s.h - w.kernelH + 1, w: s.w - w.kernelW + 1, c: w.outChannels)
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        planar.withUnsafeBufferPointer { pp in
            w.oihw.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    SmallOutputConvKernel.run(planarInput: pp.baseAddress!, batch: s.n, inH: s.h, inW: s.w, inC: s.c,
                                              oihw: wp.baseAddress!, bias: bp.baseAddress!, outC: w.outChannels,
                                              kernelH: w.kernelH, kernelW: w.kernelW, activation: activation.fused,
                                              output: out.baseAddress!)
                }
            }
        }
    })
}
