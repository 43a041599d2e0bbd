import Foundation

/// Feathered blend weights of the tiles along one axis:
///
///     w_k(y) = q( (1 + cos(pi * u)) / 2 ),   u = (y + 1/2 - (B - R)) / (2R)
///
/// is the falling weight of tile k across the boundary at frame pixel B = s * b_k+1 (R =
/// blend half-width in pixels), tile k+1 gets 1 - w_k(y) there, and weights are 1 inside a
/// tile and 0 outside its blend range. `q` rounds to a multiple of 2^-12, so a weight and
/// its complement are exact, the 2-D weight w_rows * w_cols is an exact float (at most 24
/// significant bits) and the weights of all tiles at a pixel sum to exactly 1 in Float
/// arithmetic in any order. The ramp steps of 1/4096 are far below one 8-bit level.
public enum TileBlend {
    /// Quantum of the weights.
    public static let quantum: Float = 1.0 / 4096

    /// Weight of span `k` of `axis` at frame pixel `y` (0 outside its blend range).
    public static func weight(_ axis: TileAxis, span k: Int, at y: Int) -> Float {
        let span = axis.spans[k]
        guard span.blend.contains(y) else { return 0 }
        let r = axis.blendPixels
        if k > 0 {
            let b = axis.boundaries[k] * axis.stride
            if y < b + r { return 1 - falling(y, boundary: b, halfWidth: r) }
        }
        if k < axis.spans.count - 1 {
            let b = axis.boundaries[k + 1] * axis.stride
            if y >= b - r { return falling(y, boundary: b, halfWidth: r) }
        }
        return 1
    }

    /// The weights of span `k` over its whole blend range (index 0 = `blend.lowerBound`).
    public static func weights(_ axis: TileAxis, span k: Int) -> [Float] {
        axis.spans[k].blend.map { weight(axis, span: k, at: $0) }
    }

    /// The weight of the tile before the boundary at pixel `b`, for y in [b - r, b + r).
    static func falling(_ y: Int, boundary b: Int, halfWidth r: Int) -> Float {
        let u = (Double(y - (b - r)) + 0.5) / Double(2 * r)
        let w = (1 + cos(Double.pi * u)) / 2
        return Float((w * 4096).rounded()) * quantum
    }
}
