/// The activation a kernel applies to its result before storing it.
///
/// - `none`:  y = x
/// - `relu`:  y = max(x, 0)
/// - `relu6`: y = min(max(x, 0), 6)   (MobileNetV2, TensorFlow's `tf.nn.relu6`)
public enum FusedActivation: Sendable, Equatable {
    case none
    case relu
    case relu6

    /// The activation of one scalar (used by naive twins and scalar tails).
    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .none: return x
        case .relu: return x > 0 ? x : 0
        case .relu6: return x > 0 ? (x < 6 ? x : 6) : 0
        }
    }

    /// The code the C kernels take (`sk_act`): 0 none, 1 relu, 2 relu6.
    var code: Int32 {
        switch self {
        case .none: return 0
        case .relu: return 1
        case .relu6: return 2
        }
    }

    @inline(__always)
    func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .none: return x
        case .relu: return max8(x, SIMD8(repeating: 0))
        case .relu6: return min8(max8(x, SIMD8(repeating: 0)), SIMD8(repeating: 6))
        }
    }
}
