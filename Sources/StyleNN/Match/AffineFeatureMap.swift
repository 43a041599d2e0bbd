import StyleTensor

/// A per-pixel affine map of feature vectors, one per statistics row (sample):
///
///     y[n,p,:] = A_r x[n,p,:] + b_r,    r = n (or 0 when there is one row)
///
/// with A_r block-diagonal (G blocks of C/G x C/G channels). This is how the covariance match
/// is applied once its matrices are made (once per image, off the per-tile path): A is run as
/// the weights of a 1x1 convolution with G groups (`conv2d`, the register-blocked kernels of
/// StyleKernels, tested against their naive twin, bit-identical for any thread count), b as
/// its bias.
public struct AffineFeatureMap: Sendable {
    public let channels: Int
    public let groups: Int
    /// Per row: A as C x (C/G) values (block g's rows are output channels g*b ..< (g+1)*b;
    /// column j is input channel g*b + j), and b (C values), in Float as applied.
    public let matrices: [[Float]]
    public let biases: [[Float]]
    let weights: [ConvWeights]

    /// `matrices[r]` holds C * (C/G) values, `biases[r]` C values.
    public init(channels: Int, groups: Int, matrices: [[Float]], biases: [[Float]]) {
        precondition(channels >= 1 && groups >= 1 && channels % groups == 0, "AffineFeatureMap: \(groups) groups for \(channels) channels")
        precondition(!matrices.isEmpty && matrices.count == biases.count, "AffineFeatureMap: one matrix and bias per row")
        precondition(matrices.allSatisfy { $0.count == channels * channels / groups } && biases.allSatisfy { $0.count == channels },
                     "AffineFeatureMap: sizes")
        self.channels = channels; self.groups = groups
        self.matrices = matrices; self.biases = biases
        weights = zip(matrices, biases).map { ConvWeights(oihw: $0, outChannels: channels, inChannels: channels / groups,
                                                          kernelH: 1, kernelW: 1, bias: $1, groups: groups) }
    }

    public var rows: Int { matrices.count }

    /// The map applied to every pixel of `x` (N x H x W x C; N must equal `rows` unless there is one row).
    public func apply(to x: Tensor) -> Tensor {
        precondition(x.shape.c == channels && (rows == 1 || rows == x.shape.n), "AffineFeatureMap: \(rows) rows x \(channels) channels for \(x.shape)")
        if rows == 1 { return conv2d(x, weights[0], padding: .none) }
        return perSample(x) { n, sample in conv2d(sample, weights[n], padding: .none) }
    }

    /// The naive twin (Double sums, plain loops), for tests.
    @_spi(Testing) public func applyNaive(to x: Tensor) -> Tensor {
        let s = x.shape, b = channels / groups
        var y = Tensor(shape: s)
        for n in 0..<s.n {
            let r = rows == 1 ? 0 : n
            for p in 0..<s.pixels {
                let base = (n * s.pixels + p) * channels
                for o in 0..<channels {
                    let g = o / b
                    var sum = Double(biases[r][o])
                    for j in 0..<b { sum += Double(matrices[r][o * b + j]) * Double(x.data[base + g * b + j]) }
                    y.data[base + o] = Float(sum)
                }
            }
        }
        return y
    }

    /// Two regions: `foreground` where weight[n*P+p] == 1 (mask >= 0.5), `background` elsewhere.
    static func apply(_ x: Tensor, regionWeights: [Float], foreground: AffineFeatureMap, background: AffineFeatureMap) -> Tensor {
        let a = foreground.apply(to: x), b = background.apply(to: x)
        let c = x.shape.c
        var y = b
        y.data.withUnsafeMutableBufferPointer { yp in
            a.data.withUnsafeBufferPointer { ap in
                for (i, w) in regionWeights.enumerated() where w >= 0.5 {
                    for k in 0..<c { yp[i * c + k] = ap[i * c + k] }
                }
            }
        }
        return y
    }
}

/// `body` on each sample of `x` (as a 1 x H x W x C tensor), the results stacked.
func perSample(_ x: Tensor, _ body: (Int, Tensor) -> Tensor) -> Tensor {
    let s = x.shape, size = s.pixels * s.c
    var outs: [Tensor] = []
    for n in 0..<s.n {
        let sample = Tensor(shape: Shape(n: 1, h: s.h, w: s.w, c: s.c), data: Array(x.data[(n * size)..<((n + 1) * size)]))
        outs.append(body(n, sample))
    }
    let o = outs[0].shape
    return Tensor(shape: Shape(n: s.n, h: o.h, w: o.w, c: o.c), data: outs.flatMap(\.data))
}
