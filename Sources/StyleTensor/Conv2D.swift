@_spi(Testing) import StyleKernels

/// 2-D convolution of an NHWC tensor (PyTorch `Conv2d` semantics, TensorFlow "SAME"
/// available as a padding), with bias and a fused activation:
///
/// y[n, oy, ox, o] = act( b[o] + Σ_{ky, kx, i} pad(x)[n, oy*s + ky, ox*s + kx, g(o)*Cin_g + i] * W[o, i, ky, kx] )
///
/// `upsampleFirst`: x is upsampled by nearest x2 before the padding (a decoder's
/// upsample-then-convolve), y = conv(pad(upsample(x))).
///
/// With `.auto`: `Winograd4x4ConvKernel` for 3x3 stride-1 convolutions with channel counts
/// that are multiples of 8, reading the padded (and upsampled) input through an index map,
/// so neither copy is made; `TapLanesConvKernel` for 1 to 4 output channels; otherwise (and
/// with `.direct`) `DepthwiseConvKernel` when groups == channels, `Conv2DKernel` for the
/// rest. The depthwise and few-output-channel kernels read the padding in place
/// (`PaddedRows`); the others (and those after upsampling) read an upsampled and padded copy
/// (reflection or zeros) of the input.
/// Weights set up with `withPrecision(.bf16)` run the Winograd and single-group direct
/// layers on the bf16 kernels (`Precision`).
/// Output size: (f*H + top + bottom - KH)/s + 1, f = 2 with `upsampleFirst`, else 1.
public func conv2d(_ x: Tensor, _ w: ConvWeights, stride: Int = 1, padding: Padding,
                   activation: Activation = .none, algorithm: ConvAlgorithm = .auto, upsampleFirst: Bool = false) -> Tensor {
    precondition(stride >= 1, "conv2d: stride must be at least 1")
    precondition(x.shape.c == w.totalInChannels,
                 "conv2d: input has \(x.shape.c) channels, weights expect \(w.totalInChannels)")
    let f = upsampleFirst ? 2 : 1
    let p = padding.resolve(height: f * x.shape.h, width: f * x.shape.w, kernelH: w.kernelH, kernelW: w.kernelW, stride: stride)
    let ph = f * x.shape.h + p.top + p.bottom, pw = f * x.shape.w + p.left + p.right
    precondition(ph >= w.kernelH && pw >= w.kernelW,
                 "conv2d: padded input \(ph)x\(pw) is smaller than the \(w.kernelH)x\(w.kernelW) kernel")
    let outShape = Shape(n: x.shape.n, h: (ph - w.kernelH) / stride + 1, w: (pw - w.kernelW) / stride + 1,
                         c: w.outChannels)
    if algorithm == .auto, stride == 1, w.winograd != nil, x.shape.h > 0, x.shape.w > 0 {
        let map = Winograd4x4ConvKernel.InputMap(height: x.shape.h, width: x.shape.w, channels: x.shape.c, upsample: f,
                                                 top: p.top, left: p.left, bottom: p.bottom, right: p.right, mode: p.mode)
        return winogradConv(x, map: map, w, outShape: outShape, activation: activation)
    }
    if !upsampleFirst && x.shape.h > 0 && x.shape.w > 0 && x.shape.c > 0 && (w.isDepthwise || (algorithm == .auto && w.tapLanes != nil)) {
        let rows = PaddedRows(height: x.shape.h, width: x.shape.w, channels: x.shape.c, top: p.top, left: p.left,
                              bottom: p.bottom, right: p.right, mode: p.mode,
                              kernelH: w.kernelH, kernelW: w.kernelW, stride: stride)
        if let small = w.tapLanes, algorithm == .auto {
            return tapLanesConv(x, w, packed: small, rows: rows, outShape: outShape, activation: activation)
        }
        return depthwiseConv(x, w, stride: stride, rows: rows, outShape: outShape, activation: activation)
    }
    let source = upsampleFirst ? upsampleNearest2x(x) : x
    let padded = (p.top | p.left | p.bottom | p.right) == 0
        ? source : pad(source, top: p.top, left: p.left, bottom: p.bottom, right: p.right, mode: p.mode)
    if algorithm == .auto, let small = w.tapLanes {
        let bias = w.bias ?? [Float](repeating: 0, count: w.outChannels)
        return Tensor(shape: outShape, unsafeUninitialized: { out in
            padded.data.withUnsafeBufferPointer { inp in
                small.withUnsafeBufferPointer { wp in
                    bias.withUnsafeBufferPointer { bp in
                        guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
                        TapLanesConvKernel.run(input: ip, batch: x.shape.n, inH: ph, inW: pw, inC: x.shape.c,
                                               packedWeights: wp.baseAddress!, bias: bp.baseAddress!,
                                               outC: w.outChannels, kernelH: w.kernelH, kernelW: w.kernelW,
                                               stride: stride, activation: activation.fused, output: op)
                    }
                }
            }
        })
    }
    if algorithm == .auto, let direct16 = w.bf16?.direct {
        return Tensor(shape: outShape, unsafeUninitialized: { out in
            padded.data.withUnsafeBufferPointer { inp in
                direct16.withUnsafeBufferPointer { wp in
                    w.packedBias.withUnsafeBufferPointer { pb in
                        guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
                        Conv2DKernel.runBF16(input: ip, batch: x.shape.n, inH: ph, inW: pw, inC: x.shape.c,
                                             packedWeights: wp.baseAddress!, packedBias: pb.baseAddress!,
                                             outC: w.outChannels, kernelH: w.kernelH, kernelW: w.kernelW,
                                             stride: stride, activation: activation.fused, output: op)
                    }
                }
            }
        })
    }
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        padded.data.withUnsafeBufferPointer { inp in
            w.packed.withUnsafeBufferPointer { pw8 in
                w.packedBias.withUnsafeBufferPointer { pb in
                    guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
                    if w.isDepthwise {
                        DepthwiseConvKernel.run(
                            input: ip, batch: x.shape.n, inH: ph, inW: pw, channels: x.shape.c,
                            packedWeights: pw8.baseAddress!, bias: pb.baseAddress!,
                            kernelH: w.kernelH, kernelW: w.kernelW, stride: stride,
                            activation: activation.fused, output: op)
                    } else {
                        Conv2DKernel.run(
                            input: ip, batch: x.shape.n, inH: ph, inW: pw, inC: x.shape.c,
                            packedWeights: pw8.baseAddress!, packedBias: pb.baseAddress!,
                            outC: w.outChannels, kernelH: w.kernelH, kernelW: w.kernelW,
                            stride: stride, groups: w.groups, activation: activation.fused, output: op)
                    }
                }
            }
        }
    })
}

