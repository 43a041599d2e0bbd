import StyleKernels

/// Problems with convolution weights, found before any forward pass.
public enum ConvWeightsError: Error, Equatable, CustomStringConvertible {
    case badDimensions(String)
    case wrongCount(what: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case .badDimensions(let s): return "convolution weights: \(s)"
        case .wrongCount(let what, let expected, let got):
            return "convolution weights: \(what) has \(got) values, expected \(expected)"
        }
    }
}

/// The weights of one 2-D convolution, kept in PyTorch's OIHW order and prepacked
/// once for the fast kernels (16-output-channel blocks, or `[ky][kx][c]` for
/// depthwise convolutions).
public struct ConvWeights: Sendable {
    public let outChannels: Int
    /// Input channels per group (PyTorch's `weight.shape[1]`).
    public let inChannels: Int
    public let kernelH: Int
    public let kernelW: Int
    public let groups: Int
    /// The weights as given, `outChannels x inChannels x kernelH x kernelW`.
    public let oihw: [Float]
    public let bias: [Float]?

    /// True when every group has one input and one output channel.
    public var isDepthwise: Bool { groups > 1 && inChannels == 1 && outChannels == groups }
    /// Channels the input tensor must have.
    public var totalInChannels: Int { inChannels * groups }
    /// True when `conv2d` reads this layer's padding in place (`PaddedRows`: depthwise and
    /// few-output-channel layers, not after upsampling) rather than from a padded copy.
    public var readsPaddingInPlace: Bool { isDepthwise || tapLanes != nil }

    let packed: [Float]
    let packedBias: [Float]
    /// Winograd F(4x4,3x3) transformed weights, for 3x3 convolutions the Winograd
    /// kernel handles (used at stride 1).
    let winograd: [Float]?
    /// Weights for `TapLanesConvKernel` (1 to 4 output channels, one group).
    let tapLanes: [Float]?
    /// 3x3 weights folded for the four phases of a conv after nearest x2 upsampling
    /// (`PixelLanesConvKernel.phaseWeights`), for 1 to 8 output channels and one group.
    let pixelLanesUp2x: [Float]?
    /// The bf16 copies of `Precision.bf16` (nil at f32): see `withPrecision`.
    var bf16: BF16ConvWeights?

