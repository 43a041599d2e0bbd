#if canImport(Glibc)
import Glibc
#endif

/// Elementwise kernels over `count` contiguous floats, split into fixed
/// 65,536-value pieces (the partition does not depend on the thread count).
///
/// - add:     out[i] = a[i] + b[i]
/// - relu:    out[i] = max(x[i], 0)
/// - relu6:   out[i] = min(max(x[i], 0), 6)
/// - sigmoid: out[i] = 1 / (1 + exp(-x[i]))
/// `out` may alias an input.
public enum ElementwiseKernels {
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                           output: UnsafeMutablePointer<Float>) {
        chunks(count) { start, end in
            var i = start
            while i + 8 <= end { store8(load8(a + i) + load8(b + i), output + i); i += 8 }
            while i < end { output[i] = a[i] + b[i]; i += 1 }
        }
    }

    public static func activation(_ x: UnsafePointer<Float>, count: Int, _ act: FusedActivation,
                                  output: UnsafeMutablePointer<Float>) {
        chunks(count) { start, end in
            var i = start
            while i + 8 <= end { store8(act.apply(load8(x + i)), output + i); i += 8 }
            while i < end { output[i] = act.apply(x[i]); i += 1 }
        }
    }

    public static func sigmoid(_ x: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        chunks(count) { start, end in
            for i in start..<end { output[i] = sigmoidScalar(x[i]) }
        }
    }

    @inline(__always)
    public static func sigmoidScalar(_ v: Float) -> Float { 1 / (1 + expf(-v)) }

    @inline(__always)
    static func chunks(_ count: Int, _ body: (Int, Int) -> Void) {
        let pieces = (count + elementwiseChunk - 1) / elementwiseChunk
        Parallel.forEach(pieces) { p in
            body(p * elementwiseChunk, min(count, (p + 1) * elementwiseChunk))
        }
    }

    // MARK: naive twins (serial, scalar)

    @_spi(Testing) public static func addNaive(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                                output: UnsafeMutablePointer<Float>) {
        for i in 0..<count { output[i] = a[i] + b[i] }
    }

    @_spi(Testing) public static func activationNaive(_ x: UnsafePointer<Float>, count: Int, _ act: FusedActivation,
                                       output: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            switch act {
            case .none: output[i] = x[i]
            case .relu: output[i] = x[i] < 0 ? 0 : x[i]
            case .relu6: output[i] = x[i] < 0 ? 0 : (x[i] > 6 ? 6 : x[i])
            }
        }
    }

    @_spi(Testing) public static func sigmoidNaive(_ x: UnsafePointer<Float>, count: Int, output: UnsafeMutablePointer<Float>) {
        for i in 0..<count { output[i] = Float(1 / (1 + exp(-Double(x[i])))) }
    }
}
