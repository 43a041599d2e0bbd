/// The arithmetic of the convolutions (`--precision`).
///
/// - `f32`: every product and sum in float32 (the default).
/// - `bf16`: the 3x3 (Winograd), 1x1 and other single-group convolutions multiply bfloat16
///   operands (weights and activations rounded to 8 significant bits) and accumulate in
///   float32, with AVX512_BF16's dot-product instruction where the CPU has it and an exact
///   emulation of it everywhere else (`BF16Kernels`): the same bits on every machine and for
///   every thread count. The depthwise, few-output-channel and planar convolutions, the
///   normalisations and the statistic swaps stay in float32.
public enum Precision: String, CaseIterable, Sendable, CustomStringConvertible {
    case f32
    case bf16

    public var description: String { rawValue }
}
