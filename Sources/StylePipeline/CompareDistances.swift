import Foundation
import StyleTensor

/// The distances `stylize compare` reports, as in pytorch-AdaIN's training losses
/// (Huang & Belongie 2017, eq. 11-12), measured with the model's own encoder taps
/// (relu1_1 ... relu4_1 for the VGG model).
public enum FeatureDistance {
    /// Per-channel mean and standard deviation over H, W of sample 0:
    /// mu_c = mean_p x[p, c],  sigma_c = sqrt(var_unbiased_c + 1e-5)  (pytorch-AdaIN `calc_mean_std`;
    /// the biased variance when there is a single pixel). Accumulated in Double, in pixel order.
    public static func meanStd(_ x: Tensor) -> (mean: [Double], std: [Double]) {
        let c = x.shape.c, n = x.shape.pixels
        var sum = [Double](repeating: 0, count: c)
        for p in 0..<n { for k in 0..<c { sum[k] += Double(x.data[p * c + k]) } }
        let mean = sum.map { $0 / Double(n) }
        var sq = [Double](repeating: 0, count: c)
        for p in 0..<n { for k in 0..<c { let d = Double(x.data[p * c + k]) - mean[k]; sq[k] += d * d } }
        let std = sq.map { (($0 / Double(max(1, n - 1))) + 1e-5).squareRoot() }
        return (mean, std)
    }

    /// Style distance: sum over taps l of  mean_c (mu_l(o) - mu_l(s))^2 + mean_c (sigma_l(o) - sigma_l(s))^2
    /// (the MSE form of pytorch-AdaIN's style loss), output `o` vs style `s`.
    public static func style(output: [Tensor], style: [Tensor]) -> Double {
        precondition(output.count == style.count, "tap counts differ")
        var total = 0.0
        for (o, s) in zip(output, style) {
            let a = meanStd(o), b = meanStd(s)
            let c = Double(a.mean.count)
            var dm = 0.0, ds = 0.0
            for k in a.mean.indices {
                dm += (a.mean[k] - b.mean[k]) * (a.mean[k] - b.mean[k])
                ds += (a.std[k] - b.std[k]) * (a.std[k] - b.std[k])
            }
            total += dm / c + ds / c
        }
        return total
    }

    /// Content distance: mean over all elements of (f(o) - f(c))^2 at the deepest tap,
    /// output `o` vs content `c` (same size).
    public static func content(output: Tensor, content: Tensor) -> Double {
        precondition(output.shape == content.shape, "content distance needs equal shapes, got \(output.shape) and \(content.shape)")
        var sum = 0.0
        for i in output.data.indices { let d = Double(output.data[i]) - Double(content.data[i]); sum += d * d }
        return sum / Double(max(1, output.data.count))
    }

    /// Mean absolute difference of two images' values (same shape), e.g. in [0, 1].
    public static func meanAbsoluteChange(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape, "shapes differ: \(a.shape) and \(b.shape)")
        var sum = 0.0
        for i in a.data.indices { sum += abs(Double(a.data[i]) - Double(b.data[i])) }
        return sum / Double(max(1, a.data.count))
    }
}

/// A change of the content image for the contrast sweep, applied to RGB values in [0, 1]
/// and clamped to [0, 1]:  contrast k: x' = 0.5 + k (x - 0.5);  brightness b: x' = x + b.
public enum ContentAdjustment: Sendable, Equatable, CustomStringConvertible {
    case contrast(Float)
    case brightness(Float)

    /// The sweep `stylize compare --contrast-sweep` adds below the x1 row.
    public static let sweep: [ContentAdjustment] = [.contrast(0.5), .contrast(1.5), .brightness(-0.2), .brightness(0.2)]

    public func apply(_ x: Tensor) -> Tensor {
        var y = x
        for i in y.data.indices {
            let v: Float
            switch self {
            case .contrast(let k): v = 0.5 + k * (y.data[i] - 0.5)
            case .brightness(let b): v = y.data[i] + b
            }
            y.data[i] = min(max(v, 0), 1)
        }
        return y
    }

    /// "contrast x0.5", "brightness -0.2", ...
    public var description: String {
        switch self {
        case .contrast(let k): return "contrast x\(Self.short(k))"
        case .brightness(let b): return "brightness \(b >= 0 ? "+" : "")\(Self.short(b))"
        }
    }

    static func short(_ v: Float) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", Double(v))
    }
}
