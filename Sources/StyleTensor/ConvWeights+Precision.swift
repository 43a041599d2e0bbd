import StyleKernels

/// The bf16 weights of one convolution (`Precision.bf16`): the layouts of the bf16 kernels.
struct BF16ConvWeights: Sendable {
    /// `BF16Packing.pack` for `Conv2DKernel.runBF16` (single group, kw*cin even and at least
    /// 24 (`BF16Packing.pays`), not a few-output-channel layer), else nil.
    let direct: [UInt16]?
    /// `BF16Packing.packWinograd` for `Winograd4x4ConvKernel.runBF16`, for the layers that have
    /// Winograd weights.
    let winograd: [UInt16]?

    var storedBytes: Int { ((direct?.count ?? 0) + (winograd?.count ?? 0)) * MemoryLayout<UInt16>.stride }
}

extension ConvWeights {
    /// The arithmetic `conv2d` uses with these weights.
    public var precision: Precision { bf16 == nil ? .f32 : .bf16 }

    /// These weights set up for `precision`: with `.bf16`, the layers the bf16 kernels handle
    /// (Winograd 3x3, and single-group layers whose kernel rows hold 12 or more whole channel
    /// pairs, except the few-output-channel ones) get bf16 copies and run in bf16; depthwise and
    /// other layers run in float32 as before. With `.f32`, the float32 weights alone.
    public func withPrecision(_ precision: Precision) -> ConvWeights {
        var copy = self
        switch precision {
        case .f32:
            copy.bf16 = nil
        case .bf16:
            let direct = !isDepthwise && tapLanes == nil && BF16Packing.isApplicable(inChannels: inChannels, kernelW: kernelW, groups: groups)
                && BF16Packing.pays(inChannels: inChannels, kernelW: kernelW)
                ? BF16Packing.pack(oihw: oihw, outChannels: outChannels, inChannels: inChannels, kernelH: kernelH, kernelW: kernelW)
                : nil
            let wino = winograd.map { BF16Packing.packWinograd($0, outChannels: outChannels, inChannels: inChannels) }
            copy.bf16 = BF16ConvWeights(direct: direct, winograd: wino)
        }
        return copy
    }
}
