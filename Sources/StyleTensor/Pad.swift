import StyleKernels

/// Pads an NHWC tensor spatially (reflection or zeros):
/// y[n, yy, xx, c] = x[n, src(yy - top), src(xx - left), c]; see `PadKernel`.
public func pad(_ x: Tensor, top: Int, left: Int, bottom: Int, right: Int, mode: PadMode) -> Tensor {
    precondition(top >= 0 && left >= 0 && bottom >= 0 && right >= 0, "pad: negative padding")
    precondition(x.shape.count > 0 || x.shape.n == 0 || x.shape.c == 0, "pad: cannot pad an empty image")
    let s = x.shape
    let outShape = Shape(n: s.n, h: s.h + top + bottom, w: s.w + left + right, c: s.c)
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { inp in
            guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
            PadKernel.run(input: ip, batch: s.n, height: s.h, width: s.w, channels: s.c,
                          top: top, left: left, bottom: bottom, right: right, mode: mode, output: op)
        }
    })
}

/// Reflection padding of `p` on every side (PyTorch `ReflectionPad2d(p)`).
public func reflectionPad(_ x: Tensor, _ p: Int) -> Tensor {
    pad(x, top: p, left: p, bottom: p, right: p, mode: .reflect)
}
