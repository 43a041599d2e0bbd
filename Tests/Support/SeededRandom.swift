import StyleTensor

/// The one seeded generator of the test suite (SplitMix64, Steele, Lea & Flood 2014): every
/// "random" shape, value, picture and weight is reproducible from its seed. It is a
/// `RandomNumberGenerator`, so `Int.random(in:using:)` and friends take it too.
public struct SeededRandom: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1), on a grid of 2^-23 (the top 24 bits of `next()`).
    public mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    /// `count` values of `float()`.
    public mutating func floats(_ count: Int) -> [Float] { (0..<count).map { _ in float() } }

    /// `count` values uniform in [-scale, scale).
    public mutating func values(_ count: Int, scale: Float) -> [Float] { (0..<count).map { _ in float() * scale } }

    /// Uniform in `range` (modulo bias below 2^-40 for the small ranges the tests use).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// A tensor of `shape` with values `float() * scale + shift`.
    public mutating func tensor(_ shape: Shape, scale: Float = 1, shift: Float = 0) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.count).map { _ in float() * scale + shift })
    }
}
