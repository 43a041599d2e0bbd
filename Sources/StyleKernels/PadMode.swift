/// How values outside an image are made up when it is padded.
public enum PadMode: Sendable, Equatable {
    /// Zeros (TensorFlow "SAME", PyTorch `padding=`).
    case zero
    /// Mirror without repeating the edge: index -1 reads 1, index n reads n-2
    /// (PyTorch `ReflectionPad2d`, TensorFlow `REFLECT`).
    case reflect
}

/// The source index that reflection padding reads for position `i` of a line of `n`
/// values: -1 -> 1, n -> n-2, folding again for pads wider than the line (period
/// 2(n-1)). A line of one value reflects onto itself (PyTorch refuses that case).
@inline(__always)
public func reflectIndex(_ i: Int, _ n: Int) -> Int {
    if i >= 0 && i < n { return i }
    if n == 1 { return 0 }
    let period = 2 * (n - 1)
    var j = i % period
    if j < 0 { j += period }
    return j < n ? j : period - j
}
