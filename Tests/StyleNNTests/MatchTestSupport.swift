import Foundation
import XCTest
import StyleTensor
@testable import StyleNN
import StylizeTestSupport

extension Golden {
    /// A flat list of numbers as Doubles.
    static func doubles(_ value: Any?) -> [Double] { (value as! [Any]).map { ($0 as! NSNumber).doubleValue } }

    /// The named float32 arrays of `name`.json + `name`.f32 (little-endian, NHWC, in order).
    static func binaryTensors(_ name: String) throws -> [String: Tensor] {
        let meta = try load(name)
        guard let url = Bundle.module.url(forResource: name, withExtension: "f32", subdirectory: "Golden") else {
            throw NSError(domain: "Golden", code: 3, userInfo: [NSLocalizedDescriptionKey: "missing golden file \(name).f32"])
        }
        let bytes = try Data(contentsOf: url)
        var offset = 0
        var out: [String: Tensor] = [:]
        for entry in meta["arrays"] as! [[String: Any]] {
            let s = (entry["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
            let shape = Shape(n: s[0], h: s[1], w: s[2], c: s[3])
            let values: [Float] = bytes[offset..<(offset + 4 * shape.count)].withUnsafeBytes { raw in
                (0..<shape.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            offset += 4 * shape.count
            out[entry["name"] as! String] = Tensor(shape: shape, data: values)
        }
        return out
    }
}

/// max |a - b| over two equal-length Double arrays.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// The plain n x n product a b, for tests.
func matmul(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for k in 0..<n { for j in 0..<n { out[i * n + j] += a[i * n + k] * b[k * n + j] } } }
    return out
}

/// The covariance (unbiased) of a tensor's values per channel pair, over all pixels, in Double.
func naiveCovariance(_ t: Tensor) -> (mean: [Double], covariance: [Double]) {
    let c = t.shape.c, n = t.shape.n * t.shape.pixels
    var mean = [Double](repeating: 0, count: c)
    for p in 0..<n { for i in 0..<c { mean[i] += Double(t.data[p * c + i]) } }
    mean = mean.map { $0 / Double(n) }
    var cov = [Double](repeating: 0, count: c * c)
    for p in 0..<n { for i in 0..<c { for j in 0..<c {
        cov[i * c + j] += (Double(t.data[p * c + i]) - mean[i]) * (Double(t.data[p * c + j]) - mean[j])
    } } }
    return (mean, cov.map { $0 / Double(n - 1) })
}

/// Features with correlated channels: x = M z + shift (z uniform), N x H x W x C.
func correlatedFeatures(_ rng: inout SeededRandom, _ shape: Shape, relu: Bool = false) -> Tensor {
    let c = shape.c
    let m = (0..<(c * c)).map { i in rng.float() * 0.5 + (i / c == i % c ? 1 : 0) }
    let shift = (0..<c).map { _ in rng.float() }
    var t = Tensor(shape: shape)
    for p in 0..<(shape.n * shape.pixels) {
        let z = (0..<c).map { _ in rng.float() * 2 }
        for i in 0..<c {
            var v = shift[i]
            for j in 0..<c { v += m[i * c + j] * z[j] }
            t.data[p * c + i] = relu ? max(v, 0) : v
        }
    }
    return t
}

/// max |a - b| / max |b|: a deviation relative to the reference's scale.
func relativeDeviation(_ a: Tensor, _ b: Tensor) -> Float {
    maxDeviation(a, b) / max(b.data.map(abs).max() ?? 0, .leastNormalMagnitude)
}

/// The deviation of `a` from `b` in units of the float32 rounding bound of an affine map:
/// max over values of |a - b| / (u (k + 1) (|b_o| + sum_j |A_oj x_j|)), u = 2^-24, k inputs per
/// output. At most 1 when `a` is within the bound of a float32 evaluation of `map` on `x`.
func affineRoundingRatio(_ a: Tensor, _ b: Tensor, map: AffineFeatureMap, input x: Tensor) -> Float {
    let s = x.shape, c = map.channels, k = c / map.groups
    var worst = 0.0
    for n in 0..<s.n {
        let r = map.rows == 1 ? 0 : n
        for p in 0..<s.pixels {
            let base = (n * s.pixels + p) * c
            for o in 0..<c {
                let g = o / k
                var magnitude = Double(abs(map.biases[r][o]))
                for j in 0..<k { magnitude += abs(Double(map.matrices[r][o * k + j]) * Double(x.data[base + g * k + j])) }
                let bound = 0x1p-24 * Double(k + 1) * magnitude
                worst = max(worst, Double(abs(a.data[base + o] - b.data[base + o])) / max(bound, .leastNormalMagnitude))
            }
        }
    }
    return Float(worst)
}
