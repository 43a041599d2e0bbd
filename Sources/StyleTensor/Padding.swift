import StyleKernels

/// How a convolution pads its input before sliding the kernel.
public enum Padding: Equatable, Sendable {
    /// No padding ("VALID").
    case none
    /// TensorFlow "SAME" zero padding: per axis, total = max((ceil(in/s) - 1)*s + k - in, 0),
    /// before = total/2, after = total - before (the extra pixel goes after).
    case same
    /// Reflection padding of `p` on every side (PyTorch `ReflectionPad2d(p)`).
    case reflect(Int)
    /// Zero padding with explicit amounts (PyTorch `padding=p` is `.zero(p, p, p, p)`).
    case zero(top: Int, left: Int, bottom: Int, right: Int)

    /// The explicit pad amounts and mode for an input of `height x width`.
    public func resolve(height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int)
        -> (top: Int, left: Int, bottom: Int, right: Int, mode: PadMode)
    {
        switch self {
        case .none:
            return (0, 0, 0, 0, .zero)
        case .reflect(let p):
            return (p, p, p, p, .reflect)
        case .zero(let t, let l, let b, let r):
            return (t, l, b, r, .zero)
        case .same:
            func total(_ n: Int, _ k: Int) -> Int {
                max(((n + stride - 1) / stride - 1) * stride + k - n, 0)
            }
            let th = total(height, kernelH), tw = total(width, kernelW)
            return (th / 2, tw / 2, th - th / 2, tw - tw / 2, .zero)
        }
    }
}

/// Activation fused into a convolution's output.
public enum Activation: Equatable, Sendable {
    /// y = x
    case none
    /// y = max(x, 0)
    case relu
    /// y = min(max(x, 0), 6)
    case relu6

    var fused: FusedActivation {
        switch self {
        case .none: return .none
        case .relu: return .relu
        case .relu6: return .relu6
        }
    }
}
