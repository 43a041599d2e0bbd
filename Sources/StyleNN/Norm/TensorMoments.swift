import StyleKernels
import StyleTensor

// The one bridge between tensors and the statistics kernels: the norm layers and the
// statistic swap call these and never touch pointers themselves.

/// Mean, biased variance and count per slot of `layout` (see `ReductionLayout`).
struct SlotMoments: Equatable {
    var mean: [Double]
    var variance: [Double]
    var count: [Double]
}

extension ReductionLayout {
    /// The layout of `kind`'s statistics over a tensor of `shape`.
    init(kind: NormKind, shape: Shape) {
        switch kind {
        case .instance: self = .instance(samples: shape.n, pixels: shape.pixels, channels: shape.c)
        case .batch: self = .batch(samples: shape.n, pixels: shape.pixels, channels: shape.c)
        case .layer: self = .layer(samples: shape.n, pixels: shape.pixels, channels: shape.c)
        case .group(let groups): self = .group(samples: shape.n, pixels: shape.pixels, channels: shape.c, groups: groups)
        }
    }
}

/// Two-pass Double moments of `x` (weights: one per sample and pixel, or nil for all ones).
func moments(of x: Tensor, layout: ReductionLayout, weights: [Float]? = nil) -> SlotMoments {
    precondition(layout.samples == x.shape.n && layout.pixels == x.shape.pixels && layout.channels == x.shape.c,
                 "moments: layout \(layout) does not fit tensor \(x.shape)")
    precondition(weights == nil || weights!.count == x.shape.n * x.shape.pixels, "moments: one weight per sample and pixel")
    var mean = [Double](repeating: 0, count: layout.slotCount)
    var variance = [Double](repeating: 0, count: layout.slotCount)
    var count = [Double](repeating: 0, count: layout.slotCount)
    var workspace = [Double](repeating: 0, count: layout.workspaceCount)
    x.data.withUnsafeBufferPointer { xp in
        guard let base = xp.baseAddress else { return }   // empty tensor: zeros
        func run(_ w: UnsafePointer<Float>?) {
            Statistics.moments(base, weights: w, layout: layout, workspace: &workspace,
                               mean: &mean, variance: &variance, count: &count)
        }
        if let weights = weights {
            weights.withUnsafeBufferPointer { run($0.baseAddress) }
        } else {
            run(nil)
        }
    }
    return SlotMoments(mean: mean, variance: variance, count: count)
}

/// y[n,p,c] = x[n,p,c] * scale[n*C+c] + shift[n*C+c]
func scaleShift(_ x: Tensor, scale: [Float], shift: [Float]) -> Tensor {
    let s = x.shape
    precondition(scale.count == s.n * s.c && shift.count == s.n * s.c, "scaleShift: one scale and shift per sample and channel")
    return Tensor(shape: s) { y in
        x.data.withUnsafeBufferPointer { xp in
            guard let xb = xp.baseAddress, let yb = y.baseAddress else { return }
            Statistics.scaleShift(xb, yb, samples: s.n, pixels: s.pixels, channels: s.c, scale: scale, shift: shift)
        }
    }
}

/// Two-region scale/shift: set A where mask[n*P+p] >= 0.5, set B elsewhere.
func scaleShift(_ x: Tensor, mask: [Float], a: (scale: [Float], shift: [Float]), b: (scale: [Float], shift: [Float])) -> Tensor {
    let s = x.shape
    precondition(mask.count == s.n * s.pixels, "scaleShift: one mask value per sample and pixel")
    return Tensor(shape: s) { y in
        x.data.withUnsafeBufferPointer { xp in
            guard let xb = xp.baseAddress, let yb = y.baseAddress else { return }
            Statistics.scaleShiftMasked(xb, yb, samples: s.n, pixels: s.pixels, channels: s.c, mask: mask,
                                        scaleA: a.scale, shiftA: a.shift, scaleB: b.scale, shiftB: b.shift)
        }
    }
}
