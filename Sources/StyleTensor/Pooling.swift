import StyleKernels

/// 2x2 max-pooling, stride 2, ceil mode (PyTorch `MaxPool2d(2, 2, ceil_mode=True)`):
/// y[n, oy, ox, c] = max of x over rows 2oy..2oy+1 and columns 2ox..2ox+1 inside the image.
/// Output is ceil(H/2) x ceil(W/2); odd sizes end with a partial window.
public func maxPool2x2(_ x: Tensor) -> Tensor {
    let s = x.shape
    let outShape = Shape(n: s.n, h: (s.h + 1) / 2, w: (s.w + 1) / 2, c: s.c)
    return Tensor(shape: outShape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { inp in
            guard let ip = inp.baseAddress, let op = out.baseAddress else { return }
            MaxPoolKernel.run(input: ip, batch: s.n, height: s.h, width: s.w, channels: s.c, output: op)
        }
    })
}
