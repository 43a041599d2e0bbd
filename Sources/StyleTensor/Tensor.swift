/// A dense float32 tensor in NHWC layout: `n` samples, each `h` rows of `w` pixels
/// of `c` channels, stored contiguously with the channel index fastest.
///
/// NHWC keeps the channels of one pixel adjacent, which is what the convolution
/// micro-kernels vectorise over, and matches the layout of decoded images.
/// `Tensor` is a value type (copy-on-write through its array).
public struct Tensor: Equatable, Sendable {
    public let shape: Shape
    public var data: [Float]

    /// A tensor of the given shape filled with `value`.
    public init(shape: Shape, repeating value: Float = 0) {
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.count)
    }

    /// A tensor over existing values (NHWC order); `data.count` must equal `shape.count`.
    public init(shape: Shape, data: [Float]) {
        precondition(data.count == shape.count, "Tensor data has \(data.count) values, shape \(shape) needs \(shape.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor whose values are written by `initializer`, which must set all of them.
    public init(shape: Shape, unsafeUninitialized initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: shape.count) { buffer, count in
            initializer(buffer)
            count = shape.count
        }
    }

    /// The value at sample `n`, row `y`, column `x`, channel `c`.
    public subscript(n: Int, y: Int, x: Int, c: Int) -> Float {
        get { data[shape.index(n: n, y: y, x: x, c: c)] }
        set { data[shape.index(n: n, y: y, x: x, c: c)] = newValue }
    }
}

/// The shape of an NHWC tensor.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var n: Int
    public var h: Int
    public var w: Int
    public var c: Int

    public init(n: Int = 1, h: Int, w: Int, c: Int) {
        precondition(n >= 0 && h >= 0 && w >= 0 && c >= 0, "negative tensor dimension")
        self.n = n; self.h = h; self.w = w; self.c = c
    }

    /// Number of values.
    public var count: Int { n * h * w * c }
    /// Pixels per sample.
    public var pixels: Int { h * w }

    /// Offset of one value in NHWC order.
    @inline(__always)
    public func index(n: Int, y: Int, x: Int, c: Int) -> Int {
        ((n * h + y) * w + x) * self.c + c
    }

    public var description: String { "\(n)x\(h)x\(w)x\(c) (NHWC)" }
}
