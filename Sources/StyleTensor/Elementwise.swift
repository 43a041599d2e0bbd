import StyleKernels

/// Elementwise sum of two tensors of the same shape (residual connections): y = a + b.
public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "add: shapes \(a.shape) and \(b.shape) differ")
    return Tensor(shape: a.shape, unsafeUninitialized: { out in
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                guard let op = out.baseAddress else { return }
                ElementwiseKernels.add(ap.baseAddress!, bp.baseAddress!, count: a.shape.count, output: op)
            }
        }
    })
}

/// y = max(x, 0)
public func relu(_ x: Tensor) -> Tensor { applyActivation(x, .relu) }

/// y = min(max(x, 0), 6)
public func relu6(_ x: Tensor) -> Tensor { applyActivation(x, .relu6) }

/// y = 1 / (1 + exp(-x))
public func sigmoid(_ x: Tensor) -> Tensor {
    Tensor(shape: x.shape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { xp in
            guard let op = out.baseAddress else { return }
            ElementwiseKernels.sigmoid(xp.baseAddress!, count: x.shape.count, output: op)
        }
    })
}

private func applyActivation(_ x: Tensor, _ act: FusedActivation) -> Tensor {
    Tensor(shape: x.shape, unsafeUninitialized: { out in
        x.data.withUnsafeBufferPointer { xp in
            guard let op = out.baseAddress else { return }
            ElementwiseKernels.activation(xp.baseAddress!, count: x.shape.count, act, output: op)
        }
    })
}
