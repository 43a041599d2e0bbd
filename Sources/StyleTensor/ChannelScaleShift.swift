@_spi(Testing) import StyleKernels

/// Per-sample, per-channel affine map (the last step of every normalization whose
/// statistics and affine parameters were folded into one scale and shift):
///
/// y[n, y, x, c] = x[n, y, x, c] * scale[n*C + c] + shift[n*C + c]
///
/// Runs `Statistics.scaleShift` (threads over pixel chunks, bit-identical for any thread count).
public func channelScaleShift(_ x: Tensor, scale: [Float], shift: [Float]) -> Tensor {
    let s = x.shape
    precondition(scale.count == s.n * s.c && shift.count == s.n * s.c,
                 "channelScaleShift: need \(s.n * s.c) scales and shifts for \(s), got \(scale.count) and \(shift.count)")
    return Tensor(shape: s, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { xp in
            guard let xb = xp.baseAddress, let ob = out.baseAddress else { return }
            Statistics.scaleShift(xb, ob, samples: s.n, pixels: s.pixels, channels: s.c, scale: scale, shift: shift)
        }
    })
}

/// The naive twin of `channelScaleShift` (plain loops over `StatisticsNaive.scaleShift`).
@_spi(Testing) public func channelScaleShiftNaive(_ x: Tensor, scale: [Float], shift: [Float]) -> Tensor {
    let s = x.shape
    precondition(scale.count == s.n * s.c && shift.count == s.n * s.c, "channelScaleShiftNaive: size mismatch")
    var y = Tensor(shape: s)
    x.data.withUnsafeBufferPointer { xp in
        y.data.withUnsafeMutableBufferPointer { yp in
            guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
            StatisticsNaive.scaleShift(xb, yb, samples: s.n, pixels: s.pixels, channels: s.c, scale: scale, shift: shift)
        }
    }
    return y
}

/// In-place `x = act(x * scale[n, c] + shift[n, c])` (`ChannelAffineKernel`): no copy of
/// the feature map when `x` is uniquely referenced.
public func channelScaleShiftInPlace(_ x: inout Tensor, scale: [Float], shift: [Float], activation: Activation = .none) {
    let s = x.shape
    precondition(scale.count == s.n * s.c && shift.count == s.n * s.c,
                 "channelScaleShiftInPlace: need \(s.n * s.c) scales and shifts for \(s), got \(scale.count) and \(shift.count)")
    let act = activation.fused
    x.data.withUnsafeMutableBufferPointer { xp in
        guard let xb = xp.baseAddress else { return }
        ChannelAffineKernel.run(xb, samples: s.n, pixels: s.pixels, channels: s.c, scale: scale, shift: shift, activation: act)
    }
}

/// The naive twin of `channelScaleShiftInPlace`.
@_spi(Testing) public func channelScaleShiftInPlaceNaive(_ x: inout Tensor, scale: [Float], shift: [Float], activation: Activation = .none) {
    let s = x.shape
    precondition(scale.count == s.n * s.c && shift.count == s.n * s.c, "channelScaleShiftInPlaceNaive: size mismatch")
    let act = activation.fused
    x.data.withUnsafeMutableBufferPointer { xp in
        guard let xb = xp.baseAddress else { return }
        ChannelAffineKernel.naive(xb, samples: s.n, pixels: s.pixels, channels: s.c, scale: scale, shift: shift, activation: act)
    }
}
