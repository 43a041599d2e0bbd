import StyleKernels

/// Nearest-neighbour upsampling by 2 (PyTorch `Upsample(scale_factor=2, mode='nearest')`):
/// y[n, oy, ox, c] = x[n, oy/2, ox/2, c].
public func upsampleNearest2x(_ x: Tensor) -> Tensor {
    let s = x.shape
    let outShape = Shape(n: s.n, h: 2 * s.h, w: 2 * s.w, c: s.c)
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { inp in
            guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
            UpsampleKernel.nearest2x(input: ip, batch: s.n, height: s.h, width: s.w, channels: s.c, output: op)
        }
    })
}