/// Which convolution algorithm `conv2d` may use.
public enum ConvAlgorithm: Equatable, Sendable {
    /// The fastest applicable kernel (Winograd F(4x4,3x3) for eligible 3x3 stride-1
    /// layers, the tap-lanes kernel for 1 to 4 output channels).
    case auto
    /// The general direct kernels only (register-blocked or depthwise).
    case direct
}

/// The depthwise conv reading its padding in place (`PaddedRows`: no padded copy).
private func depthwiseConv(_ x: Tensor, _ w: ConvWeights, stride: Int, rows: PaddedRows, outShape: Shape,
                           activation: Activation) -> Tensor {
    Tensor(shape: outShape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { inp in
            w.packed.withUnsafeBufferPointer { wp in
                w.packedBias.withUnsafeBufferPointer { bp in
                    guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
                    DepthwiseConvKernel.run(input: ip, batch: x.shape.n, padded: rows, packedWeights: wp.baseAddress!,
                                            bias: bp.baseAddress!, activation: activation.fused, output: op)
                }
            }
        }
    })
}

/// The few-output-channel conv reading its padding in place (`PaddedRows`: no padded copy).
private func tapLanesConv(_ x: Tensor, _ w: ConvWeights, packed: [Float], rows: PaddedRows, outShape: Shape,
                          activation: Activation) -> Tensor {
    let bias = w.bias ?? [Float](repeating: 0, count: w.outChannels)
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { inp in
            packed.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
                    TapLanesConvKernel.run(input: ip, batch: x.shape.n, padded: rows, packedWeights: wp.baseAddress!,
                                           bias: bp.baseAddress!, outC: w.outChannels, activation: activation.fused, output: op)
                }
            }
        }
    })
}

