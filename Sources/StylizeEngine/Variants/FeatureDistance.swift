import Foundation
import ImageCodecs
import StyleModels
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
        return Self.style(output: output.map(meanStd), style: style.map(meanStd))
    }

    /// The style distance from each tap's per-channel means and deviations (`meanStd`).
    public static func style(output: [(mean: [Double], std: [Double])], style: [(mean: [Double], std: [Double])]) -> Double {
        precondition(output.count == style.count, "tap counts differ")
        var total = 0.0
        for (a, b) in zip(output, style) {
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

    /// `meanAbsoluteChange` of two 8-bit images (same size) on the [0, 1] scale of
    /// `Tensor(image:)`, without their float copies: the same value.
    public static func meanAbsoluteChange(_ a: Image, _ b: Image) -> Double {
        precondition(a.width == b.width && a.height == b.height, "sizes differ: \(a.width)x\(a.height) and \(b.width)x\(b.height)")
        var sum = 0.0
        for i in a.rgb.indices { sum += abs(Double(Float(a.rgb[i]) * (1 / 255)) - Double(Float(b.rgb[i]) * (1 / 255))) }
        return sum / Double(max(1, a.rgb.count))
    }

    /// Mean absolute difference of two images' values (same shape), e.g. in [0, 1].
    public static func meanAbsoluteChange(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape, "shapes differ: \(a.shape) and \(b.shape)")
        var sum = 0.0
        for i in a.data.indices { sum += abs(Double(a.data[i]) - Double(b.data[i])) }
        return sum / Double(max(1, a.data.count))
    }
}
