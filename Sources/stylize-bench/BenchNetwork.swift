import StyleTensor

/// One convolution of the benchmark network, with its key in pytorch-AdaIN's
/// `nn.Sequential` (`vgg.N` or `decoder.N`).
struct BenchConv {
    let key: String
    let weights: ConvWeights
    var cin: Int { weights.inChannels }
    var cout: Int { weights.outChannels }
    var k: Int { weights.kernelH }
}

/// The pytorch-AdaIN network (VGG-19 encoder to relu4_1, mirrored decoder) with
/// seeded random weights (uniform, He-scaled so activations stay O(1)). Only for
/// timing and for checking that PyTorch and this engine compute the same thing.
struct BenchNetwork {
    /// (index, cin, cout, k) in `vgg` of pytorch-AdaIN.
    static let encoderLayout: [(Int, Int, Int, Int)] = [
        (0, 3, 3, 1), (2, 3, 64, 3), (5, 64, 64, 3), (9, 64, 128, 3), (12, 128, 128, 3),
        (16, 128, 256, 3), (19, 256, 256, 3), (22, 256, 256, 3), (25, 256, 256, 3), (29, 256, 512, 3),
    ]
    /// (index, cin, cout, k) in `decoder` of pytorch-AdaIN.
    static let decoderLayout: [(Int, Int, Int, Int)] = [
        (1, 512, 256, 3), (5, 256, 256, 3), (8, 256, 256, 3), (11, 256, 256, 3), (14, 256, 128, 3),
        (18, 128, 128, 3), (21, 128, 64, 3), (25, 64, 64, 3), (28, 64, 3, 3),
    ]

    let encoder: [BenchConv]
    let decoder: [BenchConv]

    init(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        func make(_ prefix: String, _ l: (Int, Int, Int, Int)) -> BenchConv {
            let (i, cin, cout, k) = l
            let scale = (6.0 / Float(cin * k * k)).squareRoot()
            let w = (0..<(cout * cin * k * k)).map { _ in rng.uniform() * scale }
            let b = (0..<cout).map { _ in rng.uniform() * 0.1 }
            return BenchConv(key: "\(prefix).\(i)",
                             weights: ConvWeights(oihw: w, outChannels: cout, inChannels: cin,
                                                  kernelH: k, kernelW: k, bias: b))
        }
        encoder = Self.encoderLayout.map { make("vgg", $0) }
        decoder = Self.decoderLayout.map { make("decoder", $0) }
    }

    /// relu4_1 features: conv0 (1x1), then the VGG blocks with reflection padding,
    /// ReLU, and ceil-mode max-pooling after relu1_2, relu2_2, relu3_4.
    func encode(_ x: Tensor) -> Tensor {
        var h = conv2d(x, encoder[0].weights, padding: .none)
        for (i, layer) in encoder.enumerated().dropFirst() {
            h = conv2d(h, layer.weights, padding: .reflect(1), activation: .relu)
            if i == 2 || i == 4 || i == 8 { h = maxPool2x2(h) }
        }
        return h
    }

    /// Decoder: nearest x2 upsampling after decoder convs 1, 14 and 21; ReLU after all but the last.
    func decode(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in decoder.enumerated() {
            let last = i == decoder.count - 1
            h = conv2d(h, layer.weights, padding: .reflect(1), activation: last ? .none : .relu)
            if i == 0 || i == 4 || i == 6 { h = upsampleNearest2x(h) }
        }
        return h
    }

    /// Content encoding + style encoding + AdaIN + decoding.
    func transfer(content: Tensor, style: Tensor) -> Tensor {
        let fc = encode(content), fs = encode(style)
        return decode(adain(fc, fs))
    }
}

/// AdaIN as pytorch-AdaIN computes it: per sample and channel, unbiased variance + 1e-5,
/// t = (c - mean_c) / std_c * std_s + mean_s. Plain loops (the statistics kernels
/// are not part of this benchmark).
func adain(_ content: Tensor, _ style: Tensor) -> Tensor {
    func stats(_ t: Tensor) -> ([Double], [Double]) {
        let c = t.shape.c, p = t.shape.pixels
        var mean = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
        for i in 0..<p { for ch in 0..<c { mean[ch] += Double(t.data[i * c + ch]) } }
        for ch in 0..<c { mean[ch] /= Double(p) }
        for i in 0..<p { for ch in 0..<c { let d = Double(t.data[i * c + ch]) - mean[ch]; sq[ch] += d * d } }
        let std = sq.map { ($0 / Double(max(p - 1, 1)) + 1e-5).squareRoot() }
        return (mean, std)
    }
    let (mc, sc) = stats(content), (ms, ss) = stats(style)
    var out = content
    let c = content.shape.c
    for i in 0..<content.shape.pixels {
        for ch in 0..<c {
            out.data[i * c + ch] = Float((Double(content.data[i * c + ch]) - mc[ch]) / sc[ch] * ss[ch] + ms[ch])
        }
    }
    return out
}

/// Deterministic test images, computed the same way by Benchmarks/bench_pytorch.py:
/// content[y, x, c] = 0.5 + 0.5 sin(0.05 x + 0.07 y + c), style = 0.5 + 0.5 cos(0.03 x - 0.05 y + 2c).
func benchImage(size: Int, style: Bool) -> Tensor {
    var t = Tensor(shape: Shape(h: size, w: size, c: 3))
    for y in 0..<size {
        for x in 0..<size {
            for c in 0..<3 {
                let v = style ? 0.5 + 0.5 * cos(0.03 * Double(x) - 0.05 * Double(y) + 2 * Double(c))
                              : 0.5 + 0.5 * sin(0.05 * Double(x) + 0.07 * Double(y) + Double(c))
                t[0, y, x, c] = Float(v)
            }
        }
    }
    return t
}

/// SplitMix64 for the seeded weights.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}

#if canImport(Glibc)
import Glibc
#endif
