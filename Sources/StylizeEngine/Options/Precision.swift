import StyleKernels

/// The arithmetic of the networks' convolutions (`--precision f32|bf16`): see
/// `StyleKernels.Precision`. Re-exported here so that the engine's users name it without
/// importing the kernels.
public typealias Precision = StyleKernels.Precision

/// The bf16 kernels this process runs (`BF16Kernels`): the CPU's AVX512_BF16 instruction, or
/// the exact (slower) emulation.
public typealias BF16Kernels = StyleKernels.BF16Kernels