/// The Winograd conv through the input map, on the bf16 kernels when the weights have bf16
/// copies (`Precision.bf16`), else in float32.
private func winogradConv(_ x: Tensor, map: Winograd4x4ConvKernel.InputMap, _ w: ConvWeights,
                          outShape: Shape, activation: Activation) -> Tensor {
    let s = x.shape
    let bf16 = w.bf16?.winograd
    let pieces = Winograd4x4ConvKernel.pieceCount(batch: s.n, outH: outShape.h, outW: outShape.w,
                                                  inChannels: s.c, outChannels: w.outChannels)
    let workers = Parallel.workers(for: pieces)
    let perWorker = bf16 == nil ? Winograd4x4ConvKernel.scratchCount(inChannels: s.c, outChannels: w.outChannels)
                                : Winograd4x4ConvKernel.scratchCountBF16(inChannels: s.c, outChannels: w.outChannels)
    var scratch = [Float](unsafeUninitializedCapacity: workers * perWorker) { _, n in n = workers * perWorker }
    let bias = w.bias ?? [Float](repeating: 0, count: w.outChannels)
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { inp in
            bias.withUnsafeBufferPointer { bp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
                    if let bf16 {
                        bf16.withUnsafeBufferPointer { wp in
                            Winograd4x4ConvKernel.runBF16(input: ip, batch: s.n, map: map, inC: s.c,
                                                          packedWeights: wp.baseAddress!, bias: bp.baseAddress!,
                                                          outC: w.outChannels, activation: activation.fused, output: op,
                                                          scratch: sp.baseAddress!, workers: workers)
                        }
                    } else {
                        w.winograd!.withUnsafeBufferPointer { wp in
                            Winograd4x4ConvKernel.run(input: ip, batch: s.n, map: map, inC: s.c,
                                                      packedWeights: wp.baseAddress!, bias: bp.baseAddress!,
                                                      outC: w.outChannels, activation: activation.fused, output: op,
                                                      scratch: sp.baseAddress!, workers: workers)
                        }
                    }
                }
            }
        }
    })
}

/// The naive twin of `conv2d` (plain loops on the OIHW weights, Double sums,
/// padding applied index by index). For tests and checks only: it is slow.
@_spi(Testing) public func conv2dNaive(_ x: Tensor, _ w: ConvWeights, stride: Int = 1, padding: Padding,
                        activation: Activation = .none) -> Tensor {
    precondition(x.shape.c == w.totalInChannels, "conv2dNaive: channel mismatch")
    let p = padding.resolve(height: x.shape.h, width: x.shape.w, kernelH: w.kernelH, kernelW: w.kernelW, stride: stride)
    let outShape = Shape(n: x.shape.n, h: (x.shape.h + p.top + p.bottom - w.kernelH) / stride + 1,
                         w: (x.shape.w + p.left + p.right - w.kernelW) / stride + 1, c: w.outChannels)
    var out = Tensor(shape: outShape)
    x.data.withUnsafeBufferPointer { inp in
        w.oihw.withUnsafeBufferPointer { wp in
            out.data.withUnsafeMutableBufferPointer { ob in
                let op = ob.baseAddress!
                func run(_ bias: UnsafePointer<Float>?) {
                    Conv2DNaive.run(input: inp.baseAddress!, batch: x.shape.n, inH: x.shape.h, inW: x.shape.w,
                                    inC: x.shape.c, oihw: wp.baseAddress!, bias: bias, outC: w.outChannels,
                                    kernelH: w.kernelH, kernelW: w.kernelW, stride: stride, groups: w.groups,
                                    padTop: p.top, padLeft: p.left, padBottom: p.bottom, padRight: p.right,
                                    padMode: p.mode, activation: activation.fused, output: op)
                }
                if let b = w.bias { b.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
            }
        }
    }
    return out
}