    /// Weights in PyTorch layout. `inChannels` is the number of input channels per
    /// group (so a depthwise convolution over C channels has `outChannels: C,
    /// inChannels: 1, groups: C`). Stops the program on inconsistent sizes; use
    /// `init(checkingOIHW:...)` to get a typed error instead.
    public init(oihw: [Float], outChannels: Int, inChannels: Int, kernelH: Int, kernelW: Int,
                bias: [Float]?, groups: Int = 1) {
        do {
            try self.init(checkingOIHW: oihw, outChannels: outChannels, inChannels: inChannels,
                          kernelH: kernelH, kernelW: kernelW, bias: bias, groups: groups)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    /// Like `init(oihw:...)` but throws `ConvWeightsError` on inconsistent sizes.
    public init(checkingOIHW oihw: [Float], outChannels: Int, inChannels: Int, kernelH: Int, kernelW: Int,
                bias: [Float]?, groups: Int = 1) throws {
        guard outChannels > 0, inChannels > 0, kernelH > 0, kernelW > 0, groups > 0 else {
            throw ConvWeightsError.badDimensions("sizes must be positive (out \(outChannels), in \(inChannels), kernel \(kernelH)x\(kernelW), groups \(groups))")
        }
        guard outChannels % groups == 0 else {
            throw ConvWeightsError.badDimensions("groups \(groups) does not divide \(outChannels) output channels")
        }
        let count = outChannels * inChannels * kernelH * kernelW
        guard oihw.count == count else {
            throw ConvWeightsError.wrongCount(what: "weight", expected: count, got: oihw.count)
        }
        if let bias, bias.count != outChannels {
            throw ConvWeightsError.wrongCount(what: "bias", expected: outChannels, got: bias.count)
        }
        self.outChannels = outChannels; self.inChannels = inChannels
        self.kernelH = kernelH; self.kernelW = kernelW; self.groups = groups
        self.oihw = oihw; self.bias = bias
        if groups > 1 && inChannels == 1 && outChannels == groups {
            var p = [Float](repeating: 0, count: count)
            oihw.withUnsafeBufferPointer { w in
                p.withUnsafeMutableBufferPointer { out in
                    ConvPacking.packDepthwise(oihw: w.baseAddress!, channels: outChannels,
                                              kernelH: kernelH, kernelW: kernelW, output: out.baseAddress!)
                }
            }
            packed = p
            packedBias = bias ?? [Float](repeating: 0, count: outChannels)
            winograd = nil
            tapLanes = nil
            pixelLanesUp2x = nil
        } else {
            var p = [Float](repeating: 0, count: ConvPacking.packedCount(
                outChannels: outChannels, inChannelsPerGroup: inChannels, kernelH: kernelH, kernelW: kernelW, groups: groups))
            var pb = [Float](repeating: 0, count: ConvPacking.packedBiasCount(outChannels: outChannels, groups: groups))
            oihw.withUnsafeBufferPointer { w in
                p.withUnsafeMutableBufferPointer { out in
                    pb.withUnsafeMutableBufferPointer { bout in
                        if let bias {
                            bias.withUnsafeBufferPointer { b in
                                ConvPacking.pack(oihw: w.baseAddress!, bias: b.baseAddress!, outChannels: outChannels,
                                                 inChannelsPerGroup: inChannels, kernelH: kernelH, kernelW: kernelW,
                                                 groups: groups, output: out.baseAddress!, biasOutput: bout.baseAddress!)
                            }
                        } else {
                            ConvPacking.pack(oihw: w.baseAddress!, bias: nil, outChannels: outChannels,
                                             inChannelsPerGroup: inChannels, kernelH: kernelH, kernelW: kernelW,
                                             groups: groups, output: out.baseAddress!, biasOutput: bout.baseAddress!)
                        }
                    }
                }
            }
            packed = p
            packedBias = pb
            if groups == 1 && kernelH == 3 && kernelW == 3
                && Winograd4x4ConvKernel.isApplicable(inChannels: inChannels, outChannels: outChannels) {
                var wg = [Float](repeating: 0, count: Winograd4x4ConvKernel.packedCount(outChannels: outChannels, inChannels: inChannels))
                oihw.withUnsafeBufferPointer { w in
                    wg.withUnsafeMutableBufferPointer { out in
                        Winograd4x4ConvKernel.pack(oihw: w.baseAddress!, outChannels: outChannels, inChannels: inChannels,
                                                output: out.baseAddress!)
                    }
                }
                winograd = wg
            } else {
                winograd = nil
            }
            if groups == 1 && outChannels <= TapLanesConvKernel.maxOutputChannels && kernelW * inChannels >= 16 {
                var so = [Float](repeating: 0, count: TapLanesConvKernel.packedCount(inChannels: inChannels, kernelH: kernelH, kernelW: kernelW))
                oihw.withUnsafeBufferPointer { w in
                    so.withUnsafeMutableBufferPointer { out in
                        TapLanesConvKernel.pack(oihw: w.baseAddress!, outChannels: outChannels, inChannels: inChannels,
                                                kernelH: kernelH, kernelW: kernelW, output: out.baseAddress!)
                    }
                }
                tapLanes = so
            } else {
                tapLanes = nil
            }
            if groups == 1 && kernelH == 3 && kernelW == 3 && outChannels <= PixelLanesConvKernel.maxOutputChannels {
                var e = [Float](repeating: 0, count: PixelLanesConvKernel.phaseWeightCount(outChannels: outChannels, inChannels: inChannels))
                oihw.withUnsafeBufferPointer { w in
                    e.withUnsafeMutableBufferPointer { out in
                        PixelLanesConvKernel.phaseWeights(oihw: w.baseAddress!, outChannels: outChannels, inChannels: inChannels,
                                                          output: out.baseAddress!)
                    }
                }
                pixelLanesUp2x = e
            } else {
                pixelLanesUp2x = nil
            }
        }
    }
}
